// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: a real conversa-server against clients that try to exhaust or fool it (issue 8).
// Each test failed before its fix: unread replies and pongs grew the server's memory without
// bound, concurrent logins all got a guess, admin connections ate the chat port's budget, and
// client text reached the log raw.
#include "ConversaTest.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"hostile-Secret-5"_s;

// Peak resident memory of a process in KiB (VmHWM), from /proc.
qint64 peakResidentKiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// User plus system CPU time of a process in milliseconds, from /proc.
qint64 cpuMs(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    const qint64 ticks = fields.value(11).toLongLong() + fields.value(12).toLongLong();
    return ticks * 1000 / sysconf(_SC_CLK_TCK);
}

QByteArray frame(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

int countLines(const QString &log, const QString &needle)
{
    int n = 0;
    for (const QString &line : log.split(u'\n'))
        n += line.contains(needle) ? 1 : 0;
    return n;
}

qint64 metricValue(const QByteArray &metrics, const QByteArray &name)
{
    for (const QByteArray &line : metrics.split('\n')) {
        if (line.startsWith(name + ' '))
            return line.mid(name.size() + 1).toLongLong();
    }
    return -1;
}
} // namespace

class tst_server_hostile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unreadReplies_heldBackThenDropped_memoryBounded();
    void pingFloodBeforeAuth_dropped_memoryBounded();
    void concurrentLogins_onlyTheLimitGetAGuess();
    void accountLock_growsAcrossAddresses();
    void failedAuthsOnOneConnection_closed1008();
    void disabledAccount_replySameWhateverThePassword();
    void roomCreation_rateLimitedAndCapped();
    void presenceFlapping_throttled_finalStateDelivered();
    void presenceFlapBackInsideTheWindow_membersViewCorrected();
    void logLines_rateLimitedPerAddress_counted();
    void controlCharacters_rejectedOrEscaped();
    void adminPort_ownBudget();
    void trustedProxy_forwardedFor_namesTheClient();
    void untrustedPeer_forwardedForIgnored();
    void proxyProtocol_headerOrElseForwardedFor();
    void fileDescriptorsExhausted_backsOffLogsOnce_recovers();
    void shutdownWhileClientsKeepSending_acksThenClose1001();
    void adminRoomDelete_runningServerForgetsIt();
    void slowloris_cutAtTheSignInDeadline();
    void oversizedHeaders_431();
    void shutdownWithASlowReader_itGetsEveryAckAndTheClose();

private:
    bool startServer(ServerProcess &server, const QStringList &flags);
};

bool tst_server_hostile::startServer(ServerProcess &server, const QStringList &flags)
{
    if (server.isValid() && server.addUser(u"alice"_s, kPassword) &&
        server.addUser(u"bob"_s, kPassword) && server.createRoom(u"general"_s, u"General"_s) &&
        server.start(flags))
        return true;
    qWarning().noquote() << server.diagnostics();
    return false;
}

void tst_server_hostile::unreadReplies_heldBackThenDropped_memoryBounded()
{
    ServerProcess server;
    QVERIFY(startServer(
        server, {u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s, u"100000"_s}));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->join(u"general"_s));
    // 300 messages of 1 KB: every sync reply is about 350 KB.
    const QString body = QString(1000, u'x');
    QStringList bodies;
    for (int i = 0; i < 300; ++i)
        bodies.append(body);
    for (const QJsonObject &reply : alice->sendBurst(u"general"_s, bodies))
        VERIFY_OK(reply);

    RawWebSocket greedy;
    RawWebSocket::Options options;
    options.receiveBufferBytes = 4096;
    QVERIFY2(greedy.open(server.url(), options), qPrintable(greedy.error()));
    QVERIFY(
        greedy.request({{"type"_L1, "auth"_L1}, {"token"_L1, alice->token()}}).contains("\"ok\""));

    const qint64 before = peakResidentKiB(server.pid());
    // 2,000 syncs would be 700 MB of replies if the server answered them all.
    for (int i = 0; i < 2000; ++i)
        greedy.sendText(frame({{"type"_L1, "sync"_L1},
                               {"id"_L1, 100 + i},
                               {"room"_L1, "general"_L1},
                               {"after"_L1, 0},
                               {"limit"_L1, 500}}));
    greedy.flush(10000);
    QVERIFY2(greedy.waitForEnd(15000), "the server kept a client that does not read");
    const qint64 after = peakResidentKiB(server.pid());
    QVERIFY2(after - before < 64 * 1024,
             qPrintable(u"server RSS grew from %1 to %2 KiB"_s.arg(before).arg(after)));

    // Everyone else is still served.
    VERIFY_OK(alice->send(u"general"_s, u"still here"_s));
    const QByteArray metrics = httpGet(server.httpUrl(u"/metrics"_s)).body;
    QVERIFY2(metricValue(metrics, "conversa_connections_overflowed_total") >= 1,
             metrics.constData());
}

