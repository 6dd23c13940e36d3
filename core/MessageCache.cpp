// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageCache.h"

#include "MessageState.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>
#include <QSet>
#include <QThread>
#include <QWaitCondition>

#include <algorithm>
#include <utility>

namespace conversa::core {

using namespace Qt::StringLiterals;
using protocol::MessageEvent;

namespace {
// The columns a cached message is read from, in readMessage()'s order.
constexpr auto kMessageColumns =
    "seq, ts, sender, cid, body, reply_to, edited, deleted, reactions, files"_L1;

MessageEvent readMessage(const QSqlQuery &q, const QString &room)
{
    MessageEvent m{room,
                   q.value(0).toLongLong(),
                   q.value(1).toLongLong(),
                   q.value(2).toString(),
                   q.value(3).toString(),
                   q.value(4).toString(),
                   q.value(5).toLongLong()};
    m.edited = q.value(6).toLongLong();
    m.deleted = q.value(7).toBool();
    m.reactions = reactionsFromJson(q.value(8).toString());
    m.files = filesFromJson(q.value(9).toString());
    return m;
}
} // namespace

// The writer thread: its own connection to the cache file, and a queue the GUI thread fills.
class CacheWriter
{
public:
    struct Job {
        QString room;
        QList<MessageEvent> messages;
        qint64 syncedSeq = -1; // -1: a read marker only
        qint64 readSeq = -1;
    };

    CacheWriter(const QString &path, int capacity, int intervalMs)
        : m_path(path)
        , m_capacity(capacity)
        , m_intervalMs(intervalMs)
    {
        m_thread.reset(QThread::create([this] { run(); }));
        m_thread->setObjectName(u"conversa-cache-writer"_s);
        m_thread->start();
    }

    ~CacheWriter()
    {
        {
            QMutexLocker lock(&m_mutex);
            m_stop = true;
            m_wake.wakeAll();
        }
        m_thread->wait(); // what is queued is committed first
    }

    // False when the room's earlier messages were refused.
    bool enqueue(Job job)
    {
        QMutexLocker lock(&m_mutex);
        if (m_failedRooms.contains(job.room) || m_openFailed)
            return false;
        // The bound: wait for the writer (only when the disk is slower than the messages).
        while (m_queuedMessages >= MessageCache::kMaxQueuedMessages && !m_openFailed)
            m_idle.wait(&m_mutex);
        m_queuedMessages += int(job.messages.size());
        // Consecutive messages of one room are merged into one job.
        if (!m_queue.isEmpty() && m_queue.last().room == job.room &&
            m_queue.last().syncedSeq >= 0 && job.syncedSeq >= 0) {
            m_queue.last().messages.append(job.messages);
            m_queue.last().syncedSeq = std::max(m_queue.last().syncedSeq, job.syncedSeq);
        } else {
            m_queue.append(std::move(job));
        }
        if (m_queuedMessages >= MessageCache::kMaxQueuedMessages)
            m_commitNow = true;
        m_wake.wakeAll();
        return true;
    }

    // Waits until the queue is committed; the error of a refused commit since the last call.
    QString flush()
    {
        QMutexLocker lock(&m_mutex);
        m_commitNow = true;
        m_wake.wakeAll();
        while ((!m_queue.isEmpty() || m_busy) && !m_openFailed)
            m_idle.wait(&m_mutex);
        m_commitNow = false;
        return std::exchange(m_error, {});
    }

