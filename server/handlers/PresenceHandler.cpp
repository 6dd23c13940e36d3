// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "handlers/PresenceHandler.h"

#include "Codec.h"
#include "ServerContext.h"
#include "redis/SharedState.h"

namespace conversa::server {

namespace {
constexpr qint64 kTypingIntervalMs = 1000;
constexpr qint64 kPresenceIntervalMs = 2000;
// Names of users seen from other instances, mapped to ids once; forgotten wholesale past this.
constexpr qsizetype kMaxRememberedUserIds = 100'000;
} // namespace

PresenceHandler::PresenceHandler(ServerContext &context)
    : Handler(context)
{
    m_presenceTimer.setSingleShot(true);
    QObject::connect(&m_presenceTimer, &QTimer::timeout, &m_presenceTimer,
                     [this] { flushPendingPresence(); });
}

void PresenceHandler::attach(redis::SharedState &shared)
{
    QObject::connect(
        &shared, &redis::SharedState::remoteTyping, &m_presenceTimer,
        [this](const QString &room, const QString &user) { relayRemoteTyping(room, user); });
    QObject::connect(&shared, &redis::SharedState::remotePresenceChanged, &m_presenceTimer,
                     [this](const QString &user) { remotePresenceChanged(user); });
}

bool PresenceHandler::typingAllowed(qint64 userId, qint64 roomId)
{
    const qint64 t = m_context.now();
    qint64 &last = m_lastTyping[{userId, roomId}];
    if (last != 0 && t - last < kTypingIntervalMs)
        return false;
    last = t;
    return true;
}

void PresenceHandler::handle(Session &session, const protocol::TypingRequest &request)
{
    Room *room = roomFor(session, QJsonValue::Null, request.room, true);
    if (!room || !typingAllowed(session.userId, room->id))
        return;
    m_context.fanOut.toRoom(*room,
                            QString::fromUtf8(protocol::encodeEvent(
                                protocol::TypingEvent{room->name, session.userName})),
                            session.userId, &session);
    if (m_context.sharedState)
        m_context.sharedState->publishTyping(room->name, session.userName);
}

void PresenceHandler::relayRemoteTyping(const QString &roomName, const QString &userName)
{
    const Room *room = m_context.rooms.find(roomName);
    const qint64 userId = room ? userIdOf(userName) : 0;
    // Only a member's typing, and still at most once a second (the user may type on two
    // instances at once).
    if (!userId || !room->members.contains(userId) || !typingAllowed(userId, room->id))
        return;
    m_context.fanOut.toRoom(
        *room, QString::fromUtf8(protocol::encodeEvent(protocol::TypingEvent{roomName, userName})),
        userId);
}

void PresenceHandler::remotePresenceChanged(const QString &userName)
{
    if (const qint64 userId = userIdOf(userName))
        presenceChanged(userId, userName);
}

qint64 PresenceHandler::userIdOf(const QString &userName)
{
    if (const auto it = m_userIds.constFind(userName); it != m_userIds.cend())
        return it.value();
    QString error;
    const auto user = m_context.store.userByName(userName, &error);
    if (!error.isEmpty())
        return 0; // not remembered: asked again next time
    if (!user)
        return 0; // not remembered either: the user may be added later
    if (m_userIds.size() >= kMaxRememberedUserIds)
        m_userIds.clear();
    m_userIds.insert(userName, user->id);
    return user->id;
}

void PresenceHandler::pruneTyping(qint64 nowMs)
{
    m_lastTyping.removeIf([nowMs](auto it) { return nowMs - it.value() > 10 * kTypingIntervalMs; });
}

void PresenceHandler::presenceChanged(qint64 userId, const QString &userName)
{
    if (m_context.sharedState)
        m_context.sharedState->setLocalPresence(userName, m_context.sessions.isOnline(userId));
    const bool online = m_context.isUserOnline(userId, userName);
    PresenceState &state = m_presence[userId];
    state.userName = userName;
    const qint64 t = m_context.now();
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

void PresenceHandler::flushPendingPresence()
{
    const qint64 t = m_context.now();
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
    for (qint64 userId : due) {
        PresenceState &state = m_presence[userId];
        state.pending = false;
        const bool online = m_context.isUserOnline(userId, state.userName);
        state.lastSentMs = t;
        state.sentOnline = online;
        broadcastPresence(userId, state.userName, online);
    }
    // Whatever is still held waits for its own interval (also when the timer fired a little
    // early, as coarse timers may, and nothing was due yet).
    qint64 nextDueMs = -1;
    for (const PresenceState &state : std::as_const(m_presence)) {
        if (state.pending) {
            const qint64 dueIn = qMax<qint64>(1, state.lastSentMs + kPresenceIntervalMs - t);
            if (nextDueMs < 0 || dueIn < nextDueMs)
                nextDueMs = dueIn;
        }
    }
    if (nextDueMs > 0)
        m_presenceTimer.start(int(nextDueMs));
}

void PresenceHandler::broadcastPresence(qint64 userId, const QString &userName, bool online)
{
    const QString frame =
        QString::fromUtf8(protocol::encodeEvent(protocol::PresenceEvent{userName, online}));
    m_context.fanOut.toUsers(m_context.rooms.peersOf(userId), frame);
}

} // namespace conversa::server
