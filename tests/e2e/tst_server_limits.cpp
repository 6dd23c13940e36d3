// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: the limits a conversa-server enforces, each with small values set by flags so the
// suite stays fast. Every test starts its own server.

#include "ConversaTest.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"limits-Secret-5"_s;
}

class tst_server_limits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connectionsPerAddress_refusedPastLimit();
    void allowedOrigins_onlyListedOriginsOrNone();
    void idleTimeout_silentClientClosed4003();
    void idleTimeout_pingsOrRequestsKeepAlive();
    void idleTimeout_closingOneLeavesOthersAlone();
    void serverPing_keepsAnsweringPeersAndFindsDeadOnes();
    void authTimeout_silentClientClosed4002();
    void authTimeout_chattyClientClosed4002();
    void authTimeout_closingOneLeavesOthersAlone();
    void loginFailures_rateLimitedAfterFive();
    void sendRate_rateLimited();
    void sizeLimits_configurable();
    void configSources_laterWins();

private:
    // A server with users alice and bob started with `flags`; false (with diagnostics) otherwise.
    bool startServer(ServerProcess &server, const QStringList &flags);
};

bool tst_server_limits::startServer(ServerProcess &server, const QStringList &flags)
{
    if (server.isValid() && server.addUser(u"alice"_s, kPassword) &&
        server.addUser(u"bob"_s, kPassword) && server.start(flags))
        return true;
    qWarning().noquote() << server.diagnostics();
    return false;
}

void tst_server_limits::connectionsPerAddress_refusedPastLimit()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--max-connections-per-address"_s, u"3"_s}));

    QString why;
    auto first = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(first, qPrintable(why));
    TestClient second;
    TestClient third;
    QVERIFY2(second.open(server.url()), qPrintable(second.errorString()));
    QVERIFY2(third.open(server.url()), qPrintable(third.errorString()));

    // The fourth is refused during the handshake ...
    TestClient fourth;
    QVERIFY2(!fourth.open(server.url()), "a fourth connection from 127.0.0.1 was accepted");
    // ... with HTTP 429.
    const HttpResponse refused = httpGet(server.url(), webSocketUpgradeHeaders());
    QVERIFY2(refused.status == 429,
             qPrintable(u"expected 429, got %1 %2"_s.arg(refused.status).arg(refused.error)));

    // The three keep working.
    VERIFY_OK(first->rooms());
    VERIFY_OK(second.auth(first->token()));
    QVERIFY(third.isConnected());

    // Once one leaves there is room for another.
    third.close();
    QDeadlineTimer deadline(5000);
    bool reconnected = false;
    TestClient replacement;
    while (!reconnected && !deadline.hasExpired())
        reconnected = replacement.open(server.url(), {}, 1000);
    QVERIFY2(reconnected, qPrintable(replacement.errorString()));
    VERIFY_OK(replacement.auth(first->token()));
}

void tst_server_limits::allowedOrigins_onlyListedOriginsOrNone()
{
    ServerProcess server;
    QVERIFY(startServer(server,
                        {u"--allowed-origins"_s, u"https://ok.example,https://also.example"_s}));

    auto openWithOrigin = [&](const QString &origin, TestClient &client) {
        ClientOptions options;
        options.origin = origin;
        return client.open(server.url(), options, 3000);
    };

    TestClient evil;
    QVERIFY2(!openWithOrigin(u"https://evil.example"_s, evil),
             "a handshake with Origin https://evil.example was accepted");
    HttpHeaders headers = webSocketUpgradeHeaders();
    headers.append(qMakePair(QByteArray("Origin"), QByteArray("https://evil.example")));
    const HttpResponse refused = httpGet(server.url(), headers);
    QVERIFY2(refused.status == 403,
             qPrintable(u"expected 403, got %1 %2"_s.arg(refused.status).arg(refused.error)));

    // Look-alikes are not the allowed origin.
    for (const QString &origin : {u"http://ok.example"_s, u"https://ok.example.evil.example"_s,
                                  u"https://ok.example:8443"_s, u"null"_s}) {
        TestClient lookalike;
        QVERIFY2(!openWithOrigin(origin, lookalike),
                 qPrintable(u"a handshake with Origin %1 was accepted"_s.arg(origin)));
    }

    TestClient ok;
    QVERIFY2(openWithOrigin(u"https://ok.example"_s, ok), qPrintable(ok.errorString()));
    VERIFY_OK(ok.login(u"alice"_s, kPassword));
    TestClient also;
    QVERIFY2(openWithOrigin(u"https://also.example"_s, also), qPrintable(also.errorString()));

    // Native clients send no Origin at all.
    TestClient native;
    QVERIFY2(native.open(server.url()), qPrintable(native.errorString()));
    VERIFY_OK(native.auth(ok.token()));
}

