// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// SessionManager against a real conversa-server process: sign-in, sync, outbox, reconnects,
// dead links, TLS, proxies and the errors a person sees.
#include <ClientFixtures.h>
#include <ConversaTest.h>

#include <Codec.h>
#include <MemberListModel.h>
#include <MessageCache.h>
#include <MessageModel.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <TypingUsers.h>

#include <algorithm>

#include <QElapsedTimer>
#include <QFile>
#include <QNetworkProxy>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::protocol::MessageEvent;
using conversa::test::freeLoopbackPort;
using conversa::test::kAlicePassword;
using conversa::test::kBobPassword;
using conversa::test::ServerProcess;
using conversa::test::startServerWithAliceAndBob;
using conversa::test::TestCertificates;
using conversa::test::waitForLoopbackListener;
using conversa::test::waitUntil;

namespace {

// One client: a SessionManager with its own cache and outbox, recording what it saw.
struct Client {
    QTemporaryDir dir;
    MessageCache cache;
    Outbox outbox;
    SessionManager session;
    QList<MessageEvent> received;
    QList<ConnectionStatus> statuses;
    QString token;

    explicit Client(const QUrl &url)
    {
        cache.open(dir.filePath(u"cache.sqlite"_s));
        outbox.open(dir.filePath(u"outbox.sqlite"_s));
        session.setServerUrl(url);
        session.setCache(&cache);
        session.setOutbox(&outbox);
        session.setProxy(SessionManager::ProxyMode::None);
        session.setWatchNetwork(false);
        QObject::connect(&session, &SessionManager::messageReceived,
                         [this](const MessageEvent &m) { received.append(m); });
        QObject::connect(&session, &SessionManager::statusChanged,
                         [this](const ConnectionStatus &s) { statuses.append(s); });
        QObject::connect(&session, &SessionManager::tokenIssued,
                         [this](const QString &, const QString &t) { token = t; });
    }
    bool waitForState(ConnectionState state, int timeoutMs = 10000)
    {
        return waitUntil([&] { return session.state() == state; }, timeoutMs);
    }
    QString describe() const
    {
        QStringList lines;
        for (const ConnectionStatus &s : statuses)
            lines.append(s.toDisplayString());
        return lines.join(u" | "_s);
    }
    QList<qint64> seqs(const QString &room) const
    {
        QList<qint64> list;
        for (const MessageEvent &m : received)
            if (m.room == room)
                list.append(m.seq);
        return list;
    }
    RequestResult call(const conversa::protocol::Request &request)
    {
        RequestResult result;
        bool done = false;
        session.request(request, [&](const RequestResult &r) {
            result = r;
            done = true;
        });
        waitUntil([&] { return done; }, 10000);
        return result;
    }
};

} // namespace

class TestSession : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void signInSyncAndChat();
    void resumeCatchesUpExactlyOnce();
    void outboxSurvivesServerRestart();
    void offlineBacklogDrainsInOrderWithAWindow();
    void outboxPacesItselfByTheServersLimit();
    void permanentErrorMarksFailed();
    void failedSentMarkDoesNotStopTheQueue();
    void modelsFollowTheSession();
    void failedHistoryRequestSaysSoAndCanBeRetried();
    void unreachableBacksOff();
    void backoffResetsOnlyAfterAStableMinute();
    void upgradeRefusedNamesTheStatus();
    void hostNotFoundAndConnectTimeout();
    void wrongPassword();
    void serverGoingAwayAndTokenRevoked();
    void deadLinkDetected();
    void lateTimerMeansTheMachineSlept();
    void untrustedCertificateThenExtraCa();
    void throughHttpProxy_data();
    void throughHttpProxy();
    void throughSocks5Proxy();
    void proxyRefused();
    void connectionDetailsFollowTheConnection();
    void connectionDetailsOverTls();
    void memberPresenceIsForgottenWhileOffline();

private:
    std::unique_ptr<Client> signedIn(ServerProcess &server, const QString &user,
                                     const QString &password);
};

void TestSession::initTestCase()
{
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
}

std::unique_ptr<Client> TestSession::signedIn(ServerProcess &server, const QString &user,
                                              const QString &password)
{
    auto client = std::make_unique<Client>(server.url());
    client->session.signIn(user, password);
    if (!client->waitForState(ConnectionState::Online)) {
        qWarning("%s did not get online: %s", qPrintable(user), qPrintable(client->describe()));
        return nullptr;
    }
    const RequestResult joined = client->call(conversa::protocol::JoinRequest{{}, u"general"_s});
    if (!joined.isOk())
        return nullptr;
    // The session learns the new room, syncs it and is online again.
    waitUntil(
        [&] {
            return client->cache.room(u"general"_s).has_value() &&
                   client->session.state() == ConnectionState::Online;
        },
        5000);
    return client;
}

