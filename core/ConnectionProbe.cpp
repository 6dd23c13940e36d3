#include "ConnectionProbe.h"

#include <QHostInfo>
#include <QNetworkProxyFactory>
#include <QRandomGenerator>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>

namespace conversa::core {

using namespace Qt::StringLiterals;

ConnectionProbe::ConnectionProbe(QObject *parent)
    : QObject(parent)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this,
            [this] { fail(tr("No answer within %1 s.").arg(m_timeoutMs / 1000)); });
}

ConnectionProbe::~ConnectionProbe()
{
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
}

QString ConnectionProbe::describeProxy(const QNetworkProxy &proxy, const QUrl &url)
{
    QNetworkProxy effective = proxy;
    QString prefix;
    if (proxy.type() == QNetworkProxy::DefaultProxy) {
        const auto system = QNetworkProxyFactory::systemProxyForQuery(QNetworkProxyQuery(url));
        effective = system.isEmpty() ? QNetworkProxy(QNetworkProxy::NoProxy) : system.first();
        prefix = tr("System settings: ");
    }
    switch (effective.type()) {
    case QNetworkProxy::HttpProxy:
        return prefix + tr("HTTP proxy at %1:%2").arg(effective.hostName()).arg(effective.port());
    case QNetworkProxy::Socks5Proxy:
        return prefix + tr("SOCKS5 proxy at %1:%2").arg(effective.hostName()).arg(effective.port());
    default:
        return prefix + tr("none (direct connection)");
    }
}

QString ConnectionProbe::tlsProtocolName(int protocol)
{
    switch (QSsl::SslProtocol(protocol)) {
    case QSsl::TlsV1_2:
        return u"TLS 1.2"_s;
    case QSsl::TlsV1_3:
        return u"TLS 1.3"_s;
    case QSsl::DtlsV1_2:
        return u"DTLS 1.2"_s;
    default:
        return tr("other (%1)").arg(protocol);
    }
}

void ConnectionProbe::start(const QUrl &url)
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_report = ConnectionReport{};
    m_report.url = url;
    m_report.host = url.host();
    m_report.port = quint16(url.port(url.scheme() == u"wss"_s ? 443 : 80));
    m_report.proxy = describeProxy(m_proxy, url);
    m_buffer.clear();
    m_upgraded = false;
    m_running = true;
    m_timeout.start(m_timeoutMs);
    lookUp();
}

void ConnectionProbe::lookUp()
{
    m_stepClock.start();
    m_lookupId = QHostInfo::lookupHost(m_report.host, this, [this](const QHostInfo &info) {
        m_lookupId = -1;
        if (!m_running)
            return;
        m_report.dnsMs = m_stepClock.elapsed();
        if (info.error() != QHostInfo::NoError) {
            fail(tr("DNS: %1").arg(info.errorString()));
            return;
        }
        for (const QHostAddress &address : info.addresses())
            m_report.resolvedAddresses.append(address.toString());
        emit progress(m_report);
        connectSocket();
    });
}

void ConnectionProbe::connectSocket()
{
    m_socket = new QSslSocket(this);
    m_socket->setProxy(m_proxy);
    if (!m_extraCas.isEmpty()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificates(m_extraCas);
        m_socket->setSslConfiguration(ssl);
    }
    connect(m_socket, &QSslSocket::connected, this, &ConnectionProbe::onConnected);
    connect(m_socket, &QSslSocket::encrypted, this, &ConnectionProbe::onEncrypted);
    connect(m_socket, &QSslSocket::readyRead, this, &ConnectionProbe::onReadyRead);
    connect(m_socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QStringList words;
        for (const QSslError &error : errors)
            words.append(error.errorString());
        m_report.certificateChain = m_socket->peerCertificateChain();
        fail(tr("TLS: %1").arg(words.join(u"; "_s)));
    });
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this] {
        if (m_running)
            fail(m_socket->errorString());
    });
    m_stepClock.start();
    m_socket->connectToHost(m_report.host, m_report.port);
}

void ConnectionProbe::onConnected()
{
    m_report.tcpMs = m_stepClock.elapsed();
    // Through a proxy the socket's peer is the proxy; the server is then known by name only.
    const bool viaProxy =
        m_proxy.type() == QNetworkProxy::HttpProxy || m_proxy.type() == QNetworkProxy::Socks5Proxy;
    m_report.peerAddress = viaProxy || m_socket->peerAddress().isNull()
                               ? m_socket->peerName()
                               : m_socket->peerAddress().toString();
    emit progress(m_report);
    m_stepClock.start();
    if (m_report.url.scheme() == u"wss"_s)
        m_socket->startClientEncryption();
    else
        sendUpgrade();
}

