// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SessionManager.h"

#include "MessageCache.h"
#include "Outbox.h"

#include <Codec.h>
#include <Protocol.h>
#include <Validation.h>

#include <QAuthenticator>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QHostAddress>
#include <QNetworkInformation>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QSysInfo>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>

namespace conversa::core {

using namespace Qt::StringLiterals;
namespace proto = conversa::protocol;

namespace {

// Acknowledged sends the outbox could not mark, per room, before the room waits for the disk.
constexpr int kMaxUnrecordedSends = 1000;

qint64 nowMs()
{
    // Wall-clock time keeps counting while the machine sleeps, which is what late-timer
    // detection needs (the monotonic clock stops on Linux during suspend).
    return QDateTime::currentMSecsSinceEpoch();
}

bool isTransientSendError(proto::ErrorCode code)
{
    return code == proto::ErrorCode::RateLimited || code == proto::ErrorCode::Internal ||
           code == proto::ErrorCode::Unauthorized;
}

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

SessionManager::SessionManager(QObject *parent)
    : QObject(parent)
{
    m_deviceName = QSysInfo::machineHostName();
    m_connectTimer.setSingleShot(true);
    m_pongTimer.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    m_countdownTimer.setInterval(250);
    // The heartbeat decides when a link is dead: coarse timers could add up to 5 % to it.
    m_pingTimer.setTimerType(Qt::PreciseTimer);
    m_pongTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        linkDown(ConnectionProblem::TimedOut,
                 tr("The server did not answer within %1 s.")
                     .arg(m_timing.connectTimeoutMs / 1000.0, 0, 'g', 3));
    });
    connect(&m_pingTimer, &QTimer::timeout, this, &SessionManager::onPingTick);
    connect(&m_pongTimer, &QTimer::timeout, this, &SessionManager::onPongTimeout);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &SessionManager::connectNow);
    connect(&m_countdownTimer, &QTimer::timeout, this, &SessionManager::updateCountdown);
    connect(&m_recordRetryTimer, &QTimer::timeout, this, &SessionManager::recordUnrecordedSends);
    setWatchNetwork(true);
}

SessionManager::~SessionManager()
{
    teardownSocket();
}

QUrl SessionManager::normalizeServerUrl(const QString &text)
{
    QString input = text.trimmed();
    if (!input.contains(u"://"_s))
        input.prepend(u"ws://"_s);
    QUrl url(input, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return {};
    const QString scheme = url.scheme().toLower();
    if (scheme == u"http"_s)
        url.setScheme(u"ws"_s);
    else if (scheme == u"https"_s)
        url.setScheme(u"wss"_s);
    else if (scheme != u"ws"_s && scheme != u"wss"_s)
        return {};
    if (url.path().isEmpty() || url.path() == u"/"_s)
        url.setPath(proto::kWebSocketPath);
    return url;
}

QString SessionManager::accountKey(const QString &user, const QUrl &serverUrl)
{
    const int port = serverUrl.port(serverUrl.scheme() == u"wss"_s ? 443 : 80);
    return u"%1@%2:%3"_s.arg(user, serverUrl.host().toLower()).arg(port);
}

void SessionManager::setCache(MessageCache *cache)
{
    m_cache = cache;
}

void SessionManager::setOutbox(Outbox *outbox)
{
    m_outbox = outbox;
}

void SessionManager::setProxy(ProxyMode mode, const QUrl &proxyUrl)
{
    m_proxyMode = mode;
    m_proxyUrl = proxyUrl;
}

bool SessionManager::setExtraCaFile(const QString &path, QString *errorMessage)
{
    m_extraCas.clear();
    if (path.isEmpty())
        return true;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (errorMessage)
            *errorMessage = tr("Cannot read the CA file %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray data = file.readAll();
    m_extraCas = QSslCertificate::fromData(data, QSsl::Pem);
    if (m_extraCas.isEmpty())
        m_extraCas = QSslCertificate::fromData(data, QSsl::Der);
    if (m_extraCas.isEmpty()) {
        if (errorMessage)
            *errorMessage = tr("The CA file %1 holds no certificate (PEM or DER).").arg(path);
        return false;
    }
    return true;
}

void SessionManager::setWatchNetwork(bool watch)
{
    m_watchNetwork = watch;
    if (!watch)
        return;
    static const bool loaded =
        QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability);
    if (!loaded || !QNetworkInformation::instance())
        return;
    connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
            [this](QNetworkInformation::Reachability reachability) {
                if (!m_watchNetwork)
                    return;
                if (reachability == QNetworkInformation::Reachability::Online ||
                    reachability == QNetworkInformation::Reachability::Site) {
                    if (state() == ConnectionState::WaitingToReconnect)
                        reconnectNow();
                }
            });
}

// --- state ------------------------------------------------------------------------------------

void SessionManager::setStatus(ConnectionState state, ConnectionProblem problem,
                               const QString &reason, int secondsLeft)
{
    const bool stateChange = state != m_status.state;
    ConnectionStatus next{state, problem, reason, secondsLeft};
    if (!stateChange && next.problem == m_status.problem && next.reason == m_status.reason &&
        next.secondsLeft == m_status.secondsLeft)
        return;
    m_status = next;
    if (stateChange)
        emit stateChanged(state);
    emit statusChanged(m_status);
}

void SessionManager::signIn(const QString &user, const QString &password)
{
    stopAll(ConnectionState::SignedOut, ConnectionProblem::None, {});
    m_mode = Mode::Login;
    m_user = user;
    m_password = password;
    m_token.clear();
    m_backoff.reset();
    m_sessionsSinceSignIn = 0;
    m_details = ConnectionDetails{};
    connectNow();
}

