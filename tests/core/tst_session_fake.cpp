// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
//
// SessionManager on a FakeTransport: resume and sync, de-duplication, ordering across gaps,
// backoff, sleep detection and the outbox window, in milliseconds and without a server.
#include <Codec.h>
#include <FakeTransport.h>
#include <Outbox.h>
#include <SessionManager.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::protocol::MessageEvent;
using conversa::test::FakeNetwork;
using conversa::test::FakeTransport;

namespace {

// What a server would hold: per room its log, the cids it stored (per room), and a send rate
// limit like the real one. Answers auth, rooms, sync, send and read through the FakeNetwork.
class FakeChat
{
public:
    explicit FakeChat(FakeNetwork &network)
    {
        network.setAutoAccept(true);
        network.setResponder(u"auth"_s, [this](FakeTransport *, const QJsonObject &) {
            QJsonObject limits;
            if (ratePerSecond > 0) {
                limits.insert("messages_per_second"_L1, ratePerSecond);
                limits.insert("message_burst"_L1, burst);
            }
            return FakeNetwork::Answer::ok(
                {{"user"_L1, u"alice"_s}, {"instance"_L1, u"fake"_s}, {"limits"_L1, limits}});
        });
        network.setResponder(u"rooms"_s, [this](FakeTransport *, const QJsonObject &) {
            QJsonArray rooms;
            for (auto it = logs.cbegin(); it != logs.cend(); ++it)
                rooms.append(conversa::protocol::roomSummaryToJson(
                    {it.key(), it.key(), qint64(it->size()), 0}));
            return FakeNetwork::Answer::ok({{"rooms"_L1, rooms}, {"epoch"_L1, 1}});
        });
        network.setResponder(u"sync"_s,
                             [this](FakeTransport *, const QJsonObject &request)
                                 -> std::optional<FakeNetwork::Answer> {
                                 syncAfters.append(request.value("after"_L1).toInteger());
                                 if (holdSyncs)
                                     return std::nullopt;
                                 return syncAnswer(request.value("room"_L1).toString(),
                                                   request.value("after"_L1).toInteger(),
                                                   request.value("limit"_L1).toInt(500));
                             });
        // A send is stored (or refused) when it arrives, as the server does; its answer goes
        // back at once or waits until the test releases it.
        network.setResponder(u"send"_s,
                             [this](FakeTransport *link, const QJsonObject &request)
                                 -> std::optional<FakeNetwork::Answer> {
                                 ++sendsSeen;
                                 if (storeAtMost >= 0 && sendsSeen > storeAtMost)
                                     return std::nullopt; // lost on the way
                                 FakeNetwork::Answer answer = store(request);
                                 if (answerSends)
                                     return answer;
                                 held.append({link, request.value("id"_L1), answer});
                                 return std::nullopt;
                             });
        network.setResponder(u"read"_s, [](FakeTransport *, const QJsonObject &) {
            return FakeNetwork::Answer::ok();
        });
        clock.start();
    }

    FakeNetwork::Answer syncAnswer(const QString &room, qint64 after, int limit)
    {
        const QList<MessageEvent> &log = logs[room];
        QJsonArray messages;
        for (qint64 seq = after + 1; seq <= log.size() && messages.size() < limit; ++seq)
            messages.append(conversa::protocol::messageToJson(log.at(seq - 1)));
        const bool more = after + messages.size() < log.size();
        return FakeNetwork::Answer::ok(
            {{"room"_L1, room}, {"messages"_L1, messages}, {"more"_L1, more}});
    }

    FakeNetwork::Answer store(const QJsonObject &request)
    {
        const QString room = request.value("room"_L1).toString();
        const QString cid = request.value("cid"_L1).toString();
        if (refuseSends > 0 && storedCount >= acceptBeforeRefusing) {
            --refuseSends;
            ++refusals;
            return FakeNetwork::Answer::error(u"rate_limited"_s, u"sending too fast"_s);
        }
        if (ratePerSecond > 0 && !takeToken()) {
            ++refusals;
            return FakeNetwork::Answer::error(u"rate_limited"_s, u"sending too fast"_s);
        }
        if (!logs.contains(room))
            return FakeNetwork::Answer::error(u"not_found"_s,
                                              u"there is no room named '%1'"_s.arg(room));
        QList<MessageEvent> &log = logs[room];
        qint64 seq = cids[room].value(cid, 0);
        if (seq == 0) {
            seq = log.size() + 1;
            log.append(
                {room, seq, 1000 + seq, u"alice"_s, cid, request.value("body"_L1).toString()});
            cids[room].insert(cid, seq);
            ++storedCount;
        } else {
            ++duplicates;
        }
        return FakeNetwork::Answer::ok(
            {{"room"_L1, room}, {"seq"_L1, seq}, {"ts"_L1, 1000 + seq}, {"cid"_L1, cid}});
    }

