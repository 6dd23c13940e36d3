// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ServerConfig.h"
#include "http/WebClient.h"

#include <QHash>
#include <QObject>
#include <QPair>
#include <QUrl>

#include <functional>

class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

namespace conversa::server {

class Listener;
namespace files {
class FileService;
}
class ServerContext;
struct Session;

// The HTTP side of the listening ports: accepts TCP (or TLS) connections, reads the client's
// address from a trusted proxy, limits connections per address, answers /healthz, /metrics and
// every refusal, checks the Origin, and upgrades /ws to a WebSocket.
class FrontDoor : public QObject
{
    Q_OBJECT
public:
    explicit FrontDoor(ServerContext &context, QObject *parent = nullptr);

    // Starts listening on the chat port (and the admin port, when configured). Returns an error
    // in words, or an empty string.
    QString listen();
    // Stops accepting new connections.
    void close();
    QUrl webSocketUrl() const;
    QUrl adminUrl() const;
    // The chat port actually bound (a configured port 0 picks one).
    quint16 port() const;

    // Gives back what `session` held of its address's (or the admin port's) budget.
    void release(const Session &session);

    // A session whose connection closed before it became a WebSocket.
    std::function<void(quint64 sessionId)> onHttpEnded;
    // A session whose upgrade completed: `ws` is its socket now (parented to the front door).
    std::function<void(Session &session, QWebSocket *ws)> onWebSocket;

private:
    QString listenOn(Listener *listener, const ListenAddress &address, bool adminPort);
    void acceptConnection(QTcpSocket *tcp, bool adminPort);
    void readHttp(Session &session);
    // Counts the session against its client address; false (and a 429) when that address has
    // too many connections.
    bool admitAddress(Session &session);
    void respondHttp(Session &session, int code, QByteArrayView reason, QByteArrayView body,
                     QByteArrayView contentType = "text/plain");
    // Writes a whole HTTP response and closes the connection once it is sent.
    void sendAndClose(Session &session, const QByteArray &response);
    void upgrade(Session &session);
    void adoptWebSockets();
    void onAcceptFailed(const QString &reason, bool firstInRow, int retryMs);

    ServerContext &m_context;
    Listener *m_listener = nullptr;
    Listener *m_adminListener = nullptr;
    files::FileService *m_files = nullptr;
    QWebSocketServer *m_webSockets = nullptr;
    WebClient m_webClient;
    QHash<QString, int> m_connectionsPerAddress;
    int m_adminConnections = 0;
    qint64 m_lastAcceptFailureLogMs = 0;
    QHash<QPair<QString, quint16>, quint64> m_upgrading; // peer address+port → session
};

} // namespace conversa::server