void SessionManager::resume(const QString &user, const QString &token)
{
    stopAll(ConnectionState::SignedOut, ConnectionProblem::None, {});
    m_mode = Mode::Resume;
    m_user = user;
    m_token = token;
    m_password.clear();
    m_backoff.reset();
    m_sessionsSinceSignIn = 0;
    m_details = ConnectionDetails{};
    connectNow();
}

void SessionManager::logout()
{
    if (m_mode == Mode::Idle) {
        emit loggedOut(false);
        return;
    }
    if (!m_authenticated) {
        // Revoke as soon as the session is up; the caller decides how long to wait.
        m_logoutRequested = true;
        if (state() == ConnectionState::WaitingToReconnect)
            reconnectNow();
        return;
    }
    sendFrame(proto::LogoutRequest{}, [this](const RequestResult &result) {
        const bool confirmed = result.isOk();
        stopAll(ConnectionState::SignedOut, ConnectionProblem::None, {});
        m_token.clear();
        m_mode = Mode::Idle;
        emit loggedOut(confirmed);
    });
}

void SessionManager::signOut()
{
    stopAll(ConnectionState::SignedOut, ConnectionProblem::None, {});
    m_mode = Mode::Idle;
    m_token.clear();
    m_password.clear();
}

void SessionManager::stopAll(ConnectionState state, ConnectionProblem problem,
                             const QString &reason)
{
    teardownSocket();
    m_reconnectTimer.stop();
    m_countdownTimer.stop();
    m_logoutRequested = false;
    setStatus(state, problem, reason);
}

void SessionManager::reconnectNow()
{
    if (m_mode == Mode::Idle)
        return;
    if (state() == ConnectionState::WaitingToReconnect || state() == ConnectionState::Connecting) {
        m_reconnectTimer.stop();
        m_countdownTimer.stop();
        teardownSocket();
        connectNow();
    }
}

// --- connection -------------------------------------------------------------------------------

void SessionManager::connectNow()
{
    teardownSocket();
    m_reconnectTimer.stop();
    m_countdownTimer.stop();
    if (m_mode == Mode::Idle)
        return;
    if (!m_url.isValid()) {
        stopAll(ConnectionState::SignedOut, ConnectionProblem::Other,
                tr("No valid server address is set."));
        return;
    }

    const quint64 attempt = ++m_attempt;
    m_attemptEndScheduled = false;
    m_attemptProblem = ConnectionProblem::None;
    m_attemptReason.clear();
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);

    switch (m_proxyMode) {
    case ProxyMode::System: {
        static const bool useSystem = [] {
            QNetworkProxyFactory::setUseSystemConfiguration(true);
            return true;
        }();
        Q_UNUSED(useSystem);
        // Like browsers, never send a loopback connection through the system's proxy.
        const QHostAddress address(m_url.host());
        const bool loopback = address.isLoopback() || m_url.host() == u"localhost"_s;
        m_socket->setProxy(
            QNetworkProxy(loopback ? QNetworkProxy::NoProxy : QNetworkProxy::DefaultProxy));
        break;
    }
    case ProxyMode::None:
        m_socket->setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        break;
    case ProxyMode::Http:
    case ProxyMode::Socks5: {
        const auto type =
            m_proxyMode == ProxyMode::Http ? QNetworkProxy::HttpProxy : QNetworkProxy::Socks5Proxy;
        const int defaultPort = m_proxyMode == ProxyMode::Http ? 8080 : 1080;
        QNetworkProxy proxy(type, m_proxyUrl.host(), quint16(m_proxyUrl.port(defaultPort)),
                            m_proxyUrl.userName(), m_proxyUrl.password());
        m_socket->setProxy(proxy);
        break;
    }
    }

    if (m_url.scheme() == u"wss"_s) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        if (!m_extraCas.isEmpty())
            ssl.addCaCertificates(m_extraCas);
        m_socket->setSslConfiguration(ssl);
    }

    connect(m_socket, &QWebSocket::connected, this, &SessionManager::onConnected);
    connect(m_socket, &QWebSocket::disconnected, this, &SessionManager::onDisconnected);
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            &SessionManager::onSocketError);
    connect(m_socket, &QWebSocket::sslErrors, this, &SessionManager::onSslErrors);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &SessionManager::onTextMessage);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this] {
        linkDown(ConnectionProblem::ProtocolError, tr("The server sent binary data."));
    });
    connect(m_socket, &QWebSocket::pong, this, &SessionManager::onPong);
    connect(m_socket, &QWebSocket::proxyAuthenticationRequired, this, [this, attempt] {
        if (attempt != m_attempt)
            return;
        m_attemptProblem = ConnectionProblem::ProxyRefused;
        m_attemptReason = tr("The proxy asks for a user name and password; put them in the proxy "
                             "address (http://user:password@host:port).");
    });

    resetConnectionDetails();
    ++m_details.attempts;
    m_details.serverUrl = m_url;
    m_details.user = m_user;
    m_details.proxy = m_socket->proxy();
    if (m_details.proxy.type() == QNetworkProxy::DefaultProxy) {
        // What the system settings give for this address, as the socket asks them.
        const auto system = QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(m_url));
        m_details.proxy =
            system.isEmpty() ? QNetworkProxy(QNetworkProxy::NoProxy) : system.constFirst();
        m_details.proxyFromSystem = true;
    }

    setStatus(ConnectionState::Connecting);
    m_connectTimer.start(m_timing.connectTimeoutMs);

    QNetworkRequest request(m_url);
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      u"Conversa/%1"_s.arg(QLatin1StringView(CONVERSA_VERSION)));
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({proto::kSubprotocol});
    m_attemptClock.start();
    m_socket->open(request, options);
    watchSocketPhases();
    emitDetails();
}

// --- connection details -----------------------------------------------------------------------

