// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Log.h"
#include "files/BlobPaths.h"
#include "storage/FileRows.h"
#include "storage/SearchIndex.h"
#include "storage/WriteBackend.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSqlError>
#include <QSqlQuery>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {

// SQLite: one BEGIN IMMEDIATE transaction per batch, one prepared statement per write (they run
// in this process, so many small statements cost little). A room's last seq is read once per
// transaction, under the write lock, so another process writing the same file between two
// batches never makes it hand out a seq twice.
class SqliteWriteBackend final : public WriteBackend
{
public:
    QString open(const StorageLocation &location) override
    {
        if (QString error = m_database.open(location, u"conversa-write"_s); !error.isEmpty())
            return error;
        m_dataDir = location.dataDir;
        m_files.prepare(m_database.db());
        auto prepare = [this](QSqlQuery &query, const QString &sql) {
            query = QSqlQuery(m_database.db());
            if (!query.prepare(sql))
                qCCritical(lcServer) << "cannot prepare" << sql << query.lastError().text();
        };
        prepare(m_findCid, u"SELECT seq, ts FROM messages WHERE room_id = ? AND user_id = ? AND "
                           "cid = ?"_s);
        prepare(m_insertMessage, u"INSERT INTO messages (room_id, seq, user_id, cid, ts, body, "
                                 "reply_to) VALUES (?, ?, ?, ?, ?, ?, ?)"_s);
        prepare(m_lastSeq, u"SELECT last_seq FROM rooms WHERE id = ?"_s);
        prepare(m_target, u"SELECT m.user_id, m.kind, m.deleted, r.owner_id, m.ts, m.body FROM "
                          "messages m "
                          "JOIN rooms r ON r.id = m.room_id WHERE m.room_id = ? AND m.seq = ?"_s);
        prepare(m_insertChange, u"INSERT INTO messages (room_id, seq, user_id, cid, ts, body, "
                                "kind, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s);
        prepare(m_insertReaction,
                u"INSERT INTO messages (room_id, seq, user_id, cid, ts, body, kind, target, emoji, "
                "reaction_on) VALUES (?, ?, ?, ?, ?, '', 3, ?, ?, ?)"_s);
        prepare(m_reactOn, u"INSERT OR IGNORE INTO reactions (room_id, target, user_id, emoji, "
                           "seq) VALUES (?, ?, ?, ?, ?)"_s);
        prepare(m_reactOff, u"DELETE FROM reactions WHERE room_id = ? AND target = ? AND "
                            "user_id = ? AND emoji = ?"_s);
        prepare(m_applyEdit, u"UPDATE messages SET body = ?, edited_ms = ? WHERE room_id = ? "
                             "AND seq = ?"_s);
        prepare(m_eraseMessage, u"UPDATE messages SET body = '', deleted = 1 WHERE room_id = ? "
                                "AND seq = ?"_s);
        prepare(m_eraseEdits, u"UPDATE messages SET body = '' WHERE room_id = ? AND kind = 1 "
                              "AND target = ?"_s);
        prepare(m_setLastSeq, u"UPDATE rooms SET last_seq = ? WHERE id = ?"_s);
        prepare(m_createRoom, u"INSERT OR IGNORE INTO rooms (name, title, created_ms, "
                              "owner_id, kind) VALUES (?, ?, ?, ?, ?)"_s);
        prepare(m_findDirect, u"SELECT d.room_id, r.name FROM direct_rooms d JOIN rooms r ON "
                              "r.id = d.room_id WHERE d.user_low = ? AND d.user_high = ?"_s);
        prepare(m_insertDirect, u"INSERT INTO direct_rooms (user_low, user_high, room_id) "
                                "VALUES (?, ?, ?)"_s);
        prepare(m_rename, u"UPDATE rooms SET title = ? WHERE id = ?"_s);
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
        m_searchIndex.prepare(m_database.db(), false);
        return {};
    }

    void close() override
    {
        m_searchIndex.reset();
        m_files.reset();
        m_database.close();
    }

    bool applyBatch(const std::vector<const WriteJob *> &jobs,
                    std::vector<WriteResult> &results) override
    {
        m_lastSeqs.clear();
        m_dirtySeqs.clear();
        m_ownReads.clear();
        bool committed = exec(m_database.beginWriteSql());
        if (committed) {
            for (size_t i = 0; i < jobs.size(); ++i)
                results[i] = std::visit([this](const auto &job) { return apply(job); }, *jobs[i]);
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
        }
        removeReleasedBlobs(committed);
        return committed;
    }

private:
    bool exec(const QString &sql)
    {
        QSqlQuery query(m_database.db());
        return query.exec(sql);
    }

    WriteResult failed(QSqlQuery &query)
    {
        qCCritical(lcServer).noquote() << "event=write_failed error=" << query.lastError().text();
        query.finish();
        return failure(protocol::ErrorCode::Internal, u"the server could not store this"_s);
    }

    WriteResult searchIndexFailed()
    {
        qCCritical(lcServer).noquote() << "event=write_failed error=" << m_searchIndex.lastError();
        return failure(protocol::ErrorCode::Internal, u"the server could not store this"_s);
    }

    // After the commit (and only then: a rolled-back deletion keeps its bytes), the bytes no row
    // names any more go. Uploads and removals both run on this thread, so an upload of the same
    // bytes is either counted here or comes after the file is gone and brings its own copy.
    void removeReleasedBlobs(bool committed)
    {
        const QStringList released = std::exchange(m_releasedBlobs, {});
        if (!committed)
            return;
        for (const QString &sha256 : released) {
            bool inUse = true;
            QSqlQuery *failedQuery = nullptr;
            if (!m_files.shaInUse(sha256, &inUse, &failedQuery) || inUse)
                continue;
            const QString path = files::blobPath(m_dataDir, sha256);
            if (!QFile::remove(path) && QFileInfo::exists(path))
                qCWarning(lcServer).noquote()
                    << u"event=file_remove_failed path=\"%1\""_s.arg(path);
        }
    }

    WriteResult apply(const write::AddFile &job)
    {
        const QString target = files::blobPath(m_dataDir, job.sha256);
        if (!QFileInfo::exists(target)) {
            QFileInfo(target).dir().mkpath(u"."_s);
            if (!QFile::rename(job.spoolPath, target)) {
                qCCritical(lcServer).noquote()
                    << u"event=file_store_failed path=\"%1\""_s.arg(target);
                return failure(protocol::ErrorCode::Internal,
                               u"the server could not store this file"_s);
            }
        }
        QSqlQuery *failedQuery = nullptr;
        if (!m_files.insert(job, now(), &failedQuery))
            return failed(*failedQuery);
        return {};
    }

    WriteResult apply(const write::ExpireFiles &job)
    {
        QSqlQuery *failedQuery = nullptr;
        if (!m_files.expire(job.createdBeforeMs, &m_releasedBlobs, &failedQuery))
            return failed(*failedQuery);
        return {};
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
        QSqlQuery *failedQuery = nullptr;
        QString refusal;
        if (!m_files.check(job.files, &refusal, &failedQuery))
            return failed(*failedQuery);
        if (!refusal.isEmpty())
            return failure(protocol::ErrorCode::Forbidden, refusal);
        const qint64 seq = lastSeq(job.roomId) + 1;
        const qint64 ts = now();
        m_insertMessage.bindValue(0, job.roomId);
        m_insertMessage.bindValue(1, seq);
        m_insertMessage.bindValue(2, job.userId);
        m_insertMessage.bindValue(3, job.cid);
        m_insertMessage.bindValue(4, ts);
        m_insertMessage.bindValue(5, job.body);
        m_insertMessage.bindValue(6, job.replyTo);
        if (!m_insertMessage.exec())
            return failed(m_insertMessage);
        if (!m_searchIndex.add(job.roomId, seq, ts, job.body))
            return searchIndexFailed();
        if (!m_files.attach(job.roomId, seq, job.files, &failedQuery))
            return failed(*failedQuery);
        m_lastSeqs.insert(job.roomId, seq);
        m_dirtySeqs.insert(job.roomId, seq);
        // What you wrote yourself is read: the sender's marker moves with the batch.
        m_ownReads.insert({job.roomId, job.userId}, seq);
        result.value = seq;
        result.ts = ts;
        return result;
    }

    WriteResult apply(const write::ChangeMessage &job)
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
        m_target.bindValue(0, job.roomId);
        m_target.bindValue(1, job.target);
        if (!m_target.exec())
            return failed(m_target);
        const bool found = m_target.next();
        const qint64 author = found ? m_target.value(0).toLongLong() : 0;
        const bool plain =
            found && m_target.value(1).toInt() == 0 && m_target.value(2).toInt() == 0;
        const qint64 owner = found ? m_target.value(3).toLongLong() : 0;
        const qint64 targetTs = found ? m_target.value(4).toLongLong() : 0;
        const QString oldBody = found ? m_target.value(5).toString() : QString();
        m_target.finish();
        if (const auto refused = refusal(job, plain, author, owner))
            return *refused;
        const qint64 seq = lastSeq(job.roomId) + 1;
        const qint64 ts = now();
        m_insertChange.bindValue(0, job.roomId);
        m_insertChange.bindValue(1, seq);
        m_insertChange.bindValue(2, job.userId);
        m_insertChange.bindValue(3, job.cid);
        m_insertChange.bindValue(4, ts);
        m_insertChange.bindValue(5, job.erase ? QString(u""_s) : job.body);
        m_insertChange.bindValue(6, job.erase ? kDeleteKind : kEditKind);
        m_insertChange.bindValue(7, job.target);
        if (!m_insertChange.exec())
            return failed(m_insertChange);
        // The index follows: the words read until now go, an edit's new words come.
        if (!m_searchIndex.remove(job.roomId, job.target, targetTs, oldBody) ||
            (!job.erase && !m_searchIndex.add(job.roomId, job.target, targetTs, job.body)))
            return searchIndexFailed();
        if (job.erase) {
            m_eraseMessage.bindValue(0, job.roomId);
            m_eraseMessage.bindValue(1, job.target);
            if (!m_eraseMessage.exec())
                return failed(m_eraseMessage);
            m_eraseEdits.bindValue(0, job.roomId);
            m_eraseEdits.bindValue(1, job.target);
            if (!m_eraseEdits.exec())
                return failed(m_eraseEdits);
            QSqlQuery *failedQuery = nullptr;
            if (!m_files.detach(job.roomId, job.target, &m_releasedBlobs, &failedQuery))
                return failed(*failedQuery);
        } else {
            m_applyEdit.bindValue(0, job.body);
            m_applyEdit.bindValue(1, ts);
            m_applyEdit.bindValue(2, job.roomId);
            m_applyEdit.bindValue(3, job.target);
            if (!m_applyEdit.exec())
                return failed(m_applyEdit);
        }
        m_lastSeqs.insert(job.roomId, seq);
        m_dirtySeqs.insert(job.roomId, seq);
        m_ownReads.insert({job.roomId, job.userId}, seq);
        result.value = seq;
        result.ts = ts;
        return result;
    }

