// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ChatServer.h"

#include "Codec.h"
#include "HttpRequest.h"
#include "Listener.h"
#include "Log.h"
#include "PasswordHasher.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

namespace conversa::server {

using namespace Qt::StringLiterals;
using protocol::ErrorCode;
namespace CloseCode = protocol::CloseCode;

namespace {
constexpr qsizetype kMaxHttpHeaderBytes = 8192;
constexpr int kMalformedFramesBeforeClose = 10;
constexpr qint64 kTypingIntervalMs = 1000;
constexpr qint64 kClosingGraceMs = 5000;
// Before sign-in nothing large is ever sent, so a connection that piles up more than this
// (pongs to a flood of pings) is not reading.
constexpr qint64 kMaxQueuedBytesBeforeAuth = 64 * 1024;
// Requests held back from a connection over its soft output mark; past these it is dropped.
constexpr int kMaxHeldRequests = 64;
constexpr qsizetype kMaxHeldRequestBytes = 1024 * 1024;
// Password hashes waiting for the pool: past this, sign-ins are refused until it drains.
constexpr int kMaxPendingHashes = 32;
constexpr qint64 kPresenceIntervalMs = 2000;
constexpr int kLongestAcceptBackoffMs = 2000;

QString toText(const QByteArray &utf8)
{
    return QString::fromUtf8(utf8);
}

QJsonArray messagesToJson(const QList<protocol::MessageEvent> &messages)
{
    QJsonArray array;
    for (const protocol::MessageEvent &m : messages)
        array.append(protocol::messageToJson(m));
    return array;
}

std::optional<QSslConfiguration> loadTls(const ServerConfig &config, QString *error)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(config.tlsCertFile);
    if (chain.isEmpty()) {
        *error = u"no PEM certificate found in '%1'"_s.arg(config.tlsCertFile);
        return std::nullopt;
    }
    QFile keyFile(config.tlsKeyFile);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = u"cannot read TLS key '%1'"_s.arg(config.tlsKeyFile);
        return std::nullopt;
    }
    const QByteArray pem = keyFile.readAll();
    QSslKey key;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Opaque}) {
        key = QSslKey(pem, algorithm, QSsl::Pem);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error = u"'%1' is not a PEM RSA or EC private key"_s.arg(config.tlsKeyFile);
        return std::nullopt;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    return tls;
}
} // namespace

ChatServer::ChatServer(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
    m_clock.start();
    m_hashPool.setMaxThreadCount(2);
    m_sweepTimer.setInterval(1000);
    connect(&m_sweepTimer, &QTimer::timeout, this, &ChatServer::sweep);
    m_presenceTimer.setSingleShot(true);
    connect(&m_presenceTimer, &QTimer::timeout, this, &ChatServer::flushPendingPresence);
}

ChatServer::~ChatServer()
{
    m_hashPool.waitForDone();
    for (auto &[id, session] : m_sessions) {
        if (session->ws)
            session->ws->disconnect(this);
        if (session->tcp)
            session->tcp->disconnect(this);
    }
    m_sessions.clear();
}

