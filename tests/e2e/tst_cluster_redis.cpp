// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Two conversa-server instances on one PostgreSQL database sharing one real redis-server
// (everything started here on free loopback ports): presence and typing cross instances, the
// send budget is one per user across both, Redis stopped mid-run leaves messages flowing
// (acknowledged, delivered, stored gapless) and is logged once, presence recovers when Redis is
// back, a SIGKILLed instance's users go offline on the other within the presence TTL, and failed
// sign-ins count on both instances together.
#include "ConversaTest.h"
#include "HttpProbe.h"
#include "PostgresServer.h"
#include "RedisServer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
constexpr int kTtlSeconds = 3;
// An expired instance is noticed at the next check (a third of the TTL), and the presence event
// may wait out the 2 s quiet interval.
constexpr int kOfflineWithinMs = (kTtlSeconds + kTtlSeconds / 3 + 2) * 1000 + 1500;

QString password(const QString &user)
{
    return user + u"-Redis-7"_s;
}

bool isPresence(const QJsonObject &event, const QString &user, bool online)
{
    return event.value(u"user"_s).toString() == user && event.value(u"online"_s).toBool() == online;
}
} // namespace

class tst_cluster_redis : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<PostgresServer> m_postgres;
    std::unique_ptr<RedisServer> m_redis;
    QString m_url;
    std::unique_ptr<ServerProcess> m_a;
    std::unique_ptr<ServerProcess> m_b;
    QHash<QString, QString> m_tokens;

    std::unique_ptr<ServerProcess> instance(const QStringList &extra = {})
    {
        auto server = std::make_unique<ServerProcess>();
        server->setDatabaseUrl(m_url);
        QStringList arguments{u"--redis-url"_s, m_redis->url(), u"--redis-presence-ttl-seconds"_s,
                              QString::number(kTtlSeconds)};
        arguments += extra.isEmpty() ? QStringList{u"--messages-per-second"_s, u"100000"_s,
                                                   u"--message-burst"_s, u"100000"_s}
                                     : extra;
        if (!server->start(arguments)) {
            qWarning().noquote() << server->diagnostics();
            return {};
        }
        return server;
    }

    std::unique_ptr<TestClient> as(ServerProcess &server, const QString &user)
    {
        QString why;
        auto client = openWithToken(server.url(), m_tokens.value(user), &why);
        if (!client)
            qWarning().noquote() << "cannot open a session for" << user << ":" << why;
        return client;
    }

    static bool onlineInMembers(TestClient &asker, const QString &user)
    {
        const QJsonObject reply = asker.members(u"lab"_s);
        for (const QJsonValue &member : reply.value(u"members"_s).toArray()) {
            if (member[u"user"_s].toString() == user)
                return member[u"online"_s].toBool();
        }
        return false;
    }

    static int redisUpGauge(ServerProcess &server)
    {
        const HttpResponse metrics = httpGet(server.httpUrl(u"/metrics"_s));
        for (const QByteArray &line : metrics.body.split('\n')) {
            if (line.startsWith("conversa_redis_up "))
                return line.mid(18).toInt();
        }
        return -1;
    }

