// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "redis/RedisClient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace conversa::server {

class Metrics;

namespace redis {

// What instances of one cluster share through Redis: who is online where, typing, and the
// per-user send budget. Messages never go through here: while Redis is away everything below
// degrades to this instance alone and recovers by itself when Redis is back.
//
// Presence: each instance keeps a hash `conversa:instance:<id>` (its users, plus a version under
// `#v`) that expires unless refreshed, lists itself in the set `conversa:instances`, and
// publishes each change on `conversa:presence`. Every instance keeps a view of the others:
// changes arrive by pub/sub, and a check every third of the expiry time reads each instance's
// version (a missing hash: that instance died) and reads the whole hash again when it missed a
// change. A user is online when any instance holds a session for them.
// Typing is published on `conversa:typing` and never stored. The send budget is a token bucket
// per user in `conversa:rate:send:<user>`, updated by one Lua script.
// docs/architecture.md lists the keys and messages.
class SharedState : public QObject
{
    Q_OBJECT
public:
    SharedState(RedisAddress address, Metrics &metrics, QObject *parent = nullptr);
    ~SharedState() override;

    // How long an instance's presence outlives its last refresh (refreshed every third of it).
    void setPresenceTtlMs(int ttlMs);
    // Tests shorten the client's timeouts and reconnect delays.
    void setClientTimings(int commandTimeoutMs, int pingIntervalMs, int firstDelayMs,
                          int longestDelayMs);
    void start();
    // Takes this instance's users out of the shared presence at once (on shutdown).
    void leave();

    bool isUp() const { return m_up; }
    QByteArray instanceId() const { return m_instanceId; }

    // Presence: whether this instance holds a session for `user`.
    void setLocalPresence(const QString &user, bool online);
    // Whether another live instance holds a session for `user`.
    bool isOnlineElsewhere(const QString &user) const { return m_elsewhere.contains(user); }

    // Typing: to the sessions of the room's members on the other instances (dropped first when
    // Redis is slow).
    void publishTyping(const QString &room, const QString &user);

    // The send budget shared by all instances: `rate` a second, `burst` saved up.
    enum class Verdict { Allowed, Refused, Unavailable };
    using RateCallback = std::function<void(Verdict verdict, qint64 waitMs)>;
    // False when Redis is not available now (decide locally). Otherwise `done` runs once, in
    // the order of the calls; Unavailable when Redis did not answer.
    bool takeSendToken(const QString &user, double rate, int burst, RateCallback done);
    // The same for another per-user budget, kept in `conversa:rate:<budget>:<user>` ("create":
    // room creations).
    bool takeToken(const QByteArray &budget, const QString &user, double rate, int burst,
                   RateCallback done);

    // Failed sign-ins shared by all instances: an attempt counts against `account` and
    // `address` (at most `limit` a minute each) from its start, and a full account window locks
    // the account as AccountLockout does. False when Redis is not available now (decide
    // locally); otherwise `done` runs once: Allowed with the attempt's id, Refused with the
    // wait, or Unavailable.
    using LoginCallback =
        std::function<void(Verdict verdict, qint64 waitMs, const QByteArray &attempt)>;
    bool takeLoginAttempt(const QString &account, const QString &address, int limit,
                          LoginCallback done);
    // The password was right: the attempt does not count.
    void forgetLoginAttempt(const QString &account, const QString &address,
                            const QByteArray &attempt);
    static constexpr qint64 kLoginWindowMs = 60'000;

signals:
    // `user` went online or offline on the other instances taken together.
    void remotePresenceChanged(const QString &user);
    void remoteTyping(const QString &room, const QString &user);
    void upChanged(bool up);

private:
    struct Remote {
        QSet<QString> users;
        qint64 version = -1;
        bool reading = false; // a full read of its hash is under way
    };

    void updateUp();
    void writeWholeState();
    void check();
    void onMessage(const QByteArray &channel, const QByteArray &payload);
    void onPresenceMessage(const QList<QByteArray> &words);
    void readRemote(const QByteArray &id);
    void setRemoteUsers(const QByteArray &id, const QSet<QString> &users);
    void forgetRemote(const QByteArray &id);
    void changeElsewhere(const QString &user, int delta);
    QByteArray instanceKey(const QByteArray &id) const;

    Metrics &m_metrics;
    RedisClient m_commands;
    RedisClient m_subscriber;
    QByteArray m_instanceId;
    bool m_up = false;
    bool m_downLogged = false;
    bool m_left = false;
    bool m_rewriteNeeded = false; // a presence write failed: write the whole state again
    QElapsedTimer m_clock;
    qint64 m_downSinceMs = 0;
    int m_ttlMs = 15'000;
    QTimer m_checkTimer;

    QSet<QString> m_localUsers;
    qint64 m_version = 0;
    quint64 m_attempts = 0; // sign-in attempts here, for their ids
    QHash<QByteArray, Remote> m_remotes;
    QHash<QString, int> m_elsewhere; // user -> how many other instances hold them
};

} // namespace redis
} // namespace conversa::server