QString ChatServer::start()
{
    if (!PasswordHasher::initialize())
        return u"libsodium could not be initialised"_s;
    if (QString error = m_store.open(m_config.dataDir); !error.isEmpty())
        return error;
    m_writer = new StorageWriter(this);
    connect(m_writer, &StorageWriter::committed, this, [](int jobs, qint64 micros) {
        if (micros > 200'000)
            qCWarning(lcServer).noquote()
                << u"event=slow_commit jobs=%1 ms=%2"_s.arg(jobs).arg(micros / 1000);
    });
    if (QString error = m_writer->start(m_config.dataDir, m_config.syncMode); !error.isEmpty())
        return error;
    if (!loadRooms())
        return u"cannot read the rooms from the database; run 'conversa-server check'"_s;
    m_adminGeneration = m_store.adminGeneration();

    m_webSockets =
        new QWebSocketServer(u"conversa-server"_s, QWebSocketServer::NonSecureMode, this);
    m_webSockets->setSupportedSubprotocols({QString(protocol::kSubprotocol)});
    m_webSockets->setMaxPendingConnections(100000);
    m_webSockets->setHandshakeTimeout(m_config.authTimeoutSeconds * 1000);
    connect(m_webSockets, &QWebSocketServer::newConnection, this, &ChatServer::adoptWebSockets);

    if (m_config.tlsEnabled()) {
        QString error;
        const auto tls = loadTls(m_config, &error);
        if (!tls)
            return error;
        m_listener = new Listener(*tls, this);
    } else {
        m_listener = new Listener(std::nullopt, this);
    }
    if (QString error = listenOn(m_listener, m_config.listen, false); !error.isEmpty())
        return error;
    ServerConfig actual = m_config;
    actual.listen.port = m_listener->port();
    m_instanceName = actual.effectiveInstanceName();
    if (m_config.adminListen) {
        m_adminListener = new Listener(std::nullopt, this);
        if (QString error = listenOn(m_adminListener, *m_config.adminListen, true);
            !error.isEmpty())
            return error;
    }
    m_sweepTimer.start();
    return {};
}

QString ChatServer::listenOn(Listener *listener, const ListenAddress &address, bool adminPort)
{
    connect(listener, &Listener::accepted, this,
            [this, adminPort](QTcpSocket *socket) { acceptConnection(socket, adminPort); });
    connect(listener, &Listener::acceptFailed, this, &ChatServer::onAcceptFailed);
    if (QString error = listener->listen(address.host, address.port, 1024); !error.isEmpty())
        return u"cannot listen on %1:%2: %3"_s.arg(address.host.toString())
            .arg(address.port)
            .arg(error);
    return {};
}

QUrl ChatServer::webSocketUrl() const
{
    QUrl url;
    url.setScheme(m_config.tlsEnabled() ? u"wss"_s : u"ws"_s);
    url.setHost(m_listener->address().toString());
    url.setPort(m_listener->port());
    url.setPath(QString(protocol::kWebSocketPath));
    return url;
}

QUrl ChatServer::adminUrl() const
{
    if (!m_adminListener)
        return {};
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(m_adminListener->address().toString());
    url.setPort(m_adminListener->port());
    return url;
}

bool ChatServer::loadRooms()
{
    // Built aside and swapped in only when both reads worked: a failed read keeps the rooms
    // the server had, instead of serving everyone an empty list.
    QString error;
    const QList<RoomRecord> records = m_store.allRooms(&error);
    const QList<Membership> memberships =
        error.isEmpty() ? m_store.allMemberships(&error) : QList<Membership>();
    if (!error.isEmpty())
        return false;
    QHash<QString, Room> rooms;
    QHash<qint64, QSet<QString>> roomsOfUser;
    QHash<qint64, QString> names;
    for (const RoomRecord &record : records) {
        rooms.insert(record.name, Room{record.id, record.name, record.title, {}});
        names.insert(record.id, record.name);
    }
    for (const Membership &m : memberships) {
        const QString name = names.value(m.roomId);
        auto it = rooms.find(name);
        if (it == rooms.end())
            continue;
        it->members.insert(m.userId);
        roomsOfUser[m.userId].insert(name);
    }
    m_rooms = std::move(rooms);
    m_roomsOfUser = std::move(roomsOfUser);
    return true;
}

// --- connections ----------------------------------------------------------------------------

void ChatServer::acceptConnection(QTcpSocket *tcp, bool adminPort)
{
    tcp->setParent(this);
    if (auto *tls = qobject_cast<QSslSocket *>(tcp)) {
        connect(tls, &QSslSocket::errorOccurred, this, [this, tls](QAbstractSocket::SocketError e) {
            if (e != QAbstractSocket::SslHandshakeFailedError)
                return;
            const QString address = normalizedAddress(tls->peerAddress());
            logClient(address, u"event=tls_failed addr=%1 error=%2"_s.arg(
                                   address, logValue(tls->errorString())));
        });
    }
    if (m_shuttingDown) {
        tcp->abort();
        tcp->deleteLater();
        return;
    }
    // Small frames both ways (handshake answers, acks, events): no Nagle delay.
    tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    auto session = std::make_unique<Session>();
    session->id = m_nextSessionId++;
    session->adminPort = adminPort;
    session->tcp = tcp;
    session->socketAddress = normalizedAddress(tcp->peerAddress());
    session->address = session->socketAddress;
    session->peerPort = tcp->peerPort();
    session->acceptedMs = session->lastActivityMs = now();
    const quint64 id = session->id;
    Session &s = *session;
    m_sessions.emplace(id, std::move(session));
    connect(
        tcp, &QTcpSocket::disconnected, this,
        [this, id] {
            Session *session = findSession(id);
            if (session && session->stage != Stage::WebSocket && session->stage != Stage::Closing)
                endSession(id);
        },
        Qt::QueuedConnection);
    if (adminPort) {
        // The admin port has its own small budget, apart from the chat port's per-address one.
        if (++m_adminConnections > m_config.maxAdminConnections) {
            logClient(s.address,
                      u"event=refused reason=too_many_admin_connections addr=%1"_s.arg(s.address));
            respondHttp(s, 429, "Too Many Requests", "too many admin connections\n");
            return;
        }
    } else if (!m_config.trustedProxies.contains(tcp->peerAddress()) && !admitAddress(s)) {
        // A trusted proxy's connections are counted once its header names the client.
        return;
    }
    s.httpReader = connect(tcp, &QTcpSocket::readyRead, this, [this, id] {
        if (Session *session = findSession(id))
            readHttp(*session);
    });
    if (tcp->bytesAvailable() > 0)
        readHttp(s);
}

bool ChatServer::admitAddress(Session &session)
{
    session.addressCounted = true;
    const int count = ++m_connectionsPerAddress[session.address];
    if (count <= m_config.maxConnectionsPerAddress)
        return true;
    logClient(session.address,
              u"event=refused reason=too_many_connections addr=%1"_s.arg(session.address));
    respondHttp(session, 429, "Too Many Requests", "too many connections from your address\n");
    return false;
}

void ChatServer::respondHttp(Session &session, int code, QByteArrayView reason, QByteArrayView body,
                             QByteArrayView contentType)
{
    QTcpSocket *tcp = session.tcp;
    if (!tcp)
        return;
    disconnect(session.httpReader);
    tcp->readAll();
    tcp->write(httpResponse(code, reason, contentType, body));
    tcp->disconnectFromHost();
}

void ChatServer::readHttp(Session &session)
{
    QTcpSocket *tcp = session.tcp;
    if (!tcp || session.stage != Stage::Http)
        return;
    const bool fromTrustedProxy =
        !session.adminPort && m_config.trustedProxies.contains(tcp->peerAddress());
    if (fromTrustedProxy && m_config.proxyProtocol && !session.addressCounted) {
        const ProxyHeader proxy = ProxyHeader::parse(tcp->peek(ProxyHeader::kMaxLength));
        switch (proxy.status) {
        case ProxyHeader::Status::NeedMore:
            return;
        case ProxyHeader::Status::Malformed:
            logClient(session.address,
                      u"event=refused reason=bad_proxy_header addr=%1"_s.arg(session.address));
            respondHttp(session, 400, "Bad Request", "malformed PROXY protocol header\n");
            return;
        case ProxyHeader::Status::Complete:
            tcp->read(proxy.length);
            if (!proxy.source.isNull())
                session.address = normalizedAddress(proxy.source);
            break;
        case ProxyHeader::Status::NotProxy:
            break;
        }
    }
    const QByteArray head = tcp->peek(kMaxHttpHeaderBytes + 1);
    HttpRequest request;
    const auto status = HttpRequest::parse(head, &request);
    if (fromTrustedProxy && !session.addressCounted &&
        status != HttpRequest::ParseStatus::NeedMore) {
        // Without a PROXY header (or with proxy_protocol off) the proxy's X-Forwarded-For
        // names the client.
        if (status == HttpRequest::ParseStatus::Complete &&
            session.address == session.socketAddress)
            session.address = normalizedAddress(m_config.trustedProxies.clientFromForwardedFor(
                tcp->peerAddress(), request.forwardedFor));
        if (!admitAddress(session))
            return;
    }
    if (status == HttpRequest::ParseStatus::NeedMore) {
        if (head.size() > kMaxHttpHeaderBytes)
            respondHttp(session, 431, "Request Header Fields Too Large", "headers too large\n");
        return;
    }
    if (status == HttpRequest::ParseStatus::Malformed) {
        respondHttp(session, 400, "Bad Request", "malformed HTTP request\n");
        return;
    }
    if (request.method != "GET") {
        respondHttp(session, 405, "Method Not Allowed", "only GET is served here\n");
        return;
    }
    if (request.path == "/healthz") {
        respondHttp(session, 200, "OK", "ok\n");
        return;
    }
    const bool metricsHere = session.adminPort || !m_adminListener;
    if (request.path == "/metrics" && metricsHere) {
        respondHttp(session, 200, "OK", m_metrics.render(), "text/plain; version=0.0.4");
        return;
    }
    if (session.adminPort || request.path != protocol::kWebSocketPath.latin1()) {
        respondHttp(session, 404, "Not Found", "not found; the WebSocket endpoint is /ws\n");
        return;
    }
    if (!request.wantsUpgrade) {
        respondHttp(session, 426, "Upgrade Required", "this endpoint speaks WebSocket only\n");
        return;
    }
    if (!request.origin.isEmpty() &&
        !m_config.allowedOrigins.contains(QString::fromUtf8(request.origin))) {
        logClient(session.address,
                  u"event=refused reason=origin addr=%1 origin=%2"_s.arg(
                      session.address, logValue(QString::fromUtf8(request.origin))));
        respondHttp(session, 403, "Forbidden", "this Origin is not allowed\n");
        return;
    }
    upgrade(session);
}

void ChatServer::upgrade(Session &session)
{
    QTcpSocket *tcp = session.tcp;
    disconnect(session.httpReader);
    session.stage = Stage::Upgrading;
    const quint64 id = session.id;
    // Any bytes (frames, pings, pongs) count as activity for the idle limit. A client that keeps
    // sending but never reads (pings whose pongs pile up) is dropped at its output cap.
    connect(tcp, &QTcpSocket::readyRead, this, [this, id] {
        Session *s = findSession(id);
        if (!s)
            return;
        s->lastActivityMs = now();
        if (s->tcp && s->tcp->bytesToWrite() > outputCap(*s))
            dropOverflowing(*s, "pongs");
    });
    m_upgrading.insert({session.socketAddress, session.peerPort}, id);
    m_webSockets->handleConnection(tcp);
    // The request is already buffered, so no further readyRead may come to start the handshake.
    if (tcp->bytesAvailable() > 0)
        QMetaObject::invokeMethod(tcp, &QTcpSocket::readyRead, Qt::QueuedConnection);
}

void ChatServer::adoptWebSockets()
{
    while (m_webSockets->hasPendingConnections()) {
        QWebSocket *ws = m_webSockets->nextPendingConnection();
        if (!ws)
            break;
        ws->setParent(this);
        const auto key = qMakePair(normalizedAddress(ws->peerAddress()), ws->peerPort());
        const quint64 id = m_upgrading.take(key);
        Session *session = findSession(id);
        if (!session || m_shuttingDown) {
            ws->close(QWebSocketProtocol::CloseCodeGoingAway, u"server shutting down"_s);
            ws->deleteLater();
            continue;
        }
        session->ws = ws;
        session->stage = Stage::WebSocket;
        session->lastActivityMs = now();
        ws->setMaxAllowedIncomingFrameSize(static_cast<quint64>(m_config.limits.maxFrameBytes));
        ws->setMaxAllowedIncomingMessageSize(static_cast<quint64>(m_config.limits.maxFrameBytes));
        ++m_metrics.connectionsOpen;
        connect(ws, &QWebSocket::textMessageReceived, this, [this, id](const QString &text) {
            if (Session *s = findSession(id))
                handleText(*s, text);
        });
        connect(ws, &QWebSocket::binaryMessageReceived, this, [this, id] {
            if (Session *s = findSession(id))
                handleBinary(*s);
        });
        // Queued: a disconnect can be signalled from inside a write, while a caller still walks
        // the session lists; ending the session later keeps those walks safe.
        connect(
            ws, &QWebSocket::disconnected, this, [this, id] { endSession(id); },
            Qt::QueuedConnection);
        logClient(session->address,
                  u"event=connect addr=%1 port=%2"_s.arg(session->address).arg(session->peerPort));
    }
}

ChatServer::Session *ChatServer::findSession(quint64 id)
{
    const auto it = m_sessions.find(id);
    return it == m_sessions.end() ? nullptr : it->second.get();
}

void ChatServer::closeSession(Session &session, quint16 code, const QString &reason)
{
    if (session.stage == Stage::Closing)
        return;
    if (session.ws) {
        session.stage = Stage::Closing;
        session.closingSinceMs = now();
        session.ws->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
    } else if (session.tcp) {
        session.tcp->abort();
    }
}

void ChatServer::endSession(quint64 sessionId)
{
    auto it = m_sessions.find(sessionId);
    if (it == m_sessions.end())
        return;
    std::unique_ptr<Session> session = std::move(it->second);
    m_sessions.erase(it);

    if (session->adminPort) {
        --m_adminConnections;
    } else if (session->addressCounted) {
        if (auto count = m_connectionsPerAddress.find(session->address);
            count != m_connectionsPerAddress.end() && --count.value() <= 0)
            m_connectionsPerAddress.erase(count);
    }
    m_upgrading.remove({session->socketAddress, session->peerPort});

    if (session->ws) {
        --m_metrics.connectionsOpen;
        const int code = session->ws->closeCode();
        logClient(session->address,
                  u"event=disconnect addr=%1 user=%2 code=%3"_s.arg(
                      session->address, session->userName.isEmpty() ? u"-"_s : session->userName,
                      QString::number(code)));
        session->ws->disconnect(this);
        session->ws->deleteLater();
    }
    if (session->tcp) {
        session->tcp->disconnect(this);
        session->tcp->deleteLater();
    }
    if (session->authenticated()) {
        --m_metrics.sessionsAuthenticated;
        auto userSessions = m_sessionsOfUser.find(session->userId);
        if (userSessions != m_sessionsOfUser.end()) {
            userSessions->removeOne(session.get());
            if (userSessions->isEmpty()) {
                m_sessionsOfUser.erase(userSessions);
                if (!m_shuttingDown)
                    presenceChanged(session->userId, session->userName);
            }
        }
    }
    if (m_shuttingDown && m_sessions.empty())
        QMetaObject::invokeMethod(this, &ChatServer::stopped, Qt::QueuedConnection);
}

void ChatServer::sweep()
{
    const qint64 t = now();
    const qint64 authLimit = m_config.authTimeoutSeconds * 1000LL;
    const qint64 idleLimit = m_config.idleTimeoutSeconds * 1000LL;
    // Closing may end a session at once (and erase it), so decide first and act after the loop.
    enum class Verdict { Abort, AuthTimeout, Idle };
    QList<std::pair<quint64, Verdict>> verdicts;
    for (auto &[id, session] : m_sessions) {
        const Session &s = *session;
        if (s.stage == Stage::Closing) {
            if (t - s.closingSinceMs > kClosingGraceMs)
                verdicts.append({id, Verdict::Abort});
        } else if (s.stage != Stage::WebSocket) {
            if (t - s.acceptedMs > authLimit)
                verdicts.append({id, Verdict::Abort});
        } else if (!s.authenticated() && !s.loginPending && t - s.acceptedMs > authLimit) {
            verdicts.append({id, Verdict::AuthTimeout});
        } else if (t - s.lastActivityMs > idleLimit) {
            verdicts.append({id, Verdict::Idle});
        }
    }
    for (const auto &[id, verdict] : verdicts) {
        Session *s = findSession(id);
        if (!s)
            continue;
        switch (verdict) {
        case Verdict::AuthTimeout:
            logClient(s->address, u"event=auth_timeout addr=%1"_s.arg(s->address));
            closeSession(*s, CloseCode::AuthTimeout, u"not authenticated in time"_s);
            break;
        case Verdict::Idle:
            logClient(s->address,
                      u"event=idle_timeout addr=%1 user=%2"_s.arg(s->address, s->userName));
            closeSession(*s, CloseCode::IdleTimeout, u"idle for too long"_s);
            break;
        case Verdict::Abort:
            if (s->ws)
                s->ws->abort();
            else if (s->tcp)
                s->tcp->abort();
            endSession(id);
            break;
        }
    }
    m_loginFailures.prune(t);
    m_accountLockout.prune(t);
    flushPendingPresence();
    // Full buckets hold no state worth keeping.
    const int logBurst = m_config.logLinesPerMinutePerAddress;
    m_logBuckets.removeIf([&](auto it) { return it.value().isFull(t, logBurst / 60.0, logBurst); });
    m_lastTyping.removeIf([t](auto it) { return t - it.value() > 10 * kTypingIntervalMs; });
    reloadAdminChanges();
}

void ChatServer::reloadAdminChanges()
{
    const qint64 generation = m_store.adminGeneration();
    if (generation == m_adminGeneration || generation < 0)
        return;
    // A read that fails proves nothing about a token: keep the session, and leave the
    // generation as it was so the next sweep looks again.
    QString error;
    QList<Session *> revoked;
    for (auto &[id, session] : m_sessions) {
        if (!session->authenticated() || session->stage != Stage::WebSocket)
            continue;
        const bool valid = m_store.isTokenValid(session->tokenId, &error);
        if (!error.isEmpty())
            return;
        if (!valid)
            revoked.append(session.get());
    }
    if (!loadRooms())
        return;
    m_adminGeneration = generation;
    for (Session *s : revoked) {
        qCInfo(lcServer).noquote()
            << u"event=token_revoked addr=%1 user=%2"_s.arg(s->address, s->userName);
        closeSession(*s, CloseCode::TokenRevoked, u"token revoked"_s);
    }
}

void ChatServer::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    qCInfo(lcServer).noquote() << u"event=shutdown sessions=%1"_s.arg(m_sessions.size());
    m_sweepTimer.stop();
    if (m_listener)
        m_listener->close();
    if (m_adminListener)
        m_adminListener->close();
    m_hashPool.waitForDone();
    // Commit everything that was accepted and send its acknowledgements before closing.
    QCoreApplication::sendPostedEvents(this);
    if (m_writer)
        m_writer->flush();
    QCoreApplication::sendPostedEvents(this);
    QList<quint64> ids;
    for (auto &[id, session] : m_sessions)
        ids.append(id);
    for (quint64 id : ids) {
        Session *s = findSession(id);
        if (s && s->ws && s->stage == Stage::WebSocket)
            sendCloseAndDrain(*s, CloseCode::GoingAway, "server shutting down");
        else if (s && !s->ws)
            endSession(id);
    }
    if (m_sessions.empty()) {
        QMetaObject::invokeMethod(this, &ChatServer::stopped, Qt::QueuedConnection);
        return;
    }
    // Peers read what is queued for them and answer the close frame at their own pace, up to
    // drain_seconds; only then is a connection cut off.
    const qint64 deadline = now() + m_config.drainSeconds * 1000LL;
    auto *drain = new QTimer(this);
    drain->setInterval(100);
    connect(drain, &QTimer::timeout, this, [this, drain, deadline] {
        if (now() >= deadline) {
            QList<quint64> rest;
            for (auto &[id, session] : m_sessions)
                rest.append(id);
            for (quint64 id : rest) {
                if (Session *s = findSession(id); s && s->ws)
                    s->ws->abort();
                endSession(id);
            }
        }
        // The last endSession() announces stopped().
        if (m_sessions.empty()) {
            drain->stop();
            drain->deleteLater();
        }
    });
    drain->start();
}

