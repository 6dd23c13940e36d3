// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageCache.h"

#include <QSet>

#include <algorithm>
#include <utility>

namespace conversa::core {

using namespace Qt::StringLiterals;
using protocol::MessageEvent;

MessageCache::MessageCache(QObject *parent)
    : QObject(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kDefaultWriteIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &MessageCache::flush);
}

MessageCache::~MessageCache()
{
    flush();
    releaseStatements();
}

void MessageCache::setWriteInterval(int ms)
{
    m_flushTimer.setInterval(qMax(0, ms));
}

void MessageCache::releaseStatements()
{
    for (QSqlQuery *query : {&m_ensureRoom, &m_insertMessage, &m_updateSynced, &m_trimRoom,
                             &m_selectLatest, &m_selectBefore, &m_selectAfter})
        *query = QSqlQuery();
}

void MessageCache::prepareStatements()
{
    m_ensureRoom =
        m_db.prepare(u"INSERT INTO rooms(room) VALUES(?) ON CONFLICT(room) DO NOTHING"_s);
    m_insertMessage = m_db.prepare(u"INSERT OR IGNORE INTO messages(room, seq, ts, sender, cid, "
                                   "body) VALUES(?, ?, ?, ?, ?, ?)"_s);
    m_updateSynced = m_db.prepare(u"UPDATE rooms SET synced_seq = MAX(synced_seq, ?), "
                                  "last_seq = MAX(last_seq, ?, ?) WHERE room = ?"_s);
    // Keep the newest `capacity` messages of the room.
    m_trimRoom =
        m_db.prepare(u"DELETE FROM messages WHERE room = ? AND seq < (SELECT MIN(seq) FROM "
                     "(SELECT seq FROM messages WHERE room = ? ORDER BY seq DESC LIMIT ?))"_s);
    m_selectLatest = m_db.prepare(u"SELECT seq, ts, sender, cid, body FROM messages WHERE room = ? "
                                  "ORDER BY seq DESC LIMIT ?"_s);
    m_selectBefore = m_db.prepare(u"SELECT seq, ts, sender, cid, body FROM messages WHERE room = ? "
                                  "AND seq < ? ORDER BY seq DESC LIMIT ?"_s);
    m_selectAfter = m_db.prepare(u"SELECT seq, ts, sender, cid, body FROM messages WHERE room = ? "
                                 "AND seq > ? ORDER BY seq ASC LIMIT ?"_s);
}

bool MessageCache::open(const QString &path)
{
    flush();
    releaseStatements();
    m_failedRooms.clear();
    const bool opened =
        m_db.open(path,
                  {u"CREATE TABLE IF NOT EXISTS rooms ("
                   "room TEXT PRIMARY KEY,"
                   "title TEXT NOT NULL DEFAULT '',"
                   "last_seq INTEGER NOT NULL DEFAULT 0,"
                   "read_seq INTEGER NOT NULL DEFAULT 0,"
                   "synced_seq INTEGER NOT NULL DEFAULT 0)"_s,
                   u"CREATE TABLE IF NOT EXISTS messages ("
                   "room TEXT NOT NULL REFERENCES rooms(room) ON DELETE CASCADE,"
                   "seq INTEGER NOT NULL,"
                   "ts INTEGER NOT NULL,"
                   "sender TEXT NOT NULL,"
                   "cid TEXT NOT NULL,"
                   "body TEXT NOT NULL,"
                   "PRIMARY KEY(room, seq)) WITHOUT ROWID"_s,
                   u"CREATE TABLE IF NOT EXISTS meta ("
                   "key TEXT PRIMARY KEY,"
                   "value INTEGER NOT NULL)"_s},
                  // A copy of what the server keeps: after a power cut the next sync refills
                  // whatever the last commits lost, so commits need not wait for the disk.
                  SqliteDatabase::Synchronous::Normal);
    if (opened)
        prepareStatements();
    return opened;
}

bool MessageCache::addRoom(const QString &room, const QString &title)
{
    flush();
    const bool ok = m_db.exec(u"INSERT INTO rooms(room, title) VALUES(?, ?) "
                              "ON CONFLICT(room) DO UPDATE SET title = "
                              "CASE WHEN excluded.title != '' THEN excluded.title ELSE title END"_s,
                              {room, SqliteDatabase::text(title)});
    if (ok)
        emit roomsChanged();
    return ok;
}