void SessionManager::resetConnectionDetails()
{
    // Per connection; the server, the user and the counters since sign-in stay.
    ConnectionDetails fresh;
    fresh.serverUrl = m_details.serverUrl;
    fresh.user = m_details.user;
    fresh.attempts = m_details.attempts;
    fresh.reconnects = m_details.reconnects;
    m_details = fresh;
    m_transport.clear();
    m_lookupSeen = false;
    m_connectingAt = m_tcpUpAt = m_encryptedAt = m_upgradedAt = -1;
}

void SessionManager::emitDetails()
{
    emit connectionDetailsChanged(m_details);
}

void SessionManager::watchSocketPhases()
{
    // QWebSocket does not expose its socket nor the steps of opening it; its stateChanged only
    // says "connecting" and, after the upgrade, "connected". The socket is its child object, so
    // follow that one's state (host lookup, connecting, connected) and, for wss://, `encrypted`.
    // Without it (another Qt might do otherwise) only the total is known: phasesSeparated false.
    if (!m_socket)
        return;
    m_transport = m_socket->findChild<QAbstractSocket *>(QString(), Qt::FindDirectChildrenOnly);
    m_details.phasesSeparated = !m_transport.isNull();
    if (!m_transport)
        return;
    const quint64 attempt = m_attempt;
    connect(m_transport, &QAbstractSocket::stateChanged, this,
            [this, attempt](QAbstractSocket::SocketState socketState) {
                if (attempt == m_attempt)
                    notePhase(socketState);
            });
    if (auto *ssl = qobject_cast<QSslSocket *>(m_transport.data())) {
        connect(ssl, &QSslSocket::encrypted, this, [this, attempt] {
            if (attempt == m_attempt)
                onEncrypted();
        });
    }
    // What open() already did before we could listen (an IP address needs no lookup).
    notePhase(m_transport->state());
}

void SessionManager::notePhase(QAbstractSocket::SocketState socketState)
{
    const qint64 now = m_attemptClock.elapsed();
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
            emitDetails();
        }
        break;
    default:
        break;
    }
}

void SessionManager::onEncrypted()
{
    if (m_encryptedAt < 0)
        m_encryptedAt = m_attemptClock.elapsed();
    updatePhaseTimes();
    emitDetails();
}

