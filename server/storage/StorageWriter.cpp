// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/StorageWriter.h"

#include "Log.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QSemaphore>
#include <QSqlError>
#include <QSqlQuery>

namespace conversa::server {

using namespace Qt::StringLiterals;

class StorageWriter::Worker : public QObject
{
public:
    explicit Worker(StorageWriter *owner)
        : m_owner(owner)
    {}

    QString open(const QString &dataDir, SyncMode syncMode)
    {
        if (QString error = m_database.open(dataDir, u"conversa-write"_s, syncMode);
            !error.isEmpty())
            return error;
        auto prepare = [this](QSqlQuery &query, const QString &sql) {
            query = QSqlQuery(m_database.db());
            if (!query.prepare(sql))
                qCCritical(lcServer) << "cannot prepare" << sql << query.lastError().text();
        };
        prepare(m_findCid, u"SELECT seq, ts FROM messages WHERE room_id = ? AND user_id = ? AND "
                           "cid = ?"_s);
        prepare(m_insertMessage, u"INSERT INTO messages (room_id, seq, user_id, cid, ts, body) "
                                 "VALUES (?, ?, ?, ?, ?, ?)"_s);
        prepare(m_lastSeq, u"SELECT last_seq FROM rooms WHERE id = ?"_s);
        prepare(m_setLastSeq, u"UPDATE rooms SET last_seq = ? WHERE id = ?"_s);
        prepare(m_createRoom, u"INSERT OR IGNORE INTO rooms (name, title, created_ms) "
                              "VALUES (?, ?, ?)"_s);
        prepare(m_join, u"INSERT OR IGNORE INTO members (room_id, user_id, joined_ms) "
                        "VALUES (?, ?, ?)"_s);
        prepare(m_leave, u"DELETE FROM members WHERE room_id = ? AND user_id = ?"_s);
        prepare(m_markRead, u"UPDATE members SET read_seq = MAX(read_seq, ?) WHERE room_id = ? AND "
                            "user_id = ? RETURNING read_seq"_s);
        prepare(m_advanceRead, u"UPDATE members SET read_seq = MAX(read_seq, ?) WHERE room_id = ? "
                               "AND user_id = ?"_s);
        prepare(m_createToken, u"INSERT INTO tokens (user_id, hash, device, created_ms, "
                               "last_used_ms) VALUES (?, ?, ?, ?, ?)"_s);
        prepare(m_revokeToken, u"UPDATE tokens SET revoked = 1 WHERE id = ?"_s);
        prepare(m_touchToken, u"UPDATE tokens SET last_used_ms = ? WHERE id = ?"_s);
        return {};
    }

    void close() { m_database.close(); }

    void processQueue()
    {
        std::vector<Pending> batch;
        {
            QMutexLocker lock(&m_owner->m_mutex);
            batch.swap(m_owner->m_queue);
            m_owner->m_wakePosted = false;
        }
        if (batch.empty())
            return;
        QElapsedTimer timer;
        timer.start();
        std::vector<WriteResult> results(batch.size());
        m_dirtySeqs.clear();
        m_ownReads.clear();
        bool committed = exec(u"BEGIN IMMEDIATE"_s);
        if (committed) {
            for (size_t i = 0; i < batch.size(); ++i)
                results[i] =
                    std::visit([this](const auto &job) { return apply(job); }, batch[i].job);
            for (auto it = m_dirtySeqs.cbegin(); it != m_dirtySeqs.cend(); ++it) {
                m_setLastSeq.bindValue(0, it.value());
                m_setLastSeq.bindValue(1, it.key());
                if (!m_setLastSeq.exec()) {
                    committed = false;
                    break;
                }
            }
            for (auto it = m_ownReads.cbegin(); committed && it != m_ownReads.cend(); ++it) {
                m_advanceRead.bindValue(0, it.value());
                m_advanceRead.bindValue(1, it.key().first);
                m_advanceRead.bindValue(2, it.key().second);
                committed = m_advanceRead.exec();
            }
            committed = committed && exec(u"COMMIT"_s);
        }
        if (!committed) {
            const QString reason = m_database.db().lastError().text();
            qCCritical(lcServer).noquote() << "event=commit_failed error=" << reason;
            exec(u"ROLLBACK"_s);
            m_lastSeqs.clear(); // they may have advanced inside the rolled-back transaction
            for (WriteResult &result : results)
                result = failure(protocol::ErrorCode::Internal,
                                 u"the server could not store this; try again"_s);
        }
        const int jobCount = static_cast<int>(batch.size());
        const qint64 micros = timer.nsecsElapsed() / 1000;
        if (m_owner->m_context) {
            QMetaObject::invokeMethod(
                m_owner->m_context,
                [batch = std::move(batch), results = std::move(results)]() {
                    for (size_t i = 0; i < batch.size(); ++i) {
                        if (batch[i].done)
                            batch[i].done(results[i]);
                    }
                },
                Qt::QueuedConnection);
        }
        emit m_owner->committed(jobCount, micros);
    }

private:
    static WriteResult failure(protocol::ErrorCode code, const QString &message)
    {
        WriteResult result;
        result.ok = false;
        result.code = code;
        result.error = message;
        return result;
    }