bool MessageCache::updateRooms(const QList<protocol::RoomSummary> &rooms)
{
    flush();
    if (!m_db.transaction())
        return false;
    QSet<QString> names;
    bool ok = true;
    for (const protocol::RoomSummary &r : rooms) {
        names.insert(r.room);
        ok = ok &&
             m_db.exec(u"INSERT INTO rooms(room, title, last_seq, read_seq) VALUES(?, ?, ?, ?) "
                       "ON CONFLICT(room) DO UPDATE SET title = excluded.title, "
                       "last_seq = MAX(last_seq, excluded.last_seq), "
                       "read_seq = MAX(read_seq, excluded.read_seq)"_s,
                       {r.room, SqliteDatabase::text(r.title), r.lastSeq, r.readSeq});
    }
    for (const CachedRoom &cached : this->rooms()) {
        if (!names.contains(cached.room))
            ok = ok && m_db.exec(u"DELETE FROM rooms WHERE room = ?"_s, {cached.room});
    }
    if (!ok || !m_db.commit()) {
        m_db.rollback();
        return false;
    }
    emit roomsChanged();
    return true;
}

bool MessageCache::removeRoom(const QString &room)
{
    flush();
    const bool ok = m_db.exec(u"DELETE FROM rooms WHERE room = ?"_s, {room});
    if (ok)
        emit roomsChanged();
    return ok;
}

QList<CachedRoom> MessageCache::rooms()
{
    flush();
    QSqlQuery q = m_db.prepare(
        u"SELECT room, title, last_seq, read_seq, synced_seq FROM rooms ORDER BY room"_s);
    QList<CachedRoom> result;
    if (m_db.exec(q)) {
        while (q.next())
            result.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(),
                           q.value(3).toLongLong(), q.value(4).toLongLong()});
    }
    return result;
}

std::optional<CachedRoom> MessageCache::room(const QString &room)
{
    flush();
    QSqlQuery q = m_db.prepare(
        u"SELECT room, title, last_seq, read_seq, synced_seq FROM rooms WHERE room = ?"_s);
    q.addBindValue(room);
    if (!m_db.exec(q) || !q.next())
        return std::nullopt;
    return CachedRoom{q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(),
                      q.value(3).toLongLong(), q.value(4).toLongLong()};
}

bool MessageCache::storeMessages(const QString &room, const QList<MessageEvent> &messages,
                                 qint64 syncedSeq)
{
    if (!isOpen() || m_failedRooms.contains(room))
        return false;
    // Consecutive calls for the same room are merged: one entry per run of a room's messages.
    if (!m_queue.isEmpty() && m_queue.last().room == room) {
        m_queue.last().messages.append(messages);
        m_queue.last().syncedSeq = std::max(m_queue.last().syncedSeq, syncedSeq);
    } else {
        m_queue.append({room, messages, syncedSeq});
    }
    m_queuedMessages += int(messages.size());
    if (m_queuedMessages >= kMaxQueuedMessages)
        return flush();
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
    return true;
}

bool MessageCache::flush()
{
    m_flushTimer.stop();
    if (m_queue.isEmpty())
        return true;
    const QList<QueuedWrite> queue = std::exchange(m_queue, {});
    m_queuedMessages = 0;
    bool ok = m_db.transaction();
    QSet<QString> touched;
    for (const QueuedWrite &write : queue) {
        if (!ok)
            break;
        touched.insert(write.room);
        m_ensureRoom.addBindValue(write.room);
        ok = m_db.exec(m_ensureRoom);
        qint64 newest = 0;
        for (const MessageEvent &m : write.messages) {
            if (!ok)
                break;
            m_insertMessage.addBindValue(write.room);
            m_insertMessage.addBindValue(m.seq);
            m_insertMessage.addBindValue(m.ts);
            m_insertMessage.addBindValue(SqliteDatabase::text(m.from));
            m_insertMessage.addBindValue(SqliteDatabase::text(m.cid));
            m_insertMessage.addBindValue(SqliteDatabase::text(m.body));
            ok = m_db.exec(m_insertMessage);
            newest = std::max(newest, m.seq);
        }
        if (!ok)
            break;
        m_updateSynced.addBindValue(write.syncedSeq);
        m_updateSynced.addBindValue(write.syncedSeq);
        m_updateSynced.addBindValue(newest);
        m_updateSynced.addBindValue(write.room);
        ok = m_db.exec(m_updateSynced);
    }
    for (const QString &room : std::as_const(touched)) {
        if (!ok)
            break;
        m_trimRoom.addBindValue(room);
        m_trimRoom.addBindValue(room);
        m_trimRoom.addBindValue(m_capacity);
        ok = m_db.exec(m_trimRoom);
    }
    if (ok && m_db.commit())
        return true;
    const QString error = m_db.lastError();
    m_db.rollback();
    for (const QueuedWrite &write : queue)
        m_failedRooms.insert(write.room);
    qWarning("conversa-core: the message cache could not store %lld queued writes (%s); those "
             "rooms are synced again from the server on the next start",
             qint64(queue.size()), qUtf8Printable(error));
    return false;
}

