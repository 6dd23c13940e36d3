// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "WebSocketTransport.h"

// The words stay in SessionManager's translation context, where the .ts files have them.
#include "SessionManager.h"
#include "TransportSettings.h"

#include <QAuthenticator>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

namespace conversa::core {

using namespace Qt::StringLiterals;

namespace {

QString sslErrorInWords(const QSslError &error)
{
    switch (error.error()) {
    case QSslError::SelfSignedCertificate:
        return SessionManager::tr(
            "the certificate is self-signed and not trusted on this computer");
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
        return SessionManager::tr("it was issued by an authority this computer does not trust");
    case QSslError::CertificateExpired:
        return SessionManager::tr("the certificate has expired");
    case QSslError::CertificateNotYetValid:
        return SessionManager::tr("the certificate is not valid yet (check the computer's clock)");
    case QSslError::HostNameMismatch:
        return SessionManager::tr("the certificate belongs to another server name");
    case QSslError::CertificateRevoked:
        return SessionManager::tr("the certificate has been revoked");
    default:
        return error.errorString();
    }
}

} // namespace

WebSocketTransport::WebSocketTransport(QObject *parent)
    : Transport(parent)
{}

WebSocketTransport::~WebSocketTransport()
{
    abort();
}

void WebSocketTransport::open(const TransportOptions &options)
{
    if (m_socket)
        return;
    m_options = options;
    const QUrl &url = m_options.url;
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);

    m_socket->setProxy(proxyFor(m_options));
    if (url.scheme() == u"wss"_s)
        m_socket->setSslConfiguration(sslFor(m_options));

    connect(m_socket, &QWebSocket::connected, this, &WebSocketTransport::onConnected);
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketTransport::scheduleEnd);
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            &WebSocketTransport::onSocketError);
    connect(m_socket, &QWebSocket::sslErrors, this, &WebSocketTransport::onSslErrors);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &Transport::textReceived);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this] {
        noteProblem(ConnectionProblem::ProtocolError,
                    SessionManager::tr("The server sent binary data."));
        m_socket->abort();
        scheduleEnd();
    });
    connect(m_socket, &QWebSocket::pong, this,
            [this](quint64 elapsedMs) { emit pong(qint64(elapsedMs)); });
    connect(m_socket, &QWebSocket::proxyAuthenticationRequired, this, [this] {
        noteProblem(ConnectionProblem::ProxyRefused,
                    SessionManager::tr("The proxy asks for a user name and password; put them "
                                       "in the proxy address (http://user:password@host:port)."));
    });

    m_details = ConnectionDetails{};
    m_details.proxy = m_socket->proxy();
    if (m_details.proxy.type() == QNetworkProxy::DefaultProxy) {
        // What the system settings give for this address, as the socket asks them.
        const auto system = QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(url));
        m_details.proxy =
            system.isEmpty() ? QNetworkProxy(QNetworkProxy::NoProxy) : system.constFirst();
        m_details.proxyFromSystem = true;
    }

    QNetworkRequest request(url);
    if (!m_options.userAgent.isEmpty())
        request.setHeader(QNetworkRequest::UserAgentHeader, m_options.userAgent);
    QWebSocketHandshakeOptions handshake;
    handshake.setSubprotocols(m_options.subprotocols);
    m_clock.start();
    m_socket->open(request, handshake);
    watchSocketPhases();
}

