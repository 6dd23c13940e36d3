// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: plain HTTP on the WebSocket port of a real conversa-server: /healthz, /metrics,
// other paths, and the admin subcommands' exit codes.

#include "ConversaTest.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"http-Secret-6"_s;

// The value of an unlabelled sample `name` in Prometheus text, or -1.
double metricValue(const QByteArray &text, const QString &name)
{
    const QRegularExpression line(
        u"^%1(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)\\s*$"_s.arg(QRegularExpression::escape(name)),
        QRegularExpression::MultilineOption);
    const auto match = line.match(QString::fromUtf8(text));
    return match.hasMatch() ? match.captured(1).toDouble() : -1;
}
} // namespace

class tst_server_http : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void healthz_ok();
    void healthz_viaNetworkAccessManager();
    void metrics_countStoredMessagesAndConnections();
    void unknownPath_404();
    void webClient_servedAtRootWithItsPolicy();
    void webSocketOnOtherPath_refused();
    void handshakeWithoutSubprotocol_stillServed();
    void admin_exitCodes();
    void adminListener_servesHealthAndMetrics();

private:
    std::unique_ptr<ServerProcess> m_server;
};

void tst_server_http::initTestCase()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->isValid(), qPrintable(m_server->errorString()));
    QVERIFY2(m_server->addUser(u"alice"_s, kPassword), qPrintable(m_server->lastAdminError()));
    QVERIFY2(m_server->start(), qPrintable(m_server->diagnostics()));
}

void tst_server_http::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << m_server->diagnostics();
}

void tst_server_http::healthz_ok()
{
    const HttpResponse response = httpGet(m_server->httpUrl(u"/healthz"_s));
    QVERIFY2(response.status == 200,
             qPrintable(u"%1 %2"_s.arg(QString::fromUtf8(response.statusLine), response.error)));
    QCOMPARE(response.body.trimmed(), QByteArray("ok"));
}

void tst_server_http::healthz_viaNetworkAccessManager()
{
    // What a load balancer's or monitoring system's HTTP client does.
    QNetworkAccessManager manager;
    QNetworkRequest request(m_server->httpUrl(u"/healthz"_s));
    std::unique_ptr<QNetworkReply> reply(manager.get(request));
    QVERIFY(waitUntil([&] { return reply->isFinished(); }, 5000));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->readAll().trimmed(), QByteArray("ok"));
}

void tst_server_http::metrics_countStoredMessagesAndConnections()
{
    HttpResponse before = httpGet(m_server->httpUrl(u"/metrics"_s));
    QCOMPARE(before.status, 200);
    QVERIFY2(before.body.contains("conversa_messages_stored_total"), before.body.constData());
    QVERIFY2(before.body.contains("conversa_connections_open"), before.body.constData());
    QVERIFY2(before.body.contains("conversa_sessions_authenticated"), before.body.constData());
    QVERIFY2(before.body.contains("conversa_send_ack_seconds"), before.body.constData());
    const double storedBefore = metricValue(before.body, u"conversa_messages_stored_total"_s);
    QVERIFY2(storedBefore >= 0, before.body.constData());

    QString why;
    auto alice = openWithLogin(m_server->url(), u"alice"_s, kPassword, &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->create(u"metered"_s, u"Metered"_s));
    for (const QJsonObject &reply :
         alice->sendBurst(u"metered"_s, {u"one"_s, u"two"_s, u"three"_s}))
        VERIFY_OK(reply);

    const HttpResponse after = httpGet(m_server->httpUrl(u"/metrics"_s));
    QCOMPARE(after.status, 200);
    QCOMPARE(metricValue(after.body, u"conversa_messages_stored_total"_s), storedBefore + 3);
    QVERIFY2(metricValue(after.body, u"conversa_connections_open"_s) >= 1, after.body.constData());
    QVERIFY2(metricValue(after.body, u"conversa_sessions_authenticated"_s) >= 1,
             after.body.constData());
    QVERIFY2(metricValue(after.body, u"conversa_send_ack_seconds_count"_s) >= 3,
             after.body.constData());
}

void tst_server_http::unknownPath_404()
{
    // "/" is the web client (tests/e2e/web); with web_client off it is unknown too.
    for (const QString &path : {u"/nope"_s, u"/ws/extra"_s, u"/healthz/../etc/passwd"_s}) {
        const HttpResponse response = httpGet(m_server->httpUrl(path));
        QVERIFY2(response.status == 404,
                 qPrintable(u"%1 -> %2 %3"_s.arg(path).arg(response.status).arg(response.error)));
    }
    QVERIFY(m_server->isRunning());
}

