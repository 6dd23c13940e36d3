// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "handlers/RoomHandler.h"

#include "Codec.h"
#include "ServerContext.h"
#include "redis/SharedState.h"

#include <QJsonArray>

namespace conversa::server {

using namespace Qt::StringLiterals;
using protocol::ErrorCode;

void RoomHandler::handle(Session &session, const protocol::RoomsRequest &request)
{
    QString error;
    const auto summaries = m_context.store.roomsOf(session.userId, session.userName, &error);
    if (!error.isEmpty()) {
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not read your rooms; try again later"_s);
        return;
    }
    QJsonArray rooms;
    for (const protocol::RoomSummary &room : summaries)
        rooms.append(protocol::roomSummaryToJson(room));
    reply(session, protocol::encodeOk(request.id, {{"rooms"_L1, rooms},
                                                   {"epoch"_L1, m_context.store.historyEpoch()}}));
}

void RoomHandler::handle(Session &session, const protocol::CreateRequest &request)
{
    if (!mayCreate(session, request))
        return;
    const ServerConfig &config = m_context.config;
    const double perSecond = config.roomCreationsPerHour / 3600.0;
    // With Redis the hourly budget is one per user for all instances together.
    if (m_context.sharedState &&
        m_context.sharedState->takeToken(
            "create"_ba, session.userName, perSecond, config.roomCreationsPerHour,
            [this, id = session.id, request](redis::SharedState::Verdict verdict, qint64 waitMs) {
                Session *session = m_context.sessions.find(id);
                if (!session)
                    return;
                if (verdict == redis::SharedState::Verdict::Unavailable)
                    createWithLocalBudget(*session, request);
                else if (verdict == redis::SharedState::Verdict::Refused)
                    refuseCreation(*session, request.id, waitMs);
                else if (mayCreate(*session, request)) // the world may have changed meanwhile
                    create(*session, request);
            }))
        return;
    createWithLocalBudget(session, request);
}

bool RoomHandler::mayCreate(Session &session, const protocol::CreateRequest &request)
{
    const ServerConfig &config = m_context.config;
    if (request.room.startsWith("dm-"_L1)) {
        replyError(session, request.id, ErrorCode::Forbidden,
                   u"room names starting with 'dm-' are kept for direct messages; choose another "
                   "name"_s);
        return false;
    }
    if (m_context.rooms.contains(request.room)) {
        replyError(session, request.id, ErrorCode::Conflict,
                   u"a room named '%1' already exists"_s.arg(request.room));
        return false;
    }
    if (m_context.rooms.roomCountOf(session.userId) >= config.maxRoomsPerUser) {
        replyError(session, request.id, ErrorCode::Forbidden,
                   u"you are in %1 rooms, the most this server allows; leave one first"_s.arg(
                       config.maxRoomsPerUser));
        return false;
    }
    return true;
}

void RoomHandler::createWithLocalBudget(Session &session, const protocol::CreateRequest &request)
{
    const ServerConfig &config = m_context.config;
    TokenBucket &creations = m_roomCreationBuckets[session.userId];
    const double perSecond = config.roomCreationsPerHour / 3600.0;
    if (!creations.take(m_context.now(), perSecond, config.roomCreationsPerHour)) {
        refuseCreation(session, request.id, creations.waitMs(perSecond));
        return;
    }
    create(session, request);
}

void RoomHandler::refuseCreation(Session &session, const protocol::RequestId &re, qint64 waitMs)
{
    replyError(session, re, ErrorCode::RateLimited,
               u"you have created %1 rooms in the last hour, the most allowed; try again in "
               "%2 min"_s.arg(m_context.config.roomCreationsPerHour)
                   .arg((waitMs + 59'999) / 60'000));
}

void RoomHandler::create(Session &session, const protocol::CreateRequest &request)
{
    const QString title = request.title.trimmed().isEmpty() ? request.room : request.title;
    const qint64 userId = session.userId;
    const write::RoomKind kind =
        request.isPrivate ? write::RoomKind::Private : write::RoomKind::Public;
    submitAndReply(session, request.id, write::CreateRoom{request.room, title, userId, kind},
                   [this, userId, kind, name = request.room, title](const WriteResult &result) {
                       m_context.rooms.add(Room{result.value, name, title, {userId}, kind, userId});
                       return QJsonObject{{"room"_L1, name},
                                          {"title"_L1, title},
                                          {"kind"_L1, write::kindName(kind)}};
                   });
}

void RoomHandler::handle(Session &session, const protocol::JoinRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, false);
    if (!room)
        return;
    if (!room->isPublic() && !room->members.contains(session.userId)) {
        replyError(session, request.id, ErrorCode::Forbidden,
                   u"'%1' is private: only a member can add you (invite)"_s.arg(room->name));
        return;
    }
    if (!room->members.contains(session.userId) &&
        m_context.rooms.roomCountOf(session.userId) >= m_context.config.maxRoomsPerUser) {
        replyError(session, request.id, ErrorCode::Forbidden,
                   u"you are in %1 rooms, the most this server allows; leave one first"_s.arg(
                       m_context.config.maxRoomsPerUser));
        return;
    }
    const qint64 userId = session.userId;
    submitAndReply(session, request.id, write::JoinRoom{room->id, userId},
                   [this, userId, name = room->name](const WriteResult &) {
                       const QString title = m_context.rooms.addMember(name, userId);
                       return QJsonObject{{"room"_L1, name}, {"title"_L1, title}};
                   });
}

void RoomHandler::handle(Session &session, const protocol::LeaveRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, false);
    if (!room)
        return;
    const qint64 userId = session.userId;
    submitAndReply(session, request.id, write::LeaveRoom{room->id, userId},
                   [this, userId, name = room->name](const WriteResult &) {
                       m_context.rooms.removeMember(name, userId);
                       return QJsonObject{{"room"_L1, name}};
                   });
}

void RoomHandler::handle(Session &session, const protocol::MembersRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, true);
    if (!room)
        return;
    QString error;
    const auto stored = m_context.store.membersOf(room->id, &error);
    if (!error.isEmpty()) {
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not read this room's members; try again later"_s);
        return;
    }
    QJsonArray members;
    for (const auto &[userId, name] : stored)
        members.append(protocol::memberToJson({name, m_context.isUserOnline(userId, name)}));
    reply(session,
          protocol::encodeOk(request.id, {{"room"_L1, room->name}, {"members"_L1, members}}));
}

} // namespace conversa::server
