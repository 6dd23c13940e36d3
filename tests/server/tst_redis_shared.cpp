// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// One instance's request side (a handler harness with alice, bob and carol, and a room "lab"
// with alice and bob) and a second instance's SharedState alone, sharing one real redis-server:
// presence and typing cross between them both ways, an instance that dies or leaves takes its
// users offline, Redis going away degrades to each instance alone and recovers, the send budget
// and room creations are one per user across instances, failed sign-ins count on all instances
// together, and sends keep their order when Redis fails under them.
#include "HandlerHarness.h"
#include "RedisServer.h"
#include "ServerProcess.h"
#include "redis/RedisClient.h"
#include "redis/SharedState.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::server;
using namespace conversa::test;
using conversa::server::redis::SharedState;

namespace {
constexpr int kTtlMs = 1500;

QString typeOf(const QJsonObject &reply)
{
    return reply.value("type"_L1).toString() == "ok"_L1 ? u"ok"_s
                                                        : reply.value("code"_L1).toString();
}
} // namespace

class TestRedisShared : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<HandlerHarness> m_harness;
    std::unique_ptr<SharedState> m_shared; // instance A's, with the harness
    std::unique_ptr<SharedState> m_other;  // instance B's, driven by hand
    Metrics m_otherMetrics;

    std::unique_ptr<SharedState> sharedState(Metrics &metrics)
    {
        auto shared = std::make_unique<SharedState>(
            redis::RedisAddress{u"127.0.0.1"_s, m_redis->port()}, metrics);
        shared->setPresenceTtlMs(kTtlMs);
        shared->setClientTimings(1000, 1000, 50, 300);
        return shared;
    }

    void startHarness(const ServerConfig &config)
    {
        m_harness = std::make_unique<HandlerHarness>(config);
        QCOMPARE(m_harness->start({u"alice"_s, u"bob"_s, u"carol"_s}, {u"alice"_s}), QString());
        Session *bob = m_harness->signedIn(u"bob"_s);
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(bob && alice);
        QCOMPARE(
            typeOf(m_harness->request(*bob, {{"type"_L1, "create"_L1}, {"room"_L1, "lab"_L1}})),
            u"ok"_s);
        QCOMPARE(
            typeOf(m_harness->request(*alice, {{"type"_L1, "join"_L1}, {"room"_L1, "lab"_L1}})),
            u"ok"_s);
        end(alice);
        end(bob);
        auto &context = m_harness->context();
        m_shared = sharedState(context.metrics);
        context.sharedState = m_shared.get();
        m_harness->router().presence().attach(*m_shared);
        m_shared->start();
        m_other = sharedState(m_otherMetrics);
        m_other->start();
        QVERIFY(waitUntil([&] { return m_shared->isUp() && m_other->isUp(); }, 5000));
    }

    void stopShared()
    {
        if (m_harness)
            m_harness->context().sharedState = nullptr;
        m_shared.reset();
    }

    void end(Session *session)
    {
        auto &context = m_harness->context();
        if (context.sessions.signOut(*session))
            m_harness->router().presence().presenceChanged(session->userId, session->userName);
        context.sessions.take(session->id);
    }

    // The last presence event about `user` that `session` got: 1 online, 0 offline, -1 none.
    int presenceOf(const Session *session, const QString &user) const
    {
        int state = -1;
        for (const QJsonObject &event : m_harness->sink().eventsOf(session->id, u"presence"_s)) {
            if (event.value("user"_L1).toString() == user)
                state = event.value("online"_L1).toBool() ? 1 : 0;
        }
        return state;
    }

    bool onlineInMembers(Session &asker, const QString &user)
    {
        const QJsonObject reply =
            m_harness->request(asker, {{"type"_L1, "members"_L1}, {"room"_L1, "lab"_L1}});
        for (const QJsonValue &member : reply.value("members"_L1).toArray()) {
            if (member["user"_L1].toString() == user)
                return member["online"_L1].toBool();
        }
        return false;
    }

    qsizetype typingAt(const Session *session) const
    {
        return m_harness->sink().eventsOf(session->id, u"typing"_s).size();
    }

    QString send(Session &session, const QString &cid)
    {
        return typeOf(m_harness->request(session, {{"type"_L1, "send"_L1},
                                                   {"room"_L1, "lab"_L1},
                                                   {"cid"_L1, cid},
                                                   {"body"_L1, "hi"_L1}}));
    }

