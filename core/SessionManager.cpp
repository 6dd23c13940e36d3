// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SessionManager.h"

#include "FileTransfer.h"
#include "MessageCache.h"
#include "Outbox.h"
#include "OutboxPump.h"
#include "RoomSync.h"
#include "WebSocketTransport.h"

#include <Codec.h>
#include <Protocol.h>
#include <Validation.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QNetworkInformation>
#include <QSysInfo>

#include <algorithm>

namespace conversa::core {

using namespace Qt::StringLiterals;
namespace proto = conversa::protocol;

namespace {

// How far apart the clients of an instance that closes with 1001 come back (DESIGN.md: they
// reconnect elsewhere at once).
constexpr qint64 kGoingAwaySpreadMs = 1000;

qint64 wallClockMs()
{
    // Wall-clock time keeps counting while the machine sleeps, which is what the reconnect
    // countdown and late-timer detection need (the monotonic clock stops on Linux during
    // suspend).
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

SessionManager::SessionManager(QObject *parent)
    : QObject(parent)
{
    m_deviceName = QSysInfo::machineHostName();
    m_clock = wallClockMs;
    m_transportFactory = [](QObject *owner) { return new WebSocketTransport(owner); };
    m_connectTimer.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    m_countdownTimer.setInterval(250);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        linkDown(ConnectionProblem::TimedOut,
                 tr("The server did not answer within %1 s.")
                     .arg(m_timing.connectTimeoutMs / 1000.0, 0, 'g', 3));
    });
    connect(&m_reconnectTimer, &QTimer::timeout, this, &SessionManager::connectNow);
    connect(&m_countdownTimer, &QTimer::timeout, this, &SessionManager::updateCountdown);

    m_heartbeat = new Heartbeat(this);
    connect(m_heartbeat, &Heartbeat::pingDue, this, [this] {
        if (m_transport)
            m_transport->ping();
    });
    connect(m_heartbeat, &Heartbeat::pongMissing, this, [this] {
        linkDown(ConnectionProblem::TimedOut,
                 tr("The server stopped answering (no reply for %1 s).")
                     .arg(m_timing.pongTimeoutMs / 1000.0, 0, 'g', 3));
    });
    connect(m_heartbeat, &Heartbeat::slept, this, [this] {
        // The timer fired far too late: the machine slept and the link is almost surely gone.
        linkDown(ConnectionProblem::ConnectionLost, tr("The computer was asleep; reconnecting."),
                 true);
    });

    const auto send = [this](const proto::Request &request, ReplyHandler handler) {
        sendFrame(request, std::move(handler));
    };
    m_sync = new RoomSync(send, this);
    connect(m_sync, &RoomSync::messageReceived, this, &SessionManager::messageReceived);
    connect(m_sync, &RoomSync::logEntryReceived, this, &SessionManager::logEntryReceived);
    connect(m_sync, &RoomSync::historyReset, this, &SessionManager::historyReset);
    connect(m_sync, &RoomSync::unknownRoom, this, &SessionManager::refreshRooms);
    connect(m_sync, &RoomSync::roomRestarted, this, &SessionManager::refreshRooms);
    connect(m_sync, &RoomSync::syncFinished, this, &SessionManager::maybeFinishSync);
    connect(m_sync, &RoomSync::unreadableAnswer, this, [this] {
        linkDown(ConnectionProblem::ProtocolError, tr("A sync answer could not be read."));
    });

