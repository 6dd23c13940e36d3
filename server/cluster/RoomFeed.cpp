// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "cluster/RoomFeed.h"

#include "cluster/MembershipNews.h"

#include "Codec.h"
#include "Log.h"
#include "ServerContext.h"

#include <algorithm>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
// One read brings at most this many; a room further behind is read page after page.
constexpr int kPageSize = 500;
} // namespace

bool RoomFeed::prime()
{
    bool ok = true;
    m_context.rooms.forEach([&](const Room &room) {
        QString error;
        const qint64 last = m_context.store.lastSeq(room.id, &error);
        if (!error.isEmpty()) {
            ok = false;
            return;
        }
        m_delivered.insert(room.id, last);
    });
    return ok;
}

void RoomFeed::adoptNewRooms()
{
    m_context.rooms.forEach([&](const Room &room) {
        if (m_delivered.contains(room.id))
            return;
        QString error;
        const qint64 last = m_context.store.lastSeq(room.id, &error);
        if (error.isEmpty())
            m_delivered.insert(room.id, last);
    });
}

const Room *RoomFeed::roomById(qint64 roomId) const
{
    return m_context.rooms.findById(roomId);
}

bool RoomFeed::hasLiveMember(const Room &room) const
{
    for (qint64 member : room.members) {
        if (m_context.sessions.isOnline(member))
            return true;
    }
    return false;
}

void RoomFeed::deliver(const Room &room, const protocol::MessageEvent &event, quint64 skipSession)
{
    const Session *skip = skipSession ? m_context.sessions.find(skipSession) : nullptr;
    m_context.fanOut.toRoom(room, QString::fromUtf8(protocol::encodeEvent(event)), 0, skip);
    m_delivered[room.id] = event.seq;
}

void RoomFeed::committed(qint64 roomId, const protocol::MessageEvent &event, quint64 senderSession)
{
    const Room *room = m_context.rooms.find(event.room);
    if (!room)
        return;
    // Rooms are primed at start and adopted after each reload: one missing was made here since.
    const qint64 last = m_delivered.value(roomId, 0);
    if (event.seq <= last)
        return; // a read delivered it already (to the sender's session too: it dedupes by seq)
    if (event.seq == last + 1) {
        deliver(*room, event, senderSession);
        return;
    }
    // Seqs before it were written by another instance and not delivered here yet.
    m_senderOf[roomId].insert(event.seq, senderSession);
    if (!catchUp(*room, event.seq)) {
        // The database cannot be read: deliver this one anyway; the gap is read by the next
        // check, and the client's own sync fills it in order.
        m_senderOf[roomId].remove(event.seq);
        m_context.fanOut.toRoom(*room, QString::fromUtf8(protocol::encodeEvent(event)), 0,
                                m_context.sessions.find(senderSession));
    }
}

void RoomFeed::notified(qint64 roomId, qint64 lastSeq)
{
    const Room *room = roomById(roomId);
    if (!room) {
        // Made on another instance: the directory learns it on its next reload.
        return;
    }
    // Rooms are primed at start and adopted after each reload, so one missing here was made on
    // this instance since: it starts at 0.
    const qint64 delivered = m_delivered.value(roomId, 0);
    if (delivered >= lastSeq)
        return;
    if (!hasLiveMember(*room)) {
        m_delivered.insert(roomId, lastSeq);
        m_senderOf.remove(roomId);
        return;
    }
    catchUp(*room, lastSeq);
}

bool RoomFeed::checkAll()
{
    bool ok = true;
    QList<qint64> live;
    m_context.rooms.forEach([&](const Room &room) {
        if (hasLiveMember(room))
            live.append(room.id);
    });
    for (qint64 roomId : live) {
        const Room *room = roomById(roomId);
        if (!room)
            continue;
        QString error;
        const qint64 last = m_context.store.lastSeq(roomId, &error);
        if (!error.isEmpty()) {
            ++m_failedReads;
            return false;
        }
        if (last > m_delivered.value(roomId, 0))
            ok = catchUp(*room, last) && ok;
    }
    return ok;
}

bool RoomFeed::catchUp(const Room &room, qint64 upTo)
{
    const qint64 roomId = room.id;
    const QString name = room.name;
    for (;;) {
        const qint64 after = m_delivered.value(roomId, 0);
        QString error;
        const QList<protocol::MessageEvent> page =
            m_context.store.messagesAfter(roomId, name, after, kPageSize, &error);
        if (!error.isEmpty()) {
            ++m_failedReads;
            qCWarning(lcServer).noquote()
                << u"event=feed_read_failed room=%1 error=%2"_s.arg(name, logValue(error));
            return false;
        }
        // Delivering may end sessions and even change the directory: look the room up again.
        for (const protocol::MessageEvent &event : page) {
            const Room *current = m_context.rooms.find(name);
            if (!current)
                return true;
            if (event.seq != m_delivered.value(roomId, 0) + 1) {
                // A seq is missing in what was read: the database hands them out gaplessly, so
                // this is a transaction not visible yet. Stop here; the next read finds it.
                return true;
            }
            deliver(*current, event, m_senderOf[roomId].take(event.seq));
            ++m_readDeliveries;
        }
        if (page.size() < kPageSize || m_delivered.value(roomId) >= upTo)
            break;
    }
    if (auto senders = m_senderOf.find(roomId); senders != m_senderOf.end()) {
        const qint64 delivered = m_delivered.value(roomId);
        senders->removeIf([delivered](auto it) { return it.key() <= delivered; });
        if (senders->isEmpty())
            m_senderOf.erase(senders);
    }
    return true;
}

Room *RoomFeed::refreshFromDatabase(const QString &name, qint64 userId, bool mustBeMember)
{
    Room *room = m_context.rooms.find(name);
    if (!room) {
        const qint64 now = m_context.now();
        if (now - m_lastDirectoryReloadMs < 1000)
            return nullptr;
        m_lastDirectoryReloadMs = now;
        if (!reloadRoomsAndTellMembers(m_context))
            return nullptr;
        adoptNewRooms();
        room = m_context.rooms.find(name);
    } else if (mustBeMember) {
        QString error;
        const auto members = m_context.store.membersOf(room->id, &error);
        const bool member = std::any_of(members.cbegin(), members.cend(),
                                        [userId](const auto &m) { return m.first == userId; });
        if (!error.isEmpty() || !member)
            return nullptr;
        m_context.rooms.addMember(name, userId);
    }
    if (room && mustBeMember && !room->members.contains(userId))
        return nullptr;
    return room;
}

QList<std::pair<qint64, qint64>> RoomFeed::parsePayload(QStringView payload)
{
    QList<std::pair<qint64, qint64>> entries;
    for (QStringView item : payload.split(u',', Qt::SkipEmptyParts)) {
        const qsizetype colon = item.indexOf(u':');
        if (colon <= 0)
            continue;
        bool roomOk = false;
        bool seqOk = false;
        const qint64 room = item.first(colon).trimmed().toLongLong(&roomOk);
        const qint64 seq = item.sliced(colon + 1).trimmed().toLongLong(&seqOk);
        if (roomOk && seqOk && room > 0 && seq >= 0)
            entries.append({room, seq});
    }
    return entries;
}

} // namespace conversa::server
