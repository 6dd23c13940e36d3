// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "handlers/SocialHandler.h"

#include "Codec.h"
#include "ServerContext.h"

#include <QJsonArray>
#include <QRandomGenerator>

#include <algorithm>

namespace conversa::server {

using namespace Qt::StringLiterals;
using protocol::ErrorCode;

namespace {
// docs/security.md: people one user may add to rooms (new dms and invites) per hour.
constexpr int kAddsPerHour = 120;

// dm rooms are named by the server: "dm-" and 24 random hex digits, so a name says nothing of
// who is in it.
QString newDirectRoomName()
{
    quint32 words[3];
    QRandomGenerator::system()->fillRange(words);
    return u"dm-"_s + QString::fromLatin1(
                          QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex());
}
} // namespace

bool SocialHandler::takeAddToken(Session &session, const protocol::RequestId &re)
{
    TokenBucket &bucket = m_addBuckets[session.userId];
    const double perSecond = kAddsPerHour / 3600.0;
    if (bucket.take(m_context.now(), perSecond, kAddsPerHour))
        return true;
    replyError(session, re, ErrorCode::RateLimited,
               u"you have added %1 people to rooms in the last hour, the most allowed; try again "
               "in %2 min"_s.arg(kAddsPerHour)
                   .arg((bucket.waitMs(perSecond) + 59'999) / 60'000));
    return false;
}

std::optional<UserRecord>
SocialHandler::existingUser(Session &session, const protocol::RequestId &re, const QString &name)
{
    QString error;
    std::optional<UserRecord> user = m_context.store.userByName(name, &error);
    if (!error.isEmpty()) {
        replyError(session, re, ErrorCode::Internal,
                   u"the server could not look up '%1'; try again later"_s.arg(name));
        return std::nullopt;
    }
    // A disabled account is answered like one that never was.
    if (!user || user->disabled) {
        replyError(session, re, ErrorCode::NotFound, u"there is no user named '%1'"_s.arg(name));
        return std::nullopt;
    }
    return user;
}

bool SocialHandler::hasRoomToSpare(Session &session, const protocol::RequestId &re, qint64 userId,
                                   const QString &userName)
{
    const int most = m_context.config.maxRoomsPerUser;
    if (m_context.rooms.roomCountOf(userId) < most)
        return true;
    replyError(
        session, re, ErrorCode::Forbidden,
        userId == session.userId
            ? u"you are in %1 rooms, the most this server allows; leave one first"_s.arg(most)
            : u"'%1' is in %2 rooms, the most this server allows"_s.arg(userName).arg(most));
    return false;
}

void SocialHandler::handle(Session &session, const protocol::DmRequest &request)
{
    if (request.user == session.userName) {
        replyError(session, request.id, ErrorCode::BadRequest,
                   u"a direct message needs someone else; '%1' is you"_s.arg(request.user));
        return;
    }
    const std::optional<UserRecord> peer = existingUser(session, request.id, request.user);
    if (!peer)
        return;
    const Room *existing = m_context.rooms.directRoom(session.userId, peer->id);
    if (!existing && (!hasRoomToSpare(session, request.id, session.userId, session.userName) ||
                      !hasRoomToSpare(session, request.id, peer->id, peer->name) ||
                      !takeAddToken(session, request.id)))
        return;
    const qint64 userId = session.userId;
    submitAndReply(session, request.id, write::OpenDirect{userId, peer->id, newDirectRoomName()},
                   [this, userId, userName = session.userName, peerId = peer->id,
                    peerName = peer->name](const WriteResult &result) {
                       if (!m_context.rooms.find(result.name))
                           m_context.rooms.add(
                               Room{result.value, result.name, {}, {}, write::RoomKind::Direct, 0});
                       m_context.rooms.addMember(result.name, userId);
                       m_context.rooms.addMember(result.name, peerId);
                       m_context.rooms.addDirectPair(result.value, userId, peerId);
                       const QString kind = write::kindName(write::RoomKind::Direct);
                       m_context.fanOut.toUsers(
                           {userId}, QString::fromUtf8(protocol::encodeEvent(protocol::RoomEvent{
                                         result.name, peerName, kind, peerName})));
                       m_context.fanOut.toUsers(
                           {peerId}, QString::fromUtf8(protocol::encodeEvent(protocol::RoomEvent{
                                         result.name, userName, kind, userName})));
                       return QJsonObject{{"room"_L1, result.name},
                                          {"title"_L1, peerName},
                                          {"kind"_L1, write::kindName(write::RoomKind::Direct)},
                                          {"peer"_L1, peerName}};
                   });
}

void SocialHandler::handle(Session &session, const protocol::InviteRequest &request)
{
    Room *room = roomFor(session, request.id, request.room, false);
    if (!room)
        return;
    if (room->isDirect()) {
        replyError(session, request.id, ErrorCode::Forbidden,
                   u"nobody can be invited into a direct message; make a room for more people"_s);
        return;
    }
    if (!room->isPublic() && !room->members.contains(session.userId)) {
        replyError(session, request.id, ErrorCode::Forbidden,
                   u"only members of '%1' may invite people to it"_s.arg(room->name));
        return;
    }
    const std::optional<UserRecord> invitee = existingUser(session, request.id, request.user);
    if (!invitee)
        return;
    const QJsonObject answer{{"room"_L1, room->name}, {"user"_L1, invitee->name}};
    if (room->members.contains(invitee->id)) {
        reply(session, protocol::encodeOk(request.id, answer));
        return;
    }
    if (!hasRoomToSpare(session, request.id, invitee->id, invitee->name) ||
        !takeAddToken(session, request.id))
        return;
    submitAndReply(
        session, request.id, write::JoinRoom{room->id, invitee->id},
        [this, answer, inviteeId = invitee->id, name = room->name](const WriteResult &) {
            const QString title = m_context.rooms.addMember(name, inviteeId);
            const Room *room = m_context.rooms.find(name);
            m_context.fanOut.toUsers(
                {inviteeId},
                QString::fromUtf8(protocol::encodeEvent(protocol::RoomEvent{
                    name, title, write::kindName(room ? room->kind : write::RoomKind::Public)})));
            return answer;
        });
}

void SocialHandler::handle(Session &session, const protocol::DirectoryRequest &request)
{
    QList<protocol::DirectoryEntry> found;
    m_context.rooms.forEach([&](const Room &room) {
        if (!room.isPublic() || (!request.after.isEmpty() && room.name <= request.after))
            return;
        if (!request.query.isEmpty() && !room.name.contains(request.query, Qt::CaseInsensitive) &&
            !room.title.contains(request.query, Qt::CaseInsensitive))
            return;
        found.append({room.name, room.title, room.members.size()});
    });
    std::sort(found.begin(), found.end(),
              [](const auto &a, const auto &b) { return a.room < b.room; });
    const bool more = found.size() > request.limit;
    QJsonArray rooms;
    for (qsizetype i = 0; i < qMin<qsizetype>(found.size(), request.limit); ++i)
        rooms.append(protocol::directoryEntryToJson(found.at(i)));
    reply(session, protocol::encodeOk(request.id, {{"rooms"_L1, rooms}, {"more"_L1, more}}));
}

Room *SocialHandler::ownedRoom(Session &session, const protocol::RequestId &re, const QString &name,
                               const QString &what)
{
    Room *room = roomFor(session, re, name, true);
    if (!room)
        return nullptr;
    if (room->isDirect()) {
        replyError(session, re, ErrorCode::Forbidden,
                   u"a direct message has no owner; nobody may %1 it"_s.arg(what));
        return nullptr;
    }
    if (room->ownerId != session.userId) {
        replyError(session, re, ErrorCode::Forbidden,
                   u"only the owner of '%1' may %2 it"_s.arg(room->name, what));
        return nullptr;
    }
    return room;
}

void SocialHandler::handle(Session &session, const protocol::RenameRequest &request)
{
    Room *room = ownedRoom(session, request.id, request.room, u"rename"_s);
    if (!room)
        return;
    const QString title = request.title.trimmed();
    submitAndReply(session, request.id, write::RenameRoom{room->id, title},
                   [this, name = room->name, title](const WriteResult &) {
                       m_context.rooms.setTitle(name, title);
                       if (const Room *room = m_context.rooms.find(name)) {
                           m_context.fanOut.toUsers(
                               room->members,
                               QString::fromUtf8(protocol::encodeEvent(
                                   protocol::RoomEvent{name, title, write::kindName(room->kind)})));
                       }
                       return QJsonObject{{"room"_L1, name}, {"title"_L1, title}};
                   });
}

void SocialHandler::handle(Session &session, const protocol::RemoveRequest &request)
{
    Room *room = ownedRoom(session, request.id, request.room, u"remove members of"_s);
    if (!room)
        return;
    if (request.user == session.userName) {
        replyError(session, request.id, ErrorCode::BadRequest,
                   u"you own '%1'; to go, leave it"_s.arg(room->name));
        return;
    }
    const std::optional<UserRecord> user = existingUser(session, request.id, request.user);
    if (!user)
        return;
    if (!room->members.contains(user->id)) {
        replyError(session, request.id, ErrorCode::NotFound,
                   u"'%1' is not a member of '%2'"_s.arg(user->name, room->name));
        return;
    }
    submitAndReply(session, request.id, write::LeaveRoom{room->id, user->id},
                   [this, name = room->name, userId = user->id, userName = user->name,
                    by = session.userName](const WriteResult &) {
                       m_context.rooms.removeMember(name, userId);
                       m_context.fanOut.toUsers({userId}, QString::fromUtf8(protocol::encodeEvent(
                                                              protocol::RemovedEvent{name, by})));
                       return QJsonObject{{"room"_L1, name}, {"user"_L1, userName}};
                   });
}

} // namespace conversa::server