void WebSocketTransport::close(int code, const QString &reason)
{
    if (m_socket && !m_ended)
        m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void WebSocketTransport::abort()
{
    m_ended = true;
    if (!m_socket)
        return;
    QWebSocket *socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    if (m_tcp)
        m_tcp->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

bool WebSocketTransport::isConnected() const
{
    return m_socket && !m_ended && m_socket->state() == QAbstractSocket::ConnectedState;
}

void WebSocketTransport::sendText(const QString &frame)
{
    if (isConnected())
        m_socket->sendTextMessage(frame);
}

void WebSocketTransport::ping()
{
    if (isConnected())
        m_socket->ping();
}

void WebSocketTransport::describe(ConnectionDetails &details) const
{
    const ConnectionDetails &d = m_details;
    details.peerName = d.peerName;
    details.peerAddress = d.peerAddress;
    details.peerPort = d.peerPort;
    details.proxy = d.proxy;
    details.proxyFromSystem = d.proxyFromSystem;
    details.phasesSeparated = d.phasesSeparated;
    details.dnsMs = d.dnsMs;
    details.tcpMs = d.tcpMs;
    details.tlsMs = d.tlsMs;
    details.upgradeMs = d.upgradeMs;
    details.totalMs = d.totalMs;
    details.encrypted = d.encrypted;
    details.tlsProtocol = d.tlsProtocol;
    details.tlsCipher = d.tlsCipher;
    details.certificateChain = d.certificateChain;
}

void WebSocketTransport::onConnected()
{
    m_upgradedAt = m_clock.elapsed();
    if (m_tcp && m_tcpUpAt < 0)
        notePhase(m_tcp->state());
    ConnectionDetails &d = m_details;
    d.peerName = m_socket->peerName();
    d.peerAddress = m_socket->peerAddress();
    d.peerPort = m_socket->peerPort();
    if (m_options.url.scheme() == u"wss"_s) {
        auto *ssl = qobject_cast<QSslSocket *>(m_tcp.data());
        const QSslConfiguration tls = ssl ? ssl->sslConfiguration() : m_socket->sslConfiguration();
        d.encrypted = true;
        d.tlsProtocol = tls.sessionProtocol();
        d.tlsCipher = tls.sessionCipher().name();
        d.certificateChain = tls.peerCertificateChain();
    }
    updatePhaseTimes();
    emit detailsChanged();
    emit connected();
}

void WebSocketTransport::noteProblem(ConnectionProblem problem, const QString &reason)
{
    // A certificate or proxy problem said more than the error that follows it.
    if (m_problem == ConnectionProblem::None || (m_problem == ConnectionProblem::ConnectionLost &&
                                                 problem != ConnectionProblem::ConnectionLost)) {
        m_problem = problem;
        m_reason = reason;
    }
}

void WebSocketTransport::scheduleEnd()
{
    // The socket reports an ended attempt with disconnected() and errorOccurred() in either
    // order (or only one of them): conclude once, after both had their say.
    if (!m_socket || m_ended || m_endScheduled)
        return;
    m_endScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_endScheduled = false;
            if (!m_socket || m_ended)
                return;
            if (m_socket->state() == QAbstractSocket::ConnectedState)
                return; // an error the link survived; disconnected() follows if it did not
            end();
        },
        Qt::QueuedConnection);
}

void WebSocketTransport::end()
{
    m_ended = true;
    const int code = m_socket->closeCode();
    const QString reason = m_socket->closeReason();
    if (m_problem != ConnectionProblem::None)
        emit errorOccurred(m_problem, m_reason);
    emit disconnected(code, reason);
}

void WebSocketTransport::onSocketError(QAbstractSocket::SocketError error)
{
    if (!m_socket || m_ended)
        return;
    ConnectionProblem problem = ConnectionProblem::None;
    const QString reason = describeSocketError(error, &problem);
    noteProblem(problem, reason);
    scheduleEnd();
}

void WebSocketTransport::onSslErrors(const QList<QSslError> &errors)
{
    // Never ignored: a certificate that does not verify ends the attempt, with the reason.
    QStringList problems;
    QSslCertificate certificate;
    for (const QSslError &error : errors) {
        problems.append(sslErrorInWords(error));
        if (certificate.isNull() && !error.certificate().isNull())
            certificate = error.certificate();
    }
    if (certificate.isNull() && m_socket &&
        !m_socket->sslConfiguration().peerCertificate().isNull())
        certificate = m_socket->sslConfiguration().peerCertificate();
    problems.removeDuplicates();
    QString reason = SessionManager::tr("The certificate of %1 is not trusted: %2.")
                         .arg(m_options.url.host(), problems.join(u"; "_s));
    if (!certificate.isNull())
        reason +=
            u" "_s + SessionManager::tr("Certificate for “%1”, issued by “%2”.")
                         .arg(certificate.subjectDisplayName(), certificate.issuerDisplayName());
    if (m_options.extraCas.isEmpty())
        reason += u" "_s + SessionManager::tr("If this is your organisation's own server, ask for "
                                              "its CA certificate and add it as an extra CA file.");
    m_problem = ConnectionProblem::UntrustedCertificate;
    m_reason = reason;
}

