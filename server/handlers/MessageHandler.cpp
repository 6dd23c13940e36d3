// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "handlers/MessageHandler.h"

#include "Codec.h"
#include "ServerContext.h"
#include "redis/SharedState.h"

#include <QElapsedTimer>
#include <QJsonArray>

namespace conversa::server {

using namespace Qt::StringLiterals;
using protocol::ErrorCode;

namespace {
QJsonArray messagesToJson(const QList<protocol::MessageEvent> &messages)
{
    QJsonArray array;
    for (const protocol::MessageEvent &m : messages)
        array.append(protocol::messageToJson(m));
    return array;
}
} // namespace

void MessageHandler::handle(Session &session, const protocol::SendRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    if (request.replyTo > 0) {
        QString error;
        const bool found = m_context.store.entryExists(room->id, request.replyTo, &error);
        if (!error.isEmpty()) {
            replyError(session, request.id, ErrorCode::Internal,
                       u"the server could not read this room's messages; try again later"_s);
            return;
        }
        if (!found) {
            replyError(
                session, request.id, ErrorCode::NotFound,
                u"'%1' has no message %2 to reply to"_s.arg(room->name).arg(request.replyTo));
            return;
        }
    }
    QElapsedTimer received;
    received.start();
    const ServerConfig &config = m_context.config;
    // With Redis the budget is shared by the user's sessions on every instance. Its answers come
    // in the order asked, and a Redis that fails answers every pending check at once (in order),
    // so a user's messages are stored in the order they were sent either way.
    const auto decided = [this, id = session.id, request,
                          received](redis::SharedState::Verdict verdict, qint64 waitMs) {
        Session *session = m_context.sessions.find(id);
        if (!session)
            return; // the client sends it again, with the same cid
        Room *room = roomFor(*session, request.id, request.room, true);
        if (!room)
            return;
        if (verdict == redis::SharedState::Verdict::Unavailable)
            sendWithLocalBudget(*session, *room, request, received);
        else if (verdict == redis::SharedState::Verdict::Refused)
            replyError(*session, request.id, ErrorCode::RateLimited,
                       u"sending too fast; try again in %1 ms"_s.arg(waitMs));
        else
            store(*session, *room, request, received);
    };
    if (m_context.sharedState &&
        m_context.sharedState->takeSendToken(session.userName, config.messagesPerSecond,
                                             config.messageBurst, decided))
        return;
    sendWithLocalBudget(session, *room, request, received);
}

void MessageHandler::sendWithLocalBudget(Session &session, const Room &room,
                                         const protocol::SendRequest &request,
                                         const QElapsedTimer &received)
{
    const ServerConfig &config = m_context.config;
    TokenBucket &bucket = m_sendBuckets[session.userId];
    if (!bucket.take(m_context.now(), config.messagesPerSecond, config.messageBurst)) {
        replyError(
            session, request.id, ErrorCode::RateLimited,
            u"sending too fast; try again in %1 ms"_s.arg(bucket.waitMs(config.messagesPerSecond)));
        return;
    }
    store(session, room, request, received);
}

void MessageHandler::store(Session &session, const Room &room, const protocol::SendRequest &request,
                           const QElapsedTimer &received)
{
    const quint64 id = session.id;
    protocol::MessageEvent event{room.name,      0, 0, session.userName, request.cid, request.body,
                                 request.replyTo};
    // Only files one uploaded, or that a message in one of one's rooms carries, may be sent on.
    for (const QString &fileId : request.files) {
        QString error;
        const std::optional<FileRecord> file =
            m_context.store.readableFile(fileId, session.userId, &error);
        if (!error.isEmpty()) {
            replyError(session, request.id, ErrorCode::Internal,
                       u"the server could not read its files; try again later"_s);
            return;
        }
        if (!file) {
            replyError(session, request.id, ErrorCode::Forbidden,
                       u"you cannot attach file %1: you did not upload it and no message in your "
                       "rooms carries it (or it was deleted or expired)"_s.arg(fileId));
            return;
        }
        event.files.append(file->ref);
    }
    m_context.writer->submit(write::InsertMessage{room.id, session.userId, request.cid,
                                                  request.body, request.replyTo, request.files},
                             [this, id, received, re = request.id, roomId = room.id,
                              event = std::move(event)](const WriteResult &result) mutable {
                                 Session *session = m_context.sessions.find(id);
                                 if (!result.ok) {
                                     if (session)
                                         replyError(*session, re, result.code, result.error);
                                     return;
                                 }
                                 event.seq = result.value;
                                 event.ts = result.ts;
                                 if (session)
                                     reply(*session,
                                           protocol::encodeOk(re, {{"room"_L1, event.room},
                                                                   {"seq"_L1, event.seq},
                                                                   {"ts"_L1, event.ts},
                                                                   {"cid"_L1, event.cid}}));
                                 m_context.metrics.observeSendAck(received.nsecsElapsed() / 1e9);
                                 if (result.duplicate)
                                     return;
                                 ++m_context.metrics.messagesStored;
                                 m_context.roomFeed.committed(roomId, event, id);
                             });
}

void MessageHandler::handle(Session &session, const protocol::EditRequest &request)
{
    change(
        session, request.id, request.room,
        write::ChangeMessage{0, session.userId, request.cid, request.target, false, request.body});
}

void MessageHandler::handle(Session &session, const protocol::DeleteRequest &request)
{
    change(session, request.id, request.room,
           write::ChangeMessage{0, session.userId, request.cid, request.target, true, {}});
}

void MessageHandler::change(Session &session, const protocol::RequestId &re,
                            const QString &roomName, write::ChangeMessage job)
{
    Room *room = roomFor(session, re, roomName, true);
    if (!room || !takeToken(session, re))
        return;
    job.roomId = room->id;
    protocol::MessageEvent event{room->name, 0, 0, session.userName, job.cid, job.body};
    event.kind = job.erase ? u"delete"_s : u"edit"_s;
    event.target = job.target;
    storeEntry(session, re, *room, std::move(job), std::move(event));
}

void MessageHandler::handle(Session &session, const protocol::ReactRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room || !takeToken(session, request.id))
        return;
    protocol::MessageEvent event;
    event.room = room->name;
    event.from = session.userName;
    event.kind = u"reaction"_s;
    event.target = request.target;
    event.emoji = request.emoji;
    event.on = request.on;
    storeEntry(session, request.id, *room,
               write::React{room->id, session.userId, request.target, request.emoji, request.on},
               std::move(event));
}