void SessionManager::updatePhaseTimes()
{
    ConnectionDetails &d = m_details;
    const bool tls = m_url.scheme() == u"wss"_s;
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

void SessionManager::teardownSocket()
{
    m_connectTimer.stop();
    m_pingTimer.stop();
    m_pongTimer.stop();
    if (m_authenticated)
        m_backoff.sessionLost();
    m_authenticated = false;
    m_roomsRequested = false;
    m_roomsLoaded = false;
    for (RoomSync &room : m_rooms)
        room.syncing = false;
    m_inFlight.clear();
    if (m_socket) {
        QWebSocket *socket = m_socket;
        m_socket = nullptr;
        socket->disconnect(this);
        if (m_transport)
            m_transport->disconnect(this);
        socket->abort();
        socket->deleteLater();
        resetConnectionDetails();
        emitDetails();
    }
    // Fail what was waiting for an answer; callers may retry on the next session.
    const auto pending = std::exchange(m_pending, {});
    for (const ReplyHandler &handler : pending) {
        if (handler)
            handler(RequestResult{RequestResult::Outcome::ConnectionLost,
                                  {},
                                  proto::ErrorCode::Internal,
                                  {},
                                  tr("The connection was lost before the server answered.")});
    }
}

void SessionManager::linkDown(ConnectionProblem problem, const QString &reason, bool immediate)
{
    if (m_mode == Mode::Idle)
        return;
    teardownSocket();
    if (m_mode == Mode::Idle) // a reply handler signed out meanwhile
        return;

    if (problem == ConnectionProblem::TokenRevoked) {
        m_token.clear();
        m_mode = Mode::Idle;
        stopAll(ConnectionState::AuthFailed, problem, reason);
        emit tokenRejected(m_user);
        return;
    }
    if (m_mode == Mode::Login) {
        // A sign-in with a password is the person's action: report, do not retry with it.
        m_password.clear();
        m_mode = Mode::Idle;
        stopAll(ConnectionState::SignedOut, problem, reason);
        return;
    }
    scheduleReconnect(problem, reason, immediate ? 0 : m_backoff.nextDelayMs());
}

void SessionManager::scheduleReconnect(ConnectionProblem problem, const QString &reason,
                                       qint64 delayMs)
{
    m_reconnectDueMs = nowMs() + delayMs;
    const int seconds = int((delayMs + 999) / 1000);
    setStatus(ConnectionState::WaitingToReconnect, problem, reason, seconds);
    m_reconnectTimer.start(int(delayMs));
    m_countdownTimer.start();
}

void SessionManager::updateCountdown()
{
    if (state() != ConnectionState::WaitingToReconnect) {
        m_countdownTimer.stop();
        return;
    }
    const qint64 left = std::max<qint64>(0, m_reconnectDueMs - nowMs());
    setStatus(ConnectionState::WaitingToReconnect, m_status.problem, m_status.reason,
              int((left + 999) / 1000));
}

void SessionManager::onConnected()
{
    m_connectTimer.start(m_timing.connectTimeoutMs); // now for the sign-in answer
    m_upgradedAt = m_attemptClock.elapsed();
    if (m_transport && m_tcpUpAt < 0)
        notePhase(m_transport->state());
    ConnectionDetails &d = m_details;
    d.connected = true;
    d.connectedSince = QDateTime::currentDateTime();
    d.peerName = m_socket->peerName();
    d.peerAddress = m_socket->peerAddress();
    d.peerPort = m_socket->peerPort();
    if (m_url.scheme() == u"wss"_s) {
        auto *ssl = qobject_cast<QSslSocket *>(m_transport.data());
        const QSslConfiguration tls = ssl ? ssl->sslConfiguration() : m_socket->sslConfiguration();
        d.encrypted = true;
        d.tlsProtocol = tls.sessionProtocol();
        d.tlsCipher = tls.sessionCipher().name();
        d.certificateChain = tls.peerCertificateChain();
    }
    updatePhaseTimes();
    emitDetails();
    setStatus(ConnectionState::Authenticating);
    m_lastPingTickMs = nowMs();
    m_pingTimer.start(m_timing.pingIntervalMs);

    if (m_mode == Mode::Login) {
        proto::LoginRequest login{
            {}, m_user, m_password, m_deviceName.left(proto::kMaxDeviceLength)};
        m_password.clear();
        sendFrame(login, [this](const RequestResult &result) {
            if (result.isOk()) {
                const QString token = result.payload.value("token"_L1).toString();
                m_token = token;
                m_mode = Mode::Resume;
                emit tokenIssued(m_user, token);
                if (m_mode != Mode::Resume || !m_socket)
                    return; // a receiver signed out meanwhile
                onSignedIn(result.payload);
            } else if (result.outcome == RequestResult::Outcome::Error) {
                const bool limited = result.code == proto::ErrorCode::RateLimited;
                m_mode = Mode::Idle;
                stopAll(ConnectionState::AuthFailed,
                        limited ? ConnectionProblem::RateLimited : ConnectionProblem::WrongPassword,
                        limited ? tr("Too many sign-in attempts; wait a minute and try again.")
                                : tr("The user name or password is not right."));
            }
        });
    } else {
        sendFrame(proto::AuthRequest{{}, m_token}, [this](const RequestResult &result) {
            if (result.isOk()) {
                onSignedIn(result.payload);
            } else if (result.outcome == RequestResult::Outcome::Error) {
                if (result.code == proto::ErrorCode::Unauthorized)
                    linkDown(ConnectionProblem::TokenRevoked,
                             tr("The server no longer accepts this device's sign-in; enter your "
                                "password again."));
                else
                    linkDown(ConnectionProblem::Other,
                             tr("The server refused the session: %1").arg(result.message));
            }
        });
    }
}

void SessionManager::onSignedIn(const QJsonObject &answer)
{
    m_connectTimer.stop();
    if (const QString user = answer.value("user"_L1).toString(); !user.isEmpty())
        m_user = user;
    m_details.instance = answer.value("instance"_L1).toString().left(128);
    // Older servers send no limits: protocol v1's defaults stay. Nonsense values are ignored.
    ServerLimits limits;
    const QJsonObject told = answer.value("limits"_L1).toObject();
    const auto positive = [&told](QLatin1StringView key, qint64 fallback) {
        const qint64 value = told.value(key).toInteger(fallback);
        return value > 0 ? value : fallback;
    };
    limits.maxBodyBytes = positive("max_body_bytes"_L1, limits.maxBodyBytes);
    limits.maxFileBytes = positive("max_file_bytes"_L1, limits.maxFileBytes);
    limits.maxFilesPerMessage =
        static_cast<int>(qMin<qint64>(1000, positive("max_files_per_message"_L1, 10)));
    const double rate = told.value("messages_per_second"_L1).toDouble(0);
    limits.messagesPerSecond = rate > 0 && rate < 1e9 ? rate : 0;
    limits.messageBurst = static_cast<int>(
        qBound(qint64(0), told.value("message_burst"_L1).toInteger(0), qint64(1'000'000)));
    if (limits != m_limits) {
        m_limits = limits;
        emit serverLimitsChanged(m_limits);
    }
    m_authenticated = true;
    m_backoff.sessionEstablished();
    m_details.user = m_user;
    m_details.authenticated = true;
    if (m_sessionsSinceSignIn++ > 0)
        ++m_details.reconnects;
    emitDetails();
    setStatus(ConnectionState::Syncing);
    if (m_logoutRequested) {
        m_logoutRequested = false;
        logout();
        return;
    }
    if (m_outbox)
        m_outbox->purgeSent();
    refreshRooms();
    flushOutbox();
}

void SessionManager::onDisconnected()
{
    scheduleAttemptEnd();
}

void SessionManager::scheduleAttemptEnd()
{
    // The socket reports an ended attempt with disconnected() and errorOccurred() in either
    // order (or only one of them): conclude once, after both had their say.
    if (!m_socket || m_attemptEndScheduled)
        return;
    m_attemptEndScheduled = true;
    const quint64 attempt = m_attempt;
    QMetaObject::invokeMethod(
        this,
        [this, attempt] {
            if (attempt != m_attempt || !m_socket)
                return;
            m_attemptEndScheduled = false;
            if (m_socket->state() == QAbstractSocket::ConnectedState)
                return; // an error the link survived; disconnected() follows if it did not
            concludeAttempt();
        },
        Qt::QueuedConnection);
}

void SessionManager::concludeAttempt()
{
    if (!m_socket)
        return;
    const int code = m_socket->closeCode();
    ConnectionProblem problem = ConnectionProblem::None;
    QString reason = describeCloseCode(code, &problem);
    if (problem == ConnectionProblem::None || problem == ConnectionProblem::ConnectionLost) {
        if (m_attemptProblem != ConnectionProblem::None) {
            problem = m_attemptProblem;
            reason = m_attemptReason;
        }
    }
    if (problem == ConnectionProblem::None) {
        problem = ConnectionProblem::ConnectionLost;
        reason = tr("The connection was closed.");
    }
    linkDown(problem, reason);
}

QString SessionManager::describeCloseCode(int code, ConnectionProblem *problem) const
{
    const QString why = m_socket ? m_socket->closeReason() : QString();
    switch (code) {
    case proto::CloseCode::GoingAway:
        *problem = ConnectionProblem::ServerGoingAway;
        return tr("The server is restarting or shutting down.");
    case proto::CloseCode::TokenRevoked:
        *problem = ConnectionProblem::TokenRevoked;
        return tr("This device was signed out (its sign-in was revoked or the account disabled); "
                  "enter your password again.");
    case proto::CloseCode::AuthTimeout:
        *problem = ConnectionProblem::TimedOut;
        return tr("The server closed the connection: sign-in took too long.");
    case proto::CloseCode::IdleTimeout:
        *problem = ConnectionProblem::TimedOut;
        return tr("The server closed an idle connection.");
    case proto::CloseCode::UnsupportedData:
    case proto::CloseCode::PolicyViolation:
    case proto::CloseCode::TooLarge:
        *problem = ConnectionProblem::ProtocolError;
        return tr("The server closed the connection (code %1%2).")
            .arg(code)
            .arg(why.isEmpty() ? QString() : u": "_s + why);
    case proto::CloseCode::Normal:
        *problem = ConnectionProblem::ConnectionLost;
        return tr("The server closed the connection.");
    default:
        *problem = ConnectionProblem::ConnectionLost;
        return tr("The connection was lost.");
    }
}

QString SessionManager::describeSocketError(QAbstractSocket::SocketError error,
                                            ConnectionProblem *problem) const
{
    const QString host = m_url.host();
    const QString errorText = m_socket ? m_socket->errorString() : QString();
    static const QRegularExpression httpStatus(u"status code:?\\s*(\\d{3})(?:\\s*\\(([^)]*)\\))?"_s,
                                               QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch status = httpStatus.match(errorText);
    if (status.hasMatch()) {
        *problem = ConnectionProblem::UpgradeRefused;
        const QString code = status.captured(1);
        const QString text = status.captured(2);
        return tr("The server at %1 answered with HTTP %2%3 instead of opening a chat connection "
                  "(check the address and path).")
            .arg(host, code, text.isEmpty() ? QString() : u" "_s + text);
    }
    switch (error) {
    case QAbstractSocket::HostNotFoundError:
        *problem = ConnectionProblem::HostNotFound;
        return tr("The server name %1 was not found (DNS).").arg(host);
    case QAbstractSocket::ConnectionRefusedError:
        *problem = ConnectionProblem::ConnectionRefused;
        return tr("The server %1 refused the connection (is it running on port %2?).")
            .arg(host)
            .arg(m_url.port(m_url.scheme() == u"wss"_s ? 443 : 80));
    case QAbstractSocket::SocketTimeoutError:
        *problem = ConnectionProblem::TimedOut;
        return tr("The connection to %1 timed out.").arg(host);
    case QAbstractSocket::ProxyConnectionRefusedError:
    case QAbstractSocket::ProxyConnectionClosedError:
    case QAbstractSocket::ProxyConnectionTimeoutError:
    case QAbstractSocket::ProxyNotFoundError:
    case QAbstractSocket::ProxyProtocolError:
    case QAbstractSocket::ProxyAuthenticationRequiredError:
        *problem = ConnectionProblem::ProxyRefused;
        return tr("The proxy refused or failed the connection: %1").arg(errorText);
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        *problem = ConnectionProblem::TlsFailed;
        return tr("The secure (TLS) connection to %1 failed: %2").arg(host, errorText);
    case QAbstractSocket::NetworkError:
        *problem = ConnectionProblem::NetworkDown;
        return tr("The network is unreachable: %1").arg(errorText);
    case QAbstractSocket::RemoteHostClosedError:
        *problem = ConnectionProblem::ConnectionLost;
        return tr("The server closed the connection.");
    default:
        *problem = ConnectionProblem::Other;
        return errorText;
    }
}

void SessionManager::onSocketError(QAbstractSocket::SocketError error)
{
    if (!m_socket)
        return;
    ConnectionProblem problem = ConnectionProblem::None;
    const QString reason = describeSocketError(error, &problem);
    // A certificate or proxy problem said more than the error that follows it.
    if (m_attemptProblem == ConnectionProblem::None ||
        (m_attemptProblem == ConnectionProblem::ConnectionLost &&
         problem != ConnectionProblem::ConnectionLost)) {
        m_attemptProblem = problem;
        m_attemptReason = reason;
    }
    scheduleAttemptEnd();
}

void SessionManager::onSslErrors(const QList<QSslError> &errors)
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
    QString reason =
        tr("The certificate of %1 is not trusted: %2.").arg(m_url.host(), problems.join(u"; "_s));
    if (!certificate.isNull())
        reason +=
            u" "_s + tr("Certificate for “%1”, issued by “%2”.")
                         .arg(certificate.subjectDisplayName(), certificate.issuerDisplayName());
    if (m_extraCas.isEmpty())
        reason += u" "_s + tr("If this is your organisation's own server, ask for its CA "
                              "certificate and add it as an extra CA file.");
    m_attemptProblem = ConnectionProblem::UntrustedCertificate;
    m_attemptReason = reason;
}

// --- heartbeat --------------------------------------------------------------------------------

void SessionManager::onPingTick()
{
    if (!m_socket)
        return;
    const qint64 now = nowMs();
    const qint64 late = now - m_lastPingTickMs - m_timing.pingIntervalMs;
    m_lastPingTickMs = now;
    if (late > m_timing.lateTimerToleranceMs) {
        // The timer fired far too late: the machine slept and the link is almost surely gone.
        linkDown(ConnectionProblem::ConnectionLost, tr("The computer was asleep; reconnecting."),
                 true);
        return;
    }
    if (!m_pongTimer.isActive()) {
        m_socket->ping();
        m_pongTimer.start(m_timing.pongTimeoutMs);
    }
}

void SessionManager::onPong(quint64 elapsedMs)
{
    m_pongTimer.stop();
    // QWebSocket times its own ping: the round trip, in milliseconds.
    m_details.pingRttMs = qint64(elapsedMs);
    m_details.lastPongAt = QDateTime::currentDateTime();
    emitDetails();
}

void SessionManager::onPongTimeout()
{
    linkDown(ConnectionProblem::TimedOut, tr("The server stopped answering (no reply for %1 s).")
                                              .arg(m_timing.pongTimeoutMs / 1000.0, 0, 'g', 3));
}

// --- frames -----------------------------------------------------------------------------------

void SessionManager::sendFrame(const proto::Request &request, ReplyHandler handler)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        if (handler)
            handler(RequestResult{RequestResult::Outcome::ConnectionLost,
                                  {},
                                  proto::ErrorCode::Internal,
                                  {},
                                  tr("Not connected.")});
        return;
    }
    proto::Request withId = request;
    const qint64 id = m_nextId++;
    std::visit(
        [id](auto &r) {
            if constexpr (requires { r.id; })
                r.id = QJsonValue(id);
        },
        withId);
    if (!std::holds_alternative<proto::TypingRequest>(withId))
        m_pending.insert(id, std::move(handler));
    m_socket->sendTextMessage(QString::fromUtf8(proto::encodeRequest(withId)));
}