    m_pump = new OutboxPump(send, this);
    m_pump->setRetryDelayMs(m_timing.transientRetryMs);
    m_pump->setUploadRetryDelayMs(m_timing.uploadRetryMs);
    connect(m_pump, &OutboxPump::acknowledged, m_sync, &RoomSync::ingest);
    connect(m_pump, &OutboxPump::progress, this, &SessionManager::outboxProgress);
    connect(m_pump, &OutboxPump::drained, this, &SessionManager::outboxDrained);
    connect(m_pump, &OutboxPump::uploadProgress, this, &SessionManager::uploadProgress);
    m_pump->setUploader([this](const OutboxFile &file, QObject *parent) {
        auto *transfer = new FileTransfer(transportOptions(), m_token, parent);
        transfer->upload(file.path, m_limits.maxFileBytes, file.name, file.type);
        return transfer;
    });
    connect(m_pump, &OutboxPump::changeRefused, this,
            [this](const OutboxEntry &change, const QString &reason) {
                emit changeRefused(change.room, change.kind, change.target, reason);
            });
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
    m_sync->setCache(cache);
    // The account's server said these last time: they apply offline too, until it answers.
    const ServerLimits known =
        cache ? cache->serverLimits().value_or(ServerLimits{}) : ServerLimits{};
    if (known != m_limits) {
        m_limits = known;
        emit serverLimitsChanged(m_limits);
    }
}

void SessionManager::setOutbox(Outbox *outbox)
{
    m_outbox = outbox;
    m_pump->setOutbox(outbox);
}

void SessionManager::setTiming(const Timing &timing)
{
    m_timing = timing;
    m_pump->setRetryDelayMs(timing.transientRetryMs);
    m_pump->setUploadRetryDelayMs(timing.uploadRetryMs);
}

void SessionManager::setInitialBacklog(int messages)
{
    m_sync->setInitialBacklog(messages);
}

void SessionManager::setTransportFactory(TransportFactory factory)
{
    if (factory)
        m_transportFactory = std::move(factory);
}

void SessionManager::setClock(Heartbeat::Clock clock)
{
    if (!clock)
        return;
    m_clock = clock;
    m_heartbeat->setClock(std::move(clock));
}

void SessionManager::setOutboxWindow(int messages)
{
    m_pump->setWindow(messages);
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

TransportOptions SessionManager::transportOptions() const
{
    TransportOptions options;
    options.url = m_url;
    options.proxy = static_cast<TransportOptions::Proxy>(m_proxyMode);
    options.proxyUrl = m_proxyUrl;
    options.extraCas = m_extraCas;
    options.userAgent = u"Conversa/%1"_s.arg(QLatin1StringView(CONVERSA_VERSION));
    options.subprotocols = {proto::kSubprotocol};
    return options;
}

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
    m_attemptProblem = ConnectionProblem::None;
    m_attemptReason.clear();
    m_transport = m_transportFactory(this);
    Transport *transport = m_transport;
    const auto current = [this, attempt, transport] {
        return attempt == m_attempt && transport == m_transport;
    };
    connect(transport, &Transport::connected, this, [this, current] {
        if (current())
            onConnected();
    });
    connect(transport, &Transport::disconnected, this,
            [this, current](int code, const QString &reason) {
                if (current())
                    onDisconnected(code, reason);
            });
    connect(transport, &Transport::errorOccurred, this,
            [this, current](ConnectionProblem problem, const QString &reason) {
                if (current())
                    onTransportError(problem, reason);
            });
    connect(transport, &Transport::textReceived, this, [this, current](const QString &text) {
        if (current())
            onTextMessage(text);
    });
    connect(transport, &Transport::pong, this, [this, current](qint64 roundTripMs) {
        if (current())
            onPong(roundTripMs);
    });
    connect(transport, &Transport::detailsChanged, this, [this, current] {
        if (!current())
            return;
        m_transport->describe(m_details);
        emitDetails();
    });

    const TransportOptions options = transportOptions();

    resetConnectionDetails();
    ++m_details.attempts;
    m_details.serverUrl = m_url;
    m_details.user = m_user;

    setStatus(ConnectionState::Connecting);
    m_connectTimer.start(m_timing.connectTimeoutMs);
    transport->open(options);
    transport->describe(m_details);
    emitDetails();
}

void SessionManager::resetConnectionDetails()
{
    // Per connection; the server, the user and the counters since sign-in stay.
    ConnectionDetails fresh;
    fresh.serverUrl = m_details.serverUrl;
    fresh.user = m_details.user;
    fresh.attempts = m_details.attempts;
    fresh.reconnects = m_details.reconnects;
    m_details = fresh;
}

void SessionManager::emitDetails()
{
    emit connectionDetailsChanged(m_details);
}

void SessionManager::teardownSocket()
{
    m_connectTimer.stop();
    m_heartbeat->stop();
    if (m_authenticated)
        m_backoff.sessionLost();
    m_authenticated = false;
    m_roomsRequested = false;
    m_roomsLoaded = false;
    m_sync->setOnline(false);
    m_pump->stop();
    if (m_transport) {
        Transport *transport = std::exchange(m_transport, nullptr);
        transport->disconnect(this);
        transport->abort();
        transport->deleteLater();
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
    const bool wasSignedIn = m_authenticated;
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
    if (problem == ConnectionProblem::ServerGoingAway && wasSignedIn && !immediate) {
        // A draining or restarting instance: behind a load balancer another one takes us now.
        // Only a session that got as far as signing in earns this, so a server that keeps
        // closing at once still meets the growing backoff.
        scheduleReconnect(problem, reason, m_backoff.jitterMs(kGoingAwaySpreadMs));
        return;
    }
    scheduleReconnect(problem, reason, immediate ? 0 : m_backoff.nextDelayMs());
}

void SessionManager::scheduleReconnect(ConnectionProblem problem, const QString &reason,
                                       qint64 delayMs)
{
    m_reconnectDueMs = m_clock() + delayMs;
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
    const qint64 left = std::max<qint64>(0, m_reconnectDueMs - m_clock());
    setStatus(ConnectionState::WaitingToReconnect, m_status.problem, m_status.reason,
              int((left + 999) / 1000));
}

void SessionManager::onConnected()
{
    m_connectTimer.start(m_timing.connectTimeoutMs); // now for the sign-in answer
    ConnectionDetails &d = m_details;
    m_transport->describe(d);
    d.connected = true;
    d.connectedSince = QDateTime::currentDateTime();
    emitDetails();
    setStatus(ConnectionState::Authenticating);
    m_heartbeat->start(m_timing.pingIntervalMs, m_timing.pongTimeoutMs,
                       m_timing.lateTimerToleranceMs);
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
                if (m_mode != Mode::Resume || !m_transport)
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
        if (m_cache && !m_cache->setServerLimits(limits))
            qWarning("conversa-core: cannot keep the server's limits: %s",
                     qUtf8Printable(m_cache->lastError()));
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
    m_sync->setOnline(true);
    refreshRooms();
    m_pump->setUser(m_user);
    m_pump->setRate(m_limits.messagesPerSecond, m_limits.messageBurst);
    m_pump->start();
}

void SessionManager::onTransportError(ConnectionProblem problem, const QString &reason)
{
    m_attemptProblem = problem;
    m_attemptReason = reason;
}

void SessionManager::onDisconnected(int closeCode, const QString &closeReason)
{
    ConnectionProblem problem = ConnectionProblem::None;
    QString reason = describeCloseCode(closeCode, closeReason, &problem);
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

QString SessionManager::describeCloseCode(int code, const QString &why,
                                          ConnectionProblem *problem) const
{
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

// --- heartbeat --------------------------------------------------------------------------------

void SessionManager::onPong(qint64 roundTripMs)
{
    m_heartbeat->pongReceived();
    m_details.pingRttMs = roundTripMs;
    m_details.lastPongAt = QDateTime::currentDateTime();
    emitDetails();
}

// --- frames -----------------------------------------------------------------------------------

void SessionManager::sendFrame(const proto::Request &request, ReplyHandler handler)
{
    if (!m_transport || !m_transport->isConnected()) {
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
    m_transport->sendText(QString::fromUtf8(proto::encodeRequest(withId)));
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
                              std::holds_alternative<proto::LeaveRequest>(request) ||
                              std::holds_alternative<proto::DmRequest>(request);
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
        m_sync->ingest(message->room, {*message});
    } else if (auto *typing = std::get_if<proto::TypingEvent>(&frame)) {
        emit typingReceived(typing->room, typing->user);
    } else if (auto *presence = std::get_if<proto::PresenceEvent>(&frame)) {
        emit presenceChanged(presence->user, presence->online);
    } else if (auto *added = std::get_if<proto::RoomEvent>(&frame)) {
        // Someone added us to a room (a dm, an invite) or renamed one: the list follows.
        emit roomAdded(added->room, added->title, added->kind, added->peer);
        refreshRooms();
    } else if (auto *removed = std::get_if<proto::RemovedEvent>(&frame)) {
        emit roomRemoved(removed->room, removed->by);
        refreshRooms();
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
    m_sync->applyRooms(*rooms, result.payload.value("epoch"_L1).toInteger());
    m_roomsLoaded = true;
    m_roomOwners.clear();
    for (const proto::RoomSummary &summary : *rooms) {
        if (!summary.owner.isEmpty())
            m_roomOwners.insert(summary.room, summary.owner);
    }
    emit roomsUpdated(*rooms);
    for (const proto::RoomSummary &summary : *rooms)
        m_sync->syncRoom(summary.room);
    maybeFinishSync();
}

void SessionManager::maybeFinishSync()
{
    if (!m_authenticated || !m_roomsLoaded || state() != ConnectionState::Syncing ||
        m_sync->isSyncing())
        return;
    setStatus(ConnectionState::Online);
    emit synced();
}

// --- outbox -----------------------------------------------------------------------------------

QString SessionManager::sendMessage(const QString &room, const QString &body, qint64 replyTo,
                                    const QList<OutboxFile> &files)
{
    // What the server would refuse for good is not queued at all.
    if (!m_outbox || !proto::isValidRoomName(room) ||
        (files.isEmpty() && !proto::hasVisibleText(body)) || !proto::isWellFormedText(body) ||
        replyTo < 0 || files.size() > qMax(1, m_limits.maxFilesPerMessage))
        return {};
    // The pump sends it once the outbox's writer has it on the disk (Outbox::saved).
    return m_outbox->enqueue(room, body, replyTo, files);
}

bool SessionManager::cancelUpload(const QString &cid)
{
    if (!m_outbox)
        return false;
    const std::optional<OutboxEntry> entry = m_outbox->entry(cid);
    if (!entry || !entry->saved || entry->state == OutboxState::Sent || !entry->needsUpload())
        return false;
    // The pump hears of it (Outbox::entryRemoved) and stops the upload.
    return m_outbox->discard(cid);
}

QString SessionManager::uploadingIn(const QString &room) const
{
    return m_pump->uploading(room);
}

QString SessionManager::editMessage(const QString &room, qint64 target, const QString &body)
{
    if (!m_outbox || !proto::isValidRoomName(room) || target <= 0 || !proto::hasVisibleText(body) ||
        !proto::isWellFormedText(body))
        return {};
    return m_outbox->enqueueChange(room, u"edit"_s, target, body);
}

QString SessionManager::deleteMessage(const QString &room, qint64 target)
{
    if (!m_outbox || !proto::isValidRoomName(room) || target <= 0)
        return {};
    return m_outbox->enqueueChange(room, u"delete"_s, target);
}

bool SessionManager::react(const QString &room, qint64 target, const QString &emoji, bool on)
{
    if (!m_authenticated || !proto::isValidRoomName(room) || target <= 0 ||
        !proto::isSingleEmoji(emoji))
        return false;
    request(proto::ReactRequest{{}, room, target, emoji, on},
            [this, room, target, emoji, on](const RequestResult &result) {
                if (result.isOk()) {
                    // Our own entry comes as this answer, not as an event: into the log with it.
                    proto::MessageEvent entry;
                    entry.room = room;
                    entry.seq = result.payload.value("seq"_L1).toInteger();
                    entry.ts = result.payload.value("ts"_L1).toInteger();
                    entry.from = m_user;
                    entry.kind = u"reaction"_s;
                    entry.target = target;
                    entry.emoji = emoji;
                    entry.on = on;
                    if (entry.seq > 0)
                        m_sync->ingest(room, {entry});
                } else if (result.outcome != RequestResult::Outcome::ConnectionLost) {
                    emit changeRefused(room, u"reaction"_s, target,
                                       result.message.isEmpty() ? result.codeName : result.message);
                }
            });
    return true;
}

void SessionManager::flushOutbox()
{
    if (m_outbox && m_authenticated)
        m_pump->flush();
}

bool SessionManager::outboxIdle() const
{
    return m_pump->isIdle();
}

int SessionManager::outboxInFlight(const QString &room) const
{
    return m_pump->inFlight(room);
}

int SessionManager::outboxRefusals() const
{
    return m_pump->transientRefusals();
}

// --- requests ---------------------------------------------------------------------------------

void SessionManager::sendTyping(const QString &room)
{
    if (!m_authenticated)
        return;
    const qint64 now = m_clock();
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