// The browser client's files (tests/e2e/web drives them in Chromium; this runs the serving
// path under the sanitizers too).
void tst_server_http::webClient_servedAtRootWithItsPolicy()
{
    const HttpResponse page = httpGet(m_server->httpUrl(u"/"_s));
    QCOMPARE(page.status, 200);
    QCOMPARE(page.header("Content-Type"), QByteArray("text/html; charset=utf-8"));
    QVERIFY(page.header("Content-Security-Policy").contains("frame-ancestors 'none'"));
    QCOMPARE(page.header("X-Content-Type-Options"), QByteArray("nosniff"));
    QVERIFY(page.body.contains("/app.js"));
    const HttpResponse script = httpGet(m_server->httpUrl(u"/engine/client.js"_s));
    QCOMPARE(script.status, 200);
    QCOMPARE(script.header("Content-Type"), QByteArray("text/javascript; charset=utf-8"));
    QCOMPARE(httpGet(m_server->httpUrl(u"/package.json"_s)).status, 404);
    QVERIFY(m_server->isRunning());
}

void tst_server_http::webSocketOnOtherPath_refused()
{
    QUrl url = m_server->url();
    url.setPath(u"/chat"_s);
    TestClient client;
    QVERIFY2(!client.open(url, {}, 3000), "a WebSocket upgrade at /chat was accepted");
    const HttpResponse response = httpGet(url, webSocketUpgradeHeaders());
    QCOMPARE(response.status, 404);
}

void tst_server_http::handshakeWithoutSubprotocol_stillServed()
{
    // Selecting conversa.v1 is "when offered"; a client that offers nothing is still served.
    ClientOptions options;
    options.subprotocols.clear();
    TestClient client;
    QVERIFY2(client.open(m_server->url(), options), qPrintable(client.errorString()));
    QVERIFY(client.subprotocol().isEmpty());
    VERIFY_OK(client.login(u"alice"_s, kPassword));

    // And the raw handshake answers 101 with the subprotocol when it is offered.
    const HttpResponse upgrade = httpGet(m_server->url(), webSocketUpgradeHeaders());
    QCOMPARE(upgrade.status, 101);
    QCOMPARE(upgrade.header("Sec-WebSocket-Protocol"), QByteArray("conversa.v1"));
}

void tst_server_http::admin_exitCodes()
{
    ServerProcess &server = *m_server;
    // Success.
    QVERIFY(server.runRaw({u"--version"_s}).ok());
    QVERIFY(server.runRaw({u"--help"_s}).ok());
    AdminResult result = server.runAdmin({u"user"_s, u"list"_s});
    QVERIFY2(result.ok(), qPrintable(result.describe()));
    QVERIFY2(result.standardOutput.contains("alice"), qPrintable(result.describe()));
    // A failure: the user exists.
    result = server.runAdmin({u"user"_s, u"add"_s, u"alice"_s, u"--password-stdin"_s},
                             "another-password\n");
    QCOMPARE(result.exitCode, 1);
    QVERIFY(!result.standardError.isEmpty());
    // Usage errors.
    result = server.runAdmin({u"frobnicate"_s});
    QCOMPARE(result.exitCode, 2);
    result = server.runAdmin({u"user"_s, u"add"_s});
    QCOMPARE(result.exitCode, 2);
    // A password change takes effect for new logins.
    QVERIFY2(server.setPassword(u"alice"_s, u"a-new-password"_s),
             qPrintable(server.lastAdminError()));
    TestClient client;
    QVERIFY(client.open(server.url()));
    VERIFY_OK(client.login(u"alice"_s, u"a-new-password"_s));
    QVERIFY2(server.setPassword(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
}

void tst_server_http::adminListener_servesHealthAndMetrics()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--admin-listen"_s, u"127.0.0.1:0"_s}),
             qPrintable(server.diagnostics()));
    QVERIFY2(server.adminUrl().isValid() && server.adminUrl().port() > 0,
             qPrintable(server.diagnostics()));
    QVERIFY(server.adminUrl().port() != server.port());
    QUrl health = server.adminUrl();
    health.setPath(u"/healthz"_s);
    const HttpResponse ok = httpGet(health);
    QVERIFY2(ok.status == 200, qPrintable(ok.error));
    QUrl metrics = server.adminUrl();
    metrics.setPath(u"/metrics"_s);
    const HttpResponse text = httpGet(metrics);
    QCOMPARE(text.status, 200);
    QVERIFY(text.body.contains("conversa_messages_stored_total"));
}

QTEST_GUILESS_MAIN(tst_server_http)
#include "tst_server_http.moc"
