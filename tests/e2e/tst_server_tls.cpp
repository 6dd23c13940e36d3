// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: conversa-server over TLS with a CA and certificates made for the test, and the
// refusal to serve plain text beyond loopback.

#include "ConversaTest.h"

#include <QSslSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"tls-Secret-7"_s;
}

class tst_server_tls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void trustedCa_connectsOverWssAndLogsIn();
    void trustedCa_byHostName();
    void defaultCas_sslErrorNoConnection();
    void wrongHostName_sslError();
    void plainWebSocket_toTlsPort_fails();
    void healthz_overHttps();
    void ecdsaKey_served();
    void nonLoopbackWithoutTls_refused();
    void nonLoopbackWithInsecure_starts();

private:
    std::unique_ptr<TestCertificates> m_certs;
    std::unique_ptr<ServerProcess> m_server;
};

void tst_server_tls::initTestCase()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    if (TestCertificates::opensslProgram().isEmpty())
        QSKIP("the openssl command line is not installed");
    m_certs = std::make_unique<TestCertificates>();
    QVERIFY2(m_certs->generate(), qPrintable(m_certs->errorString()));

    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->isValid(), qPrintable(m_server->errorString()));
    QVERIFY2(m_server->addUser(u"alice"_s, kPassword), qPrintable(m_server->lastAdminError()));
    QVERIFY2(m_server->start({u"--tls-cert"_s, m_certs->serverCertificate(), u"--tls-key"_s,
                              m_certs->serverKey()}),
             qPrintable(m_server->diagnostics()));
    QVERIFY(m_server->isTls());
    QCOMPARE(m_server->url().scheme(), u"wss"_s);
}

void tst_server_tls::cleanup()
{
    if (QTest::currentTestFailed() && m_server)
        qWarning().noquote() << m_server->diagnostics();
}

void tst_server_tls::trustedCa_connectsOverWssAndLogsIn()
{
    ClientOptions options;
    options.ssl = m_certs->clientConfiguration();
    TestClient client;
    QVERIFY2(client.open(m_server->url(), options),
             qPrintable(client.errorString() + u" "_s +
                        (client.sslErrors().isEmpty() ? QString()
                                                      : client.sslErrors().first().errorString())));
    QVERIFY(client.sslErrors().isEmpty());
    QCOMPARE(client.subprotocol(), u"conversa.v1"_s);
    const QSslCertificate peer = client.socket()->sslConfiguration().peerCertificate();
    QVERIFY(!peer.isNull());
    QCOMPARE(peer, QSslCertificate::fromPath(m_certs->serverCertificate()).value(0));

    VERIFY_OK(client.login(u"alice"_s, kPassword));
    VERIFY_OK(client.create(u"secure"_s, u"Secure"_s));
    VERIFY_OK(client.send(u"secure"_s, u"over TLS"_s));
    QCOMPARE(messagesOf(client.history(u"secure"_s)).value(0).value(u"body"_s).toString(),
             u"over TLS"_s);
}

void tst_server_tls::trustedCa_byHostName()
{
    // The certificate names DNS:localhost as well.
    QUrl url = m_server->url();
    url.setHost(u"localhost"_s);
    ClientOptions options;
    options.ssl = m_certs->clientConfiguration();
    TestClient client;
    QVERIFY2(client.open(url, options), qPrintable(client.errorString()));
    QVERIFY(client.sslErrors().isEmpty());
}

void tst_server_tls::defaultCas_sslErrorNoConnection()
{
    TestClient client;
    QVERIFY2(!client.open(m_server->url()), "connected although the CA is not trusted");
    QVERIFY2(!client.sslErrors().isEmpty(), qPrintable(client.errorString()));
    bool untrusted = false;
    for (const QSslError &error : client.sslErrors()) {
        untrusted |= error.error() == QSslError::UnableToGetLocalIssuerCertificate ||
                     error.error() == QSslError::SelfSignedCertificateInChain ||
                     error.error() == QSslError::UnableToVerifyFirstCertificate ||
                     error.error() == QSslError::CertificateUntrusted;
    }
    QVERIFY2(untrusted, qPrintable(client.sslErrors().first().errorString()));
}