private slots:
    void init()
    {
        if (!RedisServer::isInstalled()) {
            if (RedisServer::mustRun())
                QFAIL("redis-server is not installed (apt-get install redis-server)");
            QSKIP("redis-server is not installed (apt-get install redis-server)");
        }
        m_redis = std::make_unique<RedisServer>();
        QVERIFY2(m_redis->start(), qPrintable(m_redis->diagnostics()));
        ServerConfig config;
        config.messagesPerSecond = 0.01;
        config.messageBurst = 3;
        startHarness(config);
    }

    void cleanup()
    {
        stopShared();
        m_other.reset();
        m_harness.reset();
        m_redis.reset();
    }

    void presenceCrossesInstances()
    {
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(bob);
        QVERIFY(!onlineInMembers(*bob, u"alice"_s));
        // B's users reach A's sessions and members list ...
        m_other->setLocalPresence(u"alice"_s, true);
        QTRY_COMPARE_WITH_TIMEOUT(presenceOf(bob, u"alice"_s), 1, 5000);
        QVERIFY(onlineInMembers(*bob, u"alice"_s));
        // ... and A's reach B.
        QTRY_VERIFY_WITH_TIMEOUT(m_other->isOnlineElsewhere(u"bob"_s), 3000);
        QVERIFY(!m_other->isOnlineElsewhere(u"carol"_s));
        // A session of hers on A as well, then ended: she stays online (B holds her).
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(alice);
        QTRY_VERIFY_WITH_TIMEOUT(m_other->isOnlineElsewhere(u"alice"_s), 3000);
        end(alice);
        QTRY_VERIFY_WITH_TIMEOUT(!m_other->isOnlineElsewhere(u"alice"_s), 3000);
        QTest::qWait(300);
        QCOMPARE(presenceOf(bob, u"alice"_s), 1);
        QVERIFY(onlineInMembers(*bob, u"alice"_s));
        // Her last session anywhere ends: offline.
        m_other->setLocalPresence(u"alice"_s, false);
        QTRY_COMPARE_WITH_TIMEOUT(presenceOf(bob, u"alice"_s), 0, 5000);
        QVERIFY(!onlineInMembers(*bob, u"alice"_s));
    }

    void typingCrossesInstancesOncePerSecond()
    {
        Session *bob = m_harness->signedIn(u"bob"_s);
        Session *carol = m_harness->signedIn(u"carol"_s); // not in the room
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(bob && carol && alice);
        // From B to A's members of the room, never to the typist herself nor to others.
        m_other->publishTyping(u"lab"_s, u"alice"_s);
        QTRY_COMPARE_WITH_TIMEOUT(typingAt(bob), 1, 3000);
        const QJsonObject event = m_harness->sink().eventsOf(bob->id, u"typing"_s).first();
        QCOMPARE(event.value("user"_L1).toString(), u"alice"_s);
        QCOMPARE(event.value("room"_L1).toString(), u"lab"_s);
        QCOMPARE(typingAt(alice), 0);
        QCOMPARE(typingAt(carol), 0);
        // Typing on both instances at once: still one notice a second at bob.
        m_other->publishTyping(u"lab"_s, u"alice"_s);
        m_harness->request(*alice, {{"type"_L1, "typing"_L1}, {"room"_L1, "lab"_L1}});
        QTest::qWait(300);
        QCOMPARE(typingAt(bob), 1);
        // Someone who is not a member, or a room this instance does not know: nothing.
        m_other->publishTyping(u"lab"_s, u"carol"_s);
        m_other->publishTyping(u"nowhere"_s, u"alice"_s);
        // From A to B.
        QSignalSpy atOther(m_other.get(), &SharedState::remoteTyping);
        QTest::qWait(900);
        m_harness->request(*bob, {{"type"_L1, "typing"_L1}, {"room"_L1, "lab"_L1}});
        QVERIFY(atOther.wait(3000));
        QCOMPARE(atOther.first().at(0).toString(), u"lab"_s);
        QCOMPARE(atOther.first().at(1).toString(), u"bob"_s);
        QCOMPARE(typingAt(carol), 0);
        QCOMPARE(typingAt(bob), 1);
        // Nothing about typing is stored in Redis.
        QCOMPARE(m_redis->command({"KEYS"_ba, "*typing*"_ba}), "*0\r\n"_ba);
    }

    void aDeadInstancesUsersGoOffline()
    {
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(bob);
        m_other->setLocalPresence(u"alice"_s, true);
        QTRY_COMPARE_WITH_TIMEOUT(presenceOf(bob, u"alice"_s), 1, 5000);
        // B stops talking to Redis without a word (as a SIGKILL would): its claims expire.
        QElapsedTimer timer;
        timer.start();
        m_other.reset();
        QTRY_COMPARE_WITH_TIMEOUT(presenceOf(bob, u"alice"_s), 0, 4 * kTtlMs);
        // Not before the claims could have expired (refreshed every third of the TTL).
        QVERIFY2(timer.elapsed() >= kTtlMs * 2 / 3 - 100,
                 qPrintable(QString::number(timer.elapsed())));
        QVERIFY(!onlineInMembers(*bob, u"alice"_s));
        // The expired instance is also taken off the list of instances.
        QTRY_COMPARE_WITH_TIMEOUT(m_redis->command({"SCARD"_ba, "conversa:instances"_ba}),
                                  ":1\r\n"_ba, 3000);
    }

    void aLeavingInstancesUsersGoOfflineAtOnce()
    {
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(bob);
        m_other->setLocalPresence(u"alice"_s, true);
        QTRY_COMPARE_WITH_TIMEOUT(presenceOf(bob, u"alice"_s), 1, 5000);
        QTest::qWait(2100); // past the presence quiet interval, so only the leave is timed
        QElapsedTimer timer;
        timer.start();
        m_other->leave();
        QTRY_COMPARE_WITH_TIMEOUT(presenceOf(bob, u"alice"_s), 0, 4000);
        QVERIFY2(timer.elapsed() < kTtlMs, qPrintable(QString::number(timer.elapsed())));
    }

    void withoutRedisEachInstanceIsAloneAndRecovers()
    {
        Session *bob = m_harness->signedIn(u"bob"_s);
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(bob && alice);
        m_other->setLocalPresence(u"carol"_s, true);
        m_other->setLocalPresence(u"alice"_s, true);
        end(alice); // alice now online through B only
        QTRY_VERIFY_WITH_TIMEOUT(m_shared->isOnlineElsewhere(u"alice"_s), 3000);
        QCOMPARE(m_harness->context().metrics.redisUp, 1);
        m_redis->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!m_shared->isUp() && !m_other->isUp(), 3000);
        QCOMPARE(m_harness->context().metrics.redisUp, 0);
        QVERIFY(m_harness->context().metrics.render().contains("conversa_redis_up 0"));
        // Messages do not need Redis: the local budget decides, the store stores.
        QCOMPARE(send(*bob, u"c1"_s), u"ok"_s);
        m_harness->request(*bob, {{"type"_L1, "typing"_L1}, {"room"_L1, "lab"_L1}});
        // After the time B's claims would have expired, A no longer vouches for them.
        QTRY_COMPARE_WITH_TIMEOUT(presenceOf(bob, u"alice"_s), 0, 4 * kTtlMs);
        QVERIFY(!onlineInMembers(*bob, u"alice"_s));
        // Redis comes back empty: B writes its users again, A reads them.
        QVERIFY(m_redis->start());
        QTRY_VERIFY_WITH_TIMEOUT(m_shared->isUp() && m_other->isUp(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(presenceOf(bob, u"alice"_s), 1, 5000);
        QVERIFY(m_other->isOnlineElsewhere(u"bob"_s));
        QCOMPARE(m_harness->context().metrics.redisUp, 1);
    }

    void aShortRedisRestartDoesNotFlap()
    {
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(bob);
        m_other->setLocalPresence(u"alice"_s, true);
        QTRY_COMPARE_WITH_TIMEOUT(presenceOf(bob, u"alice"_s), 1, 5000);
        const qsizetype before = m_harness->sink().eventsOf(bob->id, u"presence"_s).size();
        m_redis->stop();
        QVERIFY(m_redis->start());
        QTRY_VERIFY_WITH_TIMEOUT(m_shared->isUp() && m_other->isUp(), 5000);
        QTest::qWait(kTtlMs);
        QCOMPARE(m_harness->sink().eventsOf(bob->id, u"presence"_s).size(), before);
        // B writes its users again after the restart and A reads them: on a slow machine (the
        // sanitizer build) that can take longer than the TTL. No event above means no flap.
        QTRY_VERIFY_WITH_TIMEOUT(m_shared->isOnlineElsewhere(u"alice"_s), 5000);
        QCOMPARE(m_harness->sink().eventsOf(bob->id, u"presence"_s).size(), before);
    }

    // After a Redis restart an instance that read B's hash as gone (before B wrote it again)
    // could take B out of the instance set after B had put itself back; then no instance that
    // had forgotten B, and no new one, ever read B's users again (a CI failure of the test
    // above). B claims its place on every check, so a fresh instance C still finds B's users.
    void anInstanceMissingFromTheSetIsFoundAgain()
    {
        m_other->setLocalPresence(u"alice"_s, true);
        QTRY_VERIFY_WITH_TIMEOUT(m_shared->isOnlineElsewhere(u"alice"_s), 3000);
        redis::RedisClient raw(redis::RedisAddress{u"127.0.0.1"_s, m_redis->port()});
        raw.start();
        QVERIFY(waitUntil([&] { return raw.isReady(); }, 5000));
        bool removed = false;
        raw.command({"SREM"_ba, "conversa:instances"_ba, m_other->instanceId()},
                    [&](const redis::RedisResult &result) { removed = result.ok; });
        QVERIFY(waitUntil([&] { return removed; }, 5000));
        Metrics thirdMetrics;
        std::unique_ptr<SharedState> third = sharedState(thirdMetrics);
        third->start();
        QTRY_VERIFY_WITH_TIMEOUT(third->isOnlineElsewhere(u"alice"_s), 3 * kTtlMs);
    }

    void theSendBudgetIsSharedByAllInstances()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(alice && bob);
        // A burst of 3 for alice, wherever she sends from.
        QCOMPARE(send(*alice, u"1"_s), u"ok"_s);
        SharedState::Verdict onOther = SharedState::Verdict::Unavailable;
        bool answered = false;
        QVERIFY(
            m_other->takeSendToken(u"alice"_s, 0.01, 3, [&](SharedState::Verdict verdict, qint64) {
                onOther = verdict;
                answered = true;
            }));
        QVERIFY(waitUntil([&] { return answered; }, 3000));
        QCOMPARE(onOther, SharedState::Verdict::Allowed);
        QCOMPARE(send(*alice, u"2"_s), u"ok"_s);
        const QJsonObject refused = m_harness->request(*alice, {{"type"_L1, "send"_L1},
                                                                {"room"_L1, "lab"_L1},
                                                                {"cid"_L1, "3"_L1},
                                                                {"body"_L1, "hi"_L1}});
        QCOMPARE(typeOf(refused), u"rate_limited"_s);
        QVERIFY(refused.value("message"_L1).toString().contains(" ms"_L1));
        // bob has a budget of his own.
        QCOMPARE(send(*bob, u"4"_s), u"ok"_s);
        // Without Redis the instance falls back to its own budget: Redis being away never
        // blocks a message.
        m_redis->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!m_shared->isUp(), 3000);
        QCOMPARE(send(*alice, u"5"_s), u"ok"_s);
    }

    void roomCreationsAreOneBudgetAcrossInstances()
    {
        m_harness->context().config.roomCreationsPerHour = 2;
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(alice);
        auto create = [&](const QString &room) {
            return typeOf(
                m_harness->request(*alice, {{"type"_L1, "create"_L1}, {"room"_L1, room}}));
        };
        QCOMPARE(create(u"one"_s), u"ok"_s);
        SharedState::Verdict onOther = SharedState::Verdict::Unavailable;
        bool answered = false;
        QVERIFY(m_other->takeToken("create"_ba, u"alice"_s, 2 / 3600.0, 2,
                                   [&](SharedState::Verdict verdict, qint64) {
                                       onOther = verdict;
                                       answered = true;
                                   }));
        QVERIFY(waitUntil([&] { return answered; }, 3000));
        QCOMPARE(onOther, SharedState::Verdict::Allowed);
        QCOMPARE(create(u"two"_s), u"rate_limited"_s);
        // A name already taken is answered as before, without spending the budget.
        QCOMPARE(create(u"lab"_s), u"conflict"_s);
        m_redis->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!m_shared->isUp(), 3000);
        QCOMPARE(create(u"three"_s), u"ok"_s);
    }

    void failedSignInsCountOnAllInstances()
    {
        auto attemptOnOther = [&](const QString &address) {
            SharedState::Verdict verdict = SharedState::Verdict::Unavailable;
            bool answered = false;
            m_other->takeLoginAttempt(u"alice"_s, address, 5,
                                      [&](SharedState::Verdict v, qint64, const QByteArray &) {
                                          verdict = v;
                                          answered = true;
                                      });
            waitUntil([&] { return answered; }, 3000);
            return verdict;
        };
        auto login = [&](const QString &password) {
            Session &session = m_harness->connect();
            return typeOf(m_harness->request(session, {{"type"_L1, "login"_L1},
                                                       {"user"_L1, "alice"_L1},
                                                       {"password"_L1, password},
                                                       {"device"_L1, "laptop"_L1}}));
        };
        // Two guesses on B (from elsewhere), then a right password on A: it does not count.
        QCOMPARE(attemptOnOther(u"198.51.100.9"_s), SharedState::Verdict::Allowed);
        QCOMPARE(attemptOnOther(u"198.51.100.9"_s), SharedState::Verdict::Allowed);
        QCOMPARE(login(u"alice-pw"_s), u"ok"_s);
        // Three wrong ones on A fill alice's minute (5): the account locks for every instance.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(login(u"wrong"_s), u"unauthorized"_s);
        QCOMPARE(attemptOnOther(u"203.0.113.7"_s), SharedState::Verdict::Refused);
        QCOMPARE(login(u"alice-pw"_s), u"rate_limited"_s);
        // Without Redis, this instance's own (empty) window decides: sign-in never needs Redis.
        m_redis->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!m_shared->isUp(), 3000);
        QCOMPARE(login(u"alice-pw"_s), u"ok"_s);
    }

    void sendsStayInOrderWhenRedisFailsUnderThem()
    {
        m_harness->context().config.messagesPerSecond = 100000;
        m_harness->context().config.messageBurst = 100000;
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(alice);
        // 400 sends in one go; Redis dies while their budget checks are in flight, and the
        // rest are decided by the local budget.
        QList<QJsonValue> ids;
        for (int i = 0; i < 400; ++i) {
            const QJsonValue id = 5000 + i;
            ids.append(id);
            const QJsonObject frame{{"type"_L1, "send"_L1},
                                    {"id"_L1, id},
                                    {"room"_L1, "lab"_L1},
                                    {"cid"_L1, QString::number(i)},
                                    {"body"_L1, "m"_L1}};
            m_harness->sendText(*alice, QString::fromUtf8(QJsonDocument(frame).toJson()));
            if (i == 150)
                QTest::qWait(5); // some checks answered, some in flight
            if (i == 200)
                m_redis->stop();
        }
        qint64 lastSeq = 0;
        for (const QJsonValue &id : std::as_const(ids)) {
            const QJsonObject reply = m_harness->waitForReply(*alice, id);
            QCOMPARE(typeOf(reply), u"ok"_s);
            QCOMPARE(reply.value("seq"_L1).toInteger(), lastSeq + 1);
            lastSeq = reply.value("seq"_L1).toInteger();
        }
    }
};

QTEST_GUILESS_MAIN(TestRedisShared)
#include "tst_redis_shared.moc"