    bool exec(const QString &sql)
    {
        QSqlQuery query(m_database.db());
        return query.exec(sql);
    }

    static qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }

    WriteResult failed(QSqlQuery &query)
    {
        qCCritical(lcServer).noquote() << "event=write_failed error=" << query.lastError().text();
        query.finish();
        return failure(protocol::ErrorCode::Internal, u"the server could not store this"_s);
    }

    qint64 lastSeq(qint64 roomId)
    {
        auto it = m_lastSeqs.find(roomId);
        if (it != m_lastSeqs.end())
            return it.value();
        m_lastSeq.bindValue(0, roomId);
        qint64 seq = 0;
        if (m_lastSeq.exec() && m_lastSeq.next())
            seq = m_lastSeq.value(0).toLongLong();
        m_lastSeq.finish();
        m_lastSeqs.insert(roomId, seq);
        return seq;
    }

    WriteResult apply(const write::InsertMessage &job)
    {
        m_findCid.bindValue(0, job.roomId);
        m_findCid.bindValue(1, job.userId);
        m_findCid.bindValue(2, job.cid);
        if (!m_findCid.exec())
            return failed(m_findCid);
        WriteResult result;
        if (m_findCid.next()) {
            result.value = m_findCid.value(0).toLongLong();
            result.ts = m_findCid.value(1).toLongLong();
            result.duplicate = true;
            m_findCid.finish();
            return result;
        }
        m_findCid.finish();
        const qint64 seq = lastSeq(job.roomId) + 1;
        const qint64 ts = now();
        m_insertMessage.bindValue(0, job.roomId);
        m_insertMessage.bindValue(1, seq);
        m_insertMessage.bindValue(2, job.userId);
        m_insertMessage.bindValue(3, job.cid);
        m_insertMessage.bindValue(4, ts);
        m_insertMessage.bindValue(5, job.body);
        if (!m_insertMessage.exec())
            return failed(m_insertMessage);
        m_lastSeqs.insert(job.roomId, seq);
        m_dirtySeqs.insert(job.roomId, seq);
        // What you wrote yourself is read: the sender's marker moves with the batch.
        m_ownReads.insert({job.roomId, job.userId}, seq);
        result.value = seq;
        result.ts = ts;
        return result;
    }

    WriteResult apply(const write::CreateRoom &job)
    {
        m_createRoom.bindValue(0, job.name);
        m_createRoom.bindValue(1, job.title);
        m_createRoom.bindValue(2, now());
        if (!m_createRoom.exec())
            return failed(m_createRoom);
        if (m_createRoom.numRowsAffected() == 0)
            return failure(protocol::ErrorCode::Conflict,
                           u"a room named '%1' already exists"_s.arg(job.name));
        const qint64 roomId = m_createRoom.lastInsertId().toLongLong();
        m_lastSeqs.insert(roomId, 0);
        WriteResult result;
        result.value = roomId;
        if (job.creatorId > 0) {
            result = apply(write::JoinRoom{roomId, job.creatorId});
            result.value = roomId;
        }
        return result;
    }

