// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "storage/RoomKind.h"

#include <QHash>
#include <QSet>
#include <QString>

namespace conversa::server {

class Store;

struct Room {
    qint64 id = 0;
    QString name;
    QString title;
    QSet<qint64> members;
    write::RoomKind kind = write::RoomKind::Public;
    qint64 ownerId = 0;

    bool isPublic() const { return kind == write::RoomKind::Public; }
    bool isDirect() const { return kind == write::RoomKind::Direct; }
};

// Every room and its members, in memory: what requests and fan-out check on each frame. It
// follows the database: handlers change it after a commit, and it is read again whenever an
// administrator changes rooms.
class RoomDirectory
{
public:
    // Reads every room and membership; false (and the old state kept) when storage fails.
    bool load(Store &store);

    Room *find(const QString &name);
    const Room *findById(qint64 id) const;
    template <typename F> void forEach(F &&visit) const
    {
        for (const Room &room : m_rooms)
            visit(room);
    }
    const Room *find(const QString &name) const;
    bool contains(const QString &name) const { return m_rooms.contains(name); }
    void add(const Room &room);
    // Adds or removes a member; returns the room's title (the name when the room is unknown).
    QString addMember(const QString &room, qint64 userId);
    void removeMember(const QString &room, qint64 userId);
    qsizetype roomCountOf(qint64 userId) const { return m_roomsOfUser.value(userId).size(); }
    // Everyone who shares a room with `userId`, without `userId`.
    QSet<qint64> peersOf(qint64 userId) const;
    void setTitle(const QString &room, const QString &title);
    // The dm room of two users (either order), or nullptr.
    const Room *directRoom(qint64 userA, qint64 userB) const;
    void addDirectPair(qint64 roomId, qint64 userA, qint64 userB);
    // A dm's other person (0 when `roomId` is no dm of `userId`).
    qint64 peerIn(qint64 roomId, qint64 userId) const;

private:
    QHash<QString, Room> m_rooms;
    QHash<qint64, QSet<QString>> m_roomsOfUser;
    QHash<qint64, QString> m_nameOfId;
    QHash<QPair<qint64, qint64>, qint64> m_directByPair; // (lower, higher user id) → room id
    QHash<qint64, QPair<qint64, qint64>> m_pairOfDirect;
};

} // namespace conversa::server