bool MessageHandler::takeToken(Session &session, const protocol::RequestId &re)
{
    const ServerConfig &config = m_context.config;
    TokenBucket &bucket = m_sendBuckets[session.userId];
    if (bucket.take(m_context.now(), config.messagesPerSecond, config.messageBurst))
        return true;
    replyError(
        session, re, ErrorCode::RateLimited,
        u"sending too fast; try again in %1 ms"_s.arg(bucket.waitMs(config.messagesPerSecond)));
    return false;
}

void MessageHandler::storeEntry(Session &session, const protocol::RequestId &re, const Room &room,
                                WriteJob job, protocol::MessageEvent event)
{
    m_context.writer->submit(
        std::move(job), [this, id = session.id, re, roomId = room.id,
                         event = std::move(event)](const WriteResult &result) mutable {
            Session *session = m_context.sessions.find(id);
            if (!result.ok) {
                if (session)
                    replyError(*session, re, result.code, result.error);
                return;
            }
            event.seq = result.value;
            event.ts = result.ts;
            if (session)
                reply(*session, protocol::encodeOk(re, {{"room"_L1, event.room},
                                                        {"seq"_L1, event.seq},
                                                        {"ts"_L1, event.ts},
                                                        {"cid"_L1, event.cid}}));
            if (!result.duplicate)
                m_context.roomFeed.committed(roomId, event, id);
        });
}

void MessageHandler::handle(Session &session, const protocol::HistoryRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    QString error;
    const auto messages =
        m_context.store.history(room->id, room->name, request.before, request.limit, &error);
    if (!error.isEmpty()) {
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not read this room's messages; try again later"_s);
        return;
    }
    reply(session, protocol::encodeOk(request.id, {{"room"_L1, room->name},
                                                   {"messages"_L1, messagesToJson(messages)}}));
}

void MessageHandler::handle(Session &session, const protocol::SyncRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    QString error;
    auto messages = m_context.store.messagesAfter(room->id, room->name, request.after,
                                                  request.limit + 1, &error);
    // Nothing after `after` may also mean the client has seen seqs this database never had:
    // it was restored from a backup. Its copy of the room is from another history.
    const qint64 lastSeq = error.isEmpty() && messages.isEmpty() && request.after > 0
                               ? m_context.store.lastSeq(room->id, &error)
                               : 0;
    if (!error.isEmpty()) {
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not read this room's messages; try again later"_s);
        return;
    }
    if (messages.isEmpty() && request.after > lastSeq) {
        replyError(session, request.id, ErrorCode::Conflict,
                   u"'%1' has no messages after %2, yet you asked for those after %3: the server "
                   "was restored from a backup. Drop your copy of this room and sync it again "
                   "from 0"_s.arg(room->name)
                       .arg(lastSeq)
                       .arg(request.after));
        return;
    }
    const bool more = messages.size() > request.limit;
    if (more)
        messages.resize(request.limit);
    reply(session, protocol::encodeOk(request.id, {{"room"_L1, room->name},
                                                   {"messages"_L1, messagesToJson(messages)},
                                                   {"more"_L1, more}}));
}

void MessageHandler::handle(Session &session, const protocol::ReadRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    submitAndReply(session, request.id, write::MarkRead{room->id, session.userId, request.seq},
                   [name = room->name](const WriteResult &result) {
                       return QJsonObject{{"room"_L1, name}, {"seq"_L1, result.value}};
                   });
}

} // namespace conversa::server