void tst_server_hostile::pingFloodBeforeAuth_dropped_memoryBounded()
{
    ServerProcess server;
    // A long sign-in deadline, so only the output cap can end the flood.
    QVERIFY(startServer(server, {u"--auth-timeout-seconds"_s, u"120"_s}));
    RawWebSocket flooder;
    RawWebSocket::Options options;
    options.receiveBufferBytes = 4096;
    QVERIFY2(flooder.open(server.url(), options), qPrintable(flooder.error()));
    const qint64 before = peakResidentKiB(server.pid());
    const QByteArray payload(125, 'p');
    // Up to 1,000,000 pings: 127 MB of pongs nobody reads.
    QElapsedTimer clock;
    clock.start();
    for (int round = 0; round < 50 && flooder.isOpen(); ++round) {
        for (int i = 0; i < 20000; ++i)
            flooder.sendPing(payload);
        flooder.flush(2000);
    }
    QVERIFY2(flooder.waitForEnd(5000), "the server kept a client that floods pings unread");
    const qint64 after = peakResidentKiB(server.pid());
    QVERIFY2(after - before < 16 * 1024,
             qPrintable(u"server peak RSS grew from %1 to %2 KiB"_s.arg(before).arg(after)));
    QString why;
    QVERIFY2(openWithLogin(server.url(), u"bob"_s, kPassword, &why), qPrintable(why));
}

void tst_server_hostile::concurrentLogins_onlyTheLimitGetAGuess()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--login-failures-per-minute"_s, u"5"_s,
                                 u"--max-connections-per-address"_s, u"100"_s}));
    // Thirty connections each send a wrong password for alice at the same moment.
    std::vector<std::unique_ptr<TestClient>> clients;
    QList<QJsonValue> ids;
    for (int i = 0; i < 30; ++i) {
        auto client = std::make_unique<TestClient>();
        QVERIFY2(client->open(server.url()), qPrintable(client->errorString()));
        clients.push_back(std::move(client));
    }
    for (auto &client : clients)
        ids.append(client->post({{"type"_L1, "login"_L1},
                                 {"user"_L1, "alice"_L1},
                                 {"password"_L1, "wrong-guess"_L1},
                                 {"device"_L1, "race"_L1}}));
    int checked = 0;
    int refused = 0;
    for (size_t i = 0; i < clients.size(); ++i) {
        const QJsonObject reply = clients[i]->waitForReply(ids[qsizetype(i)], 20000);
        if (TestClient::isError(reply, u"unauthorized"_s))
            ++checked;
        else if (TestClient::isError(reply, u"rate_limited"_s))
            ++refused;
        else
            QFAIL(qPrintable(u"unexpected reply "_s + TestClient::toText(reply)));
    }
    QVERIFY2(checked <= 5, qPrintable(u"%1 of 30 concurrent guesses were checked"_s.arg(checked)));
    QCOMPARE(checked + refused, 30);
    // The right password is refused as well while the account is locked.
    TestClient late;
    QVERIFY(late.open(server.url()));
    VERIFY_ERROR(late.login(u"alice"_s, kPassword), u"rate_limited"_s);
}

void tst_server_hostile::accountLock_growsAcrossAddresses()
{
    // Failures from many "addresses" (via a trusted proxy) still lock the one account.
    ServerProcess server;
    QVERIFY(startServer(server, {u"--login-failures-per-minute"_s, u"3"_s, u"--trusted-proxies"_s,
                                 u"127.0.0.1"_s}));
    int checked = 0;
    for (int i = 0; i < 10; ++i) {
        RawWebSocket client;
        RawWebSocket::Options options;
        options.extraHeaders = {{"X-Forwarded-For", "198.51.100." + QByteArray::number(i + 1)}};
        QVERIFY2(client.open(server.url(), options), qPrintable(client.error()));
        const QByteArray reply = client.login(u"alice"_s, u"guess"_s);
        if (reply.contains("\"unauthorized\""))
            ++checked;
        else
            QVERIFY2(reply.contains("\"rate_limited\""), reply.constData());
    }
    QCOMPARE(checked, 3);
    // bob, on another account, is not affected.
    QString why;
    QVERIFY2(openWithLogin(server.url(), u"bob"_s, kPassword, &why), qPrintable(why));
}

