// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Backoff.h"
#include "ConnectionDetails.h"
#include "ConnectionState.h"
#include "Heartbeat.h"
#include "OutboxFile.h"
#include "ServerLimits.h"
#include "Transport.h"

#include <Frames.h>

#include <QAbstractSocket>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslCertificate>
#include <QSslError>
#include <QTimer>
#include <QUrl>

#include <functional>

namespace conversa::core {

class MessageCache;
class Outbox;
class OutboxPump;
class RoomSync;

// One account's session with a Conversa server: the connection state machine (connect, sign in,
// catch up, stay alive, reconnect) and request/reply bookkeeping. Its parts: a Transport per
// attempt (the socket; WebSocketTransport unless a test sets a factory), a Heartbeat, RoomSync
// (the merge of live and synced messages into one gapless, duplicate-free stream per room) and
// the OutboxPump (the queued messages, a window of them in flight per room).
//
// Every attempt uses a new Transport. A link is declared dead after `pongTimeoutMs` without a
// pong, and at once when a heartbeat fires far too late (the machine slept). Reconnects back off
// exponentially with full jitter; the backoff resets only once a session was accepted and lasted.
class SessionManager : public QObject
{
    Q_OBJECT
    Q_PROPERTY(conversa::core::ConnectionState state READ state NOTIFY stateChanged)
public:
    enum class ProxyMode {
        System, // the operating system's proxy settings (the default)
        None,   // connect directly
        Http,   // HTTP proxy with CONNECT
        Socks5,
    };
    Q_ENUM(ProxyMode)

    struct Timing {
        int connectTimeoutMs = 15'000; // TCP, proxy, TLS, upgrade and the sign-in answer
        int pingIntervalMs = 15'000;
        int pongTimeoutMs = 10'000;
        int lateTimerToleranceMs = 10'000; // a heartbeat this late means the machine slept
        int transientRetryMs = 1'000;      // after `rate_limited` or `internal` on send
        int uploadRetryMs = 5'000;         // after 429, 503 or no answer to an upload
    };

    explicit SessionManager(QObject *parent = nullptr);
    ~SessionManager() override;

    // Accepts "host:port", "http(s)://…" and "ws(s)://…"; the path defaults to /ws.
    static QUrl normalizeServerUrl(const QString &text);
    // "user@host:port", the keychain key and the name of the account's data folder.
    static QString accountKey(const QString &user, const QUrl &serverUrl);

    void setCache(MessageCache *cache);
    void setOutbox(Outbox *outbox);
    void setServerUrl(const QUrl &url) { m_url = url; }
    QUrl serverUrl() const { return m_url; }
    void setProxy(ProxyMode mode, const QUrl &proxyUrl = {});
    // Extra trusted CA certificates (PEM) beside the system's; false with a message when unusable.
    bool setExtraCaFile(const QString &path, QString *errorMessage = nullptr);
    void setDeviceName(const QString &name) { m_deviceName = name; }
    void setTiming(const Timing &timing);
    void setBackoff(const Backoff &backoff) { m_backoff = backoff; }
    // How many recent messages of a room never synced before are fetched (at most).
    void setInitialBacklog(int messages);
    // Makes the transport of each connection attempt (tests hand in a fake); WebSocketTransport
    // by default.
    void setTransportFactory(TransportFactory factory);
    // The wall clock the heartbeat compares against to notice that the machine slept.
    void setClock(Heartbeat::Clock clock);
    // Messages in flight per room (OutboxPump::kDefaultWindow by default).
    void setOutboxWindow(int messages);
    // Retry at once when the system says the network is back (on by default).
    void setWatchNetwork(bool watch);

    QString user() const { return m_user; }
    QString token() const { return m_token; }
    // How this session reaches its server (URL, proxy, extra CAs, user agent): what a
    // FileTransfer to the same server uses.
    TransportOptions transportOptions() const;
    ConnectionState state() const { return m_status.state; }
    ConnectionStatus status() const { return m_status; }
    const Backoff &backoff() const { return m_backoff; }
    bool isAuthenticated() const { return m_authenticated; }
    // The current connection as it is: path, proxy, TLS, the timings of the attempt that opened
    // it, the last ping's round trip and the reconnects since sign-in (see ConnectionDetails).
    ConnectionDetails connectionDetails() const { return m_details; }
    // What the server accepts (body size, files, send rate), from its last sign-in answer; kept
    // in the account's cache, so they apply offline after a restart too.
    ServerLimits serverLimits() const { return m_limits; }

