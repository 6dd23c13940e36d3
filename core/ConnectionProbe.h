#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QNetworkProxy>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QStringList>
#include <QTimer>
#include <QUrl>

class QSslSocket;

namespace conversa::core {

// What one trip to the server cost, step by step. Times are in milliseconds, -1 when the step
// did not happen (no TLS on ws://) or did not finish.
struct ConnectionReport {
    QUrl url;
    QString host;
    quint16 port = 0;
    QString proxy;                 // the proxy in words ("direct", "HTTP proxy at …")
    QStringList resolvedAddresses; // what DNS answered
    QString peerAddress;           // the address the TCP connection reached
    qint64 dnsMs = -1;
    qint64 tcpMs = -1;
    qint64 tlsMs = -1;
    qint64 upgradeMs = -1;
    qint64 pingMs = -1;
    QString tlsProtocol; // "TLS 1.3"
    QString tlsCipher;
    QList<QSslCertificate> certificateChain; // the server's first
    QString subprotocol;                     // as selected by the server
    QString error;                           // empty when every step worked
    bool done = false;
};

// Measures the path to a Conversa server the way the session travels it, one step at a time:
// DNS lookup, TCP connect (through the same proxy), TLS handshake (with the same extra CAs), the
// WebSocket upgrade on /ws with subprotocol conversa.v1, and one ping/pong. The session's own
// socket hides these steps inside QWebSocket, so the Connection details dialog runs this probe
// on a fresh connection and shows its figures next to the session's state.
class ConnectionProbe : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionProbe(QObject *parent = nullptr);
    ~ConnectionProbe() override;

    void setProxy(const QNetworkProxy &proxy) { m_proxy = proxy; }
    void setExtraCaCertificates(const QList<QSslCertificate> &certificates)
    {
        m_extraCas = certificates;
    }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    // Starts a measurement; `progress` follows after every step and `finished` once.
    void start(const QUrl &url);
    bool isRunning() const { return m_running; }
    ConnectionReport report() const { return m_report; }

    static QString describeProxy(const QNetworkProxy &proxy, const QUrl &url);
    static QString tlsProtocolName(int protocol);

signals:
    void progress(const conversa::core::ConnectionReport &report);
    void finished(const conversa::core::ConnectionReport &report);

private:
    void lookUp();
    void connectSocket();
    void onConnected();
    void onEncrypted();
    void sendUpgrade();
    void onReadyRead();
    void sendPing();
    void fail(const QString &message);
    void finish();

    QNetworkProxy m_proxy = QNetworkProxy(QNetworkProxy::DefaultProxy);
    QList<QSslCertificate> m_extraCas;
    int m_timeoutMs = 10'000;
    ConnectionReport m_report;
    QPointer<QSslSocket> m_socket;
    QElapsedTimer m_stepClock;
    QTimer m_timeout;
    QByteArray m_buffer;
    QByteArray m_pingPayload;
    bool m_upgraded = false;
    bool m_running = false;
    int m_lookupId = -1;
};

} // namespace conversa::core

Q_DECLARE_METATYPE(conversa::core::ConnectionReport)