QString WebSocketTransport::describeSocketError(QAbstractSocket::SocketError error,
                                                ConnectionProblem *problem) const
{
    const QUrl &url = m_options.url;
    const QString host = url.host();
    const QString errorText = m_socket ? m_socket->errorString() : QString();
    static const QRegularExpression httpStatus(u"status code:?\\s*(\\d{3})(?:\\s*\\(([^)]*)\\))?"_s,
                                               QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch status = httpStatus.match(errorText);
    if (status.hasMatch()) {
        *problem = ConnectionProblem::UpgradeRefused;
        const QString code = status.captured(1);
        const QString text = status.captured(2);
        return SessionManager::tr("The server at %1 answered with HTTP %2%3 instead of opening a "
                                  "chat connection (check the address and path).")
            .arg(host, code, text.isEmpty() ? QString() : u" "_s + text);
    }
    switch (error) {
    case QAbstractSocket::HostNotFoundError:
        *problem = ConnectionProblem::HostNotFound;
        return SessionManager::tr("The server name %1 was not found (DNS).").arg(host);
    case QAbstractSocket::ConnectionRefusedError:
        *problem = ConnectionProblem::ConnectionRefused;
        return SessionManager::tr("The server %1 refused the connection (is it running on port "
                                  "%2?).")
            .arg(host)
            .arg(url.port(url.scheme() == u"wss"_s ? 443 : 80));
    case QAbstractSocket::SocketTimeoutError:
        *problem = ConnectionProblem::TimedOut;
        return SessionManager::tr("The connection to %1 timed out.").arg(host);
    case QAbstractSocket::ProxyConnectionRefusedError:
    case QAbstractSocket::ProxyConnectionClosedError:
    case QAbstractSocket::ProxyConnectionTimeoutError:
    case QAbstractSocket::ProxyNotFoundError:
    case QAbstractSocket::ProxyProtocolError:
    case QAbstractSocket::ProxyAuthenticationRequiredError:
        *problem = ConnectionProblem::ProxyRefused;
        return SessionManager::tr("The proxy refused or failed the connection: %1").arg(errorText);
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        *problem = ConnectionProblem::TlsFailed;
        return SessionManager::tr("The secure (TLS) connection to %1 failed: %2")
            .arg(host, errorText);
    case QAbstractSocket::NetworkError:
        *problem = ConnectionProblem::NetworkDown;
        return SessionManager::tr("The network is unreachable: %1").arg(errorText);
    case QAbstractSocket::RemoteHostClosedError:
        *problem = ConnectionProblem::ConnectionLost;
        return SessionManager::tr("The server closed the connection.");
    default:
        *problem = ConnectionProblem::Other;
        return errorText;
    }
}

// --- the steps of opening ---------------------------------------------------------------------

void WebSocketTransport::watchSocketPhases()
{
    // QWebSocket does not expose its socket nor the steps of opening it; its stateChanged only
    // says "connecting" and, after the upgrade, "connected". The socket is its child object, so
    // follow that one's state (host lookup, connecting, connected) and, for wss://, `encrypted`.
    // Without it (another Qt might do otherwise) only the total is known: phasesSeparated false.
    m_tcp = m_socket->findChild<QAbstractSocket *>(QString(), Qt::FindDirectChildrenOnly);
    m_details.phasesSeparated = !m_tcp.isNull();
    if (!m_tcp)
        return;
    connect(m_tcp, &QAbstractSocket::stateChanged, this, &WebSocketTransport::notePhase);
    if (auto *ssl = qobject_cast<QSslSocket *>(m_tcp.data())) {
        connect(ssl, &QSslSocket::encrypted, this, [this] {
            if (m_encryptedAt < 0)
                m_encryptedAt = m_clock.elapsed();
            updatePhaseTimes();
            emit detailsChanged();
        });
    }
    // What open() already did before we could listen (an IP address needs no lookup).
    notePhase(m_tcp->state());
}

void WebSocketTransport::notePhase(QAbstractSocket::SocketState socketState)
{
    const qint64 now = m_clock.elapsed();
    switch (socketState) {
    case QAbstractSocket::HostLookupState:
        m_lookupSeen = true;
        break;
    case QAbstractSocket::ConnectingState:
    case QAbstractSocket::ConnectedState:
        // Straight to "connecting" (a literal address, or a proxy that resolves the name):
        // there was no lookup here and TCP started when the attempt did.
        if (m_connectingAt < 0)
            m_connectingAt = m_lookupSeen ? now : 0;
        if (socketState == QAbstractSocket::ConnectedState && m_tcpUpAt < 0) {
            m_tcpUpAt = now;
            updatePhaseTimes();
            emit detailsChanged();
        }
        break;
    default:
        break;
    }
}

void WebSocketTransport::updatePhaseTimes()
{
    ConnectionDetails &d = m_details;
    const bool tls = m_options.url.scheme() == u"wss"_s;
    if (m_upgradedAt >= 0)
        d.totalMs = m_upgradedAt;
    if (!d.phasesSeparated) {
        d.upgradeMs = d.totalMs; // TCP, TLS and the upgrade together
        return;
    }
    d.dnsMs = m_lookupSeen && m_connectingAt >= 0 ? m_connectingAt : -1;
    d.tcpMs = m_tcpUpAt >= 0 ? m_tcpUpAt - qMax<qint64>(0, m_connectingAt) : -1;
    d.tlsMs = tls && m_encryptedAt >= 0 && m_tcpUpAt >= 0 ? m_encryptedAt - m_tcpUpAt : -1;
    const qint64 upgradeFrom = tls ? m_encryptedAt : m_tcpUpAt;
    d.upgradeMs = m_upgradedAt >= 0 && upgradeFrom >= 0 ? m_upgradedAt - upgradeFrom : -1;
}

} // namespace conversa::core
