// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "FanOut.h"

#include "ServerContext.h"

namespace conversa::server {

void FanOut::toRoom(const Room &room, const QString &frame, qint64 skipUserId,
                    const Session *skipSession)
{
    for (qint64 member : room.members) {
        if (member == skipUserId)
            continue;
        const QList<Session *> *sessions = m_context.sessions.findSessionsOf(member);
        if (!sessions)
            continue;
        // The sink drops a session that cannot take the frame; that ends it only later (a
        // queued signal), so the list walked here stays whole.
        for (Session *s : *sessions) {
            if (s != skipSession && m_context.sink->send(*s, frame))
                ++m_context.metrics.messagesDelivered;
        }
    }
}

void FanOut::toUsers(const QSet<qint64> &users, const QString &frame)
{
    for (qint64 user : users) {
        for (Session *s : m_context.sessions.sessionsOf(user))
            m_context.sink->send(*s, frame);
    }
}

} // namespace conversa::server