void TestSession::signInSyncAndChat()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword);
    QVERIFY(bob);
    QVERIFY(!alice->token.isEmpty());
    QCOMPARE(alice->session.user(), u"alice"_s);
    // The states on the way, in order.
    QCOMPARE(alice->statuses.at(0).state, ConnectionState::Connecting);
    QCOMPARE(alice->statuses.at(1).state, ConnectionState::Authenticating);
    QCOMPARE(alice->statuses.at(2).state, ConnectionState::Syncing);
    QCOMPARE(alice->statuses.at(3).state, ConnectionState::Online);

    QSignalSpy drained(&alice->session, &SessionManager::outboxDrained);
    for (int i = 1; i <= 20; ++i)
        QVERIFY(!alice->session.sendMessage(u"general"_s, u"hello %1"_s.arg(i)).isEmpty());
    QVERIFY2(waitUntil([&] { return bob->received.size() == 20; }, 15000),
             qPrintable(bob->describe()));
    QVERIFY(waitUntil([&] { return alice->received.size() == 20; }, 5000));
    QCOMPARE(bob->seqs(u"general"_s), conversa::test::range(1, 20));
    QCOMPARE(alice->seqs(u"general"_s), conversa::test::range(1, 20));
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(bob->received.at(i).body, u"hello %1"_s.arg(i + 1));
        QCOMPARE(bob->received.at(i).from, u"alice"_s);
        QCOMPARE(bob->received.at(i).cid, alice->received.at(i).cid);
    }
    QVERIFY(waitUntil([&] { return alice->session.outboxIdle(); }, 5000));
    QCOMPARE(alice->outbox.pendingCount(), 0);
    QVERIFY(!drained.isEmpty());
    QCOMPARE(bob->cache.syncedSeq(u"general"_s), 20);
    QCOMPARE(bob->cache.messageCount(u"general"_s), 20);
}

void TestSession::resumeCatchesUpExactlyOnce()
{
    auto server = startServerWithAliceAndBob(
        {u"--messages-per-second"_s, u"1000"_s, u"--message-burst"_s, u"1000"_s});
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword);
    QVERIFY(bob);
    for (int i = 1; i <= 5; ++i)
        alice->session.sendMessage(u"general"_s, u"before %1"_s.arg(i));
    QVERIFY(waitUntil([&] { return bob->received.size() == 5; }, 10000));

    // Bob goes away; 600 messages later (more than a sync page) he comes back.
    const QString bobToken = bob->token;
    bob->session.signOut();
    for (int i = 1; i <= 600; ++i)
        alice->session.sendMessage(u"general"_s, u"while away %1"_s.arg(i));
    QVERIFY2(waitUntil([&] { return alice->received.size() == 605; }, 60000),
             qPrintable(QString::number(alice->received.size())));
    bob->session.resume(u"bob"_s, bobToken);
    QVERIFY(bob->waitForState(ConnectionState::Online, 20000));
    QVERIFY(waitUntil([&] { return bob->received.size() >= 605; }, 20000));
    QTest::qWait(200);
    QCOMPARE(bob->seqs(u"general"_s), conversa::test::range(1, 605));
    QCOMPARE(bob->cache.syncedSeq(u"general"_s), 605);
    QCOMPARE(bob->cache.messageCount(u"general"_s), 605);
}

void TestSession::outboxSurvivesServerRestart()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    server->kill();
    QVERIFY2(alice->waitForState(ConnectionState::WaitingToReconnect),
             qPrintable(alice->describe()));
    // Typed while offline: pending, and still there.
    const QString cid = alice->session.sendMessage(u"general"_s, u"typed offline"_s);
    QCOMPARE(alice->outbox.entry(cid)->state, OutboxState::Pending);
    QVERIFY2(server->restart(), qPrintable(server->diagnostics()));
    QVERIFY2(alice->waitForState(ConnectionState::Online, 20000), qPrintable(alice->describe()));
    QVERIFY(waitUntil([&] { return alice->session.outboxIdle(); }, 10000));
    QCOMPARE(alice->seqs(u"general"_s), QList<qint64>{1});
    QCOMPARE(alice->received.first().cid, cid);
}

void TestSession::offlineBacklogDrainsInOrderWithAWindow()
{
    auto server = startServerWithAliceAndBob(
        {u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s, u"100000"_s});
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword);
    QVERIFY(bob);
    server->kill();
    QVERIFY(alice->waitForState(ConnectionState::WaitingToReconnect));
    constexpr int kCount = 500;
    for (int i = 1; i <= kCount; ++i)
        QVERIFY(!alice->session.sendMessage(u"general"_s, u"offline %1"_s.arg(i)).isEmpty());
    int mostInFlight = 0;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, [&] {
        mostInFlight = qMax(mostInFlight, alice->session.outboxInFlight(u"general"_s));
    });
    sampler.start(0);
    QVERIFY2(server->restart(), qPrintable(server->diagnostics()));
    alice->session.reconnectNow();
    QVERIFY2(waitUntil([&] { return alice->outbox.pendingCount() == 0; }, 60000),
             qPrintable(QString::number(alice->outbox.pendingCount())));
    sampler.stop();
    QVERIFY2(mostInFlight > 1, qPrintable(QString::number(mostInFlight)));
    QVERIFY(mostInFlight <= 64);
    QCOMPARE(alice->session.outboxRefusals(), 0);
    // Bob (back after his own reconnect) sees each once, in the order typed.
    QVERIFY(waitUntil([&] { return bob->received.size() >= kCount; }, 30000));
    QTest::qWait(200);
    QCOMPARE(bob->seqs(u"general"_s), conversa::test::range(1, kCount));
    for (int i = 0; i < kCount; ++i)
        QCOMPARE(bob->received.at(i).body, u"offline %1"_s.arg(i + 1));
    QCOMPARE(alice->seqs(u"general"_s), conversa::test::range(1, kCount));
}

void TestSession::outboxPacesItselfByTheServersLimit()
{
    auto server = startServerWithAliceAndBob(
        {u"--messages-per-second"_s, u"20"_s, u"--message-burst"_s, u"5"_s});
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    QCOMPARE(alice->session.serverLimits().messagesPerSecond, 20.0);
    QCOMPARE(alice->session.serverLimits().messageBurst, 5);
    QSignalSpy progress(&alice->session, &SessionManager::outboxProgress);
    QElapsedTimer clock;
    clock.start();
    constexpr int kCount = 30;
    for (int i = 1; i <= kCount; ++i)
        alice->session.sendMessage(u"general"_s, u"paced %1"_s.arg(i));
    QVERIFY(waitUntil([&] { return alice->outbox.pendingCount() == 0; }, 20000));
    // 4 at once (the burst less one in reserve), then 26 at 20/s: never refused for speed.
    QVERIFY2(clock.elapsed() >= 1100, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(alice->session.outboxRefusals(), 0);
    QCOMPARE(alice->seqs(u"general"_s), conversa::test::range(1, kCount));
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(0).toInt(), kCount);
    QCOMPARE(progress.last().at(1).toInt(), kCount);
}