    bool takeToken()
    {
        const qint64 now = clock.elapsed();
        if (tokens < 0)
            tokens = burst;
        tokens = std::min<double>(burst, tokens + (now - lastMs) * ratePerSecond / 1000.0);
        lastMs = now;
        if (tokens < 1)
            return false;
        tokens -= 1;
        return true;
    }

    // Sends the first `count` held answers (all when negative), of `room` only when given.
    void release(int count = -1, const QString &room = {})
    {
        QList<HeldAnswer> answers;
        for (auto it = held.begin(); it != held.end() && answers.size() != count;) {
            if (room.isEmpty() || it->answer.payload.value("room"_L1).toString() == room) {
                answers.append(*it);
                it = held.erase(it);
            } else {
                ++it;
            }
        }
        for (const HeldAnswer &h : std::as_const(answers)) {
            if (h.link)
                h.link->reply(h.re, h.answer.payload);
        }
    }

    MessageEvent add(const QString &room, const QString &from, const QString &body)
    {
        QList<MessageEvent> &log = logs[room];
        const qint64 seq = log.size() + 1;
        log.append({room, seq, 1000 + seq, from, u"c-%1-%2"_s.arg(room).arg(seq), body});
        return log.constLast();
    }

    QStringList bodies(const QString &room) const
    {
        QStringList out;
        for (const MessageEvent &m : logs.value(room))
            out.append(m.body);
        return out;
    }

    struct HeldAnswer {
        QPointer<FakeTransport> link;
        QJsonValue re;
        FakeNetwork::Answer answer;
    };

    QMap<QString, QList<MessageEvent>> logs;
    QList<HeldAnswer> held;
    int storeAtMost = -1;
    int acceptBeforeRefusing = 0;
    int storedCount = 0;
    QHash<QString, QHash<QString, qint64>> cids;
    QList<qint64> syncAfters;
    bool holdSyncs = false;
    bool answerSends = true;
    int refuseSends = 0;
    int refusals = 0;
    int duplicates = 0;
    int sendsSeen = 0;
    double ratePerSecond = 0;
    int burst = 0;
    double tokens = -1;
    qint64 lastMs = 0;
    QElapsedTimer clock;
};

QString eventText(const MessageEvent &m)
{
    return QString::fromUtf8(conversa::protocol::encodeEvent(m));
}

SessionManager::Timing fastTiming()
{
    SessionManager::Timing timing;
    timing.connectTimeoutMs = 2000;
    timing.pingIntervalMs = 60'000;
    timing.pongTimeoutMs = 60'000;
    timing.lateTimerToleranceMs = 60'000;
    timing.transientRetryMs = 20;
    return timing;
}

} // namespace

class TestSessionFake : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void signInSyncsEveryRoom();
    void resumeSyncsFromTheLastSeq();
    void liveAndSyncedAreDeliveredOnce();
    void logEntriesOtherThanMessagesAreNotShown();
    void gapIsFilledAndOrderKept();
    void backoffWithFullJitter();
    void backoffResetsOnlyAfterAStableSession();
    void goingAwayReconnectsAtOnceWithoutCountingAttempts();
    void lateHeartbeatMeansTheMachineSlept();
    void missingPongEndsTheLink();
    void outboxKeepsAWindowInFlight();
    void reconnectResendsFromTheFirstUnacknowledged();
    void pacedByTheServersLimits();
    void refusedSendIsRetriedInOrder();
    void progressCountsTheDrain();
    void sentOnlyOnceOnTheDisk();
    void permanentRefusalMarksFailedAndMayEndTheSession();