void SessionManager::request(proto::Request request, ReplyHandler handler)
{
    if (!m_authenticated) {
        if (handler)
            handler(RequestResult{RequestResult::Outcome::ConnectionLost,
                                  {},
                                  proto::ErrorCode::Internal,
                                  {},
                                  tr("Not connected.")});
        return;
    }
    // Membership changes: the room list (and the rooms to sync) follow.
    const bool changesRooms = std::holds_alternative<proto::CreateRequest>(request) ||
                              std::holds_alternative<proto::JoinRequest>(request) ||
                              std::holds_alternative<proto::LeaveRequest>(request);
    if (changesRooms) {
        handler = [this, handler = std::move(handler)](const RequestResult &result) {
            if (result.isOk() && m_authenticated) {
                setStatus(ConnectionState::Syncing);
                refreshRooms();
            }
            if (handler)
                handler(result);
        };
    }
    sendFrame(request, std::move(handler));
}

void SessionManager::onTextMessage(const QString &text)
{
    auto decoded = proto::decodeServerFrame(text.toUtf8());
    if (auto *error = std::get_if<proto::DecodeError>(&decoded)) {
        qWarning("conversa-core: ignoring a frame from the server: %s",
                 qUtf8Printable(error->message));
        return;
    }
    auto &frame = std::get<proto::ServerFrame>(decoded);
    if (auto *ok = std::get_if<proto::OkReply>(&frame)) {
        const ReplyHandler handler = m_pending.take(ok->re.toInteger(-1));
        if (handler)
            handler(RequestResult{RequestResult::Outcome::Ok, ok->payload, {}, {}, {}});
    } else if (auto *err = std::get_if<proto::ErrorReply>(&frame)) {
        const ReplyHandler handler = m_pending.take(err->re.toInteger(-1));
        if (handler)
            handler(RequestResult{
                RequestResult::Outcome::Error, {}, err->code, err->codeName, err->message});
        else if (!err->message.isEmpty())
            qWarning("conversa-core: server error: %s", qUtf8Printable(err->message));
    } else if (auto *message = std::get_if<proto::MessageEvent>(&frame)) {
        ingest(message->room, {*message});
    } else if (auto *typing = std::get_if<proto::TypingEvent>(&frame)) {
        emit typingReceived(typing->room, typing->user);
    } else if (auto *presence = std::get_if<proto::PresenceEvent>(&frame)) {
        emit presenceChanged(presence->user, presence->online);
    }
}