void ChatServer::sendCloseAndDrain(Session &session, quint16 code, QByteArrayView reason)
{
    // QWebSocket::close() closes the TCP connection as soon as its close frame is written. If
    // the peer is still sending then, the kernel answers with a reset, and a reset makes the
    // peer drop the acknowledgements and the close frame it has not read yet. So the close
    // frame is written here by hand (a server frame is unmasked) and the connection stays open,
    // still read (and ignored), until the peer answers with its own close.
    QByteArray frame;
    frame.append(char(0x88));
    frame.append(char(2 + reason.size()));
    frame.append(char(code >> 8));
    frame.append(char(code & 0xff));
    frame.append(reason.data(), reason.size());
    session.stage = Stage::Closing;
    session.closingSinceMs = now();
    session.heldRequests.clear();
    session.heldBytes = 0;
    if (session.tcp)
        session.tcp->write(frame);
}

// --- frames ---------------------------------------------------------------------------------

void ChatServer::reply(Session &session, const QByteArray &frame)
{
    sendFrame(session, toText(frame));
}

void ChatServer::sendFrame(Session &session, const QString &frame)
{
    if (!session.ws || session.stage != Stage::WebSocket)
        return;
    if (session.ws->bytesToWrite() + frame.size() > outputCap(session)) {
        dropOverflowing(session, "replies");
        return;
    }
    session.ws->sendTextMessage(frame);
}