void TestSession::permanentErrorMarksFailed()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    const QString lost = alice->session.sendMessage(u"no-such-room"_s, u"into the void"_s);
    const QString fine = alice->session.sendMessage(u"general"_s, u"fine"_s);
    QVERIFY(waitUntil([&] { return alice->session.outboxIdle(); }, 10000));
    QCOMPARE(alice->outbox.entry(lost)->state, OutboxState::Failed);
    QVERIFY(!alice->outbox.entry(lost)->reason.isEmpty());
    QCOMPARE(alice->outbox.entry(fine)->state, OutboxState::Sent);
    QCOMPARE(alice->outbox.failedCount(), 1);
}

void TestSession::failedSentMarkDoesNotStopTheQueue()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword);
    QVERIFY(bob);
    // Three messages queued offline, then the outbox's disk stops taking writes.
    const QString token = alice->token;
    alice->session.signOut();
    QStringList cids;
    for (int i = 1; i <= 3; ++i)
        cids.append(alice->session.sendMessage(u"general"_s, u"queued %1"_s.arg(i)));
    QCOMPARE(alice->outbox.pendingCount(), 3);
    QVERIFY(alice->outbox.database().exec(u"PRAGMA query_only = ON"_s));
    alice->session.resume(u"alice"_s, token);
    QVERIFY2(alice->waitForState(ConnectionState::Online), qPrintable(alice->describe()));
    // No "sent" mark can be written, yet all three go out, once each and in order.
    QVERIFY2(waitUntil([&] { return bob->received.size() == 3; }, 10000),
             qPrintable(QString::number(bob->received.size())));
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(bob->received.at(i).cid, cids.at(i));
        QCOMPARE(bob->received.at(i).body, u"queued %1"_s.arg(i + 1));
    }
    QVERIFY(!alice->session.outboxIdle()); // not written down yet
    // The disk is back: the marks are written without a reconnect, nothing is sent twice.
    QVERIFY(alice->outbox.database().exec(u"PRAGMA query_only = OFF"_s));
    QVERIFY(waitUntil([&] { return alice->session.outboxIdle(); }, 10000));
    for (const QString &cid : std::as_const(cids))
        QCOMPARE(alice->outbox.entry(cid)->state, OutboxState::Sent);
    QTest::qWait(300);
    QCOMPARE(bob->received.size(), 3);
    QCOMPARE(alice->seqs(u"general"_s), conversa::test::range(1, 3));
}

void TestSession::modelsFollowTheSession()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    for (int i = 1; i <= 30; ++i)
        alice->session.sendMessage(u"general"_s, u"m%1"_s.arg(i));
    QVERIFY(waitUntil([&] { return alice->session.outboxIdle() && alice->received.size() == 30; },
                      10000));

    // Bob keeps only 10 messages per room and fetches the rest from the server on demand.
    Client bob(server->url());
    bob.cache.setCapacityPerRoom(10);
    bob.session.setInitialBacklog(10);
    RoomListModel rooms;
    rooms.setCache(&bob.cache);
    rooms.setSession(&bob.session);
    MessageModel messages;
    messages.setPageSize(10);
    messages.setSources(&bob.cache, &bob.outbox, &bob.session);
    MemberListModel members;
    members.setSession(&bob.session);
    TypingUsers typing;
    typing.setSession(&bob.session);
    typing.setRoom(u"general"_s);

    bob.session.signIn(u"bob"_s, kBobPassword);
    QVERIFY(bob.waitForState(ConnectionState::Online));
    QVERIFY(bob.call(conversa::protocol::JoinRequest{{}, u"general"_s}).isOk());
    QVERIFY2(waitUntil([&] { return bob.received.size() == 10; }, 5000),
             qPrintable(QString::number(bob.received.size())));
    QCOMPARE(bob.seqs(u"general"_s).first(), 21); // only the recent part of a new room
    QVERIFY(waitUntil([&] { return rooms.rowOfRoom(u"general"_s) >= 0; }, 5000));
    const int row = rooms.rowOfRoom(u"general"_s);
    QCOMPARE(rooms.index(row).data(RoomListModel::LastMessagePreviewRole).toString(), u"m30"_s);
    QCOMPARE(rooms.index(row).data(RoomListModel::UnreadCountRole).toLongLong(), 30);

    // Read up to here: the marker goes to the server (and to the cache).
    rooms.markRead(u"general"_s, 30);
    QCOMPARE(rooms.index(row).data(RoomListModel::UnreadCountRole).toLongLong(), 0);
    // (`read` is answered after its commit, `rooms` at once: ask until the commit shows.)
    QVERIFY(waitUntil(
        [&] {
            const RequestResult listed = bob.call(conversa::protocol::RoomsRequest{});
            const auto summaries = conversa::protocol::roomsFromPayload(listed.payload);
            return summaries && !summaries->isEmpty() && summaries->first().readSeq == 30;
        },
        5000));
    QCOMPARE(bob.cache.room(u"general"_s)->readSeq, 30);

    messages.setRoom(u"general"_s);
    QCOMPARE(messages.rowCount(), 10);
    QCOMPARE(messages.oldestSeq(), 21);
    QVERIFY(messages.canFetchMore());
    messages.fetchMore(); // nothing older in the cache: asks the server
    QVERIFY(waitUntil([&] { return messages.rowCount() == 20; }, 5000));
    QCOMPARE(messages.oldestSeq(), 11);
    QCOMPARE(messages.index(0).data(MessageModel::BodyRole).toString(), u"m11"_s);

    // Live: a new message, typing and presence.
    alice->session.sendMessage(u"general"_s, u"live"_s);
    QVERIFY(waitUntil([&] { return messages.rowCount() == 21; }, 5000));
    QCOMPARE(messages.index(20).data(MessageModel::BodyRole).toString(), u"live"_s);
    QCOMPARE(rooms.index(row).data(RoomListModel::LastMessagePreviewRole).toString(), u"live"_s);

    alice->session.sendTyping(u"general"_s);
    QVERIFY(waitUntil([&] { return typing.users() == QStringList{u"alice"_s}; }, 5000));
    QCOMPARE(typing.displayText(), u"alice is typing…"_s);

    members.setRoom(u"general"_s);
    QVERIFY(waitUntil([&] { return members.rowCount() == 2; }, 5000));
    QCOMPARE(members.onlineCount(), 2);
    alice->session.signOut();
    QVERIFY(waitUntil([&] { return members.onlineCount() == 1; }, 5000));
    QCOMPARE(members.index(0).data(MemberListModel::UserRole).toString(), u"bob"_s);
}