    int queuedMessages()
    {
        QMutexLocker lock(&m_mutex);
        return m_queuedMessages;
    }
    void setCapacity(int capacity)
    {
        QMutexLocker lock(&m_mutex);
        m_capacity = capacity;
    }
    void setInterval(int ms)
    {
        QMutexLocker lock(&m_mutex);
        m_intervalMs = ms;
    }
    void forgetFailures(const QString &room)
    {
        QMutexLocker lock(&m_mutex);
        if (room.isEmpty())
            m_failedRooms.clear();
        else
            m_failedRooms.remove(room);
    }

private:
    void run()
    {
        {
            SqliteDatabase db;
            if (!db.open(m_path, {}, SqliteDatabase::Synchronous::Normal)) {
                QMutexLocker lock(&m_mutex);
                m_openFailed = true;
                m_error = db.lastError();
                qWarning("conversa-core: the message cache's writer cannot open %s: %s",
                         qUtf8Printable(m_path), qUtf8Printable(m_error));
                m_idle.wakeAll();
                return;
            }
            Statements statements{
                db.prepare(u"INSERT INTO rooms(room) VALUES(?) ON CONFLICT(room) DO NOTHING"_s),
                // A message comes in its current state: a copy already here takes it.
                db.prepare(
                    u"INSERT INTO messages(room, seq, ts, sender, cid, body, reply_to, "
                    "edited, deleted, reactions, files) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(room, seq) DO UPDATE SET body = excluded.body, "
                    "edited = excluded.edited, deleted = excluded.deleted, "
                    "reactions = excluded.reactions, files = excluded.files"_s),
                db.prepare(u"UPDATE rooms SET synced_seq = MAX(synced_seq, ?), "
                           "last_seq = MAX(last_seq, ?, ?) WHERE room = ?"_s),
                // Keep the newest `capacity` messages of the room.
                db.prepare(
                    u"DELETE FROM messages WHERE room = ? AND seq < (SELECT MIN(seq) FROM "
                    "(SELECT seq FROM messages WHERE room = ? ORDER BY seq DESC LIMIT ?))"_s),
                db.prepare(u"UPDATE rooms SET read_seq = MAX(read_seq, ?) WHERE room = ?"_s),
                db.prepare(
                    u"SELECT %1 FROM messages WHERE room = ? AND seq = ?"_s.arg(kMessageColumns)),
                db.prepare(u"UPDATE messages SET body = ?, edited = ?, deleted = ?, "
                           "reactions = ?, files = ? WHERE room = ? AND seq = ?"_s)};
            QMutexLocker lock(&m_mutex);
            while (true) {
                while (m_queue.isEmpty() && !m_stop)
                    m_wake.wait(&m_mutex);
                if (m_queue.isEmpty())
                    break; // stopping, nothing left
                // Collect what arrives within the interval into one transaction.
                QDeadlineTimer deadline(m_intervalMs);
                while (!m_stop && !m_commitNow && !deadline.hasExpired())
                    m_wake.wait(&m_mutex, deadline);
                const QList<Job> jobs = std::exchange(m_queue, {});
                m_queuedMessages = 0;
                const int capacity = m_capacity;
                m_busy = true;
                m_idle.wakeAll(); // producers waiting for room in the queue
                lock.unlock();
                QString error;
                const bool ok = commit(db, statements, jobs, capacity, &error);
                lock.relock();
                m_busy = false;
                if (!ok) {
                    for (const Job &job : jobs) {
                        if (!job.messages.isEmpty() || job.syncedSeq >= 0)
                            m_failedRooms.insert(job.room);
                    }
                    m_error = error;
                    qWarning("conversa-core: the message cache could not store %lld queued "
                             "writes (%s); those rooms are synced again from the server on the "
                             "next start",
                             qint64(jobs.size()), qUtf8Printable(error));
                }
                m_idle.wakeAll();
            }
        } // statements and connection go before the connection is removed
    }

    struct Statements {
        QSqlQuery ensureRoom;
        QSqlQuery insertMessage;
        QSqlQuery updateSynced;
        QSqlQuery trimRoom;
        QSqlQuery updateRead;
        QSqlQuery selectTarget;
        QSqlQuery updateState;
    };

    // An edit, deletion or reaction changes the cached message it names (if it is cached).
    static bool applyEntry(SqliteDatabase &db, Statements &s, const QString &room,
                           const MessageEvent &entry)
    {
        s.selectTarget.addBindValue(room);
        s.selectTarget.addBindValue(entry.target);
        if (!db.exec(s.selectTarget))
            return false;
        if (!s.selectTarget.next()) {
            s.selectTarget.finish();
            return true; // older than what is cached: nothing to change
        }
        MessageEvent message = readMessage(s.selectTarget, room);
        s.selectTarget.finish();
        if (!applyLogEntry(message, entry))
            return true;
        s.updateState.addBindValue(SqliteDatabase::text(message.body));
        s.updateState.addBindValue(message.edited);
        s.updateState.addBindValue(message.deleted ? 1 : 0);
        s.updateState.addBindValue(SqliteDatabase::text(reactionsToJson(message.reactions)));
        s.updateState.addBindValue(SqliteDatabase::text(filesToJson(message.files)));
        s.updateState.addBindValue(room);
        s.updateState.addBindValue(entry.target);
        return db.exec(s.updateState);
    }