    // Sign in with a password (`login`); on success `tokenIssued` hands out the device token and
    // the session goes on as if resumed with it. The password is kept only for this attempt.
    void signIn(const QString &user, const QString &password);
    // Start (and keep) a session with a saved token (`auth`).
    void resume(const QString &user, const QString &token);
    // Revoke the token on the server, then sign out. `loggedOut` tells whether the server
    // confirmed.
    void logout();
    // Stop here without revoking anything.
    void signOut();
    // Skip the remaining wait and try now.
    void reconnectNow();

    // Sends a request (its id is filled in) once authenticated; fails at once with ConnectionLost
    // when not connected.
    void request(protocol::Request request, ReplyHandler handler = {});

    // Queues a message in the outbox and sends it once it is on the disk and the session is up.
    // Returns its cid at once (the Outbox's `saved` or `notSaved` follows), or an empty string
    // for an invalid room name, a body with nothing visible, or no open outbox.
    // With `files` (AttachmentLimits::describe), the body is a caption and may be empty; the
    // files are copied into the outbox, uploaded, then sent with the message.
    QString sendMessage(const QString &room, const QString &body, qint64 replyTo = 0,
                        const QList<OutboxFile> &files = {});
    // Stops the upload of message `cid` and forgets it with the copies of its files; false once
    // its files are all on the server (the message itself may be on its way then).
    bool cancelUpload(const QString &cid);
    // The cid of the message whose files `room` is uploading now (empty: none).
    QString uploadingIn(const QString &room) const;
    // The same for a change of message `target` of `room`: a new body for our own message, or its
    // deletion (ours, or any in a room we own). Idempotent by cid like a message, so a change
    // made offline goes out once after the reconnect. Empty for a change the server would refuse
    // for good (an invalid room or seq, an edit with nothing visible).
    QString editMessage(const QString &room, qint64 target, const QString &body);
    QString deleteMessage(const QString &room, qint64 target);
    // Adds (`on`) or takes back our reaction `emoji` to message `target`. Not queued (the
    // protocol has no cid for it): it needs the session, and the answer comes back through
    // logEntryReceived (or reactionRefused, in words).
    bool react(const QString &room, qint64 target, const QString &emoji, bool on);
    // Re-reads the outbox and sends what is pending (after another process added to it).
    void flushOutbox();
    bool outboxIdle() const;
    // Messages sent and not answered yet (of `room`, or of all rooms).
    int outboxInFlight(const QString &room = {}) const;
    // Sends the server refused for a passing reason (`rate_limited`, `internal`) in this session.
    int outboxRefusals() const;
    void sendTyping(const QString &room);
    void markRead(const QString &room, qint64 seq);
    void requestHistory(const QString &room, qint64 beforeSeq, int limit = 50);
    void requestMembers(const QString &room);
    void refreshRooms();
    // Who owns `room`, as the server's last room list said (empty: nobody, or not known).
    QString roomOwner(const QString &room) const { return m_roomOwners.value(room); }

signals:
    void statusChanged(const conversa::core::ConnectionStatus &status);
    void connectionDetailsChanged(const conversa::core::ConnectionDetails &details);
    void stateChanged(conversa::core::ConnectionState state);
    void tokenIssued(const QString &user, const QString &token);
    void serverLimitsChanged(const conversa::core::ServerLimits &limits);
    // The server no longer accepts the token (revoked, account disabled): forget it.
    void tokenRejected(const QString &user);
    void loggedOut(bool confirmedByServer);
    void roomsUpdated(const QList<conversa::protocol::RoomSummary> &rooms);
    // Every message exactly once, in seq order per room, whether it came live, from a sync or as
    // the answer to our own send.
    void messageReceived(const conversa::protocol::MessageEvent &message);
    // Edits, deletions and reactions (room log entries with a `kind`) as messageReceived gives
    // messages: once each, in seq order with them. Kinds this client does not know are left out.
    void logEntryReceived(const conversa::protocol::MessageEvent &entry);
    // The server refused an edit or deletion queued in the outbox (`kind`, `target`), or a
    // reaction, for good; `reason` says why in words.
    void changeRefused(const QString &room, const QString &kind, qint64 target,
                       const QString &reason);
    void historyReceived(const QString &room,
                         const QList<conversa::protocol::MessageEvent> &messages);
    // A history request got no messages; `reason` says why in words.
    void historyFailed(const QString &room, const QString &reason);
    void membersReceived(const QString &room, const QList<conversa::protocol::Member> &members);
    void typingReceived(const QString &room, const QString &user);
    void presenceChanged(const QString &user, bool online);
    // The server added the user to `room` (a dm with `peer`, an invite) or renamed it
    // (`kind`: "public", "private" or "dm"); the room list is refreshed after.
    void roomAdded(const QString &room, const QString &title, const QString &kind,
                   const QString &peer);
    // The room's owner (`by`, empty when not known) took the user out of `room`.
    void roomRemoved(const QString &room, const QString &by);
    // The server was restored from a backup and its seqs now name other messages: the cached
    // messages of `room` (of every room when empty) were dropped and are synced afresh.
    void historyReset(const QString &room);
    // Rooms and messages are caught up; the session is live.
    void synced();
    // Nothing pending in the outbox and nothing in flight.
    void outboxDrained();
    // The outbox draining, account-wide: `sent` of `total` queued messages were answered by the
    // server since it was last empty ("Sending 3 of 40"); sent == total when it is empty again.
    void outboxProgress(int sent, int total);
    // The files of message `cid` of `room` are uploaded this far: 0..1, -1 once no longer.
    void uploadProgress(const QString &room, const QString &cid, double fraction);

private:
    enum class Mode { Idle, Login, Resume };