private slots:
    void initTestCase()
    {
        if (!PostgresServer::isInstalled()) {
            if (PostgresServer::mustRun())
                QFAIL(qPrintable(PostgresServer::whyUnavailable()));
            QSKIP(qPrintable(PostgresServer::whyUnavailable()));
        }
        if (!RedisServer::isInstalled()) {
            if (RedisServer::mustRun())
                QFAIL("redis-server is not installed (apt-get install redis-server)");
            QSKIP("redis-server is not installed (apt-get install redis-server)");
        }
        m_redis = std::make_unique<RedisServer>();
        QVERIFY2(m_redis->start(), qPrintable(m_redis->diagnostics()));
        m_postgres = std::make_unique<PostgresServer>();
        QVERIFY2(m_postgres->start(), qPrintable(m_postgres->errorString()));
        m_url = m_postgres->createDatabase(u"chat"_s);
        QVERIFY2(!m_url.isEmpty(), qPrintable(m_postgres->errorString()));
        // Users and the room first; instances read rooms and members when they start.
        ServerProcess setup;
        setup.setDatabaseUrl(m_url);
        for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s})
            QVERIFY2(setup.addUser(user, password(user)), qPrintable(setup.lastAdminError()));
        QVERIFY2(setup.createRoom(u"lab"_s, u"Lab"_s), qPrintable(setup.lastAdminError()));
        QVERIFY2(setup.start(), qPrintable(setup.diagnostics()));
        for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s}) {
            QString why;
            auto client = openWithLogin(setup.url(), user, password(user), &why);
            QVERIFY2(client, qPrintable(why));
            m_tokens.insert(user, client->token());
            VERIFY_OK(client->join(u"lab"_s));
        }
        // dave never signs in here: the sign-in test guesses his password.
        QVERIFY2(setup.addUser(u"dave"_s, password(u"dave"_s)), qPrintable(setup.lastAdminError()));
        QCOMPARE(setup.terminate(), 0);
        m_a = instance();
        m_b = instance();
        QVERIFY(m_a && m_b);
        QTRY_COMPARE_WITH_TIMEOUT(redisUpGauge(*m_a), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(redisUpGauge(*m_b), 1, 5000);
    }

    void cleanupTestCase()
    {
        m_a.reset();
        m_b.reset();
        m_redis.reset();
        m_postgres.reset();
    }

    void presenceAndTypingCrossInstances()
    {
        auto bob = as(*m_b, u"bob"_s);
        QVERIFY(bob);
        QVERIFY(!onlineInMembers(*bob, u"alice"_s));
        auto alice = as(*m_a, u"alice"_s);
        QVERIFY(alice);
        // alice is on A only; bob, on B, hears that she came online and sees it in members.
        QVERIFY(
            !bob->waitForEvent(u"presence"_s, 5000,
                               [](const QJsonObject &e) { return isPresence(e, u"alice"_s, true); })
                 .isEmpty());
        QVERIFY(onlineInMembers(*bob, u"alice"_s));
        QVERIFY(onlineInMembers(*alice, u"bob"_s));
        alice->typing(u"lab"_s);
        const QJsonObject typing = bob->waitForEvent(u"typing"_s, 3000);
        QCOMPARE(typing.value(u"user"_s).toString(), u"alice"_s);
        QCOMPARE(typing.value(u"room"_s).toString(), u"lab"_s);
        // A second notice within the second is not relayed.
        alice->typing(u"lab"_s);
        QTest::qWait(500);
        QCOMPARE(bob->eventsOfType(u"typing"_s).size(), 0);
        alice.reset();
        QVERIFY(!bob->waitForEvent(
                        u"presence"_s, 5000,
                        [](const QJsonObject &e) { return isPresence(e, u"alice"_s, false); })
                     .isEmpty());
        QVERIFY(!onlineInMembers(*bob, u"alice"_s));
    }

    void theSendBudgetIsOnePerUserAcrossInstances()
    {
        auto c = instance({u"--messages-per-second"_s, u"0.01"_s, u"--message-burst"_s, u"4"_s});
        auto d = instance({u"--messages-per-second"_s, u"0.01"_s, u"--message-burst"_s, u"4"_s});
        QVERIFY(c && d);
        QTRY_COMPARE_WITH_TIMEOUT(redisUpGauge(*c), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(redisUpGauge(*d), 1, 5000);
        auto onC = as(*c, u"carol"_s);
        auto onD = as(*d, u"carol"_s);
        QVERIFY(onC && onD);
        VERIFY_OK(onC->send(u"lab"_s, u"1"_s));
        VERIFY_OK(onD->send(u"lab"_s, u"2"_s));
        VERIFY_OK(onC->send(u"lab"_s, u"3"_s));
        VERIFY_OK(onD->send(u"lab"_s, u"4"_s));
        // Each instance alone would allow 4 more; together they allow none.
        VERIFY_ERROR(onC->send(u"lab"_s, u"5"_s), u"rate_limited"_s);
        VERIFY_ERROR(onD->send(u"lab"_s, u"6"_s), u"rate_limited"_s);
    }

    void redisStoppedMidRun_messagesKeepFlowing_presenceRecovers()
    {
        auto alice = as(*m_a, u"alice"_s);
        auto bobOnA = as(*m_a, u"bob"_s);
        auto bob = as(*m_b, u"bob"_s);
        QVERIFY(alice && bobOnA && bob);
        QTRY_VERIFY_WITH_TIMEOUT(onlineInMembers(*bob, u"alice"_s), 5000);
        bob->clearEvents();
        const qint64 firstSeq = [&] {
            const QJsonObject sent = alice->send(u"lab"_s, u"before"_s);
            return sent.value(u"seq"_s).toInteger();
        }();
        QVERIFY(firstSeq > 0);

        // 300 messages, Redis killed after the first 100 went out.
        QList<QJsonValue> ids;
        for (int i = 0; i < 300; ++i) {
            ids.append(alice->post({{u"type"_s, u"send"_s},
                                    {u"room"_s, u"lab"_s},
                                    {u"cid"_s, u"flow-%1"_s.arg(i)},
                                    {u"body"_s, u"m%1"_s.arg(i)}}));
            if (i == 100)
                m_redis->stop();
        }
        qint64 expected = firstSeq + 1;
        for (const QJsonValue &id : std::as_const(ids)) {
            const QJsonObject reply = alice->waitForReply(id, 15000);
            VERIFY_OK(reply);
            QCOMPARE(reply.value(u"seq"_s).toInteger(), expected++);
        }
        // Delivered live on A, in order, once each.
        // (Earlier messages of other instances may reach it too, as the room catches up.)
        const auto after = [firstSeq](const QJsonObject &e) {
            return e.value(u"seq"_s).toInteger() > firstSeq;
        };
        for (qint64 seq = firstSeq + 1; seq < expected; ++seq) {
            const QJsonObject event = bobOnA->waitForEvent(u"message"_s, 5000, after);
            QCOMPARE(event.value(u"seq"_s).toInteger(), seq);
        }
        // More while Redis stays down, and B serves all of it.
        VERIFY_OK(alice->send(u"lab"_s, u"while Redis is down"_s));
        const QJsonObject page = bob->sync(u"lab"_s, firstSeq - 1, 500);
        VERIFY_OK(page);
        const QList<qint64> seqs = seqsOf(messagesOf(page));
        QCOMPARE(seqs.size(), 302);
        QCOMPARE(seqs.first(), firstSeq);
        QCOMPARE(seqs.last(), firstSeq + 301);

        QTRY_COMPARE_WITH_TIMEOUT(redisUpGauge(*m_a), 0, 3000);
        QTRY_COMPARE_WITH_TIMEOUT(redisUpGauge(*m_b), 0, 3000);
        // Without Redis B stops vouching for A's users once their claims would have expired:
        // presence is this instance's alone.
        QVERIFY(!bob->waitForEvent(
                        u"presence"_s, kOfflineWithinMs,
                        [](const QJsonObject &e) { return isPresence(e, u"alice"_s, false); })
                     .isEmpty());
        // Reconnect attempts kept failing all that time; the log says so once.
        for (ServerProcess *server : {m_a.get(), m_b.get()})
            QCOMPARE(server->standardError().count("event=redis_down"), 1);

        QVERIFY2(m_redis->start(), qPrintable(m_redis->diagnostics()));
        QTRY_COMPARE_WITH_TIMEOUT(redisUpGauge(*m_a), 1, 8000);
        QTRY_COMPARE_WITH_TIMEOUT(redisUpGauge(*m_b), 1, 8000);
        QVERIFY(
            !bob->waitForEvent(u"presence"_s, 5000,
                               [](const QJsonObject &e) { return isPresence(e, u"alice"_s, true); })
                 .isEmpty());
        QVERIFY(onlineInMembers(*bob, u"alice"_s));
        for (ServerProcess *server : {m_a.get(), m_b.get()})
            QVERIFY(server->standardError().count("event=redis_up") >= 2);
    }

    void startsAndServesWhileRedisIsNotThere()
    {
        auto server = std::make_unique<ServerProcess>();
        server->setDatabaseUrl(m_url);
        const QString nowhere = u"redis://127.0.0.1:%1"_s.arg(freeLoopbackPort());
        QVERIFY2(server->start({u"--redis-url"_s, nowhere}), qPrintable(server->diagnostics()));
        auto alice = as(*server, u"alice"_s);
        QVERIFY(alice);
        VERIFY_OK(alice->send(u"lab"_s, u"no Redis anywhere"_s));
        QCOMPARE(redisUpGauge(*server), 0);
        QTest::qWait(1500); // several reconnect attempts fail meanwhile
        QCOMPARE(server->standardError().count("event=redis_down"), 1);
    }

    void aKilledInstancesUsersGoOfflineOnTheOther()
    {
        auto alice = as(*m_a, u"alice"_s);
        auto bob = as(*m_b, u"bob"_s);
        QVERIFY(alice && bob);
        QTRY_VERIFY_WITH_TIMEOUT(onlineInMembers(*bob, u"alice"_s), 5000);
        bob->clearEvents();
        QElapsedTimer timer;
        timer.start();
        m_a->kill();
        QVERIFY(!bob->waitForEvent(
                        u"presence"_s, kOfflineWithinMs,
                        [](const QJsonObject &e) { return isPresence(e, u"alice"_s, false); })
                     .isEmpty());
        qInfo() << "offline on the other instance" << timer.elapsed() << "ms after SIGKILL (TTL"
                << kTtlSeconds << "s)";
        // Claims are refreshed every third of the TTL, so they expire 2-3 s after the kill.
        QVERIFY2(timer.elapsed() >= kTtlSeconds * 1000 * 2 / 3 - 500,
                 "gone before the claims could have expired: not the expiry at work");
        QVERIFY(!onlineInMembers(*bob, u"alice"_s));
        // Messages go on with one instance.
        VERIFY_OK(bob->send(u"lab"_s, u"still here"_s));
        QVERIFY(m_a->restart());
    }

    // Last: it fills 127.0.0.1's minute of failed sign-ins (later tests would only use tokens).
    void failedSignInsCountOnBothInstances()
    {
        QTRY_COMPARE_WITH_TIMEOUT(redisUpGauge(*m_a), 1, 5000);
        auto attempt = [](ServerProcess &server, const QString &secret) {
            TestClient client;
            if (!client.open(server.url()))
                return u"no connection"_s;
            const QJsonObject reply = client.login(u"dave"_s, secret);
            return reply.value(u"type"_s).toString() == u"ok"_s ? u"ok"_s
                                                                : reply.value(u"code"_s).toString();
        };
        // login_failures_per_minute is 5: three guesses on A and two on B fill it.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(attempt(*m_a, u"guess"_s), u"unauthorized"_s);
        for (int i = 0; i < 2; ++i)
            QCOMPARE(attempt(*m_b, u"guess"_s), u"unauthorized"_s);
        // Each instance alone has seen fewer than 5; together they lock dave everywhere.
        QCOMPARE(attempt(*m_a, u"guess"_s), u"rate_limited"_s);
        QCOMPARE(attempt(*m_b, password(u"dave"_s)), u"rate_limited"_s);
    }
};

QTEST_GUILESS_MAIN(tst_cluster_redis)
#include "tst_cluster_redis.moc"