void tst_server_tls::wrongHostName_sslError()
{
    // A trusted CA, but a certificate for another name than the one connected to.
    TestCertificates other;
    QVERIFY2(other.generate(TestCertificates::KeyType::Rsa, {u"DNS:chat.example.com"_s}),
             qPrintable(other.errorString()));
    ServerProcess server;
    QVERIFY2(server.start(
                 {u"--tls-cert"_s, other.serverCertificate(), u"--tls-key"_s, other.serverKey()}),
             qPrintable(server.diagnostics()));
    ClientOptions options;
    options.ssl = other.clientConfiguration();
    TestClient client;
    QVERIFY2(!client.open(server.url(), options), "connected to a certificate for another name");
    bool mismatch = false;
    for (const QSslError &error : client.sslErrors())
        mismatch |= error.error() == QSslError::HostNameMismatch;
    QVERIFY2(mismatch, qPrintable(client.errorString()));
}

void tst_server_tls::plainWebSocket_toTlsPort_fails()
{
    QUrl url = m_server->url();
    url.setScheme(u"ws"_s);
    TestClient client;
    QVERIFY2(!client.open(url, {}, 3000), "a plain-text WebSocket was accepted on the TLS port");
    QVERIFY(m_server->isRunning());
}

void tst_server_tls::healthz_overHttps()
{
    const HttpResponse response =
        httpGet(m_server->httpUrl(u"/healthz"_s), {}, 5000, m_certs->clientConfiguration());
    QVERIFY2(response.status == 200, qPrintable(response.error));
    QCOMPARE(response.body.trimmed(), QByteArray("ok"));
}

void tst_server_tls::ecdsaKey_served()
{
    // Many CAs (Let's Encrypt among them) issue ECDSA certificates by default.
    TestCertificates ec;
    QVERIFY2(ec.generate(TestCertificates::KeyType::Ec), qPrintable(ec.errorString()));
    ServerProcess server;
    QVERIFY(server.addUser(u"alice"_s, kPassword));
    QVERIFY2(
        server.start({u"--tls-cert"_s, ec.serverCertificate(), u"--tls-key"_s, ec.serverKey()}),
        qPrintable(server.diagnostics()));
    ClientOptions options;
    options.ssl = ec.clientConfiguration();
    TestClient client;
    QVERIFY2(client.open(server.url(), options), qPrintable(client.errorString()));
    VERIFY_OK(client.login(u"alice"_s, kPassword));
}

void tst_server_tls::nonLoopbackWithoutTls_refused()
{
    ServerProcess server;
    QVERIFY(server.isValid());
    const int code = server.startExpectingExit(
        {u"serve"_s, u"--listen"_s, u"0.0.0.0:0"_s, u"--data"_s, server.dataDir()}, 10000);
    QVERIFY2(code == 2, qPrintable(u"exit code %1\n"_s.arg(code) + server.diagnostics()));
    QVERIFY2(!server.standardError().trimmed().isEmpty(), "no explanation on stderr");
    QVERIFY(!server.standardOutput().contains("listening"));
}

void tst_server_tls::nonLoopbackWithInsecure_starts()
{
    ServerProcess server;
    server.setHost(u"0.0.0.0"_s);
    QVERIFY2(server.start({u"--insecure"_s}), qPrintable(server.diagnostics()));
    QVERIFY(!server.isTls());
    QUrl url = server.url();
    url.setHost(u"127.0.0.1"_s);
    TestClient client;
    QVERIFY2(client.open(url), qPrintable(client.errorString()));
    QCOMPARE(server.terminate(), 0);
}

QTEST_GUILESS_MAIN(tst_server_tls)
#include "tst_server_tls.moc"