private:
    void makeSession(Backoff backoff = Backoff({1, 2, 60'000}, [] { return 0.0; }));
    bool waitForState(ConnectionState state, int timeoutMs = 3000);
    QList<qint64> seqsOf(const QString &room) const;
    QString queue(const QString &room, const QString &body);

    QTemporaryDir m_dir;
    std::unique_ptr<FakeNetwork> m_network;
    std::unique_ptr<FakeChat> m_chat;
    std::unique_ptr<Outbox> m_outbox;
    std::unique_ptr<SessionManager> m_session;
    QList<MessageEvent> m_received;
    QList<ConnectionStatus> m_statuses;
};

void TestSessionFake::init()
{
    QVERIFY(m_dir.isValid());
    m_network = std::make_unique<FakeNetwork>();
    m_chat = std::make_unique<FakeChat>(*m_network);
    m_outbox = std::make_unique<Outbox>();
    QFile::remove(m_dir.filePath(u"outbox.sqlite"_s));
    QVERIFY(m_outbox->open(m_dir.filePath(
        u"outbox-%1.sqlite"_s.arg(QString::fromLatin1(QTest::currentTestFunction())))));
    m_received.clear();
    makeSession();
}

void TestSessionFake::cleanup()
{
    m_session.reset();
    m_outbox.reset();
    m_chat.reset();
    m_network.reset();
}

void TestSessionFake::makeSession(Backoff backoff)
{
    m_session = std::make_unique<SessionManager>();
    m_session->setWatchNetwork(false);
    m_session->setTransportFactory(m_network->factory());
    m_session->setServerUrl(QUrl(u"ws://chat.example:8080/ws"_s));
    m_session->setTiming(fastTiming());
    m_session->setBackoff(backoff);
    m_session->setOutbox(m_outbox.get());
    connect(m_session.get(), &SessionManager::messageReceived, m_session.get(),
            [this](const MessageEvent &m) { m_received.append(m); });
    connect(m_session.get(), &SessionManager::statusChanged, m_session.get(),
            [this](const ConnectionStatus &status) { m_statuses.append(status); });
}

bool TestSessionFake::waitForState(ConnectionState state, int timeoutMs)
{
    return QTest::qWaitFor([&] { return m_session->state() == state; }, timeoutMs);
}

QList<qint64> TestSessionFake::seqsOf(const QString &room) const
{
    QList<qint64> seqs;
    for (const MessageEvent &m : m_received) {
        if (m.room == room)
            seqs.append(m.seq);
    }
    return seqs;
}

QString TestSessionFake::queue(const QString &room, const QString &body)
{
    return m_outbox->enqueue(room, body);
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> out;
    for (qint64 seq = first; seq <= last; ++seq)
        out.append(seq);
    return out;
}

// --- session and sync -------------------------------------------------------------------------

void TestSessionFake::signInSyncsEveryRoom()
{
    for (int i = 1; i <= 3; ++i)
        m_chat->add(u"general"_s, u"bob"_s, u"g%1"_s.arg(i));
    m_chat->add(u"random"_s, u"bob"_s, u"r1"_s);
    QSignalSpy synced(m_session.get(), &SessionManager::synced);
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    QCOMPARE(synced.size(), 1);
    QCOMPARE(seqsOf(u"general"_s), range(1, 3));
    QCOMPARE(seqsOf(u"random"_s), range(1, 1));
    // The transport was opened as the session was told.
    const auto options = m_network->current()->options();
    QCOMPARE(options.url, QUrl(u"ws://chat.example:8080/ws"_s));
    QCOMPARE(options.subprotocols, QStringList{u"conversa.v1"_s});
    QCOMPARE(m_network->current()->sentOfType(u"auth"_s).first().value("token"_L1).toString(),
             u"token"_s);
    QCOMPARE(m_session->connectionDetails().instance, u"fake"_s);
}

void TestSessionFake::resumeSyncsFromTheLastSeq()
{
    for (int i = 1; i <= 5; ++i)
        m_chat->add(u"general"_s, u"bob"_s, u"m%1"_s.arg(i));
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    QCOMPARE(seqsOf(u"general"_s), range(1, 5));

    // Offline for a while; the room goes on without us.
    m_network->setAutoAccept(false);
    m_network->current()->drop();
    QVERIFY(waitForState(ConnectionState::WaitingToReconnect));
    for (int i = 6; i <= 8; ++i)
        m_chat->add(u"general"_s, u"bob"_s, u"m%1"_s.arg(i));
    m_chat->syncAfters.clear();
    QVERIFY(QTest::qWaitFor([&] { return m_network->attempts() == 2; }, 2000));
    m_network->current()->acceptConnect();
    QVERIFY(waitForState(ConnectionState::Online));
    QCOMPARE(m_chat->syncAfters, QList<qint64>{5}); // from where we were, not from the start
    QCOMPARE(seqsOf(u"general"_s), range(1, 8));
    QCOMPARE(m_session->connectionDetails().reconnects, 1);
}

void TestSessionFake::liveAndSyncedAreDeliveredOnce()
{
    for (int i = 1; i <= 3; ++i)
        m_chat->add(u"general"_s, u"bob"_s, u"m%1"_s.arg(i));
    m_chat->holdSyncs = true;
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Syncing));
    QVERIFY(QTest::qWaitFor([&] { return m_chat->syncAfters.size() == 1; }, 2000));
    // While the sync is on its way, two more arrive live (and the sync answer has them too).
    m_chat->add(u"general"_s, u"bob"_s, u"m4"_s);
    m_chat->add(u"general"_s, u"bob"_s, u"m5"_s);
    FakeTransport *link = m_network->current();
    link->deliverText(eventText(m_chat->logs[u"general"_s].at(3)));
    link->deliverText(eventText(m_chat->logs[u"general"_s].at(4)));
    QVERIFY(m_received.isEmpty()); // 4 and 5 wait for 1..3
    const QJsonObject sync = link->sentOfType(u"sync"_s).constLast();
    const auto answer = m_chat->syncAnswer(u"general"_s, 0, 500);
    link->reply(sync.value("id"_L1), answer.payload);
    QVERIFY(waitForState(ConnectionState::Online));
    QCOMPARE(seqsOf(u"general"_s), range(1, 5));
    // The same live event again (a server resending after a hiccup) changes nothing.
    link->deliverText(eventText(m_chat->logs[u"general"_s].at(4)));
    QTest::qWait(20);
    QCOMPARE(seqsOf(u"general"_s), range(1, 5));
}