void tst_server_hostile::failedAuthsOnOneConnection_closed1008()
{
    ServerProcess server;
    QVERIFY(startServer(server, {}));
    TestClient client;
    QVERIFY(client.open(server.url()));
    VERIFY_ERROR(client.auth(u"not-a-token-1"_s), u"unauthorized"_s);
    VERIFY_ERROR(client.auth(u"not-a-token-2"_s), u"unauthorized"_s);
    client.post({{"type"_L1, "auth"_L1}, {"token"_L1, "not-a-token-3"_L1}});
    VERIFY_CLOSED(client, 1008, 5000);
}

void tst_server_hostile::disabledAccount_replySameWhateverThePassword()
{
    ServerProcess server;
    QVERIFY(startServer(server, {}));
    QVERIFY2(server.disableUser(u"bob"_s), qPrintable(server.lastAdminError()));
    TestClient right;
    TestClient wrong;
    QVERIFY(right.open(server.url()));
    QVERIFY(wrong.open(server.url()));
    const QJsonObject withRight = right.login(u"bob"_s, kPassword);
    const QJsonObject withWrong = wrong.login(u"bob"_s, u"not-his-password"_s);
    VERIFY_ERROR(withRight, u"unauthorized"_s);
    VERIFY_ERROR(withWrong, u"unauthorized"_s);
    QCOMPARE(withRight.value("message"_L1), withWrong.value("message"_L1));
}

void tst_server_hostile::roomCreation_rateLimitedAndCapped()
{
    ServerProcess server;
    QVERIFY(startServer(
        server, {u"--room-creations-per-hour"_s, u"3"_s, u"--max-rooms-per-user"_s, u"4"_s}));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->create(u"one"_s));
    VERIFY_OK(alice->create(u"two"_s));
    VERIFY_OK(alice->create(u"three"_s));
    const QJsonObject fourth = alice->create(u"four"_s);
    VERIFY_ERROR(fourth, u"rate_limited"_s);
    QVERIFY(fourth.value("message"_L1).toString().contains(u"rooms in the last hour"_s));
    // Joining counts against the same cap on rooms per user.
    VERIFY_OK(alice->join(u"general"_s));
    auto bob = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
    QVERIFY2(bob, qPrintable(why));
    VERIFY_OK(bob->create(u"bobs"_s));
    VERIFY_ERROR(alice->join(u"bobs"_s), u"forbidden"_s);
    VERIFY_OK(alice->leave(u"one"_s));
    VERIFY_OK(alice->join(u"bobs"_s));
}

void tst_server_hostile::presenceFlapping_throttled_finalStateDelivered()
{
    ServerProcess server;
    QVERIFY(startServer(server, {}));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(alice, qPrintable(why));
    auto bob = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
    QVERIFY2(bob, qPrintable(why));
    VERIFY_OK(alice->join(u"general"_s));
    VERIFY_OK(bob->join(u"general"_s));
    const QString token = alice->token();
    alice->close();
    QTest::qWait(2500); // let that first change out of the throttle window
    bob->clearEvents();
    // alice flaps: 20 connects and disconnects within about a second.
    for (int i = 0; i < 20; ++i) {
        auto flap = openWithToken(server.url(), token, &why);
        QVERIFY2(flap, qPrintable(why));
        flap->close();
    }
    QTest::qWait(3500);
    const QList<QJsonObject> seen = bob->eventsOfType(u"presence"_s);
    QVERIFY2(seen.size() <= 3, qPrintable(u"bob got %1 presence events"_s.arg(seen.size())));
    // Whatever was coalesced, the last word is right: alice is offline.
    const QJsonObject members = bob->members(u"general"_s);
    QCOMPARE(memberRow(members, u"alice"_s).value("online"_L1).toBool(), false);
    if (!seen.isEmpty())
        QCOMPARE(seen.last().value("online"_L1).toBool(), false);
}