    WriteResult apply(const write::React &job)
    {
        m_target.bindValue(0, job.roomId);
        m_target.bindValue(1, job.target);
        if (!m_target.exec())
            return failed(m_target);
        const bool plain =
            m_target.next() && m_target.value(1).toInt() == 0 && m_target.value(2).toInt() == 0;
        m_target.finish();
        if (!plain)
            return noMessageToReactTo(job.target);
        const qint64 seq = lastSeq(job.roomId) + 1;
        const qint64 ts = now();
        const QVariantList entry{job.roomId, seq,        job.userId, reactionCid(),
                                 ts,         job.target, job.emoji,  job.on ? 1 : 0};
        for (int i = 0; i < entry.size(); ++i)
            m_insertReaction.bindValue(i, entry.at(i));
        if (!m_insertReaction.exec())
            return failed(m_insertReaction);
        QSqlQuery &state = job.on ? m_reactOn : m_reactOff;
        state.bindValue(0, job.roomId);
        state.bindValue(1, job.target);
        state.bindValue(2, job.userId);
        state.bindValue(3, job.emoji);
        if (job.on)
            state.bindValue(4, seq);
        if (!state.exec())
            return failed(state);
        m_lastSeqs.insert(job.roomId, seq);
        m_dirtySeqs.insert(job.roomId, seq);
        m_ownReads.insert({job.roomId, job.userId}, seq);
        WriteResult result;
        result.value = seq;
        result.ts = ts;
        return result;
    }

