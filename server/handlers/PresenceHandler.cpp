// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "handlers/PresenceHandler.h"

#include "Codec.h"
#include "ServerContext.h"

namespace conversa::server {

namespace {
constexpr qint64 kTypingIntervalMs = 1000;
constexpr qint64 kPresenceIntervalMs = 2000;
} // namespace

PresenceHandler::PresenceHandler(ServerContext &context)
    : Handler(context)
{
    m_presenceTimer.setSingleShot(true);
    QObject::connect(&m_presenceTimer, &QTimer::timeout, &m_presenceTimer,
                     [this] { flushPendingPresence(); });
}

void PresenceHandler::handle(Session &session, const protocol::TypingRequest &request)
{
    Room *room = roomFor(session, QJsonValue::Null, request.room, true);
    if (!room)
        return;
    const qint64 t = m_context.now();
    qint64 &last = m_lastTyping[{session.userId, room->id}];
    if (last != 0 && t - last < kTypingIntervalMs)
        return;
    last = t;
    m_context.fanOut.toRoom(*room,
                            QString::fromUtf8(protocol::encodeEvent(
                                protocol::TypingEvent{room->name, session.userName})),
                            session.userId, &session);
}

void PresenceHandler::pruneTyping(qint64 nowMs)
{
    m_lastTyping.removeIf([nowMs](auto it) { return nowMs - it.value() > 10 * kTypingIntervalMs; });
}

void PresenceHandler::presenceChanged(qint64 userId, const QString &userName)
{
    const bool online = m_context.sessions.isOnline(userId);
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
        const bool online = m_context.sessions.isOnline(userId);
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