void tst_server_hostile::presenceFlapBackInsideTheWindow_membersViewCorrected()
{
    ServerProcess server;
    QVERIFY(startServer(server, {}));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->join(u"general"_s));
    auto bob = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
    QVERIFY2(bob, qPrintable(why));
    VERIFY_OK(bob->join(u"general"_s));
    const QString token = bob->token();
    auto isBob = [](const QJsonObject &e) { return e.value("user"_L1).toString() == "bob"_L1; };
    bob->close();
    bob.reset();
    const QJsonObject offline = alice->waitForEvent(u"presence"_s, 5000, isBob);
    QCOMPARE(offline.value("online"_L1), QJsonValue(false));

    // Just after that event, inside the quiet window: bob comes back, alice sees him online in
    // `members`, and bob leaves again. Her view must be corrected, not left at online for good.
    auto bobAgain = openWithToken(server.url(), token, &why);
    QVERIFY2(bobAgain, qPrintable(why));
    QCOMPARE(memberRow(alice->members(u"general"_s), u"bob"_s).value("online"_L1),
             QJsonValue(true));
    bobAgain->close();
    bobAgain.reset();
    const QJsonObject corrected = alice->waitForEvent(u"presence"_s, 5000, isBob);
    QVERIFY2(!corrected.isEmpty(), qPrintable(alice->diagnostics()));
    QCOMPARE(corrected.value("online"_L1), QJsonValue(false));
}

void tst_server_hostile::logLines_rateLimitedPerAddress_counted()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--log-lines-per-minute-per-address"_s, u"10"_s,
                                 u"--max-connections-per-address"_s, u"100"_s}));
    for (int i = 0; i < 40; ++i) {
        TestClient client;
        QVERIFY(client.open(server.url()));
        VERIFY_ERROR(client.auth(u"bogus-%1"_s.arg(i)), u"unauthorized"_s);
        client.close();
    }
    const QString log = server.diagnostics(4 * 1024 * 1024);
    const int lines = countLines(log, u"addr=127.0.0.1"_s);
    QVERIFY2(lines <= 12, qPrintable(u"%1 log lines about 127.0.0.1"_s.arg(lines)));
    const QByteArray metrics = httpGet(server.httpUrl(u"/metrics"_s)).body;
    QVERIFY2(metricValue(metrics, "conversa_log_lines_suppressed_total") > 50, metrics.constData());
}

void tst_server_hostile::controlCharacters_rejectedOrEscaped()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--allowed-origins"_s, u"https://chat.example.com"_s}));
    TestClient client;
    QVERIFY(client.open(server.url()));
    // A device name with a terminal escape is refused before any password check.
    const QJsonObject login = client.request({{"type"_L1, "login"_L1},
                                              {"user"_L1, "alice"_L1},
                                              {"password"_L1, kPassword},
                                              {"device"_L1, u"laptop\u001b]0;owned\u0007"_s}});
    VERIFY_ERROR(login, u"bad_request"_s);
    QVERIFY(login.value("message"_L1).toString().contains(u"U+001B"_s));
    VERIFY_OK(client.login(u"alice"_s, kPassword));
    VERIFY_ERROR(client.create(u"forged"_s, u"Title\nevent=forged"_s), u"bad_request"_s);
    VERIFY_OK(client.join(u"general"_s));
    VERIFY_ERROR(client.send(u"general"_s, u"\u001b[2Jcleared"_s), u"bad_request"_s);
    VERIFY_OK(client.send(u"general"_s, u"two lines\n\tand a tab"_s));

    // A refused Origin reaches the log escaped and quoted: no raw escape, no forged field.
    const HttpResponse refused = httpGet(
        server.url(), webSocketUpgradeHeaders() +
                          HttpHeaders{{"Origin", "https://evil.example \x1b[31m user=admin"}});
    QCOMPARE(refused.status, 403);
    const QString log = server.diagnostics(4 * 1024 * 1024);
    QVERIFY2(!log.contains(QChar(0x1b)), "a raw escape character reached the log");
    QVERIFY2(log.contains(u"origin=\"https://evil.example \\x1b[31m user=admin\""_s),
             qPrintable(log.right(2000)));
}

