// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "handlers/Handler.h"

#include <QHash>
#include <QPair>
#include <QTimer>

namespace conversa::server {

// `typing` (relayed, never stored, at most one a second per user and room) and `presence`
// events (when a user's first session signs in and their last one ends).
class PresenceHandler : public Handler
{
public:
    explicit PresenceHandler(ServerContext &context);

    void handle(Session &session, const protocol::TypingRequest &request);

    // The user's first session signed in or their last one ended. Presence changes go out at
    // most once per interval per user; a burst of reconnects sends only the final state.
    void presenceChanged(qint64 userId, const QString &userName);
    // Sends the changes held back whose interval has passed.
    void flushPendingPresence();
    void pruneTyping(qint64 nowMs);

private:
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
};

} // namespace conversa::server