    static bool commit(SqliteDatabase &db, Statements &s, const QList<Job> &jobs, int capacity,
                       QString *error)
    {
        bool ok = db.transaction();
        QSet<QString> touched;
        for (const Job &job : jobs) {
            if (!ok)
                break;
            if (job.syncedSeq < 0) {
                s.updateRead.addBindValue(job.readSeq);
                s.updateRead.addBindValue(job.room);
                ok = db.exec(s.updateRead);
                continue;
            }
            touched.insert(job.room);
            s.ensureRoom.addBindValue(job.room);
            ok = db.exec(s.ensureRoom);
            qint64 newest = 0;
            for (const MessageEvent &m : job.messages) {
                if (!ok)
                    break;
                newest = std::max(newest, m.seq);
                if (!m.kind.isEmpty()) {
                    ok = applyEntry(db, s, job.room, m);
                    continue;
                }
                s.insertMessage.addBindValue(job.room);
                s.insertMessage.addBindValue(m.seq);
                s.insertMessage.addBindValue(m.ts);
                s.insertMessage.addBindValue(SqliteDatabase::text(m.from));
                s.insertMessage.addBindValue(SqliteDatabase::text(m.cid));
                s.insertMessage.addBindValue(SqliteDatabase::text(m.body));
                s.insertMessage.addBindValue(m.replyTo);
                s.insertMessage.addBindValue(m.edited);
                s.insertMessage.addBindValue(m.deleted ? 1 : 0);
                s.insertMessage.addBindValue(SqliteDatabase::text(reactionsToJson(m.reactions)));
                s.insertMessage.addBindValue(SqliteDatabase::text(filesToJson(m.files)));
                ok = db.exec(s.insertMessage);
            }
            if (!ok)
                break;
            s.updateSynced.addBindValue(job.syncedSeq);
            s.updateSynced.addBindValue(job.syncedSeq);
            s.updateSynced.addBindValue(newest);
            s.updateSynced.addBindValue(job.room);
            ok = db.exec(s.updateSynced);
        }
        for (const QString &room : std::as_const(touched)) {
            if (!ok)
                break;
            s.trimRoom.addBindValue(room);
            s.trimRoom.addBindValue(room);
            s.trimRoom.addBindValue(capacity);
            ok = db.exec(s.trimRoom);
        }
        if (ok && db.commit())
            return true;
        *error = db.lastError();
        db.rollback();
        return false;
    }

