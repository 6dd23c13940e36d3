// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RoomDirectory.h"

#include "storage/Store.h"

namespace conversa::server {

bool RoomDirectory::load(Store &store)
{
    // Built aside and swapped in only when both reads worked: a failed read keeps the rooms
    // the server had, instead of serving everyone an empty list.
    QString error;
    const QList<RoomRecord> records = store.allRooms(&error);
    const QList<Membership> memberships =
        error.isEmpty() ? store.allMemberships(&error) : QList<Membership>();
    const QList<DirectPair> pairs =
        error.isEmpty() ? store.allDirectPairs(&error) : QList<DirectPair>();
    if (!error.isEmpty())
        return false;
    QHash<QString, Room> rooms;
    QHash<qint64, QSet<QString>> roomsOfUser;
    QHash<qint64, QString> names;
    for (const RoomRecord &record : records) {
        rooms.insert(record.name,
                     Room{record.id, record.name, record.title, {}, record.kind, record.ownerId});
        names.insert(record.id, record.name);
    }
    for (const Membership &m : memberships) {
        const QString name = names.value(m.roomId);
        auto it = rooms.find(name);
        if (it == rooms.end())
            continue;
        it->members.insert(m.userId);
        roomsOfUser[m.userId].insert(name);
    }
    m_rooms = std::move(rooms);
    m_roomsOfUser = std::move(roomsOfUser);
    m_nameOfId = std::move(names);
    m_directByPair.clear();
    m_pairOfDirect.clear();
    for (const DirectPair &pair : pairs)
        addDirectPair(pair.roomId, pair.userLow, pair.userHigh);
    return true;
}

void RoomDirectory::setTitle(const QString &room, const QString &title)
{
    if (auto it = m_rooms.find(room); it != m_rooms.end())
        it->title = title;
}

const Room *RoomDirectory::directRoom(qint64 userA, qint64 userB) const
{
    const auto it = m_directByPair.constFind({qMin(userA, userB), qMax(userA, userB)});
    return it == m_directByPair.cend() ? nullptr : findById(*it);
}

void RoomDirectory::addDirectPair(qint64 roomId, qint64 userA, qint64 userB)
{
    const QPair<qint64, qint64> pair{qMin(userA, userB), qMax(userA, userB)};
    m_directByPair.insert(pair, roomId);
    m_pairOfDirect.insert(roomId, pair);
}

qint64 RoomDirectory::peerIn(qint64 roomId, qint64 userId) const
{
    const auto it = m_pairOfDirect.constFind(roomId);
    if (it == m_pairOfDirect.cend())
        return 0;
    if (it->first == userId)
        return it->second;
    return it->second == userId ? it->first : 0;
}

Room *RoomDirectory::find(const QString &name)
{
    const auto it = m_rooms.find(name);
    return it == m_rooms.end() ? nullptr : &it.value();
}

const Room *RoomDirectory::findById(qint64 id) const
{
    const auto name = m_nameOfId.constFind(id);
    return name == m_nameOfId.cend() ? nullptr : find(*name);
}

const Room *RoomDirectory::find(const QString &name) const
{
    const auto it = m_rooms.constFind(name);
    return it == m_rooms.cend() ? nullptr : &it.value();
}

void RoomDirectory::add(const Room &room)
{
    m_rooms.insert(room.name, room);
    m_nameOfId.insert(room.id, room.name);
    for (qint64 member : room.members)
        m_roomsOfUser[member].insert(room.name);
}

QString RoomDirectory::addMember(const QString &room, qint64 userId)
{
    QString title = room;
    if (auto it = m_rooms.find(room); it != m_rooms.end()) {
        it->members.insert(userId);
        title = it->title;
    }
    m_roomsOfUser[userId].insert(room);
    return title;
}

void RoomDirectory::removeMember(const QString &room, qint64 userId)
{
    if (auto it = m_rooms.find(room); it != m_rooms.end())
        it->members.remove(userId);
    m_roomsOfUser[userId].remove(room);
}

QSet<qint64> RoomDirectory::peersOf(qint64 userId) const
{
    QSet<qint64> peers;
    for (const QString &roomName : m_roomsOfUser.value(userId)) {
        const auto room = m_rooms.constFind(roomName);
        if (room != m_rooms.cend())
            peers.unite(room->members);
    }
    peers.remove(userId);
    return peers;
}

} // namespace conversa::server