qint64 MessageCache::historyEpoch()
{
    flush();
    QSqlQuery q = m_db.prepare(u"SELECT value FROM meta WHERE key = 'history_epoch'"_s);
    if (!m_db.exec(q) || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

bool MessageCache::resetHistory(qint64 epoch)
{
    flush();
    m_failedRooms.clear();
    if (!m_db.transaction())
        return false;
    const bool ok =
        m_db.exec(u"DELETE FROM messages"_s) &&
        m_db.exec(u"UPDATE rooms SET last_seq = 0, read_seq = 0, synced_seq = 0"_s) &&
        m_db.exec(u"INSERT OR REPLACE INTO meta(key, value) VALUES('history_epoch', ?)"_s, {epoch});
    if (!ok || !m_db.commit()) {
        m_db.rollback();
        return false;
    }
    emit roomsChanged();
    return true;
}

bool MessageCache::resetRoomHistory(const QString &room)
{
    flush();
    m_failedRooms.remove(room);
    if (!m_db.transaction())
        return false;
    const bool ok = m_db.exec(u"DELETE FROM messages WHERE room = ?"_s, {room}) &&
                    m_db.exec(u"UPDATE rooms SET last_seq = 0, read_seq = 0, synced_seq = 0 "
                              "WHERE room = ?"_s,
                              {room});
    if (!ok || !m_db.commit()) {
        m_db.rollback();
        return false;
    }
    emit roomsChanged();
    return true;
}

qint64 MessageCache::syncedSeq(const QString &room)
{
    const auto r = this->room(room);
    return r ? r->syncedSeq : 0;
}

bool MessageCache::setReadSeq(const QString &room, qint64 seq)
{
    flush();
    return m_db.exec(u"UPDATE rooms SET read_seq = MAX(read_seq, ?) WHERE room = ?"_s, {seq, room});
}

QList<MessageEvent> MessageCache::select(QSqlQuery &q, const QString &room, bool descending)
{
    QList<MessageEvent> result;
    if (m_db.exec(q)) {
        while (q.next())
            result.append({room, q.value(0).toLongLong(), q.value(1).toLongLong(),
                           q.value(2).toString(), q.value(3).toString(), q.value(4).toString()});
    }
    q.finish(); // a statement kept open would hold its read snapshot (and block checkpoints)
    if (descending)
        std::reverse(result.begin(), result.end());
    return result;
}

QList<MessageEvent> MessageCache::latest(const QString &room, int limit)
{
    flush();
    m_selectLatest.addBindValue(room);
    m_selectLatest.addBindValue(limit);
    return select(m_selectLatest, room, true);
}

QList<MessageEvent> MessageCache::before(const QString &room, qint64 beforeSeq, int limit)
{
    flush();
    m_selectBefore.addBindValue(room);
    m_selectBefore.addBindValue(beforeSeq);
    m_selectBefore.addBindValue(limit);
    return select(m_selectBefore, room, true);
}

QList<MessageEvent> MessageCache::after(const QString &room, qint64 afterSeq, int limit)
{
    flush();
    m_selectAfter.addBindValue(room);
    m_selectAfter.addBindValue(afterSeq);
    m_selectAfter.addBindValue(limit);
    return select(m_selectAfter, room, false);
}

std::pair<qint64, qint64> MessageCache::cachedRange(const QString &room)
{
    flush();
    QSqlQuery q = m_db.prepare(u"SELECT MIN(seq), MAX(seq) FROM messages WHERE room = ?"_s);
    q.addBindValue(room);
    if (!m_db.exec(q) || !q.next())
        return {0, 0};
    return {q.value(0).toLongLong(), q.value(1).toLongLong()};
}

int MessageCache::messageCount(const QString &room)
{
    flush();
    QSqlQuery q = m_db.prepare(u"SELECT COUNT(*) FROM messages WHERE room = ?"_s);
    q.addBindValue(room);
    if (!m_db.exec(q) || !q.next())
        return 0;
    return q.value(0).toInt();
}

} // namespace conversa::core