void TestSession::failedHistoryRequestSaysSoAndCanBeRetried()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    // A room known to the cache whose older messages the server will not give (alice is not
    // in it): every history request fails.
    QList<MessageEvent> cached;
    for (qint64 seq = 41; seq <= 43; ++seq)
        cached.append({u"secret"_s, seq, 1000 * seq, u"bob"_s, u"c%1"_s.arg(seq), u"hi"_s});
    QVERIFY(alice->cache.storeMessages(u"secret"_s, cached, 43));
    MessageModel model;
    model.setSources(&alice->cache, &alice->outbox, &alice->session);
    model.setRoom(u"secret"_s);
    QCOMPARE(model.rowCount(), 3);
    QSignalSpy failures(&alice->session, &SessionManager::historyFailed);
    QVERIFY(model.canFetchMore());
    model.fetchMore();
    QVERIFY(failures.wait(10000));
    QVERIFY2(!model.historyError().isEmpty(), "the failure is not said");
    QVERIFY2(model.historyError().contains(failures.first().at(1).toString()),
             qPrintable(model.historyError()));
    // Not dead: the next scroll asks the server again.
    QVERIFY(model.canFetchMore());
    model.fetchMore();
    QVERIFY(failures.wait(10000));
    QCOMPARE(failures.size(), 2);
    QCOMPARE(model.rowCount(), 3);
}

