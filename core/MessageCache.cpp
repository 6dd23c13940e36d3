// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageCache.h"

#include <QSet>

#include <algorithm>

namespace conversa::core {

using namespace Qt::StringLiterals;
using protocol::MessageEvent;

MessageCache::MessageCache(QObject *parent)
    : QObject(parent)
{}

bool MessageCache::open(const QString &path)
{
    return m_db.open(path,
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
}

bool MessageCache::addRoom(const QString &room, const QString &title)
{
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
    const bool ok = m_db.exec(u"DELETE FROM rooms WHERE room = ?"_s, {room});
    if (ok)
        emit roomsChanged();
    return ok;
}

QList<CachedRoom> MessageCache::rooms()
{
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
    if (!m_db.transaction())
        return false;
    bool ok =
        m_db.exec(u"INSERT INTO rooms(room) VALUES(?) ON CONFLICT(room) DO NOTHING"_s, {room});
    qint64 newest = 0;
    QSqlQuery insert = m_db.prepare(u"INSERT OR IGNORE INTO messages(room, seq, ts, sender, cid, "
                                    "body) VALUES(?, ?, ?, ?, ?, ?)"_s);
    for (const MessageEvent &m : messages) {
        if (!ok)
            break;
        insert.addBindValue(room);
        insert.addBindValue(m.seq);
        insert.addBindValue(m.ts);
        insert.addBindValue(SqliteDatabase::text(m.from));
        insert.addBindValue(SqliteDatabase::text(m.cid));
        insert.addBindValue(SqliteDatabase::text(m.body));
        ok = m_db.exec(insert);
        newest = std::max(newest, m.seq);
    }
    ok = ok && m_db.exec(u"UPDATE rooms SET synced_seq = MAX(synced_seq, ?), "
                         "last_seq = MAX(last_seq, ?, ?) WHERE room = ?"_s,
                         {syncedSeq, syncedSeq, newest, room});
    // Keep the newest `capacity` messages of the room.
    ok = ok && m_db.exec(u"DELETE FROM messages WHERE room = ? AND seq < (SELECT MIN(seq) FROM "
                         "(SELECT seq FROM messages WHERE room = ? ORDER BY seq DESC LIMIT ?))"_s,
                         {room, room, m_capacity});
    if (!ok || !m_db.commit()) {
        m_db.rollback();
        return false;
    }
    return true;
}

qint64 MessageCache::historyEpoch()
{
    QSqlQuery q = m_db.prepare(u"SELECT value FROM meta WHERE key = 'history_epoch'"_s);
    if (!m_db.exec(q) || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

bool MessageCache::resetHistory(qint64 epoch)
{
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
    return m_db.exec(u"UPDATE rooms SET read_seq = MAX(read_seq, ?) WHERE room = ?"_s, {seq, room});
}

QList<MessageEvent> MessageCache::select(QSqlQuery &q, const QString &room)
{
    QList<MessageEvent> result;
    if (m_db.exec(q)) {
        while (q.next())
            result.append({room, q.value(0).toLongLong(), q.value(1).toLongLong(),
                           q.value(2).toString(), q.value(3).toString(), q.value(4).toString()});
    }
    std::reverse(result.begin(), result.end());
    return result;
}

QList<MessageEvent> MessageCache::latest(const QString &room, int limit)
{
    QSqlQuery q = m_db.prepare(u"SELECT seq, ts, sender, cid, body FROM messages WHERE room = ? "
                               "ORDER BY seq DESC LIMIT ?"_s);
    q.addBindValue(room);
    q.addBindValue(limit);
    return select(q, room);
}

QList<MessageEvent> MessageCache::before(const QString &room, qint64 beforeSeq, int limit)
{
    QSqlQuery q = m_db.prepare(u"SELECT seq, ts, sender, cid, body FROM messages WHERE room = ? "
                               "AND seq < ? ORDER BY seq DESC LIMIT ?"_s);
    q.addBindValue(room);
    q.addBindValue(beforeSeq);
    q.addBindValue(limit);
    return select(q, room);
}

int MessageCache::messageCount(const QString &room)
{
    QSqlQuery q = m_db.prepare(u"SELECT COUNT(*) FROM messages WHERE room = ?"_s);
    q.addBindValue(room);
    if (!m_db.exec(q) || !q.next())
        return 0;
    return q.value(0).toInt();
}

} // namespace conversa::core