qint64 ChatServer::outputCap(const Session &session) const
{
    return session.authenticated() ? m_config.maxQueuedBytesPerConnection
                                   : kMaxQueuedBytesBeforeAuth;
}

void ChatServer::dropOverflowing(Session &session, const char *what)
{
    if (session.stage == Stage::Closing)
        return;
    ++m_metrics.connectionsOverflowed;
    logClient(session.address,
              u"event=dropped reason=output_cap addr=%1 user=%2 queued=%3 by=%4"_s.arg(
                  session.address, session.userName.isEmpty() ? u"-"_s : session.userName,
                  QString::number(session.tcp ? session.tcp->bytesToWrite() : 0),
                  QLatin1StringView(what)));
    // It is not reading, so a close frame would only queue behind the rest: cut it off. The
    // queued disconnected signal ends the session.
    session.stage = Stage::Closing;
    session.closingSinceMs = now();
    session.heldRequests.clear();
    session.heldBytes = 0;
    if (session.ws)
        session.ws->abort();
    else if (session.tcp)
        session.tcp->abort();
}

void ChatServer::logClient(const QString &address, const QString &line)
{
    const int perMinute = m_config.logLinesPerMinutePerAddress;
    if (!m_logBuckets[address].take(now(), perMinute / 60.0, perMinute)) {
        ++m_metrics.logLinesSuppressed;
        return;
    }
    qCInfo(lcServer).noquote() << line;
}

