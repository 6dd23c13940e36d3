// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Two conversa-server instances on one real PostgreSQL (storage=postgresql): what one instance
// stores reaches the other's sessions through LISTEN/NOTIFY and reads (cluster/RoomFeed,
// cluster/ClusterListener), exactly once and in order; rooms made and joined on one are known
// to the other; a token revoked through one closes its sessions on the other within a second;
// a restarted PostgreSQL loses nothing.
#include "ConversaTest.h"
#include "PostgresServer.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
QString password(const QString &user)
{
    return user + u"-Secret-5"_s;
}

QStringList fastSends()
{
    return {u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s, u"100000"_s};
}

QList<qint64> seqsOfEvents(const TestClient &client, const QString &room)
{
    QList<qint64> seqs;
    for (const QJsonObject &event : client.eventsOfType(u"message"_s)) {
        if (event.value("room"_L1).toString() == room)
            seqs.append(event.value("seq"_L1).toInteger());
    }
    return seqs;
}
} // namespace

class tst_cluster_fanout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!PostgresServer::isInstalled()) {
            if (PostgresServer::mustRun())
                QFAIL(qPrintable(PostgresServer::whyUnavailable()));
            QSKIP(qPrintable(PostgresServer::whyUnavailable()));
        }
        QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
        const QString url = m_postgres.createDatabase(u"cluster"_s);
        QVERIFY2(!url.isEmpty(), qPrintable(m_postgres.errorString()));
        m_a.setDatabaseUrl(url);
        m_b.setDatabaseUrl(url);
        for (const QString &user : {u"alice"_s, u"bob"_s})
            QVERIFY2(m_a.addUser(user, password(user)), qPrintable(m_a.lastAdminError()));
        QVERIFY2(m_a.createRoom(u"lobby"_s, u"Lobby"_s), qPrintable(m_a.lastAdminError()));
        QVERIFY2(m_a.start(fastSends() + QStringList{u"--instance-name"_s, u"a"_s}),
                 qPrintable(m_a.diagnostics()));
        QVERIFY2(m_b.start(fastSends() + QStringList{u"--instance-name"_s, u"b"_s}),
                 qPrintable(m_b.diagnostics()));
        for (const QString &user : {u"alice"_s, u"bob"_s}) {
            QString why;
            auto client = openWithLogin(m_a.url(), user, password(user), &why);
            QVERIFY2(client, qPrintable(why));
            VERIFY_OK(client->join(u"lobby"_s));
            m_tokens.insert(user, client->token());
        }
    }

    void messagesCrossInstances_once_inOrder()
    {
        auto alice = open(m_a, u"alice"_s);
        auto bob = open(m_b, u"bob"_s);
        QVERIFY(alice && bob);
        const qint64 before = lastSeq(*alice, u"lobby"_s);
        // Both write at once, each on its own instance: seqs interleave in the database, and
        // each side must see the other's in order (and its own as answers).
        constexpr int kEach = 300;
        QStringList aliceBodies;
        QStringList bobBodies;
        for (int i = 0; i < kEach; ++i) {
            aliceBodies << u"from a %1"_s.arg(i);
            bobBodies << u"from b %1"_s.arg(i);
        }
        QList<QJsonValue> posted;
        for (int i = 0; i < kEach; ++i) {
            alice->post({{"type"_L1, "send"_L1},
                         {"room"_L1, "lobby"_L1},
                         {"cid"_L1, u"a-%1"_s.arg(i)},
                         {"body"_L1, aliceBodies.at(i)}});
            bob->post({{"type"_L1, "send"_L1},
                       {"room"_L1, "lobby"_L1},
                       {"cid"_L1, u"b-%1"_s.arg(i)},
                       {"body"_L1, bobBodies.at(i)}});
        }
        const qint64 last = before + 2 * kEach;
        QVERIFY2(
            waitUntil(
                [&] {
                    return seqsOfEvents(*alice, u"lobby"_s).size() >= kEach &&
                           seqsOfEvents(*bob, u"lobby"_s).size() >= kEach;
                },
                20000),
            qPrintable(u"alice saw %1, bob saw %2"_s.arg(seqsOfEvents(*alice, u"lobby"_s).size())
                           .arg(seqsOfEvents(*bob, u"lobby"_s).size()) +
                       alice->diagnostics() + bob->diagnostics()));
        QTest::qWait(300); // nothing more may come
        // Each saw, as events plus its own acknowledgements, every seq once and in order.
        for (TestClient *client : {alice.get(), bob.get()}) {
            QList<qint64> events = seqsOfEvents(*client, u"lobby"_s);
            QSet<qint64> own;
            for (const QJsonObject &reply : client->pendingReplies()) {
                VERIFY_OK(reply);
                own.insert(reply.value("seq"_L1).toInteger());
            }
            QCOMPARE(own.size(), kEach);
            // Events go up strictly: no duplicate, no reordering.
            for (qsizetype i = 1; i < events.size(); ++i)
                QVERIFY2(events.at(i) > events.at(i - 1),
                         qPrintable(u"%1 after %2"_s.arg(events.at(i)).arg(events.at(i - 1))));
            QSet<qint64> all(events.cbegin(), events.cend());
            all.unite(own);
            QCOMPARE(all.size(), 2 * kEach);
            QCOMPARE(*std::min_element(all.cbegin(), all.cend()), before + 1);
            QCOMPARE(*std::max_element(all.cbegin(), all.cend()), last);
        }
    }

    void roomMadeOnOneInstance_isKnownOnTheOther()
    {
        auto alice = open(m_a, u"alice"_s);
        auto bob = open(m_b, u"bob"_s);
        QVERIFY(alice && bob);
        VERIFY_OK(bob->create(u"fresh"_s, u"Fresh"_s));
        // a hears of the room and of alice joining it there.
        // Bounds of 10 s: under ASan with another suite beside it, one crossing took over 3 s.
        QVERIFY(waitUntil([&] { return TestClient::isOk(alice->join(u"fresh"_s)); }, 10000));
        VERIFY_OK(alice->send(u"fresh"_s, u"hello from a"_s));
        const QJsonObject event = bob->waitForEvent(u"message"_s, 10000, [](const QJsonObject &e) {
            return e.value("room"_L1).toString() == "fresh"_L1;
        });
        QCOMPARE(event.value("body"_L1).toString(), u"hello from a"_s);
        VERIFY_OK(bob->send(u"fresh"_s, u"hello from b"_s));
        const QJsonObject back = alice->waitForEvent(u"message"_s, 10000, [](const QJsonObject &e) {
            return e.value("room"_L1).toString() == "fresh"_L1;
        });
        QCOMPARE(back.value("body"_L1).toString(), u"hello from b"_s);
    }

    // Added to a room, renamed or removed through one instance: the other's sessions are told
    // (cluster/MembershipNews on the directory reload), and a dm is the same room from both.
    void membershipNewsCrossInstances()
    {
        auto alice = open(m_a, u"alice"_s);
        auto bob = open(m_b, u"bob"_s);
        QVERIFY(alice && bob);
        const QJsonObject opened = alice->request({{"type"_L1, "dm"_L1}, {"user"_L1, "bob"_L1}});
        VERIFY_OK(opened);
        const QString dm = opened.value("room"_L1).toString();
        const QJsonObject told = bob->waitForEvent(u"room"_s, 5000, [&](const QJsonObject &e) {
            return e.value("room"_L1).toString() == dm;
        });
        QCOMPARE(told.value("kind"_L1).toString(), u"dm"_s);
        QCOMPARE(told.value("peer"_L1).toString(), u"alice"_s);
        QCOMPARE(bob->request({{"type"_L1, "dm"_L1}, {"user"_L1, "alice"_L1}})
                     .value("room"_L1)
                     .toString(),
                 dm);

        VERIFY_OK(alice->request(
            {{"type"_L1, "create"_L1}, {"room"_L1, "secret"_L1}, {"private"_L1, true}}));
        VERIFY_OK(alice->request(
            {{"type"_L1, "invite"_L1}, {"room"_L1, "secret"_L1}, {"user"_L1, "bob"_L1}}));
        bob->waitForEvent(u"room"_s, 5000, [](const QJsonObject &e) {
            return e.value("room"_L1).toString() == "secret"_L1;
        });
        VERIFY_OK(alice->request(
            {{"type"_L1, "remove"_L1}, {"room"_L1, "secret"_L1}, {"user"_L1, "bob"_L1}}));
        bob->waitForEvent(u"removed"_s, 5000, [](const QJsonObject &e) {
            return e.value("room"_L1).toString() == "secret"_L1;
        });
        QVERIFY(waitUntil(
            [&] { return TestClient::isError(bob->history(u"secret"_s), u"forbidden"_s); }, 3000));
    }

    void tokenRevokedThroughOne_closesItsSessionsOnTheOther()
    {
        QString why;
        auto phoneOnA = openWithLogin(m_a.url(), u"bob"_s, password(u"bob"_s), &why);
        QVERIFY2(phoneOnA, qPrintable(why));
        auto phoneOnB = openWithToken(m_b.url(), phoneOnA->token(), &why);
        QVERIFY2(phoneOnB, qPrintable(why));
        QElapsedTimer clock;
        clock.start();
        VERIFY_OK(phoneOnB->logout()); // revokes the token, through b
        VERIFY_CLOSED(*phoneOnA, 4001, 3000);
        QVERIFY2(clock.elapsed() < 1500, qPrintable(u"%1 ms"_s.arg(clock.elapsed())));
    }

    void postgresRestart_losesNothing()
    {
        auto alice = open(m_a, u"alice"_s);
        auto bob = open(m_b, u"bob"_s);
        QVERIFY(alice && bob);
        const qint64 before = lastSeq(*alice, u"lobby"_s);
        QVERIFY2(m_postgres.stop(true), qPrintable(m_postgres.errorString()));
        // Meanwhile a send is refused with `internal` (the client would resend it).
        const QJsonObject refused = alice->send(u"lobby"_s, u"while down"_s, u"down-1"_s);
        QVERIFY2(TestClient::isError(refused, u"internal"_s), TestClient::describe(refused));
        QVERIFY(waitUntil([&] { return httpGet(m_a.httpUrl(u"/healthz"_s)).status == 503; }, 3000));
        QVERIFY2(m_postgres.restart(), qPrintable(m_postgres.errorString()));
        QVERIFY(
            waitUntil([&] { return httpGet(m_b.httpUrl(u"/healthz"_s)).status == 200; }, 10000));
        // The resend after the restart, and a few more, reach bob on b in order.
        QVERIFY(waitUntil(
            [&] { return TestClient::isOk(alice->send(u"lobby"_s, u"while down"_s, u"down-1"_s)); },
            10000));
        for (int i = 2; i <= 5; ++i)
            VERIFY_OK(alice->send(u"lobby"_s, u"after %1"_s.arg(i), u"down-%1"_s.arg(i)));
        QVERIFY2(waitUntil([&] { return seqsOfEvents(*bob, u"lobby"_s).size() >= 5; }, 8000),
                 qPrintable(bob->diagnostics() + m_b.diagnostics()));
        QCOMPARE(seqsOfEvents(*bob, u"lobby"_s), range(before + 1, before + 5));
    }

private:
    std::unique_ptr<TestClient> open(ServerProcess &server, const QString &user)
    {
        QString why;
        auto client = openWithToken(server.url(), m_tokens.value(user), &why);
        if (!client)
            qWarning("%s", qPrintable(why));
        return client;
    }
    qint64 lastSeq(TestClient &client, const QString &room)
    {
        const QList<QJsonObject> page = messagesOf(client.history(room, std::nullopt, 1));
        return page.isEmpty() ? 0 : page.last().value("seq"_L1).toInteger();
    }

    PostgresServer m_postgres;
    ServerProcess m_a;
    ServerProcess m_b;
    QHash<QString, QString> m_tokens;
};

QTEST_GUILESS_MAIN(tst_cluster_fanout)
#include "tst_cluster_fanout.moc"
