// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The proxy and TLS set-up the session's WebSocket and the file transfers share.
#include <TransportSettings.h>

#include <QSslCertificate>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::core::TransportOptions;

namespace {

TransportOptions optionsFor(const QString &url, TransportOptions::Proxy proxy,
                            const QString &proxyUrl = {})
{
    TransportOptions options;
    options.url = QUrl(url);
    options.proxy = proxy;
    options.proxyUrl = QUrl(proxyUrl);
    return options;
}

// A self-signed CA made for this test (no key kept).
const char kTestCa[] = "-----BEGIN CERTIFICATE-----\n"
                       "MIIBjDCCATOgAwIBAgIUPtLtsvPVz5ZJ6mjQGSfPZF+8Q8UwCgYIKoZIzj0EAwIw\n"
                       "GzEZMBcGA1UEAwwQQ29udmVyc2EgdGVzdCBDQTAgFw0yNjEyMDIwMzAxNDVaGA8y\n"
                       "MTI2MTEwODAzMDE0NVowGzEZMBcGA1UEAwwQQ29udmVyc2EgdGVzdCBDQTBZMBMG\n"
                       "ByqGSM49AgEGCCqGSM49AwEHA0IABAvR4nqmPIVhHgJGaXXkR0C7yF3ekMgESZky\n"
                       "5ficOj0aay62CPY3VPYeRxc1zwULh8hvIQLbmDWjRXoRBuUd52ejUzBRMB0GA1Ud\n"
                       "DgQWBBQLZxXvksSWRT495qBTMa0lHKHFDDAfBgNVHSMEGDAWgBQLZxXvksSWRT49\n"
                       "5qBTMa0lHKHFDDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIAKz\n"
                       "ft6J1rvUoGN+YwEvLeJo8SrvxZoVo2HcVq6nxefAAiBsey+3dnM9VrtKRlP+3sog\n"
                       "QOFQsXeRDh2q7b3oGsOOeQ==\n"
                       "-----END CERTIFICATE-----\n";

} // namespace

class TestTransportSettings : public QObject
{
    Q_OBJECT
private slots:
    void proxies();
    void extraCasAreTrustedBesideTheSystems();
};

void TestTransportSettings::proxies()
{
    using Proxy = TransportOptions::Proxy;
    using conversa::core::proxyFor;
    QCOMPARE(proxyFor(optionsFor(u"wss://chat.example.com/ws"_s, Proxy::System)).type(),
             QNetworkProxy::DefaultProxy);
    // Like browsers: never a loopback address through the system's proxy.
    for (const QString &url :
         {u"ws://127.0.0.1:8080/ws"_s, u"ws://localhost:8080/ws"_s, u"ws://[::1]:8080/ws"_s})
        QCOMPARE(proxyFor(optionsFor(url, Proxy::System)).type(), QNetworkProxy::NoProxy);
    QCOMPARE(proxyFor(optionsFor(u"wss://chat.example.com/ws"_s, Proxy::None)).type(),
             QNetworkProxy::NoProxy);

    const QNetworkProxy http = proxyFor(optionsFor(u"wss://chat.example.com/ws"_s, Proxy::Http,
                                                   u"http://ann:secret@proxy.example.com"_s));
    QCOMPARE(http.type(), QNetworkProxy::HttpProxy);
    QCOMPARE(http.hostName(), u"proxy.example.com"_s);
    QCOMPARE(http.port(), 8080);
    QCOMPARE(http.user(), u"ann"_s);
    QCOMPARE(http.password(), u"secret"_s);
    const QNetworkProxy socks = proxyFor(
        optionsFor(u"wss://chat.example.com/ws"_s, Proxy::Socks5, u"socks5://proxy.example.com"_s));
    QCOMPARE(socks.type(), QNetworkProxy::Socks5Proxy);
    QCOMPARE(socks.port(), 1080);
}

void TestTransportSettings::extraCasAreTrustedBesideTheSystems()
{
    TransportOptions options =
        optionsFor(u"wss://chat.example.com/ws"_s, TransportOptions::Proxy::None);
    const qsizetype system = conversa::core::sslFor(options).caCertificates().size();
    const QList<QSslCertificate> ours = QSslCertificate::fromData(kTestCa, QSsl::Pem);
    QCOMPARE(ours.size(), 1);
    options.extraCas = ours;
    const QList<QSslCertificate> trusted = conversa::core::sslFor(options).caCertificates();
    QCOMPARE(trusted.size(), system + ours.size());
    QVERIFY(trusted.contains(ours.constFirst()));
}

QTEST_GUILESS_MAIN(TestTransportSettings)
#include "tst_transportsettings.moc"
