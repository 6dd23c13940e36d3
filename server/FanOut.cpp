// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "FanOut.h"

#include "ServerContext.h"

namespace conversa::server {

QByteArray FanOut::encodeTextFrame(const QString &text)
{
    const QByteArray payload = text.toUtf8();
    const qsizetype size = payload.size();
    QByteArray wire;
    wire.reserve(size + 10);
    wire.append(char(0x81)); // FIN, text; a server's frames are not masked
    if (size < 126) {
        wire.append(char(size));
    } else if (size <= 0xffff) {
        wire.append(char(126));
        wire.append(char(size >> 8));
        wire.append(char(size & 0xff));
    } else {
        wire.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            wire.append(char((quint64(size) >> shift) & 0xff));
    }
    wire.append(payload);
    return wire;
}

void FanOut::toRoom(const Room &room, const QString &frame, qint64 skipUserId,
                    const Session *skipSession)
{
    const QByteArray wire = encodeTextFrame(frame);
    for (qint64 member : room.members) {
        if (member == skipUserId)
            continue;
        const QList<Session *> *sessions = m_context.sessions.findSessionsOf(member);
        if (!sessions)
            continue;
        // The sink drops a session that cannot take the frame; that ends it only later (a
        // queued signal), so the list walked here stays whole.
        for (Session *s : *sessions) {
            if (s != skipSession && m_context.sink->sendEncoded(*s, frame, wire))
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
