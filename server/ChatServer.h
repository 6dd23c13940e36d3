// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Frames.h"
#include "Metrics.h"
#include "RateLimiter.h"
#include "ServerConfig.h"
#include "StorageWriter.h"
#include "Store.h"

#include <QAbstractSocket>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <unordered_map>

class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

namespace conversa::server {

class Listener;

// The serving side of conversa-server: accepts TCP (or TLS) connections, answers /healthz and
// /metrics, upgrades /ws to WebSockets, runs the protocol for each session and fans events out.
// Everything here runs on one thread; storage writes go to StorageWriter's thread and password
// hashing to a small pool, and their results come back here as queued calls.
class ChatServer : public QObject
{
    Q_OBJECT
public:
    explicit ChatServer(ServerConfig config, QObject *parent = nullptr);
    ~ChatServer() override;

    // Opens storage and starts listening. Returns an error in words, or an empty string.
    QString start();
    QUrl webSocketUrl() const;
    QUrl adminUrl() const;

    // Stops accepting, commits what is pending, closes every socket with 1001, then emits stopped.
    void shutdown();

signals:
    void stopped();

private:
    enum class Stage { Http, Upgrading, WebSocket, Closing };
    struct Session {
        quint64 id = 0;
        Stage stage = Stage::Http;
        bool adminPort = false;
        QPointer<QTcpSocket> tcp;
        QPointer<QWebSocket> ws;
        QString address;       // the client's: from a trusted proxy's header, else the peer's
        QString socketAddress; // the TCP peer's (a proxy, perhaps)
        quint16 peerPort = 0;
        bool addressCounted = false;
        qint64 acceptedMs = 0;
        qint64 lastActivityMs = 0;
        qint64 closingSinceMs = 0;
        qint64 userId = 0;
        QString userName;
        qint64 tokenId = 0;
        bool loginPending = false;
        int malformedInRow = 0;
        int authFailures = 0;
        QMetaObject::Connection httpReader;
        // Requests held back while the client is not reading its replies (back-pressure).
        QStringList heldRequests;
        qsizetype heldBytes = 0;
        QMetaObject::Connection drainWatch;
        bool authenticated() const { return userId != 0; }
    };
    struct Room {
        qint64 id = 0;
        QString name;
        QString title;
        QSet<qint64> members;
    };

    QString listenOn(Listener *listener, const ListenAddress &address, bool adminPort);
    void acceptConnection(QTcpSocket *tcp, bool adminPort);
    void readHttp(Session &session);
    // Counts the session against its client address; false (and a 429) when that address has
    // too many connections.
    bool admitAddress(Session &session);
    void respondHttp(Session &session, int code, QByteArrayView reason, QByteArrayView body,
                     QByteArrayView contentType = "text/plain");
    void upgrade(Session &session);
    void adoptWebSockets();
    void endSession(quint64 sessionId);
    void closeSession(Session &session, quint16 code, const QString &reason);
    void sendCloseAndDrain(Session &session, quint16 code, QByteArrayView reason);
    void sweep();
    void reloadAdminChanges();
    // Reads every room and membership; false (and the old maps kept) when storage fails.
    bool loadRooms();

    void handleText(Session &session, const QString &text);
    void handleRequest(Session &session, const QString &text);
    void drainHeldRequests(quint64 sessionId);
    qint64 outputCap(const Session &session) const;
    // Drops a connection whose unsent output passed its cap: it is not reading.
    void dropOverflowing(Session &session, const char *what);
    void countAuthFailure(Session &session);
    // What `login` and `auth` answer besides the token: user, instance and limits.
    QJsonObject signedInAnswer(const QString &userName) const;
    // Client-triggered log lines are rate-limited per address so one client cannot fill the disk.
    void logClient(const QString &address, const QString &line);
    void onAcceptFailed(const QString &reason, bool firstInRow, int retryMs);
    void handleBinary(Session &session);
    void reply(Session &session, const QByteArray &frame);
    void sendFrame(Session &session, const QString &frame);
    void replyError(Session &session, const protocol::RequestId &re, protocol::ErrorCode code,
                    const QString &message);