void tst_server_limits::idleTimeout_silentClientClosed4003()
{
    ServerProcess server;
    QVERIFY(startServer(
        server, {u"--idle-timeout-seconds"_s, u"2"_s, u"--auth-timeout-seconds"_s, u"1"_s}));
    QString why;
    auto silent = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(silent, qPrintable(why));
    QElapsedTimer sinceLastFrame;
    sinceLastFrame.start();
    VERIFY_CLOSED(*silent, 4003, 6000);
    const qint64 idle = sinceLastFrame.elapsed();
    QVERIFY2(idle >= 1500, qPrintable(u"closed as idle after only %1 ms"_s.arg(idle)));
}

void tst_server_limits::idleTimeout_pingsOrRequestsKeepAlive()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--idle-timeout-seconds"_s, u"2"_s}));
    QString why;
    auto pinging = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(pinging, qPrintable(why));
    auto talking = openWithToken(server.url(), pinging->token(), &why);
    QVERIFY2(talking, qPrintable(why));
    QElapsedTimer elapsed;
    elapsed.start();

    // One keeps the link alive with WebSocket pings only (as the desktop client does when
    // idle), the other with requests.
    int pongs = 0;
    connect(pinging->socket(), &QWebSocket::pong, this, [&] { ++pongs; });
    QTimer keepAlive;
    keepAlive.setInterval(400);
    connect(&keepAlive, &QTimer::timeout, this, [&] {
        pinging->socket()->ping();
        talking->post({{u"type"_s, u"rooms"_s}});
    });
    keepAlive.start();

    // Well past the idle limit, neither is closed.
    const bool closed = waitUntil(
        [&] {
            return pinging->wasDisconnected() || talking->wasDisconnected() ||
                   elapsed.elapsed() > 4000;
        },
        6000);
    QVERIFY(closed);
    QVERIFY2(pinging->isConnected(), qPrintable(pinging->diagnostics()));
    QVERIFY2(talking->isConnected(), qPrintable(talking->diagnostics()));
    QVERIFY(pongs >= 5);
    keepAlive.stop();
    VERIFY_OK(talking->rooms());
}

void tst_server_limits::idleTimeout_closingOneLeavesOthersAlone()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--idle-timeout-seconds"_s, u"2"_s}));
    QString why;
    auto silent = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    auto bob = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
    QVERIFY2(silent && bob, qPrintable(why));
    QTimer keepAlive;
    keepAlive.setInterval(400);
    connect(&keepAlive, &QTimer::timeout, this, [&] { bob->post({{u"type"_s, u"rooms"_s}}); });
    keepAlive.start();

    VERIFY_CLOSED(*silent, 4003, 6000);
    // bob was active all along: his connection must survive the server closing alice's.
    VERIFY_OK(bob->rooms());
    QVERIFY2(bob->isConnected(), qPrintable(bob->diagnostics()));
}

void tst_server_limits::serverPing_keepsAnsweringPeersAndFindsDeadOnes()
{
    ServerProcess server;
    QVERIFY(startServer(server,
                        {u"--idle-timeout-seconds"_s, u"3"_s, u"--server-ping-seconds"_s, u"1"_s}));
    // Neither ever sends after signing in, as a browser cannot ping: one answers the server's
    // pings (as every WebSocket client does), the other is a dead peer that never does.
    RawWebSocket answering;
    RawWebSocket dead;
    for (RawWebSocket *client : {&answering, &dead}) {
        QVERIFY2(client->open(server.url()), qPrintable(client->error()));
        const QByteArray login = client->login(u"alice"_s, kPassword);
        QVERIFY2(login.contains("\"token\""), login.constData());
    }
    QElapsedTimer elapsed;
    elapsed.start();
    int answered = 0;
    int unanswered = 0;
    // Twice the idle limit, reading both in turns.
    while (elapsed.elapsed() < 6500) {
        answered += answering.readPings(100, RawWebSocket::AnswerPings::Yes);
        unanswered += dead.readPings(100, RawWebSocket::AnswerPings::No);
    }
    QVERIFY2(answering.isOpen(), qPrintable(u"closed with %1"_s.arg(answering.lastCloseCode())));
    // A ping a second of silence, checked once a second: about one every two seconds.
    QVERIFY2(answered >= 2, qPrintable(u"%1 pings in 6.5 s"_s.arg(answered)));
    // 1006 would mean it was never closed.
    QCOMPARE(dead.lastCloseCode(), 4003);
    QVERIFY2(unanswered >= 1, "the dead peer was never pinged");
    // The one that answered still gets answers.
    const QByteArray rooms = answering.request({{u"type"_s, u"rooms"_s}});
    QVERIFY2(rooms.contains("\"ok\""), rooms.constData());
}