void tst_server_hostile::adminPort_ownBudget()
{
    ServerProcess server;
    QVERIFY(startServer(server,
                        {u"--max-connections-per-address"_s, u"2"_s, u"--max-admin-connections"_s,
                         u"3"_s, u"--admin-listen"_s, u"127.0.0.1:0"_s}));
    // Three idle connections to the admin port do not use the chat port's budget of two.
    std::vector<std::unique_ptr<QTcpSocket>> admin;
    for (int i = 0; i < 3; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(server.adminUrl().host(), quint16(server.adminUrl().port()));
        QVERIFY(socket->waitForConnected(2000));
        admin.push_back(std::move(socket));
    }
    QTest::qWait(200);
    TestClient first;
    TestClient second;
    QVERIFY2(first.open(server.url()), qPrintable(first.errorString()));
    QVERIFY2(second.open(server.url()), qPrintable(second.errorString()));
    // The admin port's own cap refuses a fourth.
    const HttpResponse fourth = httpGet(server.adminUrl().resolved(QUrl(u"/metrics"_s)));
    QCOMPARE(fourth.status, 429);
    admin.clear();
    QVERIFY(waitUntil(
        [&] { return httpGet(server.adminUrl().resolved(QUrl(u"/metrics"_s))).status == 200; },
        5000));
}

void tst_server_hostile::trustedProxy_forwardedFor_namesTheClient()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--trusted-proxies"_s, u"127.0.0.1, 10.0.0.0/8"_s,
                                 u"--login-failures-per-minute"_s, u"2"_s,
                                 u"--max-connections-per-address"_s, u"2"_s}));
    auto loginVia = [&](const QByteArray &forwardedFor, const QString &user,
                        const QString &password) -> QByteArray {
        RawWebSocket client;
        RawWebSocket::Options options;
        options.extraHeaders = {{"X-Forwarded-For", forwardedFor}};
        if (!client.open(server.url(), options))
            return "open failed: " + client.error().toUtf8();
        return client.login(user, password);
    };
    // The attacker at 203.0.113.7 (behind the proxy) uses up its failures, on two accounts ...
    QVERIFY(loginVia("203.0.113.7", u"alice"_s, u"guess1"_s).contains("unauthorized"));
    QVERIFY(loginVia("203.0.113.7", u"bob"_s, u"guess2"_s).contains("unauthorized"));
    QVERIFY(loginVia("203.0.113.7", u"bob"_s, kPassword).contains("rate_limited"));
    // ... and a forged left-most entry does not help it: the right-most untrusted one counts.
    QVERIFY(loginVia("192.0.2.1, 203.0.113.7", u"bob"_s, kPassword).contains("rate_limited"));
    // A user at 203.0.113.8 behind the same proxy signs in at once; a proxy chain through
    // 10.1.2.3 (trusted) is walked past.
    QVERIFY(loginVia("203.0.113.8", u"bob"_s, kPassword).contains("\"ok\""));
    QVERIFY(loginVia("203.0.113.9, 10.1.2.3", u"bob"_s, kPassword).contains("\"ok\""));
    // The log names the client, not the proxy.
    const QString log = server.diagnostics(4 * 1024 * 1024);
    QVERIFY2(log.contains(u"event=login_failed addr=203.0.113.7"_s), qPrintable(log.right(2000)));
    // Per-address connection limits apply to the client behind the proxy, too.
    std::vector<std::unique_ptr<RawWebSocket>> held;
    for (int i = 0; i < 2; ++i) {
        auto client = std::make_unique<RawWebSocket>();
        RawWebSocket::Options options;
        options.extraHeaders = {{"X-Forwarded-For", "198.51.100.20"}};
        QVERIFY2(client->open(server.url(), options), qPrintable(client->error()));
        held.push_back(std::move(client));
    }
    RawWebSocket third;
    RawWebSocket::Options sameClient;
    sameClient.extraHeaders = {{"X-Forwarded-For", "198.51.100.20"}};
    QVERIFY(!third.open(server.url(), sameClient));
    QVERIFY2(third.error().contains(u"429"_s), qPrintable(third.error()));
    RawWebSocket other;
    RawWebSocket::Options otherClient;
    otherClient.extraHeaders = {{"X-Forwarded-For", "198.51.100.21"}};
    QVERIFY2(other.open(server.url(), otherClient), qPrintable(other.error()));
}