void TestSession::unreachableBacksOff()
{
    const quint16 port = freeLoopbackPort(); // nothing listens there
    Client client(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(port)));
    // Always the top of the jitter range, so the delays show the doubling.
    client.session.setBackoff(Backoff({500, 30'000, 60'000}, [] { return 0.999; }));
    QList<qint64> connectingAt;
    QElapsedTimer clock;
    clock.start();
    QObject::connect(&client.session, &SessionManager::stateChanged, [&](ConnectionState s) {
        if (s == ConnectionState::Connecting)
            connectingAt.append(clock.elapsed());
    });
    client.session.resume(u"alice"_s, u"not-a-real-token"_s);
    QVERIFY(waitUntil([&] { return connectingAt.size() >= 5; }, 20000));
    const ConnectionStatus status = client.session.status();
    QVERIFY(status.state == ConnectionState::WaitingToReconnect ||
            status.state == ConnectionState::Connecting);
    QCOMPARE(client.session.backoff().attempts() >= 4, true);
    bool sawRefused = false;
    for (const ConnectionStatus &s : client.statuses) {
        if (s.state == ConnectionState::WaitingToReconnect) {
            QCOMPARE(s.problem, ConnectionProblem::ConnectionRefused);
            QVERIFY2(s.reason.contains(QString::number(port)), qPrintable(s.reason));
            sawRefused = true;
        }
    }
    QVERIFY(sawRefused);
    // Each gap is the failed attempt plus the delay (~ the ceiling); coarse timers may fire up
    // to 5 % early.
    const QList<qint64> ceilings{500, 1000, 2000, 4000};
    for (int i = 0; i < 4; ++i) {
        const qint64 gap = connectingAt.at(i + 1) - connectingAt.at(i);
        QVERIFY2(gap >= ceilings.at(i) * 0.94 - 20 && gap <= ceilings.at(i) + 400,
                 qPrintable(u"gap %1: %2 ms, ceiling %3 ms"_s.arg(i).arg(gap).arg(ceilings.at(i))));
    }
    // The countdown shows whole seconds left.
    bool sawCountdown = false;
    for (const ConnectionStatus &s : client.statuses)
        sawCountdown = sawCountdown || (s.state == ConnectionState::WaitingToReconnect &&
                                        s.secondsLeft >= 1 && s.secondsLeft <= 4);
    QVERIFY(sawCountdown);

    // With real jitter, every wait stays within its bound.
    Client jittered(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(port)));
    jittered.session.setBackoff(Backoff({200, 800, 60'000}));
    jittered.session.resume(u"alice"_s, u"x"_s);
    QVERIFY(waitUntil([&] { return jittered.session.backoff().attempts() >= 6; }, 20000));
    for (const ConnectionStatus &s : jittered.statuses)
        if (s.state == ConnectionState::WaitingToReconnect)
            QVERIFY(s.secondsLeft <= 1);

    // "Reconnect now" skips the wait.
    client.session.setBackoff(Backoff({60'000, 60'000, 60'000}, [] { return 0.999; }));
    QVERIFY(waitUntil(
        [&] {
            return client.session.state() == ConnectionState::WaitingToReconnect &&
                   client.session.status().secondsLeft > 30;
        },
        20000));
    const qsizetype before = connectingAt.size();
    client.session.reconnectNow();
    QCOMPARE(connectingAt.size(), before + 1);
}

void TestSession::backoffResetsOnlyAfterAStableMinute()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    qint64 fakeNow = 1'000'000; // the backoff's clock, moved by hand
    Client client(server->url());
    client.session.setBackoff(Backoff(
        {100, 30'000, 60'000}, [] { return 0.5; }, [&fakeNow] { return fakeNow; }));
    client.session.signIn(u"alice"_s, kAlicePassword);
    // Failed once under a loaded ctest -j2 (passes alone): a longer wait, and the statuses seen if
    // it fails again.
    QVERIFY2(client.waitForState(ConnectionState::Online, 30000), qPrintable(client.describe()));

    // Dropped 59 s after the session was accepted: the attempts keep counting.
    for (int round = 1; round <= 2; ++round) {
        const int before = client.session.backoff().attempts(); // refused tries while restarting
        fakeNow += 59'000;
        server->kill();
        QVERIFY(client.waitForState(ConnectionState::WaitingToReconnect));
        QCOMPARE(client.session.backoff().attempts(), before + 1);
        QVERIFY(client.session.backoff().attempts() >= round);
        QVERIFY(server->restart());
        QVERIFY2(client.waitForState(ConnectionState::Online, 15000),
                 qPrintable(client.describe()));
    }
    // A full stable minute: back to the first step.
    fakeNow += 60'000;
    server->kill();
    QVERIFY(client.waitForState(ConnectionState::WaitingToReconnect));
    QCOMPARE(client.session.backoff().attempts(), 1);
}

void TestSession::upgradeRefusedNamesTheStatus()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    QUrl wrong = server->url();
    wrong.setPath(u"/not-the-chat"_s);
    Client client(wrong);
    client.session.resume(u"alice"_s, u"whatever"_s);
    QVERIFY2(client.waitForState(ConnectionState::WaitingToReconnect),
             qPrintable(client.describe()));
    const ConnectionStatus status = client.session.status();
    QCOMPARE(status.problem, ConnectionProblem::UpgradeRefused);
    QVERIFY2(status.reason.contains(u"404"_s), qPrintable(status.reason));
}

void TestSession::hostNotFoundAndConnectTimeout()
{
    // DNS: the .invalid top-level domain never resolves (RFC 6761).
    Client lost(QUrl(u"ws://no-such-host.invalid:8080/ws"_s));
    lost.session.resume(u"alice"_s, u"token"_s);
    QVERIFY2(lost.waitForState(ConnectionState::WaitingToReconnect, 20000),
             qPrintable(lost.describe()));
    QCOMPARE(lost.session.status().problem, ConnectionProblem::HostNotFound);
    QVERIFY2(lost.session.status().reason.contains(u"no-such-host.invalid"_s),
             qPrintable(lost.session.status().reason));

    // A listener that accepts and never answers the upgrade: the connect timeout ends it.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    Client waiting(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(silent.serverPort())));
    SessionManager::Timing timing;
    timing.connectTimeoutMs = 800;
    waiting.session.setTiming(timing);
    QElapsedTimer clock;
    clock.start();
    waiting.session.resume(u"alice"_s, u"token"_s);
    QVERIFY2(waiting.waitForState(ConnectionState::WaitingToReconnect, 5000),
             qPrintable(waiting.describe()));
    QVERIFY(clock.elapsed() >= 700);
    QCOMPARE(waiting.session.status().problem, ConnectionProblem::TimedOut);
}

void TestSession::wrongPassword()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    Client client(server->url());
    client.session.signIn(u"alice"_s, u"not the password"_s);
    QVERIFY2(client.waitForState(ConnectionState::AuthFailed), qPrintable(client.describe()));
    QCOMPARE(client.session.status().problem, ConnectionProblem::WrongPassword);
    QVERIFY(client.token.isEmpty());
    // No retry with a wrong password.
    QTest::qWait(1500);
    QCOMPARE(client.session.state(), ConnectionState::AuthFailed);
}

void TestSession::serverGoingAwayAndTokenRevoked()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    alice->statuses.clear();
    QCOMPARE(server->terminate(), 0); // SIGTERM: closes with 1001
    QVERIFY2(alice->waitForState(ConnectionState::WaitingToReconnect),
             qPrintable(alice->describe()));
    // The first wait is for the server going away; by now a quick first retry may already
    // have found the port closed, so look at the first, not the current, status.
    const auto firstWait =
        std::find_if(alice->statuses.cbegin(), alice->statuses.cend(), [](const auto &status) {
            return status.state == ConnectionState::WaitingToReconnect;
        });
    QVERIFY(firstWait != alice->statuses.cend());
    QCOMPARE(firstWait->problem, ConnectionProblem::ServerGoingAway);
    QVERIFY(server->restart());
    QVERIFY2(alice->waitForState(ConnectionState::Online, 20000), qPrintable(alice->describe()));

    QSignalSpy rejected(&alice->session, &SessionManager::tokenRejected);
    QVERIFY2(server->revokeUserTokens(u"alice"_s), qPrintable(server->lastAdminError()));
    QVERIFY2(alice->waitForState(ConnectionState::AuthFailed, 10000),
             qPrintable(alice->describe()));
    QCOMPARE(alice->session.status().problem, ConnectionProblem::TokenRevoked);
    QCOMPARE(rejected.size(), 1);
    QVERIFY(alice->session.token().isEmpty());
}

void TestSession::deadLinkDetected()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    // Default heartbeat: ping every 15 s, dead after 10 s without a pong, so a link is found
    // dead 10 to 25 s after the server stopped, depending on where in the ping cycle it stopped.
    // Stopping it right after the sign-in would always hit the 25 s edge; 5 s later is a
    // typical moment (detection after about 20 s).
    QTest::qWait(5000);
    QVERIFY(server->pause()); // SIGSTOP: the socket stays open, nobody answers
    QElapsedTimer clock;
    clock.start();
    QVERIFY2(waitUntil([&] { return alice->session.state() != ConnectionState::Online; }, 30000),
             qPrintable(alice->describe()));
    const qint64 detectedAfter = clock.elapsed();
    QVERIFY2(detectedAfter < 25'000, qPrintable(QString::number(detectedAfter)));
    QCOMPARE(alice->session.status().state, ConnectionState::WaitingToReconnect);
    QCOMPARE(alice->session.status().problem, ConnectionProblem::TimedOut);
    QVERIFY(server->resume());
    QVERIFY2(alice->waitForState(ConnectionState::Online, 40000), qPrintable(alice->describe()));
    qInfo("dead link detected after %lld ms", detectedAfter);
}

void TestSession::lateTimerMeansTheMachineSlept()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = std::make_unique<Client>(server->url());
    SessionManager::Timing timing;
    timing.pingIntervalMs = 300;
    timing.lateTimerToleranceMs = 500;
    alice->session.setTiming(timing);
    alice->session.signIn(u"alice"_s, kAlicePassword);
    QVERIFY2(alice->waitForState(ConnectionState::Online), qPrintable(alice->describe()));
    QTest::qWait(700); // heartbeats on time: still online
    QCOMPARE(alice->session.state(), ConnectionState::Online);

    // The event loop stands still for 1.5 s, as if the machine had been suspended.
    QThread::msleep(1500);
    QVERIFY2(waitUntil([&] { return alice->session.state() != ConnectionState::Online; }, 2000),
             qPrintable(alice->describe()));
    bool sawSleep = false;
    for (const ConnectionStatus &s : alice->statuses)
        sawSleep = sawSleep || s.reason.contains(u"asleep"_s);
    QVERIFY2(sawSleep, qPrintable(alice->describe()));
    // Reconnected at once, without waiting for a dead-link timeout.
    QVERIFY2(alice->waitForState(ConnectionState::Online, 3000), qPrintable(alice->describe()));
}