    WriteResult apply(const write::CreateRoom &job)
    {
        m_createRoom.bindValue(0, job.name);
        m_createRoom.bindValue(1, job.title);
        m_createRoom.bindValue(2, now());
        m_createRoom.bindValue(3, job.creatorId);
        m_createRoom.bindValue(4, static_cast<int>(job.kind));
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

    WriteResult apply(const write::OpenDirect &job)
    {
        const qint64 low = qMin(job.userId, job.peerId);
        const qint64 high = qMax(job.userId, job.peerId);
        m_findDirect.bindValue(0, low);
        m_findDirect.bindValue(1, high);
        if (!m_findDirect.exec())
            return failed(m_findDirect);
        WriteResult result;
        if (m_findDirect.next()) {
            result.value = m_findDirect.value(0).toLongLong();
            result.name = m_findDirect.value(1).toString();
            result.duplicate = true;
            m_findDirect.finish();
        } else {
            m_findDirect.finish();
            result = apply(write::CreateRoom{job.name, job.name, 0, write::RoomKind::Direct});
            if (!result.ok)
                return result;
            result.name = job.name;
            m_insertDirect.bindValue(0, low);
            m_insertDirect.bindValue(1, high);
            m_insertDirect.bindValue(2, result.value);
            if (!m_insertDirect.exec())
                return failed(m_insertDirect);
        }
        for (qint64 member : {low, high}) {
            if (const WriteResult joined = apply(write::JoinRoom{result.value, member}); !joined.ok)
                return joined;
        }
        return result;
    }

    WriteResult apply(const write::RenameRoom &job)
    {
        m_rename.bindValue(0, job.title);
        m_rename.bindValue(1, job.roomId);
        if (!m_rename.exec())
            return failed(m_rename);
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

    Database m_database;
    SearchIndexWriter m_searchIndex;
    QString m_dataDir;
    FileRows m_files;
    QStringList m_releasedBlobs;      // this transaction's: sha256 of file rows removed
    QHash<qint64, qint64> m_lastSeqs; // this transaction's
    QHash<qint64, qint64> m_dirtySeqs;
    QHash<QPair<qint64, qint64>, qint64> m_ownReads; // (room, sender) → newest own seq
    QSqlQuery m_insertReaction, m_reactOn, m_reactOff;
    QSqlQuery m_findDirect, m_insertDirect, m_rename;
    QSqlQuery m_target, m_insertChange, m_applyEdit, m_eraseMessage, m_eraseEdits;
    QSqlQuery m_findCid, m_insertMessage, m_lastSeq, m_setLastSeq, m_createRoom, m_join, m_leave,
        m_markRead, m_advanceRead, m_createToken, m_revokeToken, m_touchToken;
};

} // namespace

std::unique_ptr<WriteBackend> makeSqliteWriteBackend()
{
    return std::make_unique<SqliteWriteBackend>();
}

} // namespace conversa::server
