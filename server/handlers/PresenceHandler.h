// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "handlers/Handler.h"

#include <QHash>
#include <QPair>
#include <QTimer>

namespace conversa::server {

namespace redis {
class SharedState;
}

// `typing` (relayed, never stored, at most one a second per user and room) and `presence`
// events (when a user's first session signs in and their last one ends). With Redis, typing
// also goes to and comes from the other instances, and a user is online while any instance
// holds a session for them.
class PresenceHandler : public Handler
{
public:
    explicit PresenceHandler(ServerContext &context);

    // Takes typing and presence changes from the other instances.
    void attach(redis::SharedState &shared);

    void handle(Session &session, const protocol::TypingRequest &request);

    // The user's first session signed in or their last one ended. Presence changes go out at
    // most once per interval per user; a burst of reconnects sends only the final state.
    void presenceChanged(qint64 userId, const QString &userName);
    // Sends the changes held back whose interval has passed.
    void flushPendingPresence();
    void pruneTyping(qint64 nowMs);

private:
    // Another instance relayed `user` typing in `room`: to this instance's members of the room.
    void relayRemoteTyping(const QString &roomName, const QString &userName);
    void remotePresenceChanged(const QString &userName);
    // The id this instance's database gives `userName`, 0 when it has none.
    qint64 userIdOf(const QString &userName);
    // A typing notice from `userId` in `room` passes at most once a second.
    bool typingAllowed(qint64 userId, qint64 roomId);
    void broadcastPresence(qint64 userId, const QString &userName, bool online);

    struct PresenceState {
        QString userName;
        qint64 lastSentMs = 0;
        bool sentOnline = false;
        bool pending = false; // a change arrived inside the quiet interval; sent by the timer
    };
    QHash<qint64, PresenceState> m_presence;
    QTimer m_presenceTimer;
    QHash<QPair<qint64, qint64>, qint64> m_lastTyping; // (user, room) → ms
    QHash<QString, qint64> m_userIds;                  // names from other instances → ids here
};

} // namespace conversa::server