void tst_server_hostile::untrustedPeer_forwardedForIgnored()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--login-failures-per-minute"_s, u"2"_s}));
    // No trusted_proxies: a client cannot pick its own address with the header.
    for (int i = 0; i < 2; ++i) {
        RawWebSocket client;
        RawWebSocket::Options options;
        options.extraHeaders = {{"X-Forwarded-For", "203.0.113." + QByteArray::number(i + 1)}};
        QVERIFY2(client.open(server.url(), options), qPrintable(client.error()));
        QVERIFY(client.login(u"alice"_s, u"guess"_s).contains("unauthorized"));
    }
    RawWebSocket third;
    RawWebSocket::Options options;
    options.extraHeaders = {{"X-Forwarded-For", "203.0.113.99"}};
    QVERIFY(third.open(server.url(), options));
    QVERIFY(third.login(u"bob"_s, kPassword).contains("rate_limited"));
}

void tst_server_hostile::fileDescriptorsExhausted_backsOffLogsOnce_recovers()
{
    // The server runs with 40 file descriptors; a crowd of connections uses them all up.
    QTemporaryDir dir;
    const QString wrapper = dir.filePath(u"few-fds.sh"_s);
    QFile script(wrapper);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("#!/bin/sh\nulimit -n 40\nexec \"" + ServerProcess::defaultBinary().toUtf8() +
                 "\" \"$@\"\n");
    script.close();
    QFile::setPermissions(wrapper,
                          QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::WriteOwner);
    ServerProcess server;
    server.setBinary(wrapper);
    QVERIFY(startServer(server, {u"--max-connections-per-address"_s, u"1000"_s}));

    std::vector<std::unique_ptr<QTcpSocket>> crowd;
    for (int i = 0; i < 60; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, server.port());
        socket->waitForConnected(1000);
        crowd.push_back(std::move(socket));
    }
    QTest::qWait(500);
    const qint64 cpuBefore = cpuMs(server.pid());
    QTest::qWait(2000);
    const qint64 cpuSpent = cpuMs(server.pid()) - cpuBefore;
    QVERIFY2(cpuSpent < 500, qPrintable(u"the server used %1 ms of CPU in 2 s"_s.arg(cpuSpent)));
    crowd.clear();
    // Once descriptors are free again it serves as before.
    QString why;
    std::unique_ptr<TestClient> alice;
    QVERIFY(waitUntil(
        [&] {
            return (alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why)) != nullptr;
        },
        10000));
    const QString log = server.diagnostics(4 * 1024 * 1024);
    QCOMPARE(countLines(log, u"event=accept_failed"_s), 1);
    const QByteArray metrics = httpGet(server.httpUrl(u"/metrics"_s)).body;
    QVERIFY2(metricValue(metrics, "conversa_accept_errors_total") >= 1, metrics.constData());
}

void tst_server_hostile::shutdownWhileClientsKeepSending_acksThenClose1001()
{
    ServerProcess server;
    QVERIFY(startServer(
        server, {u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s, u"100000"_s}));
    QString why;
    std::vector<std::unique_ptr<TestClient>> senders;
    for (int i = 0; i < 4; ++i) {
        auto client = openWithLogin(server.url(), i % 2 ? u"bob"_s : u"alice"_s, kPassword, &why);
        QVERIFY2(client, qPrintable(why));
        VERIFY_OK(client->join(u"general"_s));
        senders.push_back(std::move(client));
    }
    // Each client keeps a stream of sends going while the server is told to stop.
    int next = 0;
    QTimer pump;
    pump.setInterval(1);
    connect(&pump, &QTimer::timeout, this, [&] {
        for (size_t i = 0; i < senders.size(); ++i) {
            if (!senders[i]->isConnected())
                continue;
            for (int k = 0; k < 5; ++k) {
                ++next;
                senders[i]->post({{"type"_L1, "send"_L1},
                                  {"room"_L1, "general"_L1},
                                  {"cid"_L1, u"s-%1"_s.arg(next)},
                                  {"body"_L1, u"message %1"_s.arg(next)}});
            }
        }
    });
    pump.start();
    QVERIFY(waitUntil([&] { return senders[0]->pendingReplies().size() > 100; }, 10000));
    QCOMPARE(::kill(pid_t(server.pid()), SIGTERM), 0);
    QVERIFY(waitUntil(
        [&] {
            for (auto &client : senders) {
                if (!client->wasDisconnected())
                    return false;
            }
            return true;
        },
        10000));
    pump.stop();
    QSet<QString> acked;
    for (auto &client : senders) {
        QVERIFY2(client->closeCode() == 1001, qPrintable(client->diagnostics()));
        for (const QJsonObject &reply : client->pendingReplies()) {
            if (TestClient::isOk(reply))
                acked.insert(reply.value("cid"_L1).toString());
        }
    }
    QVERIFY(waitUntil([&] { return !server.isRunning(); }, 10000));
    QCOMPARE(server.exitCode(), 0);
    // Every message the server stored was acknowledged to its sender.
    QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
    auto reader = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(reader, qPrintable(why));
    qint64 after = 0;
    int stored = 0;
    for (;;) {
        const QJsonObject page = reader->sync(u"general"_s, after, 500);
        VERIFY_OK(page);
        for (const QJsonObject &message : messagesOf(page)) {
            ++stored;
            after = message.value("seq"_L1).toInteger();
            QVERIFY2(acked.contains(message.value("cid"_L1).toString()),
                     qPrintable(u"stored but never acknowledged: "_s +
                                message.value("cid"_L1).toString()));
        }
        if (!page.value("more"_L1).toBool())
            break;
    }
    QVERIFY(stored > 100);
}