void TestSession::untrustedCertificateThenExtraCa()
{
    TestCertificates certs;
    if (TestCertificates::opensslProgram().isEmpty())
        QSKIP("openssl is not installed");
    QVERIFY2(certs.generate(), qPrintable(certs.errorString()));
    auto server = startServerWithAliceAndBob(
        {u"--tls-cert"_s, certs.serverCertificate(), u"--tls-key"_s, certs.serverKey()});
    QVERIFY(server);
    QCOMPARE(server->url().scheme(), u"wss"_s);

    Client client(server->url());
    client.session.signIn(u"alice"_s, kAlicePassword);
    // A sign-in is not retried: the error is shown and the session stays signed out.
    QVERIFY2(waitUntil([&] { return client.session.status().problem != ConnectionProblem::None; },
                       10000),
             qPrintable(client.describe()));
    const ConnectionStatus status = client.session.status();
    QCOMPARE(status.problem, ConnectionProblem::UntrustedCertificate);
    QVERIFY2(status.reason.contains(u"not trusted"_s), qPrintable(status.reason));
    QVERIFY2(status.reason.contains(u"issued by"_s), qPrintable(status.reason));

    QString error;
    QVERIFY2(client.session.setExtraCaFile(certs.caCertificate(), &error), qPrintable(error));
    client.session.signIn(u"alice"_s, kAlicePassword);
    QVERIFY2(client.waitForState(ConnectionState::Online, 10000), qPrintable(client.describe()));

    QVERIFY(!client.session.setExtraCaFile(u"/no/such/file.pem"_s, &error));
    QVERIFY(error.contains(u"/no/such/file.pem"_s));
}

void TestSession::throughHttpProxy_data()
{
    QTest::addColumn<QString>("program");
    QTest::newRow("tinyproxy") << u"tinyproxy"_s;
    QTest::newRow("squid") << u"squid"_s;
}

