// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end through a real HAProxy from Debian with the repository's configuration
// (installer/linux/haproxy-conversa.cfg, one instance): TLS ends at HAProxy, which sends a PROXY
// protocol v2 header before each connection. conversa-server, trusting HAProxy's address, judges
// clients by the address in that header.
#include "ConversaTest.h"
#include "HaproxyProcess.h"
#include "TestCertificates.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"haproxy-Secret-5"_s;

} // namespace

class tst_server_haproxy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (HaproxyProcess::executable().isEmpty()) {
            // CI installs haproxy (scripts/lib.sh): there a missing one is a failure.
            if (qEnvironmentVariable("CI") == u"true"_s)
                QFAIL("haproxy is not installed (apt-get install haproxy)");
            QSKIP("haproxy is not installed (apt-get install haproxy)");
        }
        QVERIFY2(m_certs.generate(), qPrintable(m_certs.errorString()));
    }

    void proxyProtocol_namesEachClient()
    {
        ServerProcess server;
        QVERIFY(server.addUser(u"alice"_s, kPassword));
        QVERIFY(server.addUser(u"bob"_s, kPassword));
        QVERIFY(server.createRoom(u"general"_s, u"General"_s));
        QVERIFY2(server.start({u"--trusted-proxies"_s, u"127.0.0.1"_s, u"--proxy-protocol"_s,
                               u"true"_s, u"--login-failures-per-minute"_s, u"2"_s,
                               u"--auth-failures-per-connection"_s, u"10"_s}),
                 qPrintable(server.diagnostics()));
        HaproxyProcess haproxy;
        const QString pem = haproxy.writePem(m_certs.serverCertificate(), m_certs.serverKey());
        QVERIFY2(haproxy.start(pem, {server.port()}), qPrintable(haproxy.log()));
        const QUrl url = haproxy.url();

        // Health checks (PROXY LOCAL + GET /healthz) keep the backend up.
        QVERIFY(waitUntil(
            [&] {
                RawWebSocket probe;
                RawWebSocket::Options options;
                options.ssl = m_certs.clientConfiguration();
                return probe.open(url, options, 2000);
            },
            10000));

        RawWebSocket::Options fromAttacker;
        fromAttacker.ssl = m_certs.clientConfiguration();
        for (int i = 0; i < 2; ++i) {
            RawWebSocket attacker;
            QVERIFY2(attacker.open(url, fromAttacker), qPrintable(attacker.error()));
            const QByteArray reply = attacker.login(u"alice"_s, u"guess %1"_s.arg(i));
            QVERIFY2(reply.contains("unauthorized"), reply.constData());
        }
        RawWebSocket attacker;
        QVERIFY2(attacker.open(url, fromAttacker), qPrintable(attacker.error()));
        const QByteArray refused = attacker.login(u"bob"_s, kPassword);
        QVERIFY2(refused.contains("rate_limited"), refused.constData());

        RawWebSocket::Options fromUser = fromAttacker;
        fromUser.sourceAddress = QHostAddress(u"127.0.0.2"_s);
        RawWebSocket user;
        QVERIFY2(user.open(url, fromUser), qPrintable(user.error()));
        const QByteArray accepted = user.login(u"bob"_s, kPassword);
        QVERIFY2(accepted.contains("\"ok\""), accepted.constData());
        const QString log = server.diagnostics(1024 * 1024);
        QVERIFY2(log.contains(u"event=auth addr=127.0.0.2 user=bob"_s), qPrintable(log));

        // A chat message goes through the proxy both ways.
        QString why;
        ClientOptions trusted;
        trusted.ssl = m_certs.clientConfiguration();
        // (127.0.0.1 is still locked out, so bob's second device resumes with his token.)
        const QString token =
            QJsonDocument::fromJson(accepted).object().value("token"_L1).toString();
        auto bob = openWithToken(url, token, &why, trusted);
        QVERIFY2(bob, qPrintable(why));
        VERIFY_OK(bob->join(u"general"_s));
        VERIFY_OK(bob->send(u"general"_s, u"hello through haproxy"_s));
        const QJsonObject history = bob->history(u"general"_s);
        QCOMPARE(messagesOf(history).last().value("body"_L1).toString(),
                 u"hello through haproxy"_s);
    }

    // The variant the shipped file describes: `option forwardfor` instead of PROXY v2. The
    // server believes HAProxy's X-Forwarded-For entry, not what a client wrote before it.
    void forwardedFor_namesEachClient_forgeriesIgnored()
    {
        ServerProcess server;
        QVERIFY(server.addUser(u"alice"_s, kPassword));
        QVERIFY(server.addUser(u"bob"_s, kPassword));
        QVERIFY2(
            server.start({u"--trusted-proxies"_s, u"127.0.0.1"_s, u"--login-failures-per-minute"_s,
                          u"2"_s, u"--auth-failures-per-connection"_s, u"10"_s}),
            qPrintable(server.diagnostics()));
        HaproxyProcess haproxy;
        const QString pem = haproxy.writePem(m_certs.serverCertificate(), m_certs.serverKey());
        const bool started = haproxy.start(pem, {server.port()}, 0, [](QString &config) {
            config.replace(u" send-proxy-v2 check-send-proxy"_s, QString());
            config.replace(u"    option httplog\n"_s,
                           u"    option httplog\n    option forwardfor\n"_s);
        });
        QVERIFY2(started, qPrintable(haproxy.log()));
        QVERIFY2(haproxy.configText().contains(u"option forwardfor"_s),
                 qPrintable(haproxy.configText()));
        QVERIFY(haproxy.configText().contains(u"default-server check inter"_s));
        const QUrl url = haproxy.url();
        RawWebSocket::Options options;
        options.ssl = m_certs.clientConfiguration();
        QVERIFY(waitUntil(
            [&] {
                RawWebSocket probe;
                return probe.open(url, options, 2000);
            },
            10000));

        // 127.0.0.3 fails twice, each time claiming to be someone else.
        RawWebSocket::Options attacker = options;
        attacker.sourceAddress = QHostAddress(u"127.0.0.3"_s);
        for (int i = 0; i < 2; ++i) {
            RawWebSocket::Options forged = attacker;
            forged.extraHeaders.append(
                {"X-Forwarded-For", "127.0.0.%1"_ba.append(QByteArray::number(50 + i))});
            RawWebSocket socket;
            QVERIFY2(socket.open(url, forged), qPrintable(socket.error()));
            QVERIFY(socket.login(u"alice"_s, u"guess %1"_s.arg(i)).contains("unauthorized"));
        }
        RawWebSocket locked;
        QVERIFY2(locked.open(url, attacker), qPrintable(locked.error()));
        const QByteArray refused = locked.login(u"bob"_s, kPassword);
        QVERIFY2(refused.contains("rate_limited"), refused.constData());

        RawWebSocket::Options user = options;
        user.sourceAddress = QHostAddress(u"127.0.0.2"_s);
        RawWebSocket bob;
        QVERIFY2(bob.open(url, user), qPrintable(bob.error()));
        const QByteArray accepted = bob.login(u"bob"_s, kPassword);
        QVERIFY2(accepted.contains("\"ok\""), accepted.constData());
        const QString log = server.diagnostics(1024 * 1024);
        QVERIFY2(log.contains(u"event=auth addr=127.0.0.2 user=bob"_s), qPrintable(log));
        QVERIFY2(!log.contains(u"addr=127.0.0.5"_s), qPrintable(log));
    }

private:
    TestCertificates m_certs;
};

QTEST_GUILESS_MAIN(tst_server_haproxy)
#include "tst_server_haproxy.moc"