void TestSessionFake::logEntriesOtherThanMessagesAreNotShown()
{
    m_chat->add(u"general"_s, u"bob"_s, u"m1"_s);
    MessageEvent edit = m_chat->add(u"general"_s, u"bob"_s, u"m1, fixed"_s);
    edit.kind = u"edit"_s;
    edit.target = 1;
    m_chat->logs[u"general"_s][1] = edit;
    m_chat->add(u"general"_s, u"bob"_s, u"m3"_s);
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    QCOMPARE(seqsOf(u"general"_s), (QList<qint64>{1, 3})); // synced: the edit moved the cursor
    MessageEvent reaction = m_chat->add(u"general"_s, u"bob"_s, {});
    reaction.kind = u"reaction"_s;
    reaction.target = 3;
    reaction.emoji = u"👍"_s;
    reaction.on = true;
    m_chat->logs[u"general"_s][3] = reaction;
    const MessageEvent m5 = m_chat->add(u"general"_s, u"bob"_s, u"m5"_s);
    m_chat->syncAfters.clear();
    FakeTransport *link = m_network->current();
    link->deliverText(eventText(reaction));
    link->deliverText(eventText(m5));
    QVERIFY(QTest::qWaitFor([&] { return seqsOf(u"general"_s).size() == 3; }, 2000));
    QCOMPARE(seqsOf(u"general"_s), (QList<qint64>{1, 3, 5})); // live: no gap, no sync
    QVERIFY(m_chat->syncAfters.isEmpty());
}

void TestSessionFake::gapIsFilledAndOrderKept()
{
    for (int i = 1; i <= 5; ++i)
        m_chat->add(u"general"_s, u"bob"_s, u"m%1"_s.arg(i));
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    m_chat->holdSyncs = true;
    m_chat->syncAfters.clear();
    for (int i = 6; i <= 8; ++i)
        m_chat->add(u"general"_s, u"bob"_s, u"m%1"_s.arg(i));
    FakeTransport *link = m_network->current();
    // 6 was lost; 8 comes before 7.
    link->deliverText(eventText(m_chat->logs[u"general"_s].at(7)));
    link->deliverText(eventText(m_chat->logs[u"general"_s].at(6)));
    QVERIFY(QTest::qWaitFor([&] { return m_chat->syncAfters.size() == 1; }, 2000));
    QCOMPARE(m_chat->syncAfters.first(), 5); // asks for the gap
    QCOMPARE(seqsOf(u"general"_s), range(1, 5));
    const QJsonObject sync = link->sentOfType(u"sync"_s).constLast();
    link->reply(sync.value("id"_L1), m_chat->syncAnswer(u"general"_s, 5, 500).payload);
    QVERIFY(QTest::qWaitFor([&] { return m_received.size() == 8; }, 2000));
    QCOMPARE(seqsOf(u"general"_s), range(1, 8));
    QTest::qWait(20);
    QCOMPARE(m_received.size(), 8);
}

// --- backoff and heartbeat ------------------------------------------------------------------