// --- rooms and sync ---------------------------------------------------------------------------

void SessionManager::refreshRooms()
{
    if (!m_authenticated || m_roomsRequested)
        return;
    m_roomsRequested = true;
    sendFrame(proto::RoomsRequest{}, [this](const RequestResult &result) {
        m_roomsRequested = false;
        onRoomsReply(result);
    });
}

void SessionManager::onRoomsReply(const RequestResult &result)
{
    if (result.outcome == RequestResult::Outcome::ConnectionLost)
        return;
    const auto rooms = result.isOk() ? proto::roomsFromPayload(result.payload) : std::nullopt;
    if (!rooms) {
        linkDown(ConnectionProblem::ProtocolError, tr("The server's room list could not be read."));
        return;
    }
    // A server restored from a backup hands out again seqs that we may hold for other
    // messages; its `epoch` then differs from the one our copy came from.
    const qint64 epoch = result.payload.value("epoch"_L1).toInteger();
    const qint64 knownEpoch =
        m_cache ? m_cache->historyEpoch() : (m_historyEpoch < 0 ? epoch : m_historyEpoch);
    if (epoch != knownEpoch)
        resetHistory({}, epoch);
    m_historyEpoch = epoch;
    if (m_cache) {
        // Read markers set while offline go to the server now.
        for (const proto::RoomSummary &summary : *rooms) {
            const auto cached = m_cache->room(summary.room);
            if (cached && cached->readSeq > summary.readSeq)
                sendFrame(proto::ReadRequest{{}, summary.room, cached->readSeq}, {});
        }
        m_cache->updateRooms(*rooms);
    }
    QSet<QString> listed;
    for (const proto::RoomSummary &summary : *rooms) {
        listed.insert(summary.room);
        initializeRoom(summary);
    }
    for (auto it = m_rooms.begin(); it != m_rooms.end();) {
        if (!listed.contains(it.key()))
            it = m_rooms.erase(it);
        else
            ++it;
    }
    m_roomsLoaded = true;
    emit roomsUpdated(*rooms);
    for (const proto::RoomSummary &summary : *rooms)
        syncRoom(summary.room);
    maybeFinishSync();
}