void tst_server_hostile::shutdownWithASlowReader_itGetsEveryAckAndTheClose()
{
    ServerProcess server;
    QVERIFY(startServer(
        server, {u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s, u"100000"_s}));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->join(u"general"_s));

    // A client on a slow link: it sends 300 messages and then reads nothing for 3 s, across the
    // server's SIGTERM, while it keeps sending.
    RawWebSocket slow;
    RawWebSocket::Options options;
    options.receiveBufferBytes = 2048;
    QVERIFY2(slow.open(server.url(), options), qPrintable(slow.error()));
    QVERIFY(
        slow.request({{"type"_L1, "auth"_L1}, {"token"_L1, alice->token()}}).contains("\"ok\""));
    const QString body(2000, u'b');
    for (int i = 0; i < 300; ++i)
        slow.sendText(frame({{"type"_L1, "send"_L1},
                             {"id"_L1, 100 + i},
                             {"room"_L1, "general"_L1},
                             {"cid"_L1, u"slow-%1"_s.arg(i)},
                             {"body"_L1, body}}));
    slow.flush(5000);
    QTest::qWait(300);
    QCOMPARE(::kill(pid_t(server.pid()), SIGTERM), 0);
    // Still talking, not yet listening: typing notices go out every 20 ms for 3 s.
    for (int i = 0; i < 150; ++i) {
        slow.sendText(frame({{"type"_L1, "typing"_L1}, {"room"_L1, "general"_L1}}));
        slow.flush(100);
        QThread::msleep(20);
    }
    // Now it reads: every acknowledgement, then the 1001 close frame.
    QSet<QString> acked;
    std::optional<QByteArray> text;
    while ((text = slow.readText(5000))) {
        const QJsonObject reply = QJsonDocument::fromJson(*text).object();
        if (reply.value("type"_L1).toString() == "ok"_L1 && reply.contains("cid"_L1))
            acked.insert(reply.value("cid"_L1).toString());
    }
    QCOMPARE(slow.lastCloseCode(), 1001);
    QVERIFY(waitUntil([&] { return !server.isRunning(); }, 15000));
    QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
    auto reader = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
    QVERIFY2(reader, qPrintable(why));
    VERIFY_OK(reader->join(u"general"_s));
    const QJsonObject page = reader->sync(u"general"_s, 0, 500);
    VERIFY_OK(page);
    const QList<QJsonObject> stored = messagesOf(page);
    QVERIFY(!stored.isEmpty());
    for (const QJsonObject &message : stored)
        QVERIFY2(acked.contains(message.value("cid"_L1).toString()),
                 qPrintable(u"stored but the sender never got its ack: "_s +
                            message.value("cid"_L1).toString() +
                            u" (%1 acks read)"_s.arg(acked.size())));
}

