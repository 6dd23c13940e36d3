// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "handlers/Handler.h"

#include "Codec.h"
#include "ServerContext.h"

namespace conversa::server {

using namespace Qt::StringLiterals;
using protocol::ErrorCode;

void Handler::reply(Session &session, const QByteArray &frame)
{
    m_context.sink->send(session, QString::fromUtf8(frame));
}

void Handler::replyError(Session &session, const protocol::RequestId &re, ErrorCode code,
                         const QString &message)
{
    ++m_context.metrics.framesRejected;
    reply(session, protocol::encodeError(re, code, message));
}

void Handler::submitAndReply(Session &session, const protocol::RequestId &re, WriteJob job,
                             std::function<QJsonObject(const WriteResult &)> onCommitted)
{
    const quint64 id = session.id;
    m_context.writer->submit(std::move(job), [this, id, re, onCommitted = std::move(onCommitted)](
                                                 const WriteResult &result) {
        // Server state follows the database even when the requester has gone meanwhile.
        const QJsonObject payload = result.ok ? onCommitted(result) : QJsonObject();
        Session *session = m_context.sessions.find(id);
        if (!session)
            return;
        if (result.ok)
            reply(*session, protocol::encodeOk(re, payload));
        else
            replyError(*session, re, result.code, result.error);
    });
}

Room *Handler::roomFor(Session &session, const protocol::RequestId &re, const QString &name,
                       bool mustBeMember)
{
    Room *room = m_context.rooms.find(name);
    if ((!room || (mustBeMember && !room->members.contains(session.userId))) &&
        m_context.store.isPostgres()) {
        if (Room *known =
                m_context.roomFeed.refreshFromDatabase(name, session.userId, mustBeMember))
            return known;
        room = m_context.rooms.find(name);
    }
    if (!room) {
        replyError(session, re, ErrorCode::NotFound, u"there is no room named '%1'"_s.arg(name));
        return nullptr;
    }
    if (mustBeMember && !room->members.contains(session.userId)) {
        replyError(session, re, ErrorCode::Forbidden,
                   u"you are not a member of '%1'; join it first"_s.arg(name));
        return nullptr;
    }
    return room;
}

} // namespace conversa::server