    WriteResult apply(const write::JoinRoom &job)
    {
        m_join.bindValue(0, job.roomId);
        m_join.bindValue(1, job.userId);
        m_join.bindValue(2, now());
        if (!m_join.exec())
            return failed(m_join);
        return {};
    }

    WriteResult apply(const write::LeaveRoom &job)
    {
        m_leave.bindValue(0, job.roomId);
        m_leave.bindValue(1, job.userId);
        if (!m_leave.exec())
            return failed(m_leave);
        return {};
    }

    WriteResult apply(const write::MarkRead &job)
    {
        // Capped at the newest message, which may still be in this very transaction.
        m_markRead.bindValue(0, qMin(job.seq, lastSeq(job.roomId)));
        m_markRead.bindValue(1, job.roomId);
        m_markRead.bindValue(2, job.userId);
        if (!m_markRead.exec())
            return failed(m_markRead);
        WriteResult result;
        if (!m_markRead.next()) {
            m_markRead.finish();
            return failure(protocol::ErrorCode::Forbidden, u"you are not a member of this room"_s);
        }
        result.value = m_markRead.value(0).toLongLong();
        m_markRead.finish();
        return result;
    }

    WriteResult apply(const write::CreateToken &job)
    {
        const qint64 ms = now();
        m_createToken.bindValue(0, job.userId);
        m_createToken.bindValue(1, job.hash);
        m_createToken.bindValue(2, job.device);
        m_createToken.bindValue(3, ms);
        m_createToken.bindValue(4, ms);
        if (!m_createToken.exec())
            return failed(m_createToken);
        WriteResult result;
        result.value = m_createToken.lastInsertId().toLongLong();
        return result;
    }

    WriteResult apply(const write::RevokeToken &job)
    {
        m_revokeToken.bindValue(0, job.tokenId);
        if (!m_revokeToken.exec())
            return failed(m_revokeToken);
        return {};
    }

    WriteResult apply(const write::TouchToken &job)
    {
        m_touchToken.bindValue(0, now());
        m_touchToken.bindValue(1, job.tokenId);
        if (!m_touchToken.exec())
            return failed(m_touchToken);
        return {};
    }

    StorageWriter *m_owner;
    Database m_database;
    QHash<qint64, qint64> m_lastSeqs;
    QHash<qint64, qint64> m_dirtySeqs;
    QHash<QPair<qint64, qint64>, qint64> m_ownReads; // (room, sender) → newest own seq
    QSqlQuery m_findCid, m_insertMessage, m_lastSeq, m_setLastSeq, m_createRoom, m_join, m_leave,
        m_markRead, m_advanceRead, m_createToken, m_revokeToken, m_touchToken;
};

StorageWriter::StorageWriter(QObject *context)
    : QObject(context)
    , m_context(context)
{
    m_thread.setObjectName(u"storage-writer"_s);
}

StorageWriter::~StorageWriter()
{
    stop();
}

QString StorageWriter::start(const QString &dataDir, SyncMode syncMode)
{
    m_worker = std::make_unique<Worker>(this);
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    QString error;
    QMetaObject::invokeMethod(
        m_worker.get(), [&] { error = m_worker->open(dataDir, syncMode); },
        Qt::BlockingQueuedConnection);
    return error;
}

void StorageWriter::submit(WriteJob job, WriteCallback done)
{
    QMutexLocker lock(&m_mutex);
    m_queue.push_back({std::move(job), std::move(done)});
    if (!m_wakePosted && m_worker) {
        m_wakePosted = true;
        QMetaObject::invokeMethod(
            m_worker.get(), [worker = m_worker.get()] { worker->processQueue(); },
            Qt::QueuedConnection);
    }
}

void StorageWriter::flush()
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(
        m_worker.get(), [worker = m_worker.get()] { worker->processQueue(); },
        Qt::BlockingQueuedConnection);
}

void StorageWriter::stop()
{
    if (!m_worker)
        return;
    flush();
    QMetaObject::invokeMethod(
        m_worker.get(),
        [worker = m_worker.get(), home = thread()] {
            worker->close();
            worker->moveToThread(home);
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_worker.reset();
}

} // namespace conversa::server
