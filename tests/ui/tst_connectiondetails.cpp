// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The Connection details dialog shows what it is given: the session's ConnectionDetails and
// status, updated in place while it is open, and "not connected" when offline.
#include <ConnectionDetailsDialog.h>
#include <SessionManager.h>

#include <QLabel>
#include <QPlainTextEdit>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa;
using core::ConnectionDetails;

namespace {

ConnectionDetails connectedDetails()
{
    ConnectionDetails d;
    d.serverUrl = QUrl(u"wss://chat.example.org/ws"_s);
    d.user = u"alice"_s;
    d.connected = true;
    d.authenticated = true;
    d.connectedSince = QDateTime::currentDateTime();
    d.peerName = u"chat.example.org"_s;
    d.peerAddress = QHostAddress(u"192.0.2.10"_s);
    d.peerPort = 443;
    d.proxy = QNetworkProxy(QNetworkProxy::HttpProxy, u"proxy.example.org"_s, 3128);
    d.proxyFromSystem = true;
    d.phasesSeparated = true;
    d.dnsMs = 12;
    d.tcpMs = 34;
    d.tlsMs = 56;
    d.upgradeMs = 78;
    d.totalMs = 180;
    d.encrypted = true;
    d.tlsProtocol = QSsl::TlsV1_3;
    d.tlsCipher = u"TLS_AES_256_GCM_SHA384"_s;
    d.pingRttMs = 9;
    d.lastPongAt = QDateTime::currentDateTime();
    d.attempts = 3;
    d.reconnects = 2;
    d.instance = u"chat-2:8080"_s;
    return d;
}

} // namespace

class TestConnectionDetails : public QObject
{
    Q_OBJECT
private slots:
    void showsTheGivenDetails();
    void mergedPhasesAndPlainWebSocket();
    void notConnected();
    void followsTheSession();

private:
    static QString text(const ui::ConnectionDetailsDialog &dialog, const QString &name)
    {
        QLabel *label = dialog.valueLabel(name);
        return label ? label->text() : u"<no label %1>"_s.arg(name);
    }
};

void TestConnectionDetails::showsTheGivenDetails()
{
    ui::ConnectionDetailsDialog dialog;
    dialog.showDetails(connectedDetails());
    QCOMPARE(text(dialog, u"detailServer"_s), u"wss://chat.example.org/ws as alice"_s);
    QCOMPARE(text(dialog, u"detailInstance"_s), u"chat-2:8080"_s);
    QVERIFY2(text(dialog, u"detailPeer"_s).startsWith(u"192.0.2.10, port 443"_s),
             qPrintable(text(dialog, u"detailPeer"_s)));
    QCOMPARE(text(dialog, u"detailProxy"_s),
             u"HTTP proxy at proxy.example.org:3128, from the system settings"_s);
    QCOMPARE(text(dialog, u"detailEncryption"_s), u"TLS 1.3 · TLS_AES_256_GCM_SHA384"_s);
    QCOMPARE(text(dialog, u"detailDns"_s), u"12 ms"_s);
    QCOMPARE(text(dialog, u"detailTcp"_s), u"34 ms, with the proxy's part"_s);
    QCOMPARE(text(dialog, u"detailTls"_s), u"56 ms"_s);
    QCOMPARE(text(dialog, u"detailUpgrade"_s), u"78 ms"_s);
    QVERIFY2(text(dialog, u"detailPing"_s).startsWith(u"9 ms"_s),
             qPrintable(text(dialog, u"detailPing"_s)));
    QVERIFY(text(dialog, u"detailReconnects"_s).startsWith(u"2 time"_s));
    QVERIFY(dialog.detailsText().contains(u"DNS lookup: 12 ms"_s));

    // Live: a new round trip replaces the old one in place.
    ConnectionDetails later = connectedDetails();
    later.pingRttMs = 41;
    later.reconnects = 3;
    dialog.showDetails(later);
    QVERIFY(text(dialog, u"detailPing"_s).startsWith(u"41 ms"_s));
    QVERIFY(text(dialog, u"detailReconnects"_s).startsWith(u"3 time"_s));
}