void tst_server_limits::authTimeout_silentClientClosed4002()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--auth-timeout-seconds"_s, u"1"_s}));
    TestClient silent;
    QVERIFY(silent.open(server.url()));
    QElapsedTimer opened;
    opened.start();
    VERIFY_CLOSED(silent, 4002, 5000);
    QVERIFY2(opened.elapsed() >= 700,
             qPrintable(u"closed after only %1 ms"_s.arg(opened.elapsed())));
}

void tst_server_limits::authTimeout_chattyClientClosed4002()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--auth-timeout-seconds"_s, u"1"_s}));
    // Sending frames is not authenticating.
    TestClient chatty;
    QVERIFY(chatty.open(server.url()));
    QTimer chatter;
    chatter.setInterval(200);
    connect(&chatter, &QTimer::timeout, this, [&] { chatty.post({{u"type"_s, u"rooms"_s}}); });
    chatter.start();
    VERIFY_CLOSED(chatty, 4002, 5000);
    QVERIFY2(!chatty.pendingReplies().isEmpty(), "the requests were not even answered");
    VERIFY_ERROR(chatty.pendingReplies().constFirst(), u"unauthorized"_s);
}

void tst_server_limits::authTimeout_closingOneLeavesOthersAlone()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--auth-timeout-seconds"_s, u"1"_s}));
    TestClient silent;
    QVERIFY(silent.open(server.url()));
    // One that authenticates in time is not affected, now or when the other one is closed.
    QString why;
    auto bob = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
    QVERIFY2(bob, qPrintable(why));
    VERIFY_CLOSED(silent, 4002, 5000);
    VERIFY_OK(bob->rooms());
    QVERIFY2(bob->isConnected(), qPrintable(bob->diagnostics()));
}

void tst_server_limits::loginFailures_rateLimitedAfterFive()
{
    ServerProcess server;
    QVERIFY(server.addUser(u"carol"_s, kPassword));
    // Five failures on one connection: the per-connection close (auth_failures_per_connection)
    // is raised here so this test sees the per-minute limit alone.
    QVERIFY(startServer(server, {u"--login-failures-per-minute"_s, u"5"_s,
                                 u"--auth-failures-per-connection"_s, u"10"_s}));
    // A session made before the failures is unaffected by them.
    QString why;
    auto earlier = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
    QVERIFY2(earlier, qPrintable(why));

    TestClient client;
    QVERIFY(client.open(server.url()));
    for (int i = 1; i <= 5; ++i) {
        const QJsonObject reply = client.login(u"alice"_s, u"wrong password %1"_s.arg(i));
        QVERIFY2(TestClient::isError(reply, u"unauthorized"_s),
                 qPrintable(u"attempt %1: %2"_s.arg(i).arg(TestClient::toText(reply))));
    }
    // The sixth is refused even with the right password ...
    VERIFY_ERROR(client.login(u"alice"_s, kPassword), u"rate_limited"_s);
    // ... from a new connection too ...
    TestClient other;
    QVERIFY(other.open(server.url()));
    VERIFY_ERROR(other.login(u"alice"_s, kPassword), u"rate_limited"_s);
    // ... and for another account from the same address (the per-address limit).
    VERIFY_ERROR(other.login(u"carol"_s, kPassword), u"rate_limited"_s);

    QVERIFY(earlier->isConnected());
    VERIFY_OK(earlier->rooms());
}

