// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end through a real nginx from Debian: the repository's example site
// (installer/linux/nginx-conversa.conf) terminates TLS with a test CA and forwards /ws to
// conversa-server on loopback. A client that trusts the CA signs in through it, and a message
// one user sends reaches the other live.
#include "ConversaTest.h"
#include "HttpProbe.h"
#include "TestCertificates.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"nginx-Secret-5"_s;

} // namespace

class tst_server_nginx : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_nginx = QStandardPaths::findExecutable(u"nginx"_s, {u"/usr/sbin"_s, u"/sbin"_s});
        if (m_nginx.isEmpty())
            QSKIP("nginx is not installed (apt-get install nginx)");
        QVERIFY2(m_certs.generate(), qPrintable(m_certs.errorString()));
    }

    void cleanupTestCase() { stopNginx(); }

    void messageThroughNginx()
    {
        ServerProcess server;
        QVERIFY(server.addUser(u"alice"_s, kPassword));
        QVERIFY(server.addUser(u"bob"_s, kPassword));
        QVERIFY(server.createRoom(u"general"_s, u"General"_s));
        QVERIFY2(server.start(), qPrintable(server.diagnostics()));

        const quint16 port = freeLoopbackPort();
        QVERIFY2(startNginx(port, server.port()), qPrintable(m_nginxLog));
        QUrl url;
        url.setScheme(u"wss"_s);
        url.setHost(u"127.0.0.1"_s);
        url.setPort(port);
        url.setPath(u"/ws"_s);

        ClientOptions trusted;
        trusted.ssl = m_certs.clientConfiguration();
        QString why;
        auto alice = openWithLogin(url, u"alice"_s, kPassword, &why, trusted);
        QVERIFY2(alice, qPrintable(why + u"\n"_s + m_nginxLog));
        auto bob = openWithLogin(url, u"bob"_s, kPassword, &why, trusted);
        QVERIFY2(bob, qPrintable(why));
        QCOMPARE(alice->subprotocol(), u"conversa.v1"_s);
        QVERIFY(TestClient::isOk(alice->join(u"general"_s)));
        QVERIFY(TestClient::isOk(bob->join(u"general"_s)));
        const QJsonObject sent = alice->send(u"general"_s, u"hello through nginx"_s);
        QVERIFY2(TestClient::isOk(sent), TestClient::describe(sent));
        const QJsonObject event = bob->waitForEvent(u"message"_s);
        QCOMPARE(event.value(u"body"_s).toString(), u"hello through nginx"_s);
        QCOMPARE(event.value(u"from"_s).toString(), u"alice"_s);

#ifdef CONVERSA_CLI_BIN
        // The same path with conversa-cli as bob: sign in through nginx, send, read history.
        QTemporaryDir cliData;
        auto cli = [&](const QStringList &args, const QByteArray &input = {},
                       const QString &token = {}) {
            QProcess process;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            if (!token.isEmpty())
                env.insert(u"CONVERSA_TOKEN"_s, token);
            process.setProcessEnvironment(env);
            process.start(QStringLiteral(CONVERSA_CLI_BIN),
                          args + QStringList{u"--data"_s, cliData.path(), u"--ca-file"_s,
                                             m_certs.caCertificate()});
            process.write(input);
            process.closeWriteChannel();
            process.waitForFinished(30000);
            return std::pair{process.exitCode(),
                             process.readAllStandardOutput() + process.readAllStandardError()};
        };
        const auto [loginCode, token] =
            cli({u"login"_s, url.toString(), u"bob"_s, u"--password-stdin"_s, u"--print-token"_s},
                kPassword.toUtf8() + '\n');
        QVERIFY2(loginCode == 0, token.constData());
        const QString bobToken = QString::fromUtf8(token).trimmed().split(u'\n').last();
        const QStringList account{u"--server"_s, url.toString(), u"--user"_s, u"bob"_s};
        const auto [sendCode, sendOut] =
            cli(QStringList{u"send"_s, u"general"_s, u"hello from conversa-cli"_s} + account, {},
                bobToken);
        QVERIFY2(sendCode == 0, sendOut.constData());
        alice->clearEvents();
        const QJsonObject fromCli = alice->waitForEvent(u"message"_s);
        QCOMPARE(fromCli.value(u"body"_s).toString(), u"hello from conversa-cli"_s);
        QCOMPARE(fromCli.value(u"from"_s).toString(), u"bob"_s);
        const auto [historyCode, history] =
            cli(QStringList{u"history"_s, u"general"_s} + account, {}, bobToken);
        QVERIFY2(historyCode == 0, history.constData());
        QVERIFY2(history.contains("hello through nginx"), history.constData());
#endif

        // Without the test CA the TLS handshake with nginx fails.
        TestClient untrusted;
        QVERIFY(!untrusted.open(url, ClientOptions{}, 5000));
        QVERIFY(!untrusted.sslErrors().isEmpty());
    }

    // The shipped site lets a file of the server's full default limit (25 MiB) through both ways,
    // and the server's own 413 comes back for one byte more.
    void fileOf25MiBThroughNginx()
    {
        ServerProcess server;
        QVERIFY(server.addUser(u"alice"_s, kPassword));
        QVERIFY2(server.start(), qPrintable(server.diagnostics()));
        stopNginx();
        const quint16 port = freeLoopbackPort();
        QVERIFY2(startNginx(port, server.port()), qPrintable(m_nginxLog));
        QUrl ws;
        ws.setScheme(u"wss"_s);
        ws.setHost(u"127.0.0.1"_s);
        ws.setPort(port);
        ws.setPath(u"/ws"_s);
        ClientOptions trusted;
        trusted.ssl = m_certs.clientConfiguration();
        QString why;
        auto alice = openWithLogin(ws, u"alice"_s, kPassword, &why, trusted);
        QVERIFY2(alice, qPrintable(why + u"\n"_s + m_nginxLog));

        QByteArray bytes(25 * 1024 * 1024, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                              bytes.size() / 4);
        QUrl files = ws;
        files.setScheme(u"https"_s);
        files.setPath(u"/files"_s);
        const HttpHeaders headers{{"Authorization", "Bearer " + alice->token().toLatin1()},
                                  {"Content-Type", "application/zip"},
                                  {"X-Filename", "big.zip"}};
        const HttpResponse up =
            httpRequest(files, "POST", headers, bytes, 60000, m_certs.clientConfiguration());
        QVERIFY2(up.status == 201, up.statusLine + ' ' + up.body + ' ' + up.error.toUtf8());
        const QString id = QJsonDocument::fromJson(up.body).object().value(u"file"_s).toString();
        files.setPath(u"/files/"_s + id);
        const HttpResponse down =
            httpGet(files, {headers.first()}, 60000, m_certs.clientConfiguration());
        QVERIFY2(down.status == 200, down.statusLine + ' ' + down.error.toUtf8());
        QCOMPARE(QCryptographicHash::hash(down.body, QCryptographicHash::Sha256),
                 QCryptographicHash::hash(bytes, QCryptographicHash::Sha256));
        QCOMPARE(down.header("X-Content-Type-Options"), QByteArray("nosniff"));

        bytes.append('x');
        files.setPath(u"/files"_s);
        const HttpResponse tooLarge =
            httpRequest(files, "POST", headers, bytes, 60000, m_certs.clientConfiguration());
        QVERIFY2(tooLarge.status == 413, tooLarge.statusLine + ' ' + tooLarge.body);
        QVERIFY2(tooLarge.body.contains("26214400"), tooLarge.body.constData());
    }

    // Behind nginx every connection comes from 127.0.0.1. With trusted_proxies the server takes
    // the client from the X-Forwarded-For header the shipped site sets, so one client's failed
    // sign-ins lock out that client, not everyone behind the proxy.
    void perClientLimitsThroughNginx()
    {
        ServerProcess server;
        QVERIFY(server.addUser(u"alice"_s, kPassword));
        QVERIFY(server.addUser(u"bob"_s, kPassword));
        QVERIFY2(
            server.start({u"--trusted-proxies"_s, u"127.0.0.1"_s, u"--login-failures-per-minute"_s,
                          u"2"_s, u"--auth-failures-per-connection"_s, u"10"_s}),
            qPrintable(server.diagnostics()));
        stopNginx();
        const quint16 port = freeLoopbackPort();
        QVERIFY2(startNginx(port, server.port()), qPrintable(m_nginxLog));
        QUrl url;
        url.setScheme(u"wss"_s);
        url.setHost(u"127.0.0.1"_s);
        url.setPort(port);
        url.setPath(u"/ws"_s);

        RawWebSocket::Options fromAttacker;
        fromAttacker.ssl = m_certs.clientConfiguration();
        // The attacker (127.0.0.1) guesses until its address is refused.
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

        // Another person (127.0.0.2) behind the same nginx signs in at once.
        RawWebSocket::Options fromUser = fromAttacker;
        fromUser.sourceAddress = QHostAddress(u"127.0.0.2"_s);
        RawWebSocket user;
        QVERIFY2(user.open(url, fromUser), qPrintable(user.error()));
        const QByteArray accepted = user.login(u"bob"_s, kPassword);
        QVERIFY2(accepted.contains("\"ok\""), accepted.constData());
        const QString log = server.diagnostics(1024 * 1024);
        QVERIFY2(log.contains(u"event=login_failed addr=127.0.0.1"_s), qPrintable(log));
        QVERIFY2(log.contains(u"event=auth addr=127.0.0.2 user=bob"_s), qPrintable(log));
    }

    // The browser client through the shipped site: the page with its policy, and its WebSocket
    // from the page's own origin (nginx keeps the port in Host), while another origin is refused.
    void webClientThroughNginx()
    {
        ServerProcess server;
        QVERIFY(server.addUser(u"alice"_s, kPassword));
        QVERIFY2(server.start({u"--trusted-proxies"_s, u"127.0.0.1"_s}),
                 qPrintable(server.diagnostics()));
        stopNginx();
        const quint16 port = freeLoopbackPort();
        QVERIFY2(startNginx(port, server.port()), qPrintable(m_nginxLog));
        QUrl page;
        page.setScheme(u"https"_s);
        page.setHost(u"127.0.0.1"_s);
        page.setPort(port);
        page.setPath(u"/"_s);
        const HttpResponse index = httpGet(page, {}, 10000, m_certs.clientConfiguration());
        QVERIFY2(index.status == 200, index.statusLine + ' ' + index.error.toUtf8());
        QVERIFY2(index.header("Content-Security-Policy").contains("connect-src 'self'"),
                 index.header("Content-Security-Policy").constData());
        QCOMPARE(index.header("X-Content-Type-Options"), QByteArray("nosniff"));

        QUrl ws = page;
        ws.setScheme(u"wss"_s);
        ws.setPath(u"/ws"_s);
        ClientOptions fromThePage;
        fromThePage.ssl = m_certs.clientConfiguration();
        fromThePage.origin = u"https://127.0.0.1:%1"_s.arg(port);
        QString why;
        auto alice = openWithLogin(ws, u"alice"_s, kPassword, &why, fromThePage);
        QVERIFY2(alice, qPrintable(why + u"\n"_s + server.diagnostics()));

        ClientOptions fromElsewhere = fromThePage;
        fromElsewhere.origin = u"https://evil.example"_s;
        TestClient stranger;
        QVERIFY(!stranger.open(ws, fromElsewhere, 5000));
    }

