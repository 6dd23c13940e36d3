// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RoomSync.h"

#include "MessageCache.h"

#include <Codec.h>

#include <QSet>

namespace conversa::core {

using namespace Qt::StringLiterals;
namespace proto = conversa::protocol;

namespace {
constexpr int kSyncPage = 500;
}

bool isKnownLogEntry(const QString &kind)
{
    return kind == u"edit"_s || kind == u"delete"_s || kind == u"reaction"_s;
}

RoomSync::RoomSync(Sender send, QObject *parent)
    : QObject(parent)
    , m_send(std::move(send))
{}

void RoomSync::setOnline(bool online)
{
    m_online = online;
    ++m_generation;
    for (Room &room : m_rooms)
        room.syncing = false;
}

void RoomSync::applyRooms(const QList<proto::RoomSummary> &rooms, qint64 epoch)
{
    // A server restored from a backup hands out again seqs that we may hold for other
    // messages; its `epoch` then differs from the one our copy came from.
    const qint64 knownEpoch =
        m_cache ? m_cache->historyEpoch() : (m_historyEpoch < 0 ? epoch : m_historyEpoch);
    if (epoch != knownEpoch)
        resetHistory({}, epoch);
    m_historyEpoch = epoch;
    if (m_cache) {
        // Read markers set while offline go to the server now.
        for (const proto::RoomSummary &summary : rooms) {
            const auto cached = m_cache->room(summary.room);
            if (cached && cached->readSeq > summary.readSeq)
                m_send(proto::ReadRequest{{}, summary.room, cached->readSeq}, {});
        }
        m_cache->updateRooms(rooms);
    }
    QSet<QString> listed;
    for (const proto::RoomSummary &summary : rooms) {
        listed.insert(summary.room);
        initializeRoom(summary);
    }
    m_rooms.removeIf([&listed](auto it) { return !listed.contains(it.key()); });
}

void RoomSync::initializeRoom(const proto::RoomSummary &summary)
{
    Room &room = m_rooms[summary.room];
    if (room.initialized)
        return;
    room.initialized = true;
    const qint64 cached = m_cache ? m_cache->syncedSeq(summary.room) : 0;
    room.contiguous = cached;
    if (cached == 0 && summary.lastSeq > m_initialBacklog) {
        // Never synced: start with the recent part; older history is paged on demand.
        room.contiguous = summary.lastSeq - m_initialBacklog;
        if (m_cache)
            m_cache->storeMessages(summary.room, {}, room.contiguous);
    }
    // Live events that arrived before the room was known.
    room.buffered.removeIf([&](auto it) { return it.key() <= room.contiguous; });
}

void RoomSync::syncRoom(const QString &name)
{
    auto it = m_rooms.find(name);
    if (it == m_rooms.end() || !it->initialized || it->syncing || !m_online)
        return;
    it->syncing = true;
    const quint64 generation = m_generation;
    m_send(proto::SyncRequest{{}, name, it->contiguous, kSyncPage},
           [this, name, generation](const RequestResult &result) {
               if (generation == m_generation &&
                   result.outcome != RequestResult::Outcome::ConnectionLost)
                   onSyncAnswer(name, result);
           });
}

void RoomSync::onSyncAnswer(const QString &name, const RequestResult &result)
{
    auto it = m_rooms.find(name);
    if (it == m_rooms.end())
        return;
    if (result.code == proto::ErrorCode::Conflict &&
        result.outcome == RequestResult::Outcome::Error) {
        // We hold seqs the server never had (it was restored from a backup): start over.
        qWarning("conversa-core: %s: %s", qUtf8Printable(name), qUtf8Printable(result.message));
        resetHistory(name, m_historyEpoch);
        emit roomRestarted(name);
        return;
    }
    if (!result.isOk()) {
        it->syncing = false;
        // Left or deleted meanwhile: forget it; anything else is worth a warning only.
        qWarning("conversa-core: sync of %s failed: %s", qUtf8Printable(name),
                 qUtf8Printable(result.message));
        emit syncFinished(name);
        return;
    }
    const auto messages = proto::messagesFromPayload(result.payload);
    if (!messages) {
        it->syncing = false;
        emit unreadableAnswer(name);
        return;
    }
    const qint64 before = it->contiguous;
    ingest(name, *messages);
    it = m_rooms.find(name);
    if (it == m_rooms.end())
        return;
    it->syncing = false;
    const bool more = result.payload.value("more"_L1).toBool();
    // Keep paging while the server has more, or while a gap is still open (live events
    // arrived beyond what the sync reached) and this page made progress.
    if (more || (!it->buffered.isEmpty() && it->contiguous > before))
        syncRoom(name);
    else
        emit syncFinished(name);
}

void RoomSync::resetHistory(const QString &room, qint64 epoch)
{
    if (m_cache) {
        const bool reset =
            room.isEmpty() ? m_cache->resetHistory(epoch) : m_cache->resetRoomHistory(room);
        if (!reset)
            qWarning("conversa-core: cannot reset the cache: %s",
                     qUtf8Printable(m_cache->lastError()));
    }
    for (auto it = m_rooms.begin(); it != m_rooms.end(); ++it) {
        if (room.isEmpty() || it.key() == room)
            it.value() = Room{};
    }
    emit historyReset(room);
}

void RoomSync::ingest(const QString &name, const QList<proto::MessageEvent> &messages)
{
    Room &room = m_rooms[name];
    for (const proto::MessageEvent &m : messages) {
        if (!room.initialized || m.seq > room.contiguous)
            room.buffered.insert(m.seq, m);
    }
    if (!room.initialized) {
        // A room we did not know yet (just joined or created elsewhere): learn about it.
        emit unknownRoom(name);
        return;
    }
    QList<proto::MessageEvent> ready;
    while (!room.buffered.isEmpty() && room.buffered.firstKey() <= room.contiguous + 1) {
        proto::MessageEvent m = room.buffered.take(room.buffered.firstKey());
        if (m.seq == room.contiguous + 1) {
            room.contiguous = m.seq;
            ready.append(std::move(m));
        }
    }
    const bool gap = !room.buffered.isEmpty() && !room.syncing;
    if (!ready.isEmpty()) {
        // Edits, deletions and reactions are log entries with their own seq: applied to the
        // cached message they name, and handed on in order with the messages. Kinds this client
        // does not know move the cursor and nothing else (DESIGN.md).
        ready.removeIf([](const proto::MessageEvent &m) {
            return !m.kind.isEmpty() && !isKnownLogEntry(m.kind);
        });
        if (m_cache)
            m_cache->storeMessages(name, ready, room.contiguous);
        for (const proto::MessageEvent &m : std::as_const(ready)) {
            if (m.kind.isEmpty())
                emit messageReceived(m);
            else
                emit logEntryReceived(m);
        }
    }
    // A gap that no running sync will fill: ask for it.
    if (gap)
        syncRoom(name);
}

bool RoomSync::isSyncing() const
{
    for (const Room &room : m_rooms) {
        if (room.syncing)
            return true;
    }
    return false;
}

qint64 RoomSync::deliveredSeq(const QString &room) const
{
    return m_rooms.value(room).contiguous;
}

int RoomSync::bufferedCount(const QString &room) const
{
    return int(m_rooms.value(room).buffered.size());
}

} // namespace conversa::core