void ConnectionProbe::onEncrypted()
{
    m_report.tlsMs = m_stepClock.elapsed();
    m_report.tlsProtocol = tlsProtocolName(int(m_socket->sessionProtocol()));
    m_report.tlsCipher = m_socket->sessionCipher().name();
    m_report.certificateChain = m_socket->peerCertificateChain();
    emit progress(m_report);
    m_stepClock.start();
    sendUpgrade();
}

void ConnectionProbe::sendUpgrade()
{
    QByteArray nonce(16, Qt::Uninitialized);
    for (char &byte : nonce)
        byte = char(QRandomGenerator::global()->bounded(256));
    QString path = m_report.url.path();
    if (path.isEmpty())
        path = u"/ws"_s;
    const bool defaultPort = m_report.port == (m_report.url.scheme() == u"wss"_s ? 443 : 80);
    const QString hostHeader =
        defaultPort ? m_report.host : u"%1:%2"_s.arg(m_report.host).arg(m_report.port);
    const QByteArray request = "GET " + path.toUtf8() +
                               " HTTP/1.1\r\n"
                               "Host: " +
                               hostHeader.toUtf8() +
                               "\r\n"
                               "Upgrade: websocket\r\n"
                               "Connection: Upgrade\r\n"
                               "Sec-WebSocket-Version: 13\r\n"
                               "Sec-WebSocket-Key: " +
                               nonce.toBase64() +
                               "\r\n"
                               "Sec-WebSocket-Protocol: conversa.v1\r\n"
                               "User-Agent: Conversa-probe\r\n\r\n";
    m_socket->write(request);
}

void ConnectionProbe::onReadyRead()
{
    m_buffer += m_socket->readAll();
    if (!m_upgraded) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray head = m_buffer.left(end);
        m_buffer.remove(0, end + 4);
        const QList<QByteArray> lines = head.split('\n');
        const QByteArray status = lines.value(0).trimmed();
        if (!status.contains(" 101")) {
            fail(tr("The server did not accept the WebSocket upgrade: %1")
                     .arg(QString::fromUtf8(status)));
            return;
        }
        for (const QByteArray &line : lines) {
            if (line.toLower().startsWith("sec-websocket-protocol:"))
                m_report.subprotocol = QString::fromUtf8(line.mid(23).trimmed());
        }
        m_report.upgradeMs = m_stepClock.elapsed();
        m_upgraded = true;
        emit progress(m_report);
        sendPing();
    }
    // A pong is a control frame: first byte 0x8A, then an unmasked length under 126.
    while (m_buffer.size() >= 2) {
        const quint8 opcode = quint8(m_buffer.at(0)) & 0x0F;
        const int length = quint8(m_buffer.at(1)) & 0x7F;
        if (length >= 126 || m_buffer.size() < 2 + length)
            return; // not a control frame we wait for, or not complete yet
        m_buffer.remove(0, 2 + length);
        if (opcode == 0x0A) {
            m_report.pingMs = m_stepClock.elapsed();
            finish();
            return;
        }
    }
}

void ConnectionProbe::sendPing()
{
    m_pingPayload = QByteArray::number(QRandomGenerator::global()->generate() % 10000);
    QByteArray frame;
    frame.append(char(0x89)); // FIN + ping
    frame.append(char(0x80 | m_pingPayload.size()));
    QByteArray mask(4, Qt::Uninitialized);
    for (char &byte : mask)
        byte = char(QRandomGenerator::global()->bounded(256));
    frame.append(mask);
    for (int i = 0; i < m_pingPayload.size(); ++i)
        frame.append(char(m_pingPayload.at(i) ^ mask.at(i % 4)));
    m_stepClock.start();
    m_socket->write(frame);
}

void ConnectionProbe::fail(const QString &message)
{
    if (!m_running)
        return;
    m_report.error = message;
    finish();
}

void ConnectionProbe::finish()
{
    if (!m_running)
        return;
    m_running = false;
    m_timeout.stop();
    m_report.done = true;
    if (m_socket) {
        m_socket->disconnect(this);
        if (m_upgraded) {
            // A masked close frame with code 1000, so the server sees a polite goodbye.
            const char close[] = {char(0x88), char(0x82), 0, 0, 0, 0, char(0x03), char(0xE8)};
            m_socket->write(close, sizeof close);
            m_socket->flush();
        }
        m_socket->disconnectFromHost();
        m_socket->deleteLater();
    }
    emit finished(m_report);
}

} // namespace conversa::core
