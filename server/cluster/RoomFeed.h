// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Frames.h"

#include <QHash>
#include <QString>

namespace conversa::server {

class ServerContext;
struct Room;

// Delivers each room's messages to this instance's sessions exactly once and in seq order, when
// several instances write to one database. It keeps, per room, the highest seq delivered here:
// - a message committed here that is the next seq goes out at once (the fast path, no read);
// - one further ahead (another instance committed the seqs before it), a notification from the
//   database naming a newer seq, the periodic check and a reconnect to the database read what
//   is missing (Store::messagesAfter) and deliver it in order.
// Rooms nobody here is a member of with a live session are not read: their counter just moves
// on. With one instance every commit is the next seq, so only the fast path runs.
class RoomFeed
{
public:
    explicit RoomFeed(ServerContext &context)
        : m_context(context)
    {}

    // Starts every room known to the directory at its newest stored seq (a room missing later
    // was made here since, and starts at 0). False when reading failed.
    bool prime();
    // `event` (seq and ts set) was committed by this instance for `senderSession`, whose own
    // session is answered with `ok` instead of the event.
    void committed(qint64 roomId, const protocol::MessageEvent &event, quint64 senderSession);
    // The database says `roomId` has entries up to `lastSeq`.
    void notified(qint64 roomId, qint64 lastSeq);
    // Looks at every room with a live member here (the periodic check, and after the database
    // connection came back). Returns false when the database could not be read.
    bool checkAll();
    // Rooms the directory learned since (another instance made them): they start at their
    // newest stored seq, so nobody gets their whole history as live events.
    void adoptNewRooms();

    // Several instances: a room made, or a join made, through another instance reaches this
    // directory with its notification, which a client can overtake (join there, send here at
    // once). Before a request is refused for an unknown room or a missing membership, this asks
    // the database: the room's members (one query), or every room (at most once a second).
    // Returns the room when it exists (and `userId` is a member of it, when that was asked).
    Room *refreshFromDatabase(const QString &name, qint64 userId, bool mustBeMember);

    // The highest seq delivered here for `roomId` (-1: not tracked).
    qint64 delivered(qint64 roomId) const { return m_delivered.value(roomId, -1); }
    // Reads that failed so far (the next notification or check tries again).
    int failedReads() const { return m_failedReads; }
    // Messages delivered through a read, not the fast path.
    qint64 readDeliveries() const { return m_readDeliveries; }

    // Parses "roomId:lastSeq,roomId:lastSeq" (a conversa_entries payload). Malformed entries
    // are skipped.
    static QList<std::pair<qint64, qint64>> parsePayload(QStringView payload);

private:
    const Room *roomById(qint64 roomId) const;
    bool hasLiveMember(const Room &room) const;
    // Reads and delivers everything after the delivered seq, up to `upTo` at least when known.
    bool catchUp(const Room &room, qint64 upTo);
    void deliver(const Room &room, const protocol::MessageEvent &event, quint64 skipSession);

    ServerContext &m_context;
    QHash<qint64, qint64> m_delivered;
    // Own commits delivered through a read: their sender's session gets `ok`, not the event.
    QHash<qint64, QHash<qint64, quint64>> m_senderOf;
    int m_failedReads = 0;
    qint64 m_lastDirectoryReloadMs = -1'000'000;
    qint64 m_readDeliveries = 0;
};

} // namespace conversa::server