void TestSessionFake::backoffWithFullJitter()
{
    // A random source that records what it was asked and draws the top of each range.
    auto draws = std::make_shared<int>(0);
    makeSession(Backoff(
        {8, 64, 60'000},
        [draws] {
            ++*draws;
            return 0.999;
        },
        [] { return qint64(0); }));
    m_network->setAutoFail(ConnectionProblem::ConnectionRefused, u"refused"_s);
    QElapsedTimer clock;
    clock.start();
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(QTest::qWaitFor([&] { return m_network->attempts() >= 6; }, 3000));
    // Ceilings 8, 16, 32, 64, 64: about 184 ms for five waits at the top of each range.
    QVERIFY2(clock.elapsed() >= 170, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(*draws >= 5);
    QCOMPARE(m_session->backoff().currentCeilingMs(), 64);
    const auto waiting = std::find_if(m_statuses.crbegin(), m_statuses.crend(), [](const auto &s) {
        return s.state == ConnectionState::WaitingToReconnect;
    });
    QVERIFY(waiting != m_statuses.crend());
    QCOMPARE(waiting->problem, ConnectionProblem::ConnectionRefused);
    QCOMPARE(waiting->reason, u"refused"_s);

    // Drawn from zero: no wait at all (full jitter, not "ceiling plus jitter").
    makeSession(Backoff(
        {1000, 30'000, 60'000}, [] { return 0.0; }, [] { return qint64(0); }));
    const int before = m_network->attempts();
    clock.restart();
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(QTest::qWaitFor([&] { return m_network->attempts() >= before + 4; }, 3000));
    QVERIFY2(clock.elapsed() < 900, qPrintable(QString::number(clock.elapsed())));
}

void TestSessionFake::backoffResetsOnlyAfterAStableSession()
{
    auto now = std::make_shared<qint64>(0);
    makeSession(Backoff(
        {1, 2, 60'000}, [] { return 0.0; }, [now] { return *now; }));
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    // Accepted and dropped at once, three times: the attempts keep counting.
    for (int i = 1; i <= 3; ++i) {
        const int attempts = m_network->attempts();
        m_network->current()->drop();
        QVERIFY(QTest::qWaitFor([&] { return m_network->attempts() == attempts + 1; }, 2000));
        QVERIFY(waitForState(ConnectionState::Online));
        QCOMPARE(m_session->backoff().attempts(), i);
    }
    // A session that lasted the stable minute: the next loss starts from the first delay.
    *now += 61'000;
    m_network->current()->drop();
    QVERIFY(QTest::qWaitFor([&] { return m_session->backoff().attempts() == 1; }, 2000));
    QVERIFY(waitForState(ConnectionState::Online));
}

void TestSessionFake::goingAwayReconnectsAtOnceWithoutCountingAttempts()
{
    // The next backoff delay would be 10 s or more: the 1001 path must not use it.
    makeSession(Backoff({10'000, 30'000, 60'000}, [] { return 0.999; }));
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    for (int i = 1; i <= 3; ++i) {
        const int attempts = m_network->attempts();
        m_statuses.clear();
        QElapsedTimer clock;
        clock.start();
        m_network->current()->drop(1001, u"draining"_s);
        QVERIFY(QTest::qWaitFor([&] { return m_network->attempts() == attempts + 1; }, 3000));
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!m_statuses.isEmpty());
        QCOMPARE(m_statuses.first().state, ConnectionState::WaitingToReconnect);
        QCOMPARE(m_statuses.first().problem, ConnectionProblem::ServerGoingAway);
        QVERIFY(m_statuses.first().secondsLeft <= 1);
        QVERIFY(waitForState(ConnectionState::Online));
        QCOMPARE(m_session->backoff().attempts(), 0);
    }
    // A link that breaks without 1001 still meets the backoff.
    m_network->setAutoAccept(false);
    m_statuses.clear();
    m_network->current()->drop();
    QVERIFY(QTest::qWaitFor([&] { return !m_statuses.isEmpty(); }, 2000));
    QCOMPARE(m_statuses.first().state, ConnectionState::WaitingToReconnect);
    QVERIFY(m_statuses.first().secondsLeft >= 9);
    QCOMPARE(m_session->backoff().attempts(), 1);
}

void TestSessionFake::lateHeartbeatMeansTheMachineSlept()
{
    // A reconnect after a backoff delay would take seconds here.
    makeSession(Backoff({10'000, 30'000, 60'000}, [] { return 0.999; }));
    auto offset = std::make_shared<std::atomic<qint64>>(0);
    SessionManager::Timing timing = fastTiming();
    timing.pingIntervalMs = 30;
    timing.pongTimeoutMs = 5000;
    timing.lateTimerToleranceMs = 10'000;
    m_session->setTiming(timing);
    m_session->setClock([offset] { return QDateTime::currentMSecsSinceEpoch() + offset->load(); });
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    QVERIFY(QTest::qWaitFor([&] { return m_network->current()->pings() >= 3; }, 2000));
    QCOMPARE(m_network->attempts(), 1); // ticks on time change nothing

    m_statuses.clear();
    m_network->setAutoAccept(false);
    *offset += 120'000; // the next tick comes two minutes late
    QVERIFY(QTest::qWaitFor([&] { return m_network->attempts() == 2; }, 1000));
    QVERIFY(!m_statuses.isEmpty());
    const ConnectionStatus lost = m_statuses.first();
    QCOMPARE(lost.state, ConnectionState::WaitingToReconnect);
    QCOMPARE(lost.problem, ConnectionProblem::ConnectionLost);
    QVERIFY2(lost.reason.contains(u"asleep"_s), qPrintable(lost.reason));
    QCOMPARE(lost.secondsLeft, 0); // at once, not after a backoff delay
    QVERIFY(m_network->transports().at(0).isNull() || m_network->transports().at(0)->isEnded());
}

void TestSessionFake::missingPongEndsTheLink()
{
    SessionManager::Timing timing = fastTiming();
    timing.pingIntervalMs = 20;
    timing.pongTimeoutMs = 60;
    m_session->setTiming(timing);
    m_network->setAutoPong(false);
    // Started before the session, so that a late return from waitForState on a loaded machine
    // cannot shorten the measured time: the link may end only a ping interval plus the pong
    // timeout (80 ms) after it came up.
    QElapsedTimer clock;
    clock.start();
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    m_statuses.clear();
    QVERIFY(QTest::qWaitFor([&] { return m_network->attempts() == 2; }, 2000));
    QVERIFY(clock.elapsed() >= 60);
    QCOMPARE(m_statuses.first().state, ConnectionState::WaitingToReconnect);
    QCOMPARE(m_statuses.first().problem, ConnectionProblem::TimedOut);
}

// --- outbox ---------------------------------------------------------------------------------

void TestSessionFake::outboxKeepsAWindowInFlight()
{
    m_chat->logs[u"general"_s];
    m_chat->logs[u"random"_s];
    for (int i = 1; i <= 150; ++i)
        QVERIFY(!queue(u"general"_s, u"g%1"_s.arg(i)).isEmpty());
    for (int i = 1; i <= 10; ++i)
        QVERIFY(!queue(u"random"_s, u"r%1"_s.arg(i)).isEmpty());
    m_session->setOutboxWindow(64);
    m_chat->answerSends = false;
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    QVERIFY(QTest::qWaitFor([&] { return m_chat->sendsSeen == 74; }, 2000));
    QTest::qWait(20);
    QCOMPARE(m_chat->sendsSeen, 74); // 64 of general, all 10 of random: no more
    QCOMPARE(m_session->outboxInFlight(u"general"_s), 64);
    QCOMPARE(m_session->outboxInFlight(), 74);

    // In queue order on the wire.
    QStringList general;
    for (const QJsonObject &send : m_network->current()->sentOfType(u"send"_s)) {
        if (send.value("room"_L1).toString() == u"general"_s)
            general.append(send.value("body"_L1).toString());
    }
    QCOMPARE(general.size(), 64);
    for (int i = 0; i < general.size(); ++i)
        QCOMPARE(general.at(i), u"g%1"_s.arg(i + 1));

    // Ten answers: ten more go out, not more.
    m_chat->release(10, u"general"_s);
    QVERIFY(QTest::qWaitFor([&] { return m_chat->sendsSeen == 84; }, 2000));
    QTest::qWait(20);
    QCOMPARE(m_chat->sendsSeen, 84);
    QCOMPARE(m_session->outboxInFlight(u"general"_s), 64);

    // Then the server answers everything: all land once, in order.
    QSignalSpy drained(m_session.get(), &SessionManager::outboxDrained);
    m_chat->answerSends = true;
    m_chat->release();
    QVERIFY(QTest::qWaitFor([&] { return m_outbox->pendingCount() == 0; }, 3000));
    QVERIFY(drained.size() >= 1 || drained.wait(1000));
    QStringList expected;
    for (int i = 1; i <= 150; ++i)
        expected.append(u"g%1"_s.arg(i));
    QCOMPARE(m_chat->bodies(u"general"_s), expected);
    QCOMPARE(m_chat->bodies(u"random"_s).size(), 10);
    QCOMPARE(m_chat->duplicates, 0);
    // Our own messages come back as received, once each, in seq order.
    QCOMPARE(seqsOf(u"general"_s), range(1, 150));
    QCOMPARE(m_session->outboxInFlight(), 0);
    QVERIFY(m_session->outboxIdle());
}

void TestSessionFake::reconnectResendsFromTheFirstUnacknowledged()
{
    m_chat->logs[u"general"_s];
    QStringList cids;
    for (int i = 1; i <= 100; ++i)
        cids.append(queue(u"general"_s, u"m%1"_s.arg(i)));
    // 64 go out; the server stores 30 (the rest are lost on the way) and only 20 answers get
    // back before the link breaks.
    m_chat->answerSends = false;
    m_chat->storeAtMost = 30;
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(QTest::qWaitFor([&] { return m_chat->sendsSeen == 64; }, 2000));
    QCOMPARE(m_chat->storedCount, 30);
    m_chat->release(20);
    QVERIFY(QTest::qWaitFor([&] { return m_outbox->pendingCount() == 80; }, 2000));
    m_chat->held.clear();
    m_chat->answerSends = true;
    m_chat->storeAtMost = -1;
    const int before = int(m_network->sentOfType(u"send"_s).size());
    m_network->current()->drop();
    QVERIFY(QTest::qWaitFor([&] { return m_outbox->pendingCount() == 0; }, 3000));

    // After the reconnect: from the 21st on, in order, and the server keeps one of each.
    const QList<QJsonObject> resent = m_network->sentOfType(u"send"_s).mid(before);
    QCOMPARE(resent.size(), 80);
    for (int i = 0; i < resent.size(); ++i)
        QCOMPARE(resent.at(i).value("cid"_L1).toString(), cids.at(20 + i));
    QCOMPARE(m_chat->duplicates, 10);
    QStringList expected;
    for (int i = 1; i <= 100; ++i)
        expected.append(u"m%1"_s.arg(i));
    QCOMPARE(m_chat->bodies(u"general"_s), expected);
    QCOMPARE(seqsOf(u"general"_s), range(1, 100));
}

void TestSessionFake::pacedByTheServersLimits()
{
    m_chat->logs[u"general"_s];
    m_chat->ratePerSecond = 100;
    m_chat->burst = 10;
    for (int i = 1; i <= 40; ++i)
        queue(u"general"_s, u"m%1"_s.arg(i));
    QElapsedTimer clock;
    clock.start();
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(QTest::qWaitFor([&] { return m_outbox->pendingCount() == 0; }, 5000));
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(m_session->serverLimits().messagesPerSecond, 100.0);
    QCOMPARE(m_session->serverLimits().messageBurst, 10);
    QCOMPARE(m_chat->refusals, 0); // paced: never refused
    QCOMPARE(m_chat->sendsSeen, 40);
    // 9 at once (one token kept in reserve), the other 31 at 100/s.
    QVERIFY2(elapsed >= 250 && elapsed < 2000, qPrintable(QString::number(elapsed)));
    QCOMPARE(m_chat->bodies(u"general"_s).size(), 40);
}

void TestSessionFake::refusedSendIsRetriedInOrder()
{
    m_chat->logs[u"general"_s];
    for (int i = 1; i <= 20; ++i)
        queue(u"general"_s, u"m%1"_s.arg(i));
    // The server is busy for a moment: it stores the first two, then refuses what follows.
    m_chat->acceptBeforeRefusing = 2;
    m_chat->refuseSends = 18;
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(QTest::qWaitFor([&] { return m_outbox->pendingCount() == 0; }, 3000));
    QCOMPARE(m_chat->refusals, 18);
    QStringList expected;
    for (int i = 1; i <= 20; ++i)
        expected.append(u"m%1"_s.arg(i));
    QCOMPARE(m_chat->bodies(u"general"_s), expected);
    // The resend starts at the first refused one.
    const QList<QJsonObject> all = m_network->current()->sentOfType(u"send"_s);
    QCOMPARE(all.size(), 38);
    QCOMPARE(all.at(20).value("body"_L1).toString(), u"m3"_s);
    QCOMPARE(seqsOf(u"general"_s), range(1, 20));
}

void TestSessionFake::sentOnlyOnceOnTheDisk()
{
    m_chat->logs[u"general"_s];
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitForState(ConnectionState::Online));
    // A disk that takes a second per commit, then one that refuses.
    std::atomic<bool> refuse = false;
    m_outbox->setWriteHook([&refuse](QString *error) {
        QThread::msleep(1000);
        if (refuse)
            *error = u"disk full"_s;
        return !refuse;
    });
    QElapsedTimer clock;
    clock.start();
    const QString cid = m_session->sendMessage(u"general"_s, u"typed"_s);
    QVERIFY(!cid.isEmpty());
    QVERIFY2(clock.elapsed() < 500, qPrintable(u"sendMessage took %1 ms"_s.arg(clock.elapsed())));
    QVERIFY(!m_session->outboxIdle());
    // Online, but not on the disk yet: nothing goes out.
    QTest::qWait(300);
    QCOMPARE(m_chat->sendsSeen, 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_chat->sendsSeen, 1, 5000);
    QVERIFY(clock.elapsed() >= 1000);
    QTRY_COMPARE(m_chat->bodies(u"general"_s), QStringList{u"typed"_s});

    // Refused by the disk: never sent (the text goes back to whoever typed it, who may send it
    // again under a new cid).
    refuse = true;
    QSignalSpy notSaved(m_outbox.get(), &Outbox::notSaved);
    QVERIFY(!m_session->sendMessage(u"general"_s, u"lost disk"_s).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(notSaved.size(), 1, 5000);
    QTest::qWait(50);
    QCOMPARE(m_chat->sendsSeen, 1);
    QVERIFY(m_session->outboxIdle());
    m_outbox->setWriteHook({});
}

void TestSessionFake::progressCountsTheDrain()
{
    m_chat->logs[u"general"_s];
    for (int i = 1; i <= 30; ++i)
        queue(u"general"_s, u"m%1"_s.arg(i));
    m_outbox->flush();
    QSignalSpy progress(m_session.get(), &SessionManager::outboxProgress);
    QSignalSpy drained(m_session.get(), &SessionManager::outboxDrained);
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(QTest::qWaitFor([&] { return drained.size() >= 1; }, 3000));
    QVERIFY(progress.size() >= 2);
    QCOMPARE(progress.first().at(0).toInt(), 0);
    QCOMPARE(progress.first().at(1).toInt(), 30);
    QCOMPARE(progress.last().at(0).toInt(), 30);
    QCOMPARE(progress.last().at(1).toInt(), 30);
    int previous = -1;
    for (const QList<QVariant> &step : std::as_const(progress)) {
        QVERIFY(step.at(0).toInt() >= previous); // never backwards
        QCOMPARE(step.at(1).toInt(), 30);
        previous = step.at(0).toInt();
    }
    // Fewer signals than messages: the marks are written and told in batches.
    QVERIFY2(progress.size() < 30, qPrintable(QString::number(progress.size())));

    // A message queued now starts a new count.
    progress.clear();
    QVERIFY(!m_session->sendMessage(u"general"_s, u"one more"_s).isEmpty());
    // Counted once it is on the disk.
    QTRY_VERIFY(!progress.isEmpty());
    QCOMPARE(progress.first().at(0).toInt(), 0);
    QCOMPARE(progress.first().at(1).toInt(), 1);
    QVERIFY(QTest::qWaitFor(
        [&] { return !progress.isEmpty() && progress.last().at(0).toInt() == 1; }, 2000));
}

void TestSessionFake::permanentRefusalMarksFailedAndMayEndTheSession()
{
    m_chat->logs[u"general"_s];
    const QString lost = queue(u"nowhere"_s, u"into the void"_s);
    for (int i = 1; i <= 3; ++i)
        queue(u"general"_s, u"m%1"_s.arg(i));
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(QTest::qWaitFor([&] { return m_outbox->pendingCount() == 0; }, 3000));
    QCOMPARE(m_outbox->entry(lost)->state, OutboxState::Failed);
    QVERIFY2(m_outbox->entry(lost)->reason.contains(u"nowhere"_s),
             qPrintable(m_outbox->entry(lost)->reason));
    QCOMPARE(m_chat->bodies(u"general"_s).size(), 3); // the rest went on

    // A receiver that ends the session when told of the failure (as conversa-cli send does):
    // the pump must not touch what that tore down.
    const QString second = queue(u"nowhere"_s, u"again"_s);
    connect(m_outbox.get(), &Outbox::entryChanged, m_session.get(),
            [this](const OutboxEntry &entry) {
                if (entry.state == OutboxState::Failed)
                    m_session->signOut();
            });
    queue(u"general"_s, u"after"_s);
    m_session->flushOutbox();
    QVERIFY(
        QTest::qWaitFor([&] { return m_session->state() == ConnectionState::SignedOut; }, 3000));
    QCOMPARE(m_outbox->entry(second)->state, OutboxState::Failed);
    QTest::qWait(20);
    QCOMPARE(m_session->outboxInFlight(), 0);
}

QTEST_GUILESS_MAIN(TestSessionFake)
#include "tst_session_fake.moc"