void TestSession::throughHttpProxy()
{
    QFETCH(QString, program);
    const QString binary = QStandardPaths::findExecutable(program, {u"/usr/bin"_s, u"/usr/sbin"_s});
    if (binary.isEmpty())
        QSKIP(qPrintable(program + u" is not installed"_s));
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);

    QTemporaryDir dir;
    // squid, started as root, writes its logs as its own user.
    QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                          QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                          QFileDevice::WriteOther | QFileDevice::ExeOther);
    const quint16 proxyPort = freeLoopbackPort();
    const QString log = dir.filePath(program + u".log"_s);
    QFile conf(dir.filePath(program + u".conf"_s));
    QVERIFY(conf.open(QIODevice::WriteOnly));
    QStringList arguments;
    if (program == u"tinyproxy"_s) {
        // No ConnectPort line: CONNECT is allowed to every port, the chat server's included.
        conf.write(u"Port %1\nListen 127.0.0.1\nTimeout 600\nLogFile \"%2\"\nLogLevel Connect\n"
                   "MaxClients 20\nAllow 127.0.0.1\n"_s.arg(proxyPort)
                       .arg(log)
                       .toUtf8());
        arguments = {u"-d"_s, u"-c"_s, conf.fileName()};
    } else {
        // Without the stock "deny CONNECT to non-SSL ports" rule: any port may be tunnelled.
        // visible_hostname: squid refuses to start where the machine's own name does not
        // resolve (a fresh container or chroot), so the test names it instead of relying on it.
        conf.write(u"http_port 127.0.0.1:%1\nvisible_hostname conversa-test.invalid\n"
                   "acl local src 127.0.0.1/32\n"
                   "http_access allow local\nhttp_access deny all\ncache deny all\n"
                   "access_log stdio:%2\ncache_log %3/cache.log\npid_filename %3/squid.pid\n"
                   "coredump_dir %3\nshutdown_lifetime 0 seconds\n"_s.arg(proxyPort)
                       .arg(log, dir.path())
                       .toUtf8());
        arguments = {u"-N"_s, u"-f"_s, conf.fileName()};
    }
    conf.close();
    QProcess proxy;
    proxy.setProcessChannelMode(QProcess::MergedChannels);
    proxy.start(binary, arguments);
    QVERIFY2(proxy.waitForStarted(), qPrintable(proxy.errorString()));
    const bool listening = waitForLoopbackListener(proxyPort, 15000, &proxy);
    QVERIFY2(listening && proxy.state() == QProcess::Running,
             qPrintable(QString::fromUtf8(proxy.readAll())));

    Client client(server->url());
    client.session.setProxy(SessionManager::ProxyMode::Http,
                            QUrl(u"http://127.0.0.1:%1"_s.arg(proxyPort)));
    client.session.signIn(u"alice"_s, kAlicePassword);
    QVERIFY2(client.waitForState(ConnectionState::Online, 10000),
             qPrintable(client.describe() + u"\n"_s + QString::fromUtf8(proxy.readAll())));
    // The tunnel is logged when it opens (tinyproxy) or when it closes (squid).
    client.session.signOut();
    QByteArray logText;
    const bool logged = waitUntil(
        [&] {
            QFile logFile(log);
            if (logFile.open(QIODevice::ReadOnly))
                logText = logFile.readAll();
            return logText.contains("CONNECT");
        },
        10000);
    QVERIFY2(logged, logText.constData());
    proxy.terminate();
    if (!proxy.waitForFinished(5000)) {
        proxy.kill();
        proxy.waitForFinished(3000);
    }
}

void TestSession::throughSocks5Proxy()
{
    const QString microsocks = QStandardPaths::findExecutable(u"microsocks"_s);
    if (microsocks.isEmpty())
        QSKIP("microsocks is not installed (apt-get install microsocks)");
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    const quint16 proxyPort = freeLoopbackPort();
    QProcess proxy;
    proxy.setProcessChannelMode(QProcess::MergedChannels);
    proxy.start(microsocks, {u"-i"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(proxyPort)});
    QVERIFY2(proxy.waitForStarted(), qPrintable(proxy.errorString()));
    QVERIFY(waitForLoopbackListener(proxyPort, 5000));
    Client client(server->url());
    client.session.setProxy(SessionManager::ProxyMode::Socks5,
                            QUrl(u"socks5://127.0.0.1:%1"_s.arg(proxyPort)));
    client.session.signIn(u"alice"_s, kAlicePassword);
    QVERIFY2(client.waitForState(ConnectionState::Online, 10000), qPrintable(client.describe()));
    QByteArray output;
    QVERIFY(waitUntil(
        [&] {
            output += proxy.readAll();
            return output.contains("connected to 127.0.0.1:" + QByteArray::number(server->port()));
        },
        5000));
    proxy.kill();
    proxy.waitForFinished(3000);
}

void TestSession::proxyRefused()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    Client client(server->url());
    client.session.setProxy(SessionManager::ProxyMode::Http,
                            QUrl(u"http://127.0.0.1:%1"_s.arg(freeLoopbackPort())));
    client.session.signIn(u"alice"_s, kAlicePassword);
    QVERIFY2(waitUntil([&] { return client.session.status().problem != ConnectionProblem::None; },
                       10000),
             qPrintable(client.describe()));
    QCOMPARE(client.session.status().problem, ConnectionProblem::ProxyRefused);
}