    const QString m_path;
    std::unique_ptr<QThread> m_thread;
    QMutex m_mutex;
    QWaitCondition m_wake; // work arrived, or stop
    QWaitCondition m_idle; // the queue was taken or committed
    QList<Job> m_queue;
    int m_queuedMessages = 0;
    int m_capacity;
    int m_intervalMs;
    bool m_busy = false;
    bool m_stop = false;
    bool m_commitNow = false;
    bool m_openFailed = false;
    QSet<QString> m_failedRooms;
    QString m_error;
};

MessageCache::MessageCache(QObject *parent)
    : QObject(parent)
{}

MessageCache::~MessageCache()
{
    stopWriter();
    releaseStatements();
}

void MessageCache::stopWriter()
{
    m_writer.reset(); // commits what is queued
}

void MessageCache::setCapacityPerRoom(int capacity)
{
    m_capacity = qMax(1, capacity);
    if (m_writer)
        m_writer->setCapacity(m_capacity);
}

void MessageCache::setWriteInterval(int ms)
{
    m_writeInterval = qMax(0, ms);
    if (m_writer)
        m_writer->setInterval(m_writeInterval);
}

int MessageCache::queuedMessages() const
{
    return m_writer ? m_writer->queuedMessages() : 0;
}

void MessageCache::releaseStatements()
{
    for (QSqlQuery *query : {&m_selectLatest, &m_selectBefore, &m_selectAfter, &m_selectOne})
        *query = QSqlQuery();
}

void MessageCache::prepareStatements()
{
    m_selectLatest = m_db.prepare(u"SELECT %1 FROM messages WHERE room = ? "
                                  "ORDER BY seq DESC LIMIT ?"_s.arg(kMessageColumns));
    m_selectBefore = m_db.prepare(u"SELECT %1 FROM messages WHERE room = ? "
                                  "AND seq < ? ORDER BY seq DESC LIMIT ?"_s.arg(kMessageColumns));
    m_selectAfter = m_db.prepare(u"SELECT %1 FROM messages WHERE room = ? "
                                 "AND seq > ? ORDER BY seq ASC LIMIT ?"_s.arg(kMessageColumns));
    m_selectOne =
        m_db.prepare(u"SELECT %1 FROM messages WHERE room = ? AND seq = ?"_s.arg(kMessageColumns));
}

bool MessageCache::open(const QString &path)
{
    stopWriter();
    releaseStatements();
    m_writeError.clear();
    // Never edit a released step: append one. Version 1 is the schema of the files written
    // before versions were recorded (user_version 0), so on those it changes nothing.
    static const sqlite::Schema schema{
        u"the message cache"_s,
        {{u"rooms, messages and meta"_s,
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
          {}},
         {u"the server's limits"_s,
          {u"CREATE TABLE server_limits ("
           "name TEXT PRIMARY KEY,"
           "value REAL NOT NULL)"_s},
          {}},
         // Earlier versions skipped edits, deletions and reactions while their sync point moved
         // past them: the cached messages may be out of date, so their rooms are synced again
         // (messages come in their current state and replace the cached copies).
         {u"replies, edits, deletions and reactions"_s,
          {u"ALTER TABLE messages ADD COLUMN reply_to INTEGER NOT NULL DEFAULT 0"_s,
           u"ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0"_s,
           u"ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0"_s,
           u"ALTER TABLE messages ADD COLUMN reactions TEXT NOT NULL DEFAULT ''"_s,
           u"UPDATE rooms SET synced_seq = 0"_s},
          {}},
         // Messages cached before carried no files: their rooms are synced again to get them.
         {u"files of messages"_s,
          {u"ALTER TABLE messages ADD COLUMN files TEXT NOT NULL DEFAULT ''"_s,
           u"UPDATE rooms SET synced_seq = 0"_s},
          {}}}};
    // A copy of what the server keeps: after a power cut the next sync refills whatever the
    // last commits lost, so commits need not wait for the disk.
    if (!m_db.open(path, SqliteDatabase::Synchronous::Normal))
        return false;
    if (!m_db.migrate(schema)) {
        m_db.close();
        return false;
    }
    prepareStatements();
    // Checkpoints (which wait for the disk) are the writer's: none on the GUI thread.
    m_db.exec(u"PRAGMA wal_autocheckpoint = 0"_s);
    m_writer = std::make_unique<CacheWriter>(path, m_capacity, m_writeInterval);
    return true;
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
    return m_writer && m_writer->enqueue({room, messages, qMax<qint64>(0, syncedSeq), -1});
}

bool MessageCache::flush()
{
    if (!m_writer)
        return true;
    const QString error = m_writer->flush();
    if (error.isEmpty())
        return true;
    m_writeError = error;
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
    if (m_writer)
        m_writer->forgetFailures({});
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
    if (m_writer)
        m_writer->forgetFailures(room);
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
    return m_writer && m_writer->enqueue({room, {}, -1, seq});
}

QList<MessageEvent> MessageCache::select(QSqlQuery &q, const QString &room, bool descending)
{
    QList<MessageEvent> result;
    if (m_db.exec(q)) {
        while (q.next())
            result.append(readMessage(q, room));
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

std::optional<MessageEvent> MessageCache::message(const QString &room, qint64 seq)
{
    flush();
    m_selectOne.addBindValue(room);
    m_selectOne.addBindValue(seq);
    const QList<MessageEvent> found = select(m_selectOne, room, false);
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
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

namespace {

// Names as the server's `limits` spells them.
constexpr auto kMaxBody = "max_body_bytes"_L1;
constexpr auto kMaxFile = "max_file_bytes"_L1;
constexpr auto kMaxFiles = "max_files_per_message"_L1;
constexpr auto kRate = "messages_per_second"_L1;
constexpr auto kBurst = "message_burst"_L1;

} // namespace

std::optional<ServerLimits> MessageCache::serverLimits()
{
    QSqlQuery q = m_db.prepare(u"SELECT name, value FROM server_limits"_s);
    if (!m_db.exec(q))
        return std::nullopt;
    QHash<QString, double> values;
    while (q.next())
        values.insert(q.value(0).toString(), q.value(1).toDouble());
    if (values.isEmpty())
        return std::nullopt;
    // What was stored was checked when it arrived; a file edited by hand gets the same checks.
    ServerLimits limits;
    const auto positive = [&values](QLatin1StringView name, qint64 fallback, qint64 most) {
        const double value = values.value(QString(name), 0);
        return value >= 1 && value <= double(most) ? qint64(value) : fallback;
    };
    limits.maxBodyBytes = positive(kMaxBody, limits.maxBodyBytes, qint64(1) << 40);
    limits.maxFileBytes = positive(kMaxFile, limits.maxFileBytes, qint64(1) << 50);
    limits.maxFilesPerMessage = int(positive(kMaxFiles, limits.maxFilesPerMessage, 1000));
    const double rate = values.value(QString(kRate), 0);
    limits.messagesPerSecond = rate > 0 && rate < 1e9 ? rate : 0;
    limits.messageBurst = int(positive(kBurst, 0, 1'000'000));
    return limits;
}

bool MessageCache::setServerLimits(const ServerLimits &limits)
{
    flush();
    bool ok = m_db.transaction();
    const std::pair<QLatin1StringView, double> values[] = {
        {kMaxBody, double(limits.maxBodyBytes)},
        {kMaxFile, double(limits.maxFileBytes)},
        {kMaxFiles, double(limits.maxFilesPerMessage)},
        {kRate, limits.messagesPerSecond},
        {kBurst, double(limits.messageBurst)}};
    for (const auto &[name, value] : values) {
        if (!ok)
            break;
        ok = m_db.exec(u"INSERT OR REPLACE INTO server_limits(name, value) VALUES(?, ?)"_s,
                       {QString(name), value});
    }
    if (ok)
        ok = m_db.commit();
    if (!ok)
        m_db.rollback();
    return ok;
}

} // namespace conversa::core