void SessionManager::initializeRoom(const proto::RoomSummary &summary)
{
    RoomSync &room = m_rooms[summary.room];
    if (room.initialized)
        return;
    room.initialized = true;
    const qint64 cached = m_cache ? m_cache->syncedSeq(summary.room) : 0;
    room.contiguous = cached;
    if (cached == 0 && summary.lastSeq > m_initialBacklog) {
        // Never synced: start with the recent part; older history is paged on demand.
        room.contiguous = summary.lastSeq - m_initialBacklog;
        if (m_cache)
            m_cache->storeMessages(summary.room, {}, room.contiguous);
    }
    // Live events that arrived before the room was known.
    room.buffered.removeIf([&](auto it) { return it.key() <= room.contiguous; });
}

void SessionManager::syncRoom(const QString &name)
{
    RoomSync &room = m_rooms[name];
    if (room.syncing || !m_authenticated)
        return;
    room.syncing = true;
    proto::SyncRequest sync{{}, name, room.contiguous, 500};
    sendFrame(sync, [this, name](const RequestResult &result) {
        if (result.outcome == RequestResult::Outcome::ConnectionLost)
            return;
        auto it = m_rooms.find(name);
        if (it == m_rooms.end())
            return;
        if (result.code == proto::ErrorCode::Conflict &&
            result.outcome == RequestResult::Outcome::Error) {
            // We hold seqs the server never had (it was restored from a backup): start over.
            qWarning("conversa-core: %s: %s", qUtf8Printable(name), qUtf8Printable(result.message));
            resetHistory(name, m_historyEpoch);
            refreshRooms();
            return;
        }
        if (!result.isOk()) {
            it->syncing = false;
            // Left or deleted meanwhile: forget it; anything else is worth a warning only.
            qWarning("conversa-core: sync of %s failed: %s", qUtf8Printable(name),
                     qUtf8Printable(result.message));
            maybeFinishSync();
            return;
        }
        const auto messages = proto::messagesFromPayload(result.payload);
        if (!messages) {
            it->syncing = false;
            linkDown(ConnectionProblem::ProtocolError, tr("A sync answer could not be read."));
            return;
        }
        const qint64 before = it->contiguous;
        ingest(name, *messages);
        it = m_rooms.find(name);
        if (it == m_rooms.end())
            return;
        it->syncing = false;
        const bool more = result.payload.value("more"_L1).toBool();
        // Keep paging while the server has more, or while a gap is still open (live events
        // arrived beyond what the sync reached) and this page made progress.
        if (more || (!it->buffered.isEmpty() && it->contiguous > before))
            syncRoom(name);
        else
            maybeFinishSync();
    });
}

void SessionManager::resetHistory(const QString &room, qint64 epoch)
{
    if (m_cache) {
        const bool reset =
            room.isEmpty() ? m_cache->resetHistory(epoch) : m_cache->resetRoomHistory(room);
        if (!reset)
            qWarning("conversa-core: cannot reset the cache: %s",
                     qUtf8Printable(m_cache->lastError()));
    }
    for (auto it = m_rooms.begin(); it != m_rooms.end(); ++it) {
        if (room.isEmpty() || it.key() == room)
            it.value() = RoomSync{};
    }
    emit historyReset(room);
}

void SessionManager::maybeFinishSync()
{
    if (!m_authenticated || !m_roomsLoaded || state() != ConnectionState::Syncing)
        return;
    for (const RoomSync &room : std::as_const(m_rooms)) {
        if (room.syncing)
            return;
    }
    setStatus(ConnectionState::Online);
    emit synced();
}

void SessionManager::ingest(const QString &name, const QList<proto::MessageEvent> &messages)
{
    RoomSync &room = m_rooms[name];
    for (const proto::MessageEvent &m : messages) {
        if (!room.initialized || m.seq > room.contiguous)
            room.buffered.insert(m.seq, m);
    }
    if (!room.initialized) {
        // A room we did not know yet (just joined or created elsewhere): learn about it.
        refreshRooms();
        return;
    }
    QList<proto::MessageEvent> ready;
    while (!room.buffered.isEmpty() && room.buffered.firstKey() <= room.contiguous + 1) {
        proto::MessageEvent m = room.buffered.take(room.buffered.firstKey());
        if (m.seq == room.contiguous + 1) {
            room.contiguous = m.seq;
            ready.append(std::move(m));
        }
    }
    if (!ready.isEmpty()) {
        if (m_cache)
            m_cache->storeMessages(name, ready, room.contiguous);
        for (const proto::MessageEvent &m : std::as_const(ready))
            emit messageReceived(m);
    }
    // A gap that no running sync will fill: ask for it.
    auto it = m_rooms.find(name);
    if (it != m_rooms.end() && !it->buffered.isEmpty() && !it->syncing && m_authenticated)
        syncRoom(name);
}

// --- outbox -----------------------------------------------------------------------------------

QString SessionManager::sendMessage(const QString &room, const QString &body)
{
    // What the server would refuse for good is not queued at all.
    if (!m_outbox || !proto::isValidRoomName(room) || !proto::hasVisibleText(body) ||
        !proto::isWellFormedText(body))
        return {};
    const QString cid = m_outbox->enqueue(room, body);
    if (!cid.isEmpty() && !m_inFlight.contains(room))
        sendNextFromOutbox(room);
    return cid;
}

void SessionManager::flushOutbox()
{
    if (!m_outbox || !m_authenticated)
        return;
    for (const QString &room : m_outbox->roomsWithPending()) {
        if (!m_inFlight.contains(room))
            sendNextFromOutbox(room);
    }
    checkOutboxIdle();
}

