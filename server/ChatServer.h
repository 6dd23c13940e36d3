// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ServerConfig.h"
#include "cluster/DrainPlan.h"
#include "sessions/Session.h"

#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>

class QWebSocket;

namespace conversa::server {

class ClusterListener;
class FrontDoor;
class RequestRouter;
class ServerContext;

// conversa-server's serving side, put together: the FrontDoor accepts connections and upgrades
// them, the RequestRouter's handlers run the protocol, FanOut delivers events. ChatServer owns
// the WebSocket sessions' lives: frames in (with back-pressure) and out (within each
// connection's output budget), the once-a-second sweep (sign-in and idle limits, pings to quiet
// connections, administrator changes) and the drain on shutdown.
// Everything here runs on one thread; storage writes go to StorageWriter's thread and password
// hashing to a small pool, and their results come back here as queued calls.
class ChatServer : public QObject, private SessionSink
{
    Q_OBJECT
public:
    explicit ChatServer(ServerConfig config, QObject *parent = nullptr);
    ~ChatServer() override;

    // Opens storage and starts listening. Returns an error in words, or an empty string.
    QString start();
    QUrl webSocketUrl() const;
    QUrl adminUrl() const;

    // Drains: /healthz answers 503 and new sessions are refused at once; open sessions are
    // closed with 1001 over the first half of drain_seconds (each after what it sent is
    // committed and acknowledged), whatever is still open at drain_seconds is cut off, and
    // stopped is emitted when no WebSocket is left.
    void shutdown();

signals:
    void stopped();

private:
    // SessionSink: to the WebSocket, within the session's output budget.
    bool send(Session &session, const QString &frame) override;
    bool sendEncoded(Session &session, const QString &frame, const QByteArray &wireFrame) override;
    void close(Session &session, quint16 code, const QString &reason) override;

    void adoptWebSocket(Session &session, QWebSocket *ws);
    void endSession(quint64 sessionId);
    void sendCloseAndDrain(Session &session, quint16 code, QByteArrayView reason);
    void handleText(Session &session, const QString &text);
    void drainHeldRequests(quint64 sessionId);
    void sweep();
    void reloadAdminChanges();
    void drainStep();

    std::unique_ptr<ServerContext> m_context;
    std::unique_ptr<RequestRouter> m_router;
    FrontDoor *m_frontDoor = nullptr;
    ClusterListener *m_cluster = nullptr; // with storage=postgresql
    QTimer m_sweepTimer;
    qint64 m_adminGeneration = -1;
    QTimer m_drainTimer;
    DrainPlan m_drainPlan;
    QList<quint64> m_drainQueue; // sessions still to be closed, in order
};

} // namespace conversa::server
