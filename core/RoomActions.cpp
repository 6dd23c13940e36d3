// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RoomActions.h"

#include "SessionManager.h"

#include <Codec.h>
#include <Validation.h>

namespace conversa::core {

namespace proto = conversa::protocol;
using namespace Qt::StringLiterals;

namespace {

// `done` wrapped to run only while `context` lives (always when there is no context), so a
// dialog closed before the server answers is not called back.
template <typename Result>
std::function<void(const Result &)> guarded(const QObject *context,
                                            std::function<void(const Result &)> done)
{
    return [guard = QPointer<const QObject>(context), hadContext = context != nullptr,
            done = std::move(done)](const Result &result) {
        if (done && (!hadContext || guard))
            done(result);
    };
}

} // namespace

RoomActions::RoomActions(SessionManager *session, QObject *parent)
    : QObject(parent)
    , m_session(session)
{}

RoomOperationResult RoomActions::resultOf(const RequestResult &reply, const QString &room,
                                          const QString &user)
{
    using Error = RoomOperationResult::Error;
    switch (reply.outcome) {
    case RequestResult::Outcome::Ok:
        return {Error::None, reply.payload.value("room"_L1).toString(room), {}};
    case RequestResult::Outcome::ConnectionLost:
        return {Error::Offline, room,
                tr("You are offline. Try again when the connection is back.")};
    case RequestResult::Outcome::Error:
        break;
    }
    switch (reply.code) {
    case proto::ErrorCode::Conflict:
        return {Error::AlreadyExists, room,
                tr("A room with that name already exists. Join it instead.")};
    case proto::ErrorCode::NotFound:
        // The server says whether the room or the person is missing; both are worth reading.
        if (!user.isEmpty() && reply.message.contains(u"user"_s))
            return {Error::NotFound, room,
                    tr("There is no one called “%1” on this server.").arg(user)};
        if (!user.isEmpty() && reply.message.contains(u"not a member"_s))
            return {Error::NotFound, room, tr("%1 is not a member of this room.").arg(user)};
        return {Error::NotFound, room, tr("There is no room with that name.")};
    case proto::ErrorCode::Forbidden:
        return {Error::Forbidden, room,
                reply.message.isEmpty() ? tr("You are not allowed to do that.")
                                        : tr("Not allowed: %1").arg(reply.message)};
    default:
        return {Error::Refused, room,
                tr("The server said: %1")
                    .arg(reply.message.isEmpty() ? reply.codeName : reply.message)};
    }
}

void RoomActions::run(const proto::Request &request, const QString &room, const QString &user,
                      const QObject *context, Handler done)
{
    const Handler finish = guarded(context, std::move(done));
    using Error = RoomOperationResult::Error;
    // A dm names no room until the server has made it; everything else acts on one.
    const bool namesRoom = !std::holds_alternative<proto::DmRequest>(request);
    if (namesRoom && !proto::isValidRoomName(room)) {
        finish({Error::InvalidName, room,
                tr("“%1” is not a room name. Names use lower-case letters, digits, “-” and “_”.")
                    .arg(room)});
        return;
    }
    if (!user.isEmpty() && !proto::isValidUserName(user)) {
        finish({Error::InvalidName, room,
                tr("“%1” is not a user name. User names use lower-case letters, digits, “.”, "
                   "“-” and “_”.")
                    .arg(user)});
        return;
    }
    if (!m_session) {
        finish(
            {Error::Offline, room, tr("You are offline. Try again when the connection is back.")});
        return;
    }
    m_session->request(request, [this, room, user, finish](const RequestResult &reply) {
        const RoomOperationResult result = resultOf(reply, room, user);
        if (result.ok() && m_session)
            m_session->refreshRooms();
        finish(result);
    });
}

void RoomActions::openDirectMessage(const QString &user, const QObject *context, Handler done)
{
    const QString name = user.trimmed().toLower();
    if (name.isEmpty()) {
        if (done)
            done({RoomOperationResult::Error::InvalidName, {}, tr("Type someone's user name.")});
        return;
    }
    run(proto::DmRequest{{}, name}, {}, name, context, std::move(done));
}

void RoomActions::createRoom(const QString &name, const QString &title, bool isPrivate,
                             const QObject *context, Handler done)
{
    run(proto::CreateRequest{{}, name, title.trimmed(), isPrivate}, name, {}, context,
        std::move(done));
}

void RoomActions::joinRoom(const QString &name, const QObject *context, Handler done)
{
    run(proto::JoinRequest{{}, name}, name, {}, context, std::move(done));
}

void RoomActions::leaveRoom(const QString &name, const QObject *context, Handler done)
{
    run(proto::LeaveRequest{{}, name}, name, {}, context, std::move(done));
}

void RoomActions::invite(const QString &room, const QString &user, const QObject *context,
                         Handler done)
{
    const QString name = user.trimmed().toLower();
    run(proto::InviteRequest{{}, room, name}, room, name, context, std::move(done));
}

void RoomActions::rename(const QString &room, const QString &title, const QObject *context,
                         Handler done)
{
    if (title.trimmed().isEmpty()) {
        if (done)
            done({RoomOperationResult::Error::InvalidName, room, tr("Type the new title.")});
        return;
    }
    run(proto::RenameRequest{{}, room, title.trimmed()}, room, {}, context, std::move(done));
}

void RoomActions::removeMember(const QString &room, const QString &user, const QObject *context,
                               Handler done)
{
    run(proto::RemoveRequest{{}, room, user}, room, user, context, std::move(done));
}

void RoomActions::findRooms(const QString &query, const QString &after, const QObject *context,
                            DirectoryHandler done)
{
    const DirectoryHandler finish = guarded(context, std::move(done));
    if (!m_session) {
        DirectoryPage page;
        page.result = {RoomOperationResult::Error::Offline,
                       {},
                       tr("You are offline. Try again when the connection is back.")};
        finish(page);
        return;
    }
    proto::DirectoryRequest request;
    request.query = query.trimmed().left(proto::kMaxTitleLength);
    request.after = after;
    request.limit = 100;
    m_session->request(request, [finish](const RequestResult &reply) {
        DirectoryPage page;
        page.result = resultOf(reply, {});
        if (page.result.ok()) {
            if (const auto entries = proto::directoryFromPayload(reply.payload)) {
                for (const proto::DirectoryEntry &entry : *entries)
                    page.rooms.append({entry.room, entry.title, entry.members});
                page.more = reply.payload.value("more"_L1).toBool();
            } else {
                page.result = {RoomOperationResult::Error::Refused,
                               {},
                               tr("The server's list of rooms could not be read.")};
            }
        }
        finish(page);
    });
}

} // namespace conversa::core
