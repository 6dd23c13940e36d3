// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "cluster/MembershipNews.h"

#include "Codec.h"
#include "ServerContext.h"

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
struct Seen {
    QString title;
    QSet<qint64> members;
};
} // namespace

bool reloadRoomsAndTellMembers(ServerContext &context)
{
    QHash<QString, Seen> before;
    context.rooms.forEach([&](const Room &room) {
        before.insert(room.name, {room.title, room.members});
    });
    if (!context.rooms.load(context.store))
        return false;
    if (!context.sink)
        return true;
    QHash<qint64, QString> names; // of users signed in here, who are all that can be told
    context.sessions.forEach([&](Session &session) {
        if (session.authenticated())
            names.insert(session.userId, session.userName);
    });
    const auto nameOf = [&](qint64 userId) {
        if (const QString name = names.value(userId); !name.isEmpty())
            return name;
        return context.store.userNameById(userId);
    };
    context.rooms.forEach([&](const Room &room) {
        const auto old = before.constFind(room.name);
        for (qint64 member : room.members) {
            if (!names.contains(member))
                continue;
            const bool added = old == before.cend() || !old->members.contains(member);
            if (!added && old->title == room.title)
                continue;
            protocol::RoomEvent event{room.name, room.title, write::kindName(room.kind)};
            if (room.isDirect()) {
                event.peer = nameOf(context.rooms.peerIn(room.id, member));
                event.title = event.peer;
            }
            if (room.isDirect() && !added)
                continue; // a dm's stored title is no one's
            context.fanOut.toUsers({member}, QString::fromUtf8(protocol::encodeEvent(event)));
        }
    });
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        const Room *room = context.rooms.find(it.key());
        for (qint64 member : it->members) {
            if (names.contains(member) && (!room || !room->members.contains(member)))
                context.fanOut.toUsers({member}, QString::fromUtf8(protocol::encodeEvent(
                                                     protocol::RemovedEvent{it.key(), {}})));
        }
    }
    return true;
}

} // namespace conversa::server