void ChatServer::onAcceptFailed(const QString &reason, bool firstInRow, int retryMs)
{
    ++m_metrics.acceptErrors;
    // One line per run of failures (and at most one a minute): the condition, not each retry.
    const qint64 t = now();
    if (!firstInRow || (m_lastAcceptFailureLogMs != 0 && t - m_lastAcceptFailureLogMs < 60'000))
        return;
    m_lastAcceptFailureLogMs = t;
    qCWarning(lcServer).noquote() << u"event=accept_failed reason=%1 retry_ms=%2"_s.arg(
        logValue(reason), QString::number(retryMs));
}

void ChatServer::replyError(Session &session, const protocol::RequestId &re, ErrorCode code,
                            const QString &message)
{
    ++m_metrics.framesRejected;
    reply(session, protocol::encodeError(re, code, message));
}

void ChatServer::handleBinary(Session &session)
{
    closeSession(session, CloseCode::UnsupportedData, u"binary frames are not supported"_s);
}

void ChatServer::handleText(Session &session, const QString &text)
{
    if (session.stage != Stage::WebSocket)
        return;
    // Back-pressure: while replies pile up unread, hold further requests instead of answering
    // them; a client that keeps sending regardless is dropped.
    const qint64 softMark = outputCap(session) / 4;
    if (!session.heldRequests.isEmpty() || (session.ws && session.ws->bytesToWrite() > softMark)) {
        if (session.heldRequests.size() >= kMaxHeldRequests ||
            session.heldBytes + text.size() > kMaxHeldRequestBytes) {
            dropOverflowing(session, "requests");
            return;
        }
        session.heldRequests.append(text);
        session.heldBytes += text.size();
        if (!session.drainWatch) {
            const quint64 id = session.id;
            session.drainWatch = connect(session.ws, &QWebSocket::bytesWritten, this,
                                         [this, id] { drainHeldRequests(id); });
        }
        return;
    }
    handleRequest(session, text);
}

void ChatServer::drainHeldRequests(quint64 sessionId)
{
    Session *session = findSession(sessionId);
    if (!session)
        return;
    const qint64 softMark = outputCap(*session) / 4;
    while (session && session->stage == Stage::WebSocket && !session->heldRequests.isEmpty() &&
           session->ws && session->ws->bytesToWrite() <= softMark) {
        const QString text = session->heldRequests.takeFirst();
        session->heldBytes -= text.size();
        handleRequest(*session, text);
        session = findSession(sessionId);
    }
    if (session && session->heldRequests.isEmpty()) {
        disconnect(session->drainWatch);
        session->drainWatch = {};
    }
}

void ChatServer::handleRequest(Session &session, const QString &text)
{
    auto decoded = protocol::decodeRequest(text.toUtf8(), m_config.limits);
    if (auto *error = std::get_if<protocol::DecodeError>(&decoded)) {
        replyError(session, error->id, error->code, error->message);
        if (++session.malformedInRow >= kMalformedFramesBeforeClose)
            closeSession(session, CloseCode::PolicyViolation, u"too many malformed frames"_s);
        return;
    }
    session.malformedInRow = 0;
    auto &request = std::get<protocol::Request>(decoded);
    const bool signInRequest = std::holds_alternative<protocol::LoginRequest>(request) ||
                               std::holds_alternative<protocol::AuthRequest>(request);
    if (!session.authenticated() && !signInRequest) {
        replyError(session, protocol::requestId(request), ErrorCode::Unauthorized,
                   u"sign in first with 'login' or 'auth'"_s);
        return;
    }
    std::visit([this, &session](const auto &r) { handle(session, r); }, request);
}

void ChatServer::handle(Session &session, const protocol::LoginRequest &request)
{
    if (session.authenticated() || session.loginPending) {
        replyError(session, request.id, ErrorCode::Conflict,
                   session.loginPending ? u"a sign-in is already in progress"_s
                                        : u"this connection is already signed in"_s);
        return;
    }
    const qint64 t = now();
    const QString accountKey = "user:"_L1 + request.user;
    const QString addressKey = "addr:"_L1 + session.address;
    const int limit = m_config.loginFailuresPerMinute;
    // Attempts count when they start, not when their hash is done: thirty logins sent at once
    // get `limit` guesses, not thirty.
    qint64 wait = m_accountLockout.lockedForMs(accountKey, t);
    if (m_loginFailures.count(addressKey, t) >= limit)
        wait = qMax(wait, m_loginFailures.retryAfterMs(addressKey, t));
    if (m_loginFailures.count(accountKey, t) >= limit) {
        m_accountLockout.strike(accountKey, t);
        wait = qMax(wait, m_accountLockout.lockedForMs(accountKey, t));
    }
    if (wait > 0) {
        ++m_metrics.loginsRefused;
        replyError(session, request.id, ErrorCode::RateLimited,
                   u"too many failed sign-ins; try again in %1 s"_s.arg((wait + 999) / 1000));
        return;
    }
    if (m_hashesPending >= kMaxPendingHashes) {
        ++m_metrics.loginsRefused;
        replyError(session, request.id, ErrorCode::RateLimited,
                   u"the server is busy signing other people in; try again in a few seconds"_s);
        return;
    }
    QString error;
    const std::optional<UserRecord> user = m_store.userByName(request.user, &error);
    if (!error.isEmpty()) {
        // Not the client's fault, and not a guess: it may try again with the same password.
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not check your account; try again in a moment"_s);
        return;
    }
    m_loginFailures.record(accountKey, t);
    m_loginFailures.record(addressKey, t);
    ++m_hashesPending;
    session.loginPending = true;
    const QByteArray hash = user ? user->passwordHash : PasswordHasher::decoyHash();
    const quint64 id = session.id;
    m_hashPool.start([this, id, re = request.id, name = request.user, user, hash,
                      password = request.password, device = request.device] {
        const bool ok = PasswordHasher::verify(hash, password);
        QMetaObject::invokeMethod(
            this,
            [=, this] {
                --m_hashesPending;
                finishLogin(id, re, name, user, ok, device);
            },
            Qt::QueuedConnection);
    });
}

void ChatServer::finishLogin(quint64 sessionId, const protocol::RequestId &re,
                             const QString &requestedUser, const std::optional<UserRecord> &user,
                             bool passwordOk, QString device)
{
    Session *session = findSession(sessionId);
    if (!session)
        return;
    session->loginPending = false;
    if (!user || !passwordOk || user->disabled) {
        // The attempt was counted when it started. A disabled account answers the same whether
        // or not the password was right, so the reply never confirms a password.
        ++m_metrics.loginFailures;
        logClient(session->address, u"event=login_failed addr=%1 user=%2"_s.arg(
                                        session->address, logValue(requestedUser)));
        replyError(*session, re, ErrorCode::Unauthorized,
                   user && user->disabled ? u"this account is disabled; ask your administrator"_s
                                          : u"wrong user name or password"_s);
        countAuthFailure(*session);
        return;
    }
    // A right password is not a failed attempt: take back what was counted at the start.
    m_loginFailures.forgetLatest("user:"_L1 + requestedUser);
    m_loginFailures.forgetLatest("addr:"_L1 + session->address);
    if (device.trimmed().isEmpty())
        device = u"unnamed device"_s;
    const QString token = TokenSecrets::generate();
    session->loginPending = true;
    m_writer->submit(write::CreateToken{user->id, TokenSecrets::hashOf(token), device},
                     [this, sessionId, re, user, token](const WriteResult &result) {
                         Session *session = findSession(sessionId);
                         if (!session)
                             return;
                         session->loginPending = false;
                         if (!result.ok) {
                             replyError(*session, re, result.code, result.error);
                             return;
                         }
                         authenticate(*session, user->id, user->name, result.value);
                         QJsonObject answer = signedInAnswer(user->name);
                         answer.insert("token"_L1, token);
                         reply(*session, protocol::encodeOk(re, answer));
                     });
}

void ChatServer::handle(Session &session, const protocol::AuthRequest &request)
{
    if (session.authenticated() || session.loginPending) {
        replyError(session, request.id, ErrorCode::Conflict,
                   u"this connection is already signed in"_s);
        return;
    }
    QString error;
    const auto token = m_store.validToken(TokenSecrets::hashOf(request.token), &error);
    if (!error.isEmpty()) {
        // `unauthorized` would make the client throw its token away; this is the server's
        // trouble, so the client keeps the token and retries.
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not check your sign-in; try again in a moment"_s);
        return;
    }
    if (!token) {
        logClient(session.address, u"event=auth_failed addr=%1"_s.arg(session.address));
        replyError(session, request.id, ErrorCode::Unauthorized,
                   u"this token is not valid (revoked or unknown); sign in with your password"_s);
        countAuthFailure(session);
        return;
    }
    authenticate(session, token->userId, token->userName, token->tokenId);
    m_writer->submit(write::TouchToken{token->tokenId});
    reply(session, protocol::encodeOk(request.id, signedInAnswer(token->userName)));
}

QJsonObject ChatServer::signedInAnswer(const QString &userName) const
{
    const QJsonObject limits{
        {"max_body_bytes"_L1, static_cast<qint64>(m_config.limits.maxBodyBytes)},
        {"max_file_bytes"_L1, m_config.limits.maxFileBytes},
        {"max_files_per_message"_L1, m_config.limits.maxFilesPerMessage},
        {"messages_per_second"_L1, m_config.messagesPerSecond},
        {"message_burst"_L1, m_config.messageBurst},
    };
    return {{"user"_L1, userName}, {"instance"_L1, m_instanceName}, {"limits"_L1, limits}};
}

void ChatServer::countAuthFailure(Session &session)
{
    if (++session.authFailures < m_config.authFailuresPerConnection)
        return;
    logClient(session.address, u"event=closed reason=auth_failures addr=%1"_s.arg(session.address));
    closeSession(session, CloseCode::PolicyViolation,
                 u"too many failed sign-ins on this connection"_s);
}

void ChatServer::authenticate(Session &session, qint64 userId, const QString &userName,
                              qint64 tokenId)
{
    session.userId = userId;
    session.userName = userName;
    session.tokenId = tokenId;
    ++m_metrics.sessionsAuthenticated;
    QList<Session *> &sessions = m_sessionsOfUser[userId];
    sessions.append(&session);
    logClient(session.address, u"event=auth addr=%1 user=%2 sessions=%3"_s.arg(
                                   session.address, userName, QString::number(sessions.size())));
    if (sessions.size() == 1)
        presenceChanged(userId, userName);
}

void ChatServer::presenceChanged(qint64 userId, const QString &userName)
{
    const bool online = m_sessionsOfUser.contains(userId);
    PresenceState &state = m_presence[userId];
    state.userName = userName;
    const qint64 t = now();
    if (state.lastSentMs != 0 && t - state.lastSentMs < kPresenceIntervalMs) {
        // Held even when it changes back: a `members` reply meanwhile may have shown the change.
        state.pending = state.pending || online != state.sentOnline;
        // One timer for all users: it fires when the earliest held change is due.
        const qint64 dueInMs = state.lastSentMs + kPresenceIntervalMs - t;
        if (state.pending &&
            (!m_presenceTimer.isActive() || m_presenceTimer.remainingTime() > dueInMs))
            m_presenceTimer.start(int(dueInMs));
        return;
    }
    state.pending = false;
    if (state.lastSentMs != 0 && online == state.sentOnline)
        return;
    state.lastSentMs = t;
    state.sentOnline = online;
    broadcastPresence(userId, userName, online);
}

void ChatServer::flushPendingPresence()
{
    const qint64 t = now();
    QList<qint64> due;
    for (auto it = m_presence.begin(); it != m_presence.end();) {
        if (it->pending && t - it->lastSentMs >= kPresenceIntervalMs)
            due.append(it.key());
        // Offline and quiet: nothing left to remember.
        if (!it->pending && !it->sentOnline && t - it->lastSentMs >= kPresenceIntervalMs)
            it = m_presence.erase(it);
        else
            ++it;
    }
    qint64 nextDueMs = -1;
    for (const PresenceState &state : std::as_const(m_presence)) {
        if (state.pending && !due.isEmpty()) {
            const qint64 dueIn = state.lastSentMs + kPresenceIntervalMs - t;
            if (dueIn > 0 && (nextDueMs < 0 || dueIn < nextDueMs))
                nextDueMs = dueIn;
        }
    }
    if (nextDueMs > 0)
        m_presenceTimer.start(int(nextDueMs));
    for (qint64 userId : due) {
        PresenceState &state = m_presence[userId];
        state.pending = false;
        const bool online = m_sessionsOfUser.contains(userId);
        state.lastSentMs = t;
        state.sentOnline = online;
        broadcastPresence(userId, state.userName, online);
    }
}

void ChatServer::broadcastPresence(qint64 userId, const QString &userName, bool online)
{
    const QString frame = toText(protocol::encodeEvent(protocol::PresenceEvent{userName, online}));
    QSet<qint64> peers;
    for (const QString &roomName : m_roomsOfUser.value(userId)) {
        const auto room = m_rooms.constFind(roomName);
        if (room != m_rooms.cend())
            peers.unite(room->members);
    }
    peers.remove(userId);
    for (qint64 peer : std::as_const(peers)) {
        for (Session *s : m_sessionsOfUser.value(peer))
            sendFrame(*s, frame);
    }
}

void ChatServer::handle(Session &session, const protocol::LogoutRequest &request)
{
    const qint64 tokenId = session.tokenId;
    const quint64 id = session.id;
    m_writer->submit(write::RevokeToken{tokenId},
                     [this, id, tokenId, re = request.id](const WriteResult &result) {
                         Session *session = findSession(id);
                         if (!result.ok) {
                             if (session)
                                 replyError(*session, re, result.code, result.error);
                             return;
                         }
                         QList<Session *> others;
                         for (auto &[otherId, other] : m_sessions) {
                             if (other->tokenId == tokenId && otherId != id)
                                 others.append(other.get());
                         }
                         for (Session *other : others)
                             closeSession(*other, CloseCode::TokenRevoked, u"token revoked"_s);
                         if (session) {
                             reply(*session, protocol::encodeOk(re));
                             closeSession(*session, CloseCode::Normal, u"signed out"_s);
                         }
                     });
}

void ChatServer::handle(Session &session, const protocol::RoomsRequest &request)
{
    QString error;
    const auto summaries = m_store.roomsOf(session.userId, &error);
    if (!error.isEmpty()) {
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not read your rooms; try again later"_s);
        return;
    }
    QJsonArray rooms;
    for (const protocol::RoomSummary &room : summaries)
        rooms.append(protocol::roomSummaryToJson(room));
    reply(session, protocol::encodeOk(request.id,
                                      {{"rooms"_L1, rooms}, {"epoch"_L1, m_store.historyEpoch()}}));
}

ChatServer::Room *ChatServer::roomFor(Session &session, const protocol::RequestId &re,
                                      const QString &name, bool mustBeMember)
{
    auto it = m_rooms.find(name);
    if (it == m_rooms.end()) {
        replyError(session, re, ErrorCode::NotFound, u"there is no room named '%1'"_s.arg(name));
        return nullptr;
    }
    if (mustBeMember && !it->members.contains(session.userId)) {
        replyError(session, re, ErrorCode::Forbidden,
                   u"you are not a member of '%1'; join it first"_s.arg(name));
        return nullptr;
    }
    return &it.value();
}

void ChatServer::handle(Session &session, const protocol::CreateRequest &request)
{
    if (m_rooms.contains(request.room)) {
        replyError(session, request.id, ErrorCode::Conflict,
                   u"a room named '%1' already exists"_s.arg(request.room));
        return;
    }
    if (m_roomsOfUser.value(session.userId).size() >= m_config.maxRoomsPerUser) {
        replyError(session, request.id, ErrorCode::Forbidden,
                   u"you are in %1 rooms, the most this server allows; leave one first"_s.arg(
                       m_config.maxRoomsPerUser));
        return;
    }
    TokenBucket &creations = m_roomCreationBuckets[session.userId];
    const double perMs = m_config.roomCreationsPerHour / 3600.0;
    if (!creations.take(now(), perMs, m_config.roomCreationsPerHour)) {
        replyError(session, request.id, ErrorCode::RateLimited,
                   u"you have created %1 rooms in the last hour, the most allowed; try again in "
                   "%2 min"_s.arg(m_config.roomCreationsPerHour)
                       .arg((creations.waitMs(perMs) + 59'999) / 60'000));
        return;
    }
    const QString title = request.title.trimmed().isEmpty() ? request.room : request.title;
    const qint64 userId = session.userId;
    submitAndReply(session, request.id, write::CreateRoom{request.room, title, userId},
                   [this, userId, name = request.room, title](const WriteResult &result) {
                       m_rooms.insert(name, Room{result.value, name, title, {userId}});
                       m_roomsOfUser[userId].insert(name);
                       return QJsonObject{{"room"_L1, name}, {"title"_L1, title}};
                   });
}

void ChatServer::handle(Session &session, const protocol::JoinRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, false);
    if (!room)
        return;
    if (!room->members.contains(session.userId) &&
        m_roomsOfUser.value(session.userId).size() >= m_config.maxRoomsPerUser) {
        replyError(session, request.id, ErrorCode::Forbidden,
                   u"you are in %1 rooms, the most this server allows; leave one first"_s.arg(
                       m_config.maxRoomsPerUser));
        return;
    }
    const qint64 userId = session.userId;
    submitAndReply(session, request.id, write::JoinRoom{room->id, userId},
                   [this, userId, name = room->name](const WriteResult &) {
                       QString title = name;
                       if (auto it = m_rooms.find(name); it != m_rooms.end()) {
                           it->members.insert(userId);
                           title = it->title;
                       }
                       m_roomsOfUser[userId].insert(name);
                       return QJsonObject{{"room"_L1, name}, {"title"_L1, title}};
                   });
}

void ChatServer::handle(Session &session, const protocol::LeaveRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, false);
    if (!room)
        return;
    const qint64 userId = session.userId;
    submitAndReply(session, request.id, write::LeaveRoom{room->id, userId},
                   [this, userId, name = room->name](const WriteResult &) {
                       if (auto it = m_rooms.find(name); it != m_rooms.end())
                           it->members.remove(userId);
                       m_roomsOfUser[userId].remove(name);
                       return QJsonObject{{"room"_L1, name}};
                   });
}

void ChatServer::handle(Session &session, const protocol::MembersRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    QString error;
    const auto stored = m_store.membersOf(room->id, &error);
    if (!error.isEmpty()) {
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not read this room's members; try again later"_s);
        return;
    }
    QJsonArray members;
    for (const auto &[userId, name] : stored)
        members.append(protocol::memberToJson({name, m_sessionsOfUser.contains(userId)}));
    reply(session,
          protocol::encodeOk(request.id, {{"room"_L1, room->name}, {"members"_L1, members}}));
}

void ChatServer::handle(Session &session, const protocol::SendRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    TokenBucket &bucket = m_sendBuckets[session.userId];
    if (!bucket.take(now(), m_config.messagesPerSecond, m_config.messageBurst)) {
        replyError(session, request.id, ErrorCode::RateLimited,
                   u"sending too fast; try again in %1 ms"_s.arg(
                       bucket.waitMs(m_config.messagesPerSecond)));
        return;
    }
    QElapsedTimer received;
    received.start();
    const quint64 id = session.id;
    m_writer->submit(
        write::InsertMessage{room->id, session.userId, request.cid, request.body},
        [this, id, received, re = request.id,
         event = protocol::MessageEvent{room->name, 0, 0, session.userName, request.cid,
                                        request.body}](const WriteResult &result) mutable {
            Session *session = findSession(id);
            if (!result.ok) {
                if (session)
                    replyError(*session, re, result.code, result.error);
                return;
            }
            event.seq = result.value;
            event.ts = result.ts;
            if (session)
                reply(*session, protocol::encodeOk(re, {{"room"_L1, event.room},
                                                        {"seq"_L1, event.seq},
                                                        {"ts"_L1, event.ts},
                                                        {"cid"_L1, event.cid}}));
            m_metrics.observeSendAck(received.nsecsElapsed() / 1e9);
            if (result.duplicate)
                return;
            ++m_metrics.messagesStored;
            const auto room = m_rooms.constFind(event.room);
            if (room != m_rooms.cend())
                deliver(*room, toText(protocol::encodeEvent(event)), 0, session);
        });
}

void ChatServer::deliver(const Room &room, const QString &frame, qint64 skipUserId,
                         const Session *skipSession)
{
    QList<Session *> tooSlow;
    for (qint64 member : room.members) {
        if (member == skipUserId)
            continue;
        const auto sessions = m_sessionsOfUser.constFind(member);
        if (sessions == m_sessionsOfUser.cend())
            continue;
        for (Session *s : *sessions) {
            if (s == skipSession || s->stage != Stage::WebSocket || !s->ws)
                continue;
            if (s->ws->bytesToWrite() + frame.size() > outputCap(*s)) {
                tooSlow.append(s);
                continue;
            }
            s->ws->sendTextMessage(frame);
            ++m_metrics.messagesDelivered;
        }
    }
    for (Session *s : tooSlow)
        dropOverflowing(*s, "events");
}

void ChatServer::handle(Session &session, const protocol::HistoryRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    QString error;
    const auto messages =
        m_store.history(room->id, room->name, request.before, request.limit, &error);
    if (!error.isEmpty()) {
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not read this room's messages; try again later"_s);
        return;
    }
    reply(session, protocol::encodeOk(request.id, {{"room"_L1, room->name},
                                                   {"messages"_L1, messagesToJson(messages)}}));
}

void ChatServer::handle(Session &session, const protocol::SyncRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    QString error;
    auto messages =
        m_store.messagesAfter(room->id, room->name, request.after, request.limit + 1, &error);
    // Nothing after `after` may also mean the client has seen seqs this database never had:
    // it was restored from a backup. Its copy of the room is from another history.
    const qint64 lastSeq = error.isEmpty() && messages.isEmpty() && request.after > 0
                               ? m_store.lastSeq(room->id, &error)
                               : 0;
    if (!error.isEmpty()) {
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not read this room's messages; try again later"_s);
        return;
    }
    if (messages.isEmpty() && request.after > lastSeq) {
        replyError(session, request.id, ErrorCode::Conflict,
                   u"'%1' has no messages after %2, yet you asked for those after %3: the server "
                   "was restored from a backup. Drop your copy of this room and sync it again "
                   "from 0"_s.arg(room->name)
                       .arg(lastSeq)
                       .arg(request.after));
        return;
    }
    const bool more = messages.size() > request.limit;
    if (more)
        messages.resize(request.limit);
    reply(session, protocol::encodeOk(request.id, {{"room"_L1, room->name},
                                                   {"messages"_L1, messagesToJson(messages)},
                                                   {"more"_L1, more}}));
}

void ChatServer::handle(Session &session, const protocol::ReadRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    submitAndReply(session, request.id, write::MarkRead{room->id, session.userId, request.seq},
                   [name = room->name](const WriteResult &result) {
                       return QJsonObject{{"room"_L1, name}, {"seq"_L1, result.value}};
                   });
}

void ChatServer::submitAndReply(Session &session, const protocol::RequestId &re, WriteJob job,
                                std::function<QJsonObject(const WriteResult &)> onCommitted)
{
    const quint64 id = session.id;
    m_writer->submit(std::move(job), [this, id, re, onCommitted = std::move(onCommitted)](
                                         const WriteResult &result) {
        // Server state follows the database even when the requester has gone meanwhile.
        const QJsonObject payload = result.ok ? onCommitted(result) : QJsonObject();
        Session *session = findSession(id);
        if (!session)
            return;
        if (result.ok)
            reply(*session, protocol::encodeOk(re, payload));
        else
            replyError(*session, re, result.code, result.error);
    });
}

void ChatServer::handle(Session &session, const protocol::TypingRequest &request)
{
    Room *room = roomFor(session, QJsonValue::Null, request.room, true);
    if (!room)
        return;
    const qint64 t = now();
    qint64 &last = m_lastTyping[{session.userId, room->id}];
    if (last != 0 && t - last < kTypingIntervalMs)
        return;
    last = t;
    deliver(*room,
            toText(protocol::encodeEvent(protocol::TypingEvent{room->name, session.userName})),
            session.userId, &session);
}

} // namespace conversa::server