    void connectNow();
    void teardownSocket();
    void setStatus(ConnectionState state, ConnectionProblem problem = ConnectionProblem::None,
                   const QString &reason = {}, int secondsLeft = 0);
    void linkDown(ConnectionProblem problem, const QString &reason, bool immediate = false);
    void stopAll(ConnectionState state, ConnectionProblem problem, const QString &reason);
    void scheduleReconnect(ConnectionProblem problem, const QString &reason, qint64 delayMs);
    void updateCountdown();

    void onConnected();
    void onDisconnected(int closeCode, const QString &closeReason);
    void onTransportError(ConnectionProblem problem, const QString &reason);
    void onTextMessage(const QString &text);
    void onPong(qint64 roundTripMs);
    void resetConnectionDetails();
    void emitDetails();

    void sendFrame(const protocol::Request &request, ReplyHandler handler);
    // `answer` is the payload of the `login`/`auth` answer (user, instance, limits).
    void onSignedIn(const QJsonObject &answer);
    void onRoomsReply(const RequestResult &result);
    void maybeFinishSync();

    QString describeCloseCode(int code, const QString &why, ConnectionProblem *problem) const;

    QPointer<MessageCache> m_cache;
    QPointer<Outbox> m_outbox;
    QUrl m_url;
    ProxyMode m_proxyMode = ProxyMode::System;
    QUrl m_proxyUrl;
    QList<QSslCertificate> m_extraCas;
    QString m_deviceName;
    Timing m_timing;
    Backoff m_backoff;
    TransportFactory m_transportFactory;
    Heartbeat::Clock m_clock;

    Mode m_mode = Mode::Idle;
    QString m_user;
    QString m_token;
    QString m_password; // only while a login attempt is on its way
    bool m_logoutRequested = false;

    Transport *m_transport = nullptr; // this attempt's; a new one each time
    quint64 m_attempt = 0;
    bool m_authenticated = false;
    ConnectionProblem m_attemptProblem = ConnectionProblem::None;
    QString m_attemptReason;
    ConnectionStatus m_status;

    ConnectionDetails m_details;
    ServerLimits m_limits;
    int m_sessionsSinceSignIn = 0;

    Heartbeat *m_heartbeat = nullptr;
    RoomSync *m_sync = nullptr;
    OutboxPump *m_pump = nullptr;
    QTimer m_connectTimer;
    QTimer m_reconnectTimer;
    QTimer m_countdownTimer;
    qint64 m_reconnectDueMs = 0;

    qint64 m_nextId = 1;
    QHash<qint64, ReplyHandler> m_pending;

    bool m_roomsRequested = false;
    bool m_roomsLoaded = false;
    QHash<QString, QString> m_roomOwners; // room -> owner, from the last `rooms` answer
    QHash<QString, qint64> m_lastTypingMs;
    bool m_watchNetwork = true;
};

} // namespace conversa::core