void TestConnectionDetails::mergedPhasesAndPlainWebSocket()
{
    ConnectionDetails d = connectedDetails();
    d.serverUrl = QUrl(u"ws://127.0.0.1:8080/ws"_s);
    d.peerAddress = QHostAddress(u"127.0.0.1"_s);
    d.peerPort = 8080;
    d.proxy = QNetworkProxy(QNetworkProxy::NoProxy);
    d.proxyFromSystem = false;
    d.encrypted = false;
    d.tlsProtocol = QSsl::UnknownProtocol;
    d.tlsCipher.clear();
    d.phasesSeparated = false;
    d.dnsMs = d.tcpMs = d.tlsMs = -1;
    d.upgradeMs = 15;
    d.pingRttMs = -1;
    ui::ConnectionDetailsDialog dialog;
    dialog.showDetails(d);
    QCOMPARE(text(dialog, u"detailProxy"_s), u"none (direct connection)"_s);
    QCOMPARE(text(dialog, u"detailEncryption"_s),
             u"none: the address starts with ws:// (no encryption)"_s);
    QCOMPARE(text(dialog, u"detailDns"_s), u"none needed (an IP address)"_s);
    QCOMPARE(text(dialog, u"detailTcp"_s), u"included in the WebSocket upgrade"_s);
    QCOMPARE(text(dialog, u"detailTls"_s), u"not used"_s);
    QCOMPARE(text(dialog, u"detailUpgrade"_s), u"15 ms, TCP and TLS included"_s);
    QCOMPARE(text(dialog, u"detailPing"_s), u"no answer to a ping yet"_s);
    QCOMPARE(dialog.findChild<QPlainTextEdit *>(u"detailChain"_s)->toPlainText(),
             u"No certificates: the connection is not encrypted."_s);
}

void TestConnectionDetails::notConnected()
{
    ConnectionDetails d;
    d.serverUrl = QUrl(u"wss://chat.example.org/ws"_s);
    d.user = u"alice"_s;
    d.reconnects = 1;
    ui::ConnectionDetailsDialog dialog;
    dialog.showDetails(connectedDetails());
    dialog.showDetails(d);
    for (const QString &name :
         {u"detailPeer"_s, u"detailProxy"_s, u"detailEncryption"_s, u"detailDns"_s, u"detailTcp"_s,
          u"detailTls"_s, u"detailUpgrade"_s, u"detailPing"_s})
        QCOMPARE(text(dialog, name), u"not connected"_s);
    QVERIFY(text(dialog, u"detailReconnects"_s).startsWith(u"1 time"_s));
    QCOMPARE(dialog.findChild<QPlainTextEdit *>(u"detailChain"_s)->toPlainText(),
             u"Not connected."_s);

    core::ConnectionStatus status;
    status.state = core::ConnectionState::WaitingToReconnect;
    status.secondsLeft = 4;
    status.reason = u"The server is restarting or shutting down."_s;
    dialog.showStatus(status);
    QVERIFY2(text(dialog, u"detailState"_s).contains(status.reason),
             qPrintable(text(dialog, u"detailState"_s)));
}

void TestConnectionDetails::followsTheSession()
{
    core::SessionManager session;
    session.setWatchNetwork(false);
    ui::ConnectionDetailsDialog dialog;
    dialog.setSession(&session);
    QCOMPARE(text(dialog, u"detailPeer"_s), u"not connected"_s);
    emit session.connectionDetailsChanged(connectedDetails());
    QCOMPARE(text(dialog, u"detailDns"_s), u"12 ms"_s);
    emit session.connectionDetailsChanged(ConnectionDetails{});
    QCOMPARE(text(dialog, u"detailDns"_s), u"not connected"_s);
}

QTEST_MAIN(TestConnectionDetails)
#include "tst_connectiondetails.moc"