void tst_server_hostile::adminRoomDelete_runningServerForgetsIt()
{
    // The answer to a room made 5,000 times over: an admin removes it, live.
    ServerProcess server;
    QVERIFY(startServer(server, {}));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->create(u"spam"_s, u"Spam"_s));
    VERIFY_OK(alice->send(u"spam"_s, u"junk"_s));
    const AdminResult deleted = server.runAdmin({u"room"_s, u"delete"_s, u"spam"_s});
    QVERIFY2(deleted.ok(), qPrintable(deleted.describe()));
    QVERIFY(deleted.standardOutput.contains("deleted room spam and its 1 message(s)"));
    QVERIFY(waitUntil(
        [&] { return TestClient::isError(alice->history(u"spam"_s), u"not_found"_s); }, 5000));
    QVERIFY(roomRow(alice->rooms(), u"spam"_s).isEmpty());
    const AdminResult again = server.runAdmin({u"room"_s, u"delete"_s, u"spam"_s});
    QCOMPARE(again.exitCode, 1);
    QVERIFY(again.standardError.contains("there is no room named 'spam'"));
    // The name is free again.
    VERIFY_OK(alice->create(u"spam"_s, u"Spam again"_s));
    VERIFY_ERROR(alice->sync(u"spam"_s, 1), u"conflict"_s);
}

void tst_server_hostile::slowloris_cutAtTheSignInDeadline()
{
    ServerProcess server;
    QVERIFY(startServer(server, {u"--auth-timeout-seconds"_s, u"2"_s}));
    // One header byte every 200 ms: the request never completes.
    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(slow.waitForConnected(2000));
    const QByteArray request = "GET /ws HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaa";
    QElapsedTimer clock;
    clock.start();
    for (qsizetype i = 0; i < request.size() && slow.state() == QAbstractSocket::ConnectedState;
         ++i) {
        slow.write(request.mid(i, 1));
        slow.waitForBytesWritten(100);
        slow.waitForReadyRead(200);
    }
    QVERIFY(waitUntil([&] { return slow.state() != QAbstractSocket::ConnectedState; }, 5000));
    QVERIFY2(clock.elapsed() < 5000, qPrintable(u"cut after %1 ms"_s.arg(clock.elapsed())));
}

void tst_server_hostile::oversizedHeaders_431()
{
    ServerProcess server;
    QVERIFY(startServer(server, {}));
    HttpHeaders headers = webSocketUpgradeHeaders();
    headers.append({"X-Padding", QByteArray(9000, 'a')});
    const HttpResponse response = httpGet(server.url(), headers);
    QCOMPARE(response.status, 431);
    QString why;
    QVERIFY2(openWithLogin(server.url(), u"alice"_s, kPassword, &why), qPrintable(why));
}

void tst_server_hostile::proxyProtocol_headerOrElseForwardedFor()
{
    ServerProcess server;
    QVERIFY(startServer(
        server, {u"--trusted-proxies"_s, u"127.0.0.1"_s, u"--proxy-protocol"_s, u"true"_s}));
    // A PROXY v2 header (TCP over IPv4) from 198.51.100.7 ...
    QByteArray header("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c", 16);
    header += QByteArray::fromHex("c6336407"
                                  "7f000001"
                                  "c350"
                                  "1f90");
    RawWebSocket proxied;
    RawWebSocket::Options withHeader;
    withHeader.prefix = header;
    QVERIFY2(proxied.open(server.url(), withHeader), qPrintable(proxied.error()));
    QVERIFY(proxied.login(u"alice"_s, u"guess"_s).contains("unauthorized"));
    // ... and, without one, X-Forwarded-For from the same trusted proxy.
    RawWebSocket forwarded;
    RawWebSocket::Options withForwardedFor;
    withForwardedFor.extraHeaders = {{"X-Forwarded-For", "198.51.100.8"}};
    QVERIFY2(forwarded.open(server.url(), withForwardedFor), qPrintable(forwarded.error()));
    QVERIFY(forwarded.login(u"alice"_s, u"guess"_s).contains("unauthorized"));
    // A broken header is refused with 400 and a reason.
    RawWebSocket broken;
    RawWebSocket::Options brokenHeader;
    brokenHeader.prefix =
        QByteArray("\r\n\r\n\0\r\nQUIT\n\x31\x11\x00\x0c", 16) + QByteArray(12, '\0');
    QVERIFY(!broken.open(server.url(), brokenHeader));
    QVERIFY2(broken.error().contains(u"400"_s), qPrintable(broken.error()));
    const QString log = server.diagnostics(1024 * 1024);
    QVERIFY2(log.contains(u"event=login_failed addr=198.51.100.7"_s), qPrintable(log));
    QVERIFY2(log.contains(u"event=login_failed addr=198.51.100.8"_s), qPrintable(log));
}

QTEST_GUILESS_MAIN(tst_server_hostile)
#include "tst_server_hostile.moc"
