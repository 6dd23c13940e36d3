// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ChatServer.h"

#include "Log.h"
#include "PasswordHasher.h"
#include "ServerContext.h"
#include "cluster/ClusterListener.h"
#include "cluster/MembershipNews.h"
#include "handlers/RequestRouter.h"
#include "http/FrontDoor.h"
#include "redis/SharedState.h"
#include "storage/StorageWriter.h"

#include <QCoreApplication>
#include <QTcpSocket>
#include <QWebSocket>

namespace conversa::server {

using namespace Qt::StringLiterals;
using Stage = Session::Stage;
namespace CloseCode = protocol::CloseCode;

namespace {
constexpr qint64 kClosingGraceMs = 5000;
// Requests held back from a connection over its soft output mark; past these it is dropped.
constexpr int kMaxHeldRequests = 64;
constexpr qsizetype kMaxHeldRequestBytes = 1024 * 1024;
} // namespace

ChatServer::ChatServer(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_context(std::make_unique<ServerContext>(std::move(config)))
{
    m_context->eventContext = this;
    m_context->sink = this;
    m_router = std::make_unique<RequestRouter>(*m_context);
    m_frontDoor = new FrontDoor(*m_context, this);
    m_frontDoor->onHttpEnded = [this](quint64 id) { endSession(id); };
    m_frontDoor->onWebSocket = [this](Session &session, QWebSocket *ws) {
        adoptWebSocket(session, ws);
    };
    m_sweepTimer.setInterval(1000);
    connect(&m_sweepTimer, &QTimer::timeout, this, &ChatServer::sweep);
}

ChatServer::~ChatServer()
{
    m_router->signIn().waitForPasswordChecks();
    m_context->sessions.forEach([this](Session &session) {
        for (QObject *socket : {static_cast<QObject *>(session.ws.data()),
                                static_cast<QObject *>(session.tcp.data())}) {
            if (socket) {
                socket->disconnect(this);
                socket->disconnect(m_frontDoor);
            }
        }
    });
    m_router.reset();
    m_context.reset();
}

QString ChatServer::start()
{
    ServerContext &context = *m_context;
    if (!PasswordHasher::initialize())
        return u"libsodium could not be initialised"_s;
    const StorageLocation storage = StorageLocation::of(context.config);
    if (QString error = context.store.open(storage); !error.isEmpty())
        return error;
    context.writer = new StorageWriter(this);
    connect(context.writer, &StorageWriter::committed, this, [](int jobs, qint64 micros) {
        if (micros > 200'000)
            qCWarning(lcServer).noquote()
                << u"event=slow_commit jobs=%1 ms=%2"_s.arg(jobs).arg(micros / 1000);
    });
    if (QString error = context.writer->start(storage); !error.isEmpty())
        return error;
    context.store.setReconnectGate(
        [writer = context.writer] { return writer->databaseReachable(); });
    if (!context.rooms.load(context.store))
        return u"cannot read the rooms from the database; run 'conversa-server check'"_s;
    if (!context.roomFeed.prime())
        return u"cannot read the rooms' newest messages from the database"_s;
    if (context.store.isPostgres()) {
        m_cluster = new ClusterListener(context, this);
        connect(m_cluster, &ClusterListener::adminChanged, this, &ChatServer::reloadAdminChanges);
        if (QString error = m_cluster->start(); !error.isEmpty())
            return error;
    }
    m_adminGeneration = context.store.adminGeneration();
    if (!context.config.redisUrl.isEmpty()) {
        QString error;
        const auto address = redis::parseRedisUrl(context.config.redisUrl, &error);
        if (!address)
            return error;
        // Optional at run time: without Redis the server serves, with typing and presence local.
        auto *shared = new redis::SharedState(*address, context.metrics, this);
        shared->setPresenceTtlMs(context.config.redisPresenceTtlSeconds * 1000);
        context.sharedState = shared;
        m_router->presence().attach(*shared);
        shared->start();
    }
    if (QString error = m_frontDoor->listen(); !error.isEmpty())
        return error;
    ServerConfig actual = context.config;
    actual.listen.port = m_frontDoor->port();
    context.instanceName = actual.effectiveInstanceName();
    m_sweepTimer.start();
    return {};
}

QUrl ChatServer::webSocketUrl() const
{
    return m_frontDoor->webSocketUrl();
}

QUrl ChatServer::adminUrl() const
{
    return m_frontDoor->adminUrl();
}

// --- sessions -------------------------------------------------------------------------------

void ChatServer::adoptWebSocket(Session &session, QWebSocket *ws)
{
    const quint64 id = session.id;
    const qsizetype maxFrameBytes = m_context->config.limits.maxFrameBytes;
    session.ws = ws;
    session.stage = Stage::WebSocket;
    session.lastActivityMs = m_context->now();
    ws->setMaxAllowedIncomingFrameSize(static_cast<quint64>(maxFrameBytes));
    ws->setMaxAllowedIncomingMessageSize(static_cast<quint64>(maxFrameBytes));
    ++m_context->metrics.connectionsOpen;
    connect(ws, &QWebSocket::textMessageReceived, this, [this, id](const QString &text) {
        if (Session *s = m_context->sessions.find(id))
            handleText(*s, text);
    });
    connect(ws, &QWebSocket::binaryMessageReceived, this, [this, id] {
        if (Session *s = m_context->sessions.find(id))
            close(*s, CloseCode::UnsupportedData, u"binary frames are not supported"_s);
    });
    // Queued: a disconnect can be signalled from inside a write, while a caller still walks
    // the session lists; ending the session later keeps those walks safe.
    connect(
        ws, &QWebSocket::disconnected, this, [this, id] { endSession(id); }, Qt::QueuedConnection);
    m_context->logClient(
        session.address,
        u"event=connect addr=%1 port=%2"_s.arg(session.address).arg(session.peerPort));
}

void ChatServer::close(Session &session, quint16 code, const QString &reason)
{
    if (session.stage == Stage::Closing)
        return;
    if (session.ws) {
        session.stage = Stage::Closing;
        session.closingSinceMs = m_context->now();
        session.ws->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
    } else if (session.tcp) {
        session.tcp->abort();
    }
}

void ChatServer::endSession(quint64 sessionId)
{
    ServerContext &context = *m_context;
    std::unique_ptr<Session> session = context.sessions.take(sessionId);
    if (!session)
        return;
    m_frontDoor->release(*session);
    if (session->ws) {
        --context.metrics.connectionsOpen;
        const int code = session->ws->closeCode();
        context.logClient(session->address,
                          u"event=disconnect addr=%1 user=%2 code=%3"_s.arg(
                              session->address,
                              session->userName.isEmpty() ? u"-"_s : session->userName,
                              QString::number(code)));
        session->ws->disconnect(this);
        session->ws->deleteLater();
    }
    if (session->tcp) {
        session->tcp->disconnect(this);
        session->tcp->disconnect(m_frontDoor);
        session->tcp->deleteLater();
    }
    if (session->authenticated()) {
        --context.metrics.sessionsAuthenticated;
        if (context.sessions.signOut(*session) && !context.shuttingDown)
            m_router->presence().presenceChanged(session->userId, session->userName);
    }
}

void ChatServer::sweep()
{
    ServerContext &context = *m_context;
    const qint64 t = context.now();
    const qint64 authLimit = context.config.authTimeoutSeconds * 1000LL;
    const qint64 idleLimit = context.config.idleTimeoutSeconds * 1000LL;
    const qint64 pingAfter = context.config.serverPingSeconds * 1000LL;
    // Closing may end a session at once (and erase it), so decide first and act after the loop.
    enum class Verdict { Abort, AuthTimeout, Idle };
    QList<std::pair<quint64, Verdict>> verdicts;
    context.sessions.forEach([&](Session &s) {
        if (s.stage == Stage::Closing) {
            if (t - s.closingSinceMs > kClosingGraceMs)
                verdicts.append({s.id, Verdict::Abort});
        } else if (s.stage != Stage::WebSocket) {
            if (s.fileTransfer ? t - s.lastActivityMs > idleLimit : t - s.acceptedMs > authLimit)
                verdicts.append({s.id, Verdict::Abort});
        } else if (!s.authenticated() && !s.loginPending && t - s.acceptedMs > authLimit) {
            verdicts.append({s.id, Verdict::AuthTimeout});
        } else if (t - s.lastActivityMs > idleLimit) {
            verdicts.append({s.id, Verdict::Idle});
        } else if (pingAfter > 0 && t - qMax(s.lastActivityMs, s.lastPingMs) >= pingAfter && s.ws) {
            // Browsers cannot ping, so a quiet connection is pinged for them: a live peer's
            // pong counts as activity, a dead one stays silent until the idle limit.
            s.lastPingMs = t;
            s.ws->ping();
        }
    });
    for (const auto &[id, verdict] : verdicts) {
        Session *s = context.sessions.find(id);
        if (!s)
            continue;
        switch (verdict) {
        case Verdict::AuthTimeout:
            context.logClient(s->address, u"event=auth_timeout addr=%1"_s.arg(s->address));
            close(*s, CloseCode::AuthTimeout, u"not authenticated in time"_s);
            break;
        case Verdict::Idle:
            context.logClient(s->address,
                              u"event=idle_timeout addr=%1 user=%2"_s.arg(s->address, s->userName));
            close(*s, CloseCode::IdleTimeout, u"idle for too long"_s);
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
    m_router->signIn().prune(t);
    m_router->presence().flushPendingPresence();
    context.pruneLogBudgets(t);
    m_router->presence().pruneTyping(t);
    reloadAdminChanges();
}

void ChatServer::reloadAdminChanges()
{
    ServerContext &context = *m_context;
    const qint64 generation = context.store.adminGeneration();
    if (generation == m_adminGeneration || generation < 0)
        return;
    // A read that fails proves nothing about a token: keep the session, and leave the
    // generation as it was so the next sweep looks again.
    QString error;
    QList<Session *> revoked;
    bool readFailed = false;
    context.sessions.forEach([&](Session &session) {
        if (readFailed || !session.authenticated() || session.stage != Stage::WebSocket)
            return;
        const bool valid = context.store.isTokenValid(session.tokenId, &error);
        if (!error.isEmpty())
            readFailed = true;
        else if (!valid)
            revoked.append(&session);
    });
    if (readFailed || !reloadRoomsAndTellMembers(context))
        return;
    context.roomFeed.adoptNewRooms();
    m_adminGeneration = generation;
    for (Session *s : revoked) {
        qCInfo(lcServer).noquote()
            << u"event=token_revoked addr=%1 user=%2"_s.arg(s->address, s->userName);
        close(*s, CloseCode::TokenRevoked, u"token revoked"_s);
    }
}

void ChatServer::shutdown()
{
    ServerContext &context = *m_context;
    if (context.shuttingDown)
        return;
    // From here /healthz answers 503 (the balancer takes this instance out) and new WebSocket
    // upgrades are refused with 503; the sessions already open keep being served until their
    // turn to close comes.
    context.shuttingDown = true;
    // The other instances drop this one's users now rather than when its claims expire.
    if (context.sharedState)
        context.sharedState->leave();
    for (quint64 id : context.sessions.ids()) {
        Session *s = context.sessions.find(id);
        if (s && s->ws && s->stage == Stage::WebSocket)
            m_drainQueue.append(id);
    }
    m_drainPlan = DrainPlan::make(context.now(), m_drainQueue.size(), context.config.drainSeconds);
    qCInfo(lcServer).noquote() << u"event=drain sessions=%1 drain_seconds=%2 closes_per_tick=%3"_s
                                      .arg(m_drainQueue.size())
                                      .arg(context.config.drainSeconds)
                                      .arg(m_drainPlan.closesPerTick);
    m_drainTimer.setInterval(DrainPlan::kTickMs);
    connect(&m_drainTimer, &QTimer::timeout, this, &ChatServer::drainStep);
    m_drainTimer.start();
    drainStep();
}

void ChatServer::drainStep()
{
    ServerContext &context = *m_context;
    if (context.now() >= m_drainPlan.deadlineMs) {
        m_drainQueue.clear();
        for (quint64 id : context.sessions.ids()) {
            if (Session *s = context.sessions.find(id); s && s->ws)
                s->ws->abort();
            else if (s && s->tcp)
                s->tcp->abort();
            endSession(id);
        }
    }
    if (!m_drainQueue.isEmpty()) {
        // What these sessions sent is committed and acknowledged before their close frame, so
        // every `ok` a client was owed reaches it; what it sends after the close frame is not
        // answered, and the client sends it again, with the same cid, to another instance.
        m_router->signIn().waitForPasswordChecks();
        QCoreApplication::sendPostedEvents(this);
        if (context.writer)
            context.writer->flush();
        QCoreApplication::sendPostedEvents(this);
        for (int closed = 0; closed < m_drainPlan.closesPerTick && !m_drainQueue.isEmpty();) {
            Session *s = context.sessions.find(m_drainQueue.takeFirst());
            if (s && s->ws && s->stage == Stage::WebSocket) {
                sendCloseAndDrain(*s, CloseCode::GoingAway, "server shutting down");
                ++closed;
            }
        }
    }
    if (!m_drainQueue.isEmpty())
        return;
    // Connections that never became a WebSocket (health checks, refusals) end on their own.
    bool waiting = false;
    context.sessions.forEach([&](Session &s) { waiting = waiting || s.ws; });
    if (!waiting) {
        m_drainTimer.stop();
        if (context.writer)
            context.writer->flush();
        QMetaObject::invokeMethod(this, &ChatServer::stopped, Qt::QueuedConnection);
    }
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
    session.closingSinceMs = m_context->now();
    session.heldRequests.clear();
    session.heldBytes = 0;
    if (session.tcp)
        session.tcp->write(frame);
}

// --- frames ---------------------------------------------------------------------------------

bool ChatServer::send(Session &session, const QString &frame)
{
    if (!session.ws || session.stage != Stage::WebSocket)
        return false;
    if (session.ws->bytesToWrite() + frame.size() > m_context->sessions.outputCap(session)) {
        m_context->sessions.dropOverflowing(session, "replies");
        return false;
    }
    session.ws->sendTextMessage(frame);
    return true;
}

bool ChatServer::sendEncoded(Session &session, const QString &frame, const QByteArray &wireFrame)
{
    Q_UNUSED(frame);
    if (!session.ws || !session.tcp || session.stage != Stage::WebSocket)
        return false;
    if (session.tcp->bytesToWrite() + wireFrame.size() > m_context->sessions.outputCap(session)) {
        m_context->sessions.dropOverflowing(session, "events");
        return false;
    }
    // Straight to the TCP socket: QWebSocket writes each of its frames whole and at once, so
    // frames never interleave, and QIODevice keeps a reference to this buffer instead of copying.
    session.tcp->write(wireFrame);
    return true;
}

void ChatServer::handleText(Session &session, const QString &text)
{
    if (session.stage != Stage::WebSocket)
        return;
    // Back-pressure: while replies pile up unread, hold further requests instead of answering
    // them; a client that keeps sending regardless is dropped.
    const qint64 softMark = m_context->sessions.outputCap(session) / 4;
    if (!session.heldRequests.isEmpty() || (session.ws && session.ws->bytesToWrite() > softMark)) {
        if (session.heldRequests.size() >= kMaxHeldRequests ||
            session.heldBytes + text.size() > kMaxHeldRequestBytes) {
            m_context->sessions.dropOverflowing(session, "requests");
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
    m_router->handleText(session, text);
}

void ChatServer::drainHeldRequests(quint64 sessionId)
{
    Session *session = m_context->sessions.find(sessionId);
    if (!session)
        return;
    const qint64 softMark = m_context->sessions.outputCap(*session) / 4;
    while (session && session->stage == Stage::WebSocket && !session->heldRequests.isEmpty() &&
           session->ws && session->ws->bytesToWrite() <= softMark) {
        const QString text = session->heldRequests.takeFirst();
        session->heldBytes -= text.size();
        m_router->handleText(*session, text);
        session = m_context->sessions.find(sessionId);
    }
    if (session && session->heldRequests.isEmpty()) {
        disconnect(session->drainWatch);
        session->drainWatch = {};
    }
}

} // namespace conversa::server