bool SessionManager::outboxIdle() const
{
    return m_inFlight.isEmpty() && (!m_outbox || m_outbox->pendingCount() == 0);
}

void SessionManager::checkOutboxIdle()
{
    if (outboxIdle())
        emit outboxDrained();
}

void SessionManager::sendNextFromOutbox(const QString &room)
{
    if (!m_outbox || !m_authenticated)
        return;
    // Past the sends the server has but the outbox could not mark: resending them would only be
    // de-duplicated.
    qint64 after = 0;
    int unrecorded = 0;
    for (const UnrecordedSend &send : std::as_const(m_unrecordedSends)) {
        if (send.room == room) {
            after = qMax(after, send.position);
            ++unrecorded;
        }
    }
    if (unrecorded >= kMaxUnrecordedSends) {
        // The disk has refused too many marks: hold the room's slot until it takes them again.
        m_inFlight.insert(room, QString());
        return;
    }
    const auto entry = m_outbox->nextPending(room, after);
    if (!entry) {
        m_inFlight.remove(room);
        checkOutboxIdle();
        return;
    }
    m_inFlight.insert(room, entry->cid);
    const quint64 attempt = m_attempt;
    const proto::SendRequest send{{}, entry->room, entry->cid, entry->body};
    sendFrame(send, [this, room, entry = *entry, attempt](const RequestResult &result) {
        if (result.outcome == RequestResult::Outcome::ConnectionLost)
            return; // still pending; goes out again, same cid, after the reconnect
        if (result.isOk()) {
            const qint64 seq = result.payload.value("seq"_L1).toInteger();
            const qint64 ts = result.payload.value("ts"_L1).toInteger();
            if (!m_outbox->markSent(entry.cid, seq, ts)) {
                // The server has it; only our note of that is missing. Keep the note in memory,
                // write it down later, and let the rest of the queue go on.
                qWarning("conversa-core: outbox write failed (will retry): %s",
                         qUtf8Printable(m_outbox->lastError()));
                m_unrecordedSends.insert(entry.cid, {room, entry.position, seq, ts});
                if (!m_recordRetryTimer.isActive())
                    m_recordRetryTimer.start(m_timing.transientRetryMs);
            }
            m_inFlight.remove(room);
            if (seq > 0)
                ingest(room, {proto::MessageEvent{room, seq, ts, m_user, entry.cid, entry.body}});
            sendNextFromOutbox(room);
            return;
        }
        if (isTransientSendError(result.code)) {
            // Keep the room's slot so nothing overtakes this message; try it again shortly.
            QTimer::singleShot(m_timing.transientRetryMs, this, [this, room, attempt] {
                if (attempt != m_attempt || !m_authenticated)
                    return;
                m_inFlight.remove(room);
                sendNextFromOutbox(room);
            });
            return;
        }
        m_outbox->markFailed(entry.cid,
                             result.message.isEmpty() ? result.codeName : result.message);
        m_inFlight.remove(room);
        sendNextFromOutbox(room);
    });
}

void SessionManager::recordUnrecordedSends()
{
    if (!m_outbox)
        return;
    QStringList heldRooms;
    for (auto it = m_unrecordedSends.begin(); it != m_unrecordedSends.end();) {
        const auto current = m_outbox->entry(it.key());
        // Recorded now, or gone (discarded, or the outbox was emptied): nothing left to note.
        if (!current || current->state != OutboxState::Pending ||
            m_outbox->markSent(it.key(), it->seq, it->ts)) {
            if (m_inFlight.value(it->room, u"-"_s).isEmpty())
                heldRooms.append(it->room);
            it = m_unrecordedSends.erase(it);
        } else {
            ++it;
        }
    }
    if (m_unrecordedSends.isEmpty())
        m_recordRetryTimer.stop();
    // A room whose queue waited for the disk goes on.
    for (const QString &room : std::as_const(heldRooms)) {
        if (m_inFlight.value(room, u"-"_s).isEmpty()) {
            m_inFlight.remove(room);
            sendNextFromOutbox(room);
        }
    }
    checkOutboxIdle();
}

// --- requests ---------------------------------------------------------------------------------

void SessionManager::sendTyping(const QString &room)
{
    if (!m_authenticated)
        return;
    const qint64 now = nowMs();
    if (now - m_lastTypingMs.value(room, 0) < 3000)
        return;
    m_lastTypingMs.insert(room, now);
    sendFrame(proto::TypingRequest{room}, {});
}

void SessionManager::markRead(const QString &room, qint64 seq)
{
    if (m_cache)
        m_cache->setReadSeq(room, seq);
    if (m_authenticated)
        sendFrame(proto::ReadRequest{{}, room, seq}, {});
}

void SessionManager::requestHistory(const QString &room, qint64 beforeSeq, int limit)
{
    request(proto::HistoryRequest{{}, room, beforeSeq, limit}, [this,
                                                                room](const RequestResult &result) {
        if (result.outcome == RequestResult::Outcome::ConnectionLost) {
            emit historyFailed(room, tr("the connection was lost"));
        } else if (!result.isOk()) {
            emit historyFailed(room, result.message.isEmpty() ? result.codeName : result.message);
        } else if (const auto messages = proto::messagesFromPayload(result.payload)) {
            emit historyReceived(room, *messages);
        } else {
            emit historyFailed(room, tr("the server's answer could not be read"));
        }
    });
}

void SessionManager::requestMembers(const QString &room)
{
    request(proto::MembersRequest{{}, room}, [this, room](const RequestResult &result) {
        if (!result.isOk())
            return;
        if (const auto members = proto::membersFromPayload(result.payload))
            emit membersReceived(room, *members);
    });
}

} // namespace conversa::core