private:
    void stopNginx()
    {
        if (m_nginxProcess.state() != QProcess::NotRunning) {
            m_nginxProcess.terminate();
            m_nginxProcess.waitForFinished(5000);
        }
    }

    bool startNginx(quint16 port, quint16 backendPort)
    {
        QFile example(QStringLiteral(CONVERSA_SOURCE_DIR "/installer/linux/nginx-conversa.conf"));
        if (!example.open(QIODevice::ReadOnly)) {
            m_nginxLog = u"cannot read "_s + example.fileName();
            return false;
        }
        // The example as shipped, pointed at this test's ports and certificates.
        QString site = QString::fromUtf8(example.readAll());
        site.replace(u"listen 443 ssl;"_s, u"listen 127.0.0.1:%1 ssl;"_s.arg(port));
        site.replace(u"listen [::]:443 ssl;"_s, QString());
        site.replace(u"127.0.0.1:8080"_s, u"127.0.0.1:%1"_s.arg(backendPort));
        site.replace(u"/etc/ssl/conversa/fullchain.pem"_s, m_certs.serverCertificate());
        site.replace(u"/etc/ssl/conversa/privkey.pem"_s, m_certs.serverKey());
        const QDir dir(m_nginxDir.path());
        const QString conf = u"pid %1;\nerror_log %2 info;\ndaemon off;\nmaster_process off;\n"
                             "events { worker_connections 64; }\n"
                             "http {\n  access_log %3;\n  client_body_temp_path %4;\n"
                             "  proxy_temp_path %4;\n%5\n}\n"_s.arg(
                                 dir.filePath(u"nginx.pid"_s), dir.filePath(u"error.log"_s),
                                 dir.filePath(u"access.log"_s), m_nginxDir.path(), site);
        QFile file(dir.filePath(u"nginx.conf"_s));
        if (!file.open(QIODevice::WriteOnly))
            return false;
        file.write(conf.toUtf8());
        file.close();
        m_nginxProcess.setProcessChannelMode(QProcess::MergedChannels);
        m_nginxProcess.start(m_nginx, {u"-p"_s, m_nginxDir.path(), u"-c"_s, file.fileName(),
                                       u"-e"_s, dir.filePath(u"error.log"_s)});
        const bool listening = waitForLoopbackListener(port, 10000, &m_nginxProcess);
        QFile log(dir.filePath(u"error.log"_s));
        log.open(QIODevice::ReadOnly);
        m_nginxLog = QString::fromUtf8(m_nginxProcess.readAll() + log.readAll());
        return listening && m_nginxProcess.state() == QProcess::Running;
    }

    TestCertificates m_certs;
    QTemporaryDir m_nginxDir;
    QProcess m_nginxProcess;
    QString m_nginx;
    QString m_nginxLog;
};

QTEST_GUILESS_MAIN(tst_server_nginx)
#include "tst_server_nginx.moc"