    void handle(Session &session, const protocol::LoginRequest &request);
    void handle(Session &session, const protocol::AuthRequest &request);
    void handle(Session &session, const protocol::LogoutRequest &request);
    void handle(Session &session, const protocol::RoomsRequest &request);
    void handle(Session &session, const protocol::CreateRequest &request);
    void handle(Session &session, const protocol::JoinRequest &request);
    void handle(Session &session, const protocol::LeaveRequest &request);
    void handle(Session &session, const protocol::MembersRequest &request);
    void handle(Session &session, const protocol::SendRequest &request);
    void handle(Session &session, const protocol::HistoryRequest &request);
    void handle(Session &session, const protocol::SyncRequest &request);
    void handle(Session &session, const protocol::ReadRequest &request);
    void handle(Session &session, const protocol::TypingRequest &request);

    // Writes `job`; once committed, `onCommitted` updates in-memory state and returns the `ok`
    // payload for the requester; a failed write is answered with its error.
    void submitAndReply(Session &session, const protocol::RequestId &re, WriteJob job,
                        std::function<QJsonObject(const WriteResult &)> onCommitted);
    void finishLogin(quint64 sessionId, const protocol::RequestId &re, const QString &requestedUser,
                     const std::optional<UserRecord> &user, bool passwordOk, QString device);
    void authenticate(Session &session, qint64 userId, const QString &userName, qint64 tokenId);
    // The room the request names, if it exists and (when `mustBeMember`) the caller is in it;
    // otherwise replies with not_found or forbidden and returns nullptr.
    Room *roomFor(Session &session, const protocol::RequestId &re, const QString &name,
                  bool mustBeMember);
    void deliver(const Room &room, const QString &frame, qint64 skipUserId,
                 const Session *skipSession);
    // Presence changes go out at most once per interval per user; a burst of reconnects sends
    // only the final state, from the sweep.
    void presenceChanged(qint64 userId, const QString &userName);
    void broadcastPresence(qint64 userId, const QString &userName, bool online);
    void flushPendingPresence();
    Session *findSession(quint64 id);
    qint64 now() const { return m_clock.elapsed(); }

    ServerConfig m_config;
    QString m_instanceName;
    QElapsedTimer m_clock;
    Store m_store;
    StorageWriter *m_writer = nullptr;
    QThreadPool m_hashPool;
    Listener *m_listener = nullptr;
    Listener *m_adminListener = nullptr;
    QWebSocketServer *m_webSockets = nullptr;
    QTimer m_sweepTimer;
    QTimer m_presenceTimer;
    Metrics m_metrics;

    quint64 m_nextSessionId = 1;
    std::unordered_map<quint64, std::unique_ptr<Session>> m_sessions;
    QHash<QString, int> m_connectionsPerAddress;
    int m_adminConnections = 0;
    int m_hashesPending = 0;
    qint64 m_lastAcceptFailureLogMs = 0;
    QHash<QString, TokenBucket> m_logBuckets;
    QHash<qint64, TokenBucket> m_roomCreationBuckets;
    struct PresenceState {
        QString userName;
        qint64 lastSentMs = 0;
        bool sentOnline = false;
        bool pending = false; // a change arrived inside the quiet interval; sent by the sweep
    };
    QHash<qint64, PresenceState> m_presence;
    QHash<QPair<QString, quint16>, quint64> m_upgrading; // peer address+port → session
    QHash<qint64, QList<Session *>> m_sessionsOfUser;
    QHash<QString, Room> m_rooms;
    QHash<qint64, QSet<QString>> m_roomsOfUser;
    QHash<qint64, TokenBucket> m_sendBuckets;
    QHash<QPair<qint64, qint64>, qint64> m_lastTyping; // (user, room) → ms
    FailureWindow m_loginFailures;
    AccountLockout m_accountLockout;
    qint64 m_adminGeneration = -1;
    bool m_shuttingDown = false;
};

} // namespace conversa::server