void TestSession::connectionDetailsFollowTheConnection()
{
    // The server's own limits reach the session (the app checks bodies against them).
    auto server =
        startServerWithAliceAndBob({u"--max-body-bytes"_s, u"4000"_s, u"--messages-per-second"_s,
                                    u"50"_s, u"--instance-name"_s, u"chat-7"_s});
    QVERIFY(server);
    // By name, so there is a DNS lookup to time.
    QUrl url = server->url();
    url.setHost(u"localhost"_s);
    Client alice(url);
    QSignalSpy limitsChanged(&alice.session, &SessionManager::serverLimitsChanged);
    QCOMPARE(alice.session.serverLimits().maxBodyBytes, 16 * 1024); // v1's until told
    SessionManager::Timing timing;
    timing.pingIntervalMs = 200;
    alice.session.setTiming(timing);
    QSignalSpy changed(&alice.session, &SessionManager::connectionDetailsChanged);
    QVERIFY(!alice.session.connectionDetails().connected);
    alice.session.signIn(u"alice"_s, kAlicePassword);
    QVERIFY2(alice.waitForState(ConnectionState::Online), qPrintable(alice.describe()));

    ConnectionDetails d = alice.session.connectionDetails();
    QVERIFY(changed.size() > 0);
    QVERIFY(d.connected);
    QVERIFY(d.authenticated);
    QCOMPARE(d.serverUrl, url);
    QCOMPARE(d.user, u"alice"_s);
    QCOMPARE(d.instance, u"chat-7"_s);
    QCOMPARE(limitsChanged.size(), 1);
    QCOMPARE(alice.session.serverLimits().maxBodyBytes, 4000);
    QCOMPARE(alice.session.serverLimits().messagesPerSecond, 50.0);
    QCOMPARE(alice.session.serverLimits().maxFilesPerMessage, 10);
    QVERIFY2(d.peerAddress.isLoopback(), qPrintable(d.peerAddress.toString()));
    QCOMPARE(d.peerPort, server->port());
    QCOMPARE(d.proxy.type(), QNetworkProxy::NoProxy);
    QVERIFY(d.connectedSince.isValid());
    QVERIFY(d.phasesSeparated);
    QVERIFY2(d.dnsMs >= 0, qPrintable(QString::number(d.dnsMs)));
    QVERIFY(d.tcpMs >= 0);
    QCOMPARE(d.tlsMs, -1); // ws://
    QVERIFY(d.upgradeMs >= 0);
    QVERIFY(d.totalMs >= d.dnsMs + d.tcpMs + d.upgradeMs - 1);
    QVERIFY(!d.encrypted);
    QVERIFY(d.certificateChain.isEmpty());
    QCOMPARE(d.attempts, 1);
    QCOMPARE(d.reconnects, 0);
    qInfo("dns %lld ms, tcp %lld ms, upgrade %lld ms, total %lld ms", d.dnsMs, d.tcpMs, d.upgradeMs,
          d.totalMs);

    // The heartbeat's pong gives the round trip.
    QVERIFY(waitUntil([&] { return alice.session.connectionDetails().pingRttMs >= 0; }, 5000));
    QVERIFY(alice.session.connectionDetails().lastPongAt.isValid());

    // Offline: nothing about a connection that is gone; the counters stay.
    server->kill();
    QVERIFY2(alice.waitForState(ConnectionState::WaitingToReconnect), qPrintable(alice.describe()));
    d = alice.session.connectionDetails();
    QVERIFY(!d.connected);
    QVERIFY(d.peerAddress.isNull());
    QCOMPARE(d.pingRttMs, -1);
    QCOMPARE(d.user, u"alice"_s);

    QVERIFY2(server->restart(), qPrintable(server->diagnostics()));
    QVERIFY2(alice.waitForState(ConnectionState::Online, 20000), qPrintable(alice.describe()));
    d = alice.session.connectionDetails();
    QVERIFY(d.connected);
    QCOMPARE(d.reconnects, 1);
    QVERIFY(d.attempts >= 2);

    // A new sign-in starts counting again.
    alice.session.signIn(u"alice"_s, kAlicePassword);
    QVERIFY2(alice.waitForState(ConnectionState::Online), qPrintable(alice.describe()));
    QCOMPARE(alice.session.connectionDetails().reconnects, 0);
    QCOMPARE(alice.session.connectionDetails().attempts, 1);
}

void TestSession::connectionDetailsOverTls()
{
    TestCertificates certs;
    if (TestCertificates::opensslProgram().isEmpty())
        QSKIP("openssl is not installed");
    QVERIFY2(certs.generate(), qPrintable(certs.errorString()));
    auto server = startServerWithAliceAndBob(
        {u"--tls-cert"_s, certs.serverCertificate(), u"--tls-key"_s, certs.serverKey()});
    QVERIFY(server);
    Client client(server->url());
    QString error;
    QVERIFY2(client.session.setExtraCaFile(certs.caCertificate(), &error), qPrintable(error));
    client.session.signIn(u"alice"_s, kAlicePassword);
    QVERIFY2(client.waitForState(ConnectionState::Online), qPrintable(client.describe()));

    const ConnectionDetails d = client.session.connectionDetails();
    QVERIFY(d.connected);
    QVERIFY(d.encrypted);
    QVERIFY2(d.tlsProtocol == QSsl::TlsV1_3 || d.tlsProtocol == QSsl::TlsV1_2,
             qPrintable(QString::number(int(d.tlsProtocol))));
    QVERIFY(!d.tlsCipher.isEmpty());
    QVERIFY(!d.certificateChain.isEmpty());
    const QSslCertificate ca = QSslCertificate::fromPath(certs.caCertificate()).value(0);
    QVERIFY(!ca.isNull());
    QCOMPARE(d.certificateChain.first(),
             QSslCertificate::fromPath(certs.serverCertificate()).value(0));
    QCOMPARE(d.certificateChain.first().issuerDisplayName(), ca.subjectDisplayName());
    QCOMPARE(d.dnsMs, -1); // 127.0.0.1: nothing to look up
    QVERIFY(d.tcpMs >= 0);
    QVERIFY(d.tlsMs >= 0);
    QVERIFY(d.upgradeMs >= 0);
    qInfo("tcp %lld ms, tls %lld ms (%s), upgrade %lld ms", d.tcpMs, d.tlsMs,
          qPrintable(d.tlsCipher), d.upgradeMs);
}

void TestSession::memberPresenceIsForgottenWhileOffline()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword);
    QVERIFY(bob);
    MemberListModel members;
    members.setSession(&alice->session);
    members.setRoom(u"general"_s);
    QVERIFY(waitUntil([&] { return members.rowCount() == 2 && members.onlineCount() == 2; }, 5000));
    QVERIFY(members.presenceKnown());

    server->kill();
    QVERIFY2(alice->waitForState(ConnectionState::WaitingToReconnect),
             qPrintable(alice->describe()));
    QCOMPARE(members.rowCount(), 2);
    QCOMPARE(members.onlineCount(), 0);
    QVERIFY(!members.presenceKnown());

    QVERIFY2(server->restart(), qPrintable(server->diagnostics()));
    QVERIFY2(alice->waitForState(ConnectionState::Online, 20000), qPrintable(alice->describe()));
    QVERIFY2(bob->waitForState(ConnectionState::Online, 20000), qPrintable(bob->describe()));
    QVERIFY(
        waitUntil([&] { return members.presenceKnown() && members.onlineCount() == 2; }, 10000));
}

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