void tst_server_limits::sendRate_rateLimited()
{
    ServerProcess server;
    QVERIFY(
        startServer(server, {u"--messages-per-second"_s, u"2"_s, u"--message-burst"_s, u"3"_s}));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->create(u"flood"_s, u"Flood"_s));

    QStringList bodies;
    for (int i = 1; i <= 12; ++i)
        bodies << u"flood %1"_s.arg(i);
    const QList<QJsonObject> replies = alice->sendBurst(u"flood"_s, bodies);
    int ok = 0;
    int limited = 0;
    for (const QJsonObject &reply : replies) {
        if (TestClient::isOk(reply))
            ++ok;
        else if (TestClient::isError(reply, u"rate_limited"_s))
            ++limited;
        else
            QFAIL(TestClient::describe(reply));
    }
    // The burst of 3 passes; at 2/s, at most a couple more in the time the burst takes.
    QVERIFY2(ok >= 3 && ok <= 6, qPrintable(u"%1 accepted"_s.arg(ok)));
    QCOMPARE(ok + limited, 12);
    QVERIFY(replies.constFirst().value(u"seq"_s).toInteger() == 1);

    // What was refused was not stored; what was accepted is gapless.
    const QList<qint64> seqs = seqsOf(messagesOf(alice->history(u"flood"_s)));
    QCOMPARE(seqs, range(1, ok));
    QVERIFY(alice->isConnected());

    // The bucket refills.
    QJsonObject later;
    QVERIFY(waitUntil(
        [&] {
            later = alice->send(u"flood"_s, u"after a pause"_s);
            return TestClient::isOk(later);
        },
        3000));
    QCOMPARE(later.value(u"seq"_s).toInteger(), ok + 1);
}

void tst_server_limits::sizeLimits_configurable()
{
    ServerProcess server;
    QVERIFY(
        startServer(server, {u"--max-frame-bytes"_s, u"4096"_s, u"--max-body-bytes"_s, u"100"_s}));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->create(u"small"_s, u"Small"_s));
    VERIFY_OK(alice->send(u"small"_s, QString(100, u'b')));
    VERIFY_ERROR(alice->send(u"small"_s, QString(101, u'b')), u"too_large"_s);
    // A frame of 5000 bytes is over the 4096 limit.
    alice->sendJson({{u"type"_s, u"send"_s},
                     {u"id"_s, alice->nextId()},
                     {u"room"_s, u"small"_s},
                     {u"cid"_s, u"big-frame"_s},
                     {u"body"_s, QString(5000, u'c')}});
    VERIFY_CLOSED(*alice, 1009, 5000);
}

void tst_server_limits::configSources_laterWins()
{
    // INI file < environment < flags.
    QTemporaryDir configDir;
    QVERIFY(configDir.isValid());
    const QString configFile = configDir.filePath(u"conversa-server.ini"_s);
    {
        QFile file(configFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("max_body_bytes=40\nmessages_per_second=1000\nmessage_burst=1000\n");
    }

    struct Case {
        const char *name;
        bool env;
        bool flag;
        int expectedLimit;
    };
    for (const Case &c :
         {Case{"file only", false, false, 40}, Case{"file and env", true, false, 50},
          Case{"file, env and flag", true, true, 60}}) {
        ServerProcess server;
        QProcessEnvironment environment = server.environment();
        if (c.env)
            environment.insert(u"CONVERSA_MAX_BODY_BYTES"_s, u"50"_s);
        server.setEnvironment(environment);
        QStringList flags{u"--config"_s, configFile};
        if (c.flag)
            flags << u"--max-body-bytes"_s << u"60"_s;
        QVERIFY2(startServer(server, flags), c.name);
        QString why;
        auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(alice, qPrintable(why));
        VERIFY_OK(alice->create(u"cfg"_s));
        const QJsonObject fits = alice->send(u"cfg"_s, QString(c.expectedLimit, u'x'));
        QVERIFY2(TestClient::isOk(fits),
                 qPrintable(u"%1: %2"_s.arg(QLatin1StringView(c.name), TestClient::toText(fits))));
        const QJsonObject over = alice->send(u"cfg"_s, QString(c.expectedLimit + 1, u'x'));
        QVERIFY2(TestClient::isError(over, u"too_large"_s),
                 qPrintable(u"%1: %2"_s.arg(QLatin1StringView(c.name), TestClient::toText(over))));
    }
}

QTEST_GUILESS_MAIN(tst_server_limits)
#include "tst_server_limits.moc"
