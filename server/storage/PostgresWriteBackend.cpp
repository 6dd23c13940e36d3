// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Log.h"
#include "storage/FileRows.h"
#include "storage/PostgresArrays.h"
#include "storage/SearchIndex.h"
#include "storage/WriteBackend.h"

#include <QFile>
#include <QHash>
#include <QMap>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {

// Keeps one statement's array parameters to a few MB even with max_body_bytes raised.
constexpr size_t kMaxMessagesPerStatement = 500;
// Uploads are stored in rows of this many bytes (Store reads them back one at a time).
constexpr qint64 kFileChunkBytes = 1024 * 1024;

// PostgreSQL, shared by several instances. Every statement is a round trip, so a batch's
// messages go in per room: one statement locks the batch's rooms (in id order, so two instances
// never wait on each other in a circle), then one statement per room drops the cids already
// stored, moves the room's `last_seq` on by the number of new messages and inserts them with
// the seqs that hands out. The room row stays locked until COMMIT, so seqs are gapless and in
// commit order across every instance.
//
// Notifications (sent by PostgreSQL when the transaction commits, so a listener never hears of
// an entry it cannot read yet):
// - `conversa_entries`: "ROOM_ID:LAST_SEQ,ROOM_ID:LAST_SEQ,..." for the rooms this commit added
//   entries to, one notification per commit (more only when the list passes kMaxPayloadBytes).
// - `conversa_rooms`: "ROOM_ID,..." for rooms created, joined or left in this commit.
// - `conversa_admin`: the new admin generation, when a token was revoked (sign-out) here or an
//   admin command changed users, tokens or rooms (Database::bumpAdminGeneration).
// docs/architecture.md describes them for listeners.
class PostgresWriteBackend final : public WriteBackend
{
public:
    QString open(const StorageLocation &location) override
    {
        if (QString error = m_database.open(location, u"conversa-write"_s); !error.isEmpty())
            return error;
        prepareAll();
        m_reachable = true;
        return {};
    }

    void close() override
    {
        resetStatements();
        m_database.close();
    }

    bool reachable() const override { return m_reachable; }

    void probe() override
    {
        if (m_reachable) {
            if (!m_database.isAlive())
                lostConnection();
            return;
        }
        reconnect();
    }

    bool applyBatch(const std::vector<const WriteJob *> &jobs,
                    std::vector<WriteResult> &results) override
    {
        if (!m_reachable && !reconnect())
            return false;
        if (runTransaction(jobs, results))
            return true;
        const QString reason = m_failure;
        rollback();
        if (!m_database.isAlive()) {
            qCCritical(lcServer).noquote()
                << u"event=commit_failed error=\"%1\""_s.arg(reason.trimmed());
            lostConnection();
            return false;
        }
        // The database is there but one write broke the transaction (PostgreSQL aborts all of
        // it on any error): apply each write alone, so only the faulty one fails.
        qCWarning(lcServer).noquote()
            << u"event=batch_failed jobs=%1 error=\"%2\""_s.arg(jobs.size()).arg(reason.trimmed());
        if (jobs.size() == 1)
            return false;
        for (size_t i = 0; i < jobs.size(); ++i) {
            std::vector<WriteResult> single(1);
            if (runTransaction({jobs[i]}, single)) {
                results[i] = single.front();
            } else {
                rollback();
                results[i] = failure(protocol::ErrorCode::Internal,
                                     u"the server could not store this; try again"_s);
            }
        }
        return true;
    }

private:
    struct PendingMessage {
        size_t index;
        const write::InsertMessage *job;
    };

    void prepareAll()
    {
        auto prepare = [this](QSqlQuery &query, const QString &sql) {
            query = QSqlQuery(m_database.db());
            query.setForwardOnly(true);
            if (!query.prepare(sql))
                qCCritical(lcServer) << "cannot prepare" << sql << query.lastError().text();
        };
        prepare(m_lockRooms, u"SELECT id FROM rooms WHERE id = ANY(?::bigint[]) ORDER BY id "
                             "FOR UPDATE"_s);
        // Input rows keep their batch order (ord); `fresh` numbers the new ones 1..n in that
        // order, and they get last_seq + 1 .. last_seq + n. What you wrote yourself is read:
        // each sender's read marker moves to their newest new message (own_reads).
        prepare(m_insertMessages, uR"sql(
WITH input AS (
    SELECT t.u, t.c, t.b, t.r, t.ord
    FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[]) WITH ORDINALITY
        AS t(u, c, b, r, ord)),
existing AS (
    SELECT i.ord, m.seq, m.ts FROM input i
    JOIN messages m ON m.room_id = ?::bigint AND m.user_id = i.u AND m.cid = i.c),
fresh AS (
    SELECT i.u, i.c, i.b, i.r, i.ord, row_number() OVER (ORDER BY i.ord) AS rn
    FROM input i WHERE i.ord NOT IN (SELECT ord FROM existing)),
bump AS (
    UPDATE rooms SET last_seq = last_seq + (SELECT count(*) FROM fresh) WHERE id = ?::bigint
    RETURNING last_seq - (SELECT count(*) FROM fresh) AS base),
inserted AS (
    INSERT INTO messages (room_id, seq, user_id, cid, ts, body, reply_to)
    SELECT ?::bigint, bump.base + f.rn, f.u, f.c, ?::bigint, f.b, f.r FROM fresh f, bump
    RETURNING seq),
own_reads AS (
    UPDATE members m SET read_seq = GREATEST(m.read_seq, x.s)
    FROM (SELECT f.u, max(bump.base + f.rn) AS s FROM fresh f, bump GROUP BY f.u) x
    WHERE m.room_id = ?::bigint AND m.user_id = x.u)
SELECT e.ord, e.seq, e.ts, 1 FROM existing e
UNION ALL
SELECT f.ord, bump.base + f.rn, ?::bigint, 0 FROM fresh f, bump
)sql"_s);
        prepare(m_createRoom,
                u"INSERT INTO rooms (name, title, created_ms, owner_id, kind) VALUES (?, ?, ?, ?, "
                "?) ON CONFLICT (name) DO NOTHING RETURNING id"_s);
        prepare(m_findDirect, u"SELECT d.room_id, r.name FROM direct_rooms d JOIN rooms r ON "
                              "r.id = d.room_id WHERE d.user_low = ? AND d.user_high = ?"_s);
        // Another instance may make the pair's room at the same moment: the loser's row waits
        // for the winner's commit, is not inserted, and its room is dropped again.
        prepare(m_insertDirect, u"INSERT INTO direct_rooms (user_low, user_high, room_id) "
                                "VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING room_id"_s);
        prepare(m_dropRoom, u"DELETE FROM rooms WHERE id = ?"_s);
        prepare(m_rename, u"UPDATE rooms SET title = ? WHERE id = ?"_s);
        prepare(m_join, u"INSERT INTO members (room_id, user_id, joined_ms) VALUES (?, ?, ?) "
                        "ON CONFLICT DO NOTHING"_s);
        prepare(m_leave, u"DELETE FROM members WHERE room_id = ? AND user_id = ?"_s);
        // Capped at the room's newest message, which may be in this very transaction.
        prepare(
            m_markRead,
            u"UPDATE members SET read_seq = GREATEST(read_seq, LEAST(?, (SELECT last_seq "
            "FROM rooms WHERE id = ?))) WHERE room_id = ? AND user_id = ? RETURNING read_seq"_s);
        prepare(m_createToken, u"INSERT INTO tokens (user_id, hash, device, created_ms, "
                               "last_used_ms) VALUES (?, ?, ?, ?, ?) RETURNING id"_s);
        prepare(m_revokeToken, u"UPDATE tokens SET revoked = 1 WHERE id = ?"_s);
        prepare(m_touchToken, u"UPDATE tokens SET last_used_ms = ? WHERE id = ?"_s);
        prepare(m_notify, u"SELECT pg_notify(?, ?)"_s);
        // Edits and deletions, one at a time: the room row is locked first (as for messages),
        // so the target cannot change under the check and the seq is the room's next.
        prepare(m_lockRoom, u"SELECT owner_id FROM rooms WHERE id = ? FOR UPDATE"_s);
        prepare(m_findCid, u"SELECT seq, ts FROM messages WHERE room_id = ? AND user_id = ? AND "
                           "cid = ?"_s);
        prepare(m_target, u"SELECT user_id, kind, deleted, ts, body FROM messages WHERE "
                          "room_id = ? AND seq = ?"_s);
        prepare(
            m_insertChange,
            u"WITH bump AS (UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ? "
            "RETURNING last_seq) INSERT INTO messages (room_id, seq, user_id, cid, ts, body, "
            "kind, target) SELECT ?, bump.last_seq, ?, ?, ?, ?, ?, ? FROM bump RETURNING seq"_s);
        prepare(m_insertReaction,
                u"WITH bump AS (UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ? "
                "RETURNING last_seq) INSERT INTO messages (room_id, seq, user_id, cid, ts, body, "
                "kind, target, emoji, reaction_on) SELECT ?, bump.last_seq, ?, ?, ?, '', 3, ?, ?, "
                "? FROM bump RETURNING seq"_s);
        prepare(m_reactOn, u"INSERT INTO reactions (room_id, target, user_id, emoji, seq) VALUES "
                           "(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"_s);
        prepare(m_reactOff, u"DELETE FROM reactions WHERE room_id = ? AND target = ? AND "
                            "user_id = ? AND emoji = ?"_s);
        prepare(m_applyEdit, u"UPDATE messages SET body = ?, edited_ms = ? WHERE room_id = ? "
                             "AND seq = ?"_s);
        prepare(m_eraseMessage, u"UPDATE messages SET body = '', deleted = 1 WHERE room_id = ? "
                                "AND seq = ?"_s);
        prepare(m_eraseEdits, u"UPDATE messages SET body = '' WHERE room_id = ? AND kind = 1 "
                              "AND target = ?"_s);
        prepare(m_ownRead, u"UPDATE members SET read_seq = GREATEST(read_seq, ?) WHERE room_id = "
                           "? AND user_id = ?"_s);
        m_searchIndex.prepare(m_database.db(), true);
        prepare(m_insertChunk, u"INSERT INTO file_chunks (file_id, n, data) VALUES (?, ?, ?)"_s);
        m_files.prepare(m_database.db());
    }

    void resetStatements()
    {
        for (QSqlQuery *query :
             {&m_lockRooms,   &m_insertMessages, &m_createRoom,     &m_join,      &m_leave,
              &m_markRead,    &m_findDirect,     &m_insertDirect,   &m_dropRoom,  &m_rename,
              &m_createToken, &m_revokeToken,    &m_touchToken,     &m_notify,    &m_lockRoom,
              &m_findCid,     &m_target,         &m_insertChange,   &m_applyEdit, &m_eraseMessage,
              &m_eraseEdits,  &m_ownRead,        &m_insertReaction, &m_reactOn,   &m_reactOff,
              &m_insertChunk})
            *query = QSqlQuery();
        m_searchIndex.reset();
        m_files.reset();
    }

    void lostConnection()
    {
        if (!m_reachable)
            return;
        m_reachable = false;
        qCCritical(lcServer).noquote() << u"event=database_unreachable writer=1"_s;
    }

    bool reconnect()
    {
        resetStatements();
        if (const QString why = m_database.reconnect(); !why.isEmpty()) {
            qCWarning(lcServer).noquote()
                << u"event=database_reconnect_failed writer=1 error=\"%1\""_s.arg(why);
            return false;
        }
        prepareAll();
        m_reachable = true;
        qCInfo(lcServer).noquote() << u"event=database_reconnected writer=1"_s;
        return true;
    }

    void rollback()
    {
        if (m_database.db().isOpen())
            QSqlQuery(m_database.db()).exec(u"ROLLBACK"_s);
    }

    bool exec(const QString &sql)
    {
        QSqlQuery query(m_database.db());
        if (query.exec(sql))
            return true;
        m_failure = query.lastError().text();
        return false;
    }

    bool execPrepared(QSqlQuery &query)
    {
        if (query.exec())
            return true;
        m_failure = query.lastError().text();
        return false;
    }

    // Everything of one batch, in one transaction; false (with m_failure) when any statement
    // failed, so the caller rolls back.
    bool runTransaction(const std::vector<const WriteJob *> &jobs,
                        std::vector<WriteResult> &results)
    {
        m_failure.clear();
        m_pending.clear();
        m_newEntries.clear();
        m_roomChanges.clear();
        m_tokensRevoked = false;
        m_broken = false;
        if (!exec(u"BEGIN"_s))
            return false;
        for (size_t i = 0; i < jobs.size() && !m_broken; ++i) {
            if (const auto *message = std::get_if<write::InsertMessage>(jobs[i])) {
                if (message->files.isEmpty()) {
                    m_pending.push_back({i, message});
                } else if (!insertWithFiles(i, *message, results)) {
                    return false;
                }
                continue;
            }
            if (!flushMessages(results))
                return false;
            results[i] = std::visit([this](const auto &job) { return apply(job); }, *jobs[i]);
        }
        return !m_broken && flushMessages(results) && notifyAll() && exec(u"COMMIT"_s);
    }

    // A message with files goes in on its own, after the files are known to be there.
    bool insertWithFiles(size_t index, const write::InsertMessage &message,
                         std::vector<WriteResult> &results)
    {
        if (!flushMessages(results))
            return false;
        QSqlQuery *failedQuery = nullptr;
        QString refusal;
        if (!m_files.check(message.files, &refusal, &failedQuery)) {
            results[index] = failed(*failedQuery);
            return false;
        }
        if (!refusal.isEmpty()) {
            results[index] = failure(protocol::ErrorCode::Forbidden, refusal);
            return true;
        }
        m_pending.push_back({index, &message});
        if (!flushMessages(results))
            return false;
        const WriteResult &result = results[index];
        if (result.ok && !result.duplicate &&
            !m_files.attach(message.roomId, result.value, message.files, &failedQuery)) {
            results[index] = failed(*failedQuery);
            return false;
        }
        return true;
    }

    bool flushMessages(std::vector<WriteResult> &results)
    {
        if (m_pending.empty())
            return true;
        QMap<qint64, std::vector<PendingMessage>> byRoom; // sorted: rooms lock in id order
        for (const PendingMessage &message : m_pending)
            byRoom[message.job->roomId].push_back(message);
        m_pending.clear();
        m_lockRooms.bindValue(0, postgres::bigintArray(byRoom.keys()));
        if (!execPrepared(m_lockRooms))
            return false;
        QSet<qint64> existingRooms;
        while (m_lockRooms.next())
            existingRooms.insert(m_lockRooms.value(0).toLongLong());
        m_lockRooms.finish();
        for (auto it = byRoom.cbegin(); it != byRoom.cend(); ++it) {
            if (!existingRooms.contains(it.key())) {
                for (const PendingMessage &message : it.value())
                    results[message.index] =
                        failure(protocol::ErrorCode::NotFound, u"this room no longer exists"_s);
                continue;
            }
            // Bounded statements: a long queue goes in as several, in the same transaction.
            const std::vector<PendingMessage> &all = it.value();
            for (size_t first = 0; first < all.size(); first += kMaxMessagesPerStatement) {
                const size_t end = std::min(all.size(), first + kMaxMessagesPerStatement);
                const std::vector<PendingMessage> chunk(all.begin() + first, all.begin() + end);
                if (!insertRoomMessages(it.key(), chunk, results))
                    return false;
            }
        }
        return true;
    }

    bool insertRoomMessages(qint64 roomId, const std::vector<PendingMessage> &messages,
                            std::vector<WriteResult> &results)
    {
        // A cid twice in one batch is stored once; the later copies answer like a resend.
        QHash<QPair<qint64, QString>, size_t> firstOfCid;
        std::vector<size_t> sent; // positions in `messages` that go to the database
        QList<qint64> users;
        QList<qint64> replyTos;
        QStringList cids, bodies;
        for (size_t k = 0; k < messages.size(); ++k) {
            const write::InsertMessage &job = *messages[k].job;
            const auto key = qMakePair(job.userId, job.cid);
            if (firstOfCid.contains(key))
                continue;
            firstOfCid.insert(key, k);
            sent.push_back(k);
            users.append(job.userId);
            cids.append(job.cid);
            bodies.append(job.body);
            replyTos.append(job.replyTo);
        }
        const qint64 ts = now();
        m_insertMessages.bindValue(0, postgres::bigintArray(users));
        m_insertMessages.bindValue(1, postgres::textArray(cids));
        m_insertMessages.bindValue(2, postgres::textArray(bodies));
        m_insertMessages.bindValue(3, postgres::bigintArray(replyTos));
        m_insertMessages.bindValue(4, roomId);
        m_insertMessages.bindValue(5, roomId);
        m_insertMessages.bindValue(6, roomId);
        m_insertMessages.bindValue(7, ts);
        m_insertMessages.bindValue(8, roomId);
        m_insertMessages.bindValue(9, ts);
        if (!execPrepared(m_insertMessages))
            return false;
        qint64 lastSeq = 0;
        QList<IndexedMessage> fresh;
        while (m_insertMessages.next()) {
            const qsizetype ord = m_insertMessages.value(0).toLongLong();
            if (ord < 1 || ord > qsizetype(sent.size()))
                continue;
            const PendingMessage &message = messages[sent[ord - 1]];
            WriteResult &result = results[message.index];
            result = WriteResult();
            result.value = m_insertMessages.value(1).toLongLong();
            result.ts = m_insertMessages.value(2).toLongLong();
            result.duplicate = m_insertMessages.value(3).toInt() != 0;
            if (!result.duplicate) {
                lastSeq = qMax(lastSeq, result.value);
                fresh.append({roomId, result.value, result.ts, message.job->body});
            }
        }
        if (m_insertMessages.lastError().isValid()) {
            m_failure = m_insertMessages.lastError().text();
            return false;
        }
        m_insertMessages.finish();
        if (!m_searchIndex.addAll(fresh)) {
            m_failure = m_searchIndex.lastError();
            return false;
        }
        for (size_t k = 0; k < messages.size(); ++k) {
            const write::InsertMessage &job = *messages[k].job;
            const size_t first = firstOfCid.value(qMakePair(job.userId, job.cid));
            if (first != k) {
                results[messages[k].index] = results[messages[first].index];
                results[messages[k].index].duplicate = true;
            }
        }
        if (lastSeq > 0)
            m_newEntries.insert(roomId, lastSeq);
        return true;
    }

    bool notify(const QString &channel, const QString &payload)
    {
        m_notify.bindValue(0, channel);
        m_notify.bindValue(1, payload);
        const bool sent = execPrepared(m_notify);
        m_notify.finish();
        return sent;
    }

    bool notifyAll()
    {
        if (!m_newEntries.isEmpty()) {
            QStringList pairs;
            for (auto it = m_newEntries.cbegin(); it != m_newEntries.cend(); ++it)
                pairs.append(u"%1:%2"_s.arg(it.key()).arg(it.value()));
            for (const QString &payload : postgres::splitPayload(pairs)) {
                if (!notify(u"conversa_entries"_s, payload))
                    return false;
            }
        }
        if (!m_roomChanges.isEmpty()) {
            QStringList ids;
            for (qint64 id : std::as_const(m_roomChanges))
                ids.append(QString::number(id));
            for (const QString &payload : postgres::splitPayload(ids)) {
                if (!notify(u"conversa_rooms"_s, payload))
                    return false;
            }
        }
        if (m_tokensRevoked && !m_database.bumpAdminGeneration()) {
            m_failure = m_database.lastError();
            return false;
        }
        return true;
    }

    WriteResult failed(QSqlQuery &query)
    {
        m_failure = query.lastError().text();
        m_broken = true; // PostgreSQL has aborted the transaction
        query.finish();
        return failure(protocol::ErrorCode::Internal, u"the server could not store this"_s);
    }

    WriteResult apply(const write::InsertMessage &)
    {
        return {}; // grouped per room in flushMessages()
    }

    WriteResult apply(const write::AddFile &job)
    {
        QSqlQuery *failedQuery = nullptr;
        if (!m_files.insert(job, now(), &failedQuery))
            return failed(*failedQuery);
        QFile spool(job.spoolPath);
        if (!spool.open(QIODevice::ReadOnly)) {
            qCCritical(lcServer).noquote()
                << u"event=file_store_failed path=\"%1\""_s.arg(job.spoolPath);
            m_broken = true;
            m_failure = u"cannot read the upload back"_s;
            return failure(protocol::ErrorCode::Internal,
                           u"the server could not store this file"_s);
        }
        for (int n = 0; !spool.atEnd(); ++n) {
            const QByteArray chunk = spool.read(kFileChunkBytes);
            m_insertChunk.bindValue(0, job.id);
            m_insertChunk.bindValue(1, n);
            m_insertChunk.bindValue(2, chunk);
            if (!m_insertChunk.exec())
                return failed(m_insertChunk);
            m_insertChunk.finish();
        }
        return {};
    }

    WriteResult apply(const write::ExpireFiles &job)
    {
        QStringList released;
        QSqlQuery *failedQuery = nullptr;
        if (!m_files.expire(job.createdBeforeMs, &released, &failedQuery))
            return failed(*failedQuery);
        return {};
    }

    WriteResult apply(const write::ChangeMessage &job)
    {
        m_lockRoom.bindValue(0, job.roomId);
        if (!m_lockRoom.exec())
            return failed(m_lockRoom);
        if (!m_lockRoom.next()) {
            m_lockRoom.finish();
            return failure(protocol::ErrorCode::NotFound, u"this room no longer exists"_s);
        }
        const qint64 owner = m_lockRoom.value(0).toLongLong();
        m_lockRoom.finish();
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
        const qint64 targetTs = found ? m_target.value(3).toLongLong() : 0;
        const QString oldBody = found ? m_target.value(4).toString() : QString();
        m_target.finish();
        if (const auto refused = refusal(job, plain, author, owner))
            return *refused;
        const qint64 ts = now();
        m_insertChange.bindValue(0, job.roomId);
        m_insertChange.bindValue(1, job.roomId);
        m_insertChange.bindValue(2, job.userId);
        m_insertChange.bindValue(3, job.cid);
        m_insertChange.bindValue(4, ts);
        m_insertChange.bindValue(5, job.erase ? QString(u""_s) : job.body);
        m_insertChange.bindValue(6, job.erase ? kDeleteKind : kEditKind);
        m_insertChange.bindValue(7, job.target);
        if (!m_insertChange.exec() || !m_insertChange.next())
            return failed(m_insertChange);
        const qint64 seq = m_insertChange.value(0).toLongLong();
        m_insertChange.finish();
        const auto run = [this, &job](QSqlQuery &query, std::initializer_list<QVariant> values) {
            int i = 0;
            for (const QVariant &value : values)
                query.bindValue(i++, value);
            if (!query.exec())
                return false;
            query.finish();
            return true;
        };
        // The index follows: the words read until now go, an edit's new words come.
        if (!m_searchIndex.remove(job.roomId, job.target, targetTs, oldBody) ||
            (!job.erase && !m_searchIndex.add(job.roomId, job.target, targetTs, job.body))) {
            m_failure = m_searchIndex.lastError();
            m_broken = true;
            return failure(protocol::ErrorCode::Internal, u"the server could not store this"_s);
        }
        if (job.erase) {
            if (!run(m_eraseMessage, {job.roomId, job.target}))
                return failed(m_eraseMessage);
            if (!run(m_eraseEdits, {job.roomId, job.target}))
                return failed(m_eraseEdits);
            // The bytes are rows of file_chunks: they go with their file (ON DELETE CASCADE).
            QStringList released;
            QSqlQuery *failedQuery = nullptr;
            if (!m_files.detach(job.roomId, job.target, &released, &failedQuery))
                return failed(*failedQuery);
        } else if (!run(m_applyEdit, {job.body, ts, job.roomId, job.target})) {
            return failed(m_applyEdit);
        }
        if (!run(m_ownRead, {seq, job.roomId, job.userId}))
            return failed(m_ownRead);
        m_newEntries.insert(job.roomId, qMax(m_newEntries.value(job.roomId), seq));
        result.value = seq;
        result.ts = ts;
        return result;
    }

    WriteResult apply(const write::React &job)
    {
        m_lockRoom.bindValue(0, job.roomId);
        if (!m_lockRoom.exec())
            return failed(m_lockRoom);
        if (!m_lockRoom.next()) {
            m_lockRoom.finish();
            return failure(protocol::ErrorCode::NotFound, u"this room no longer exists"_s);
        }
        m_lockRoom.finish();
        m_target.bindValue(0, job.roomId);
        m_target.bindValue(1, job.target);
        if (!m_target.exec())
            return failed(m_target);
        const bool plain =
            m_target.next() && m_target.value(1).toInt() == 0 && m_target.value(2).toInt() == 0;
        m_target.finish();
        if (!plain)
            return noMessageToReactTo(job.target);
        const qint64 ts = now();
        const QVariantList entry{job.roomId, job.roomId, job.userId, reactionCid(),
                                 ts,         job.target, job.emoji,  job.on ? 1 : 0};
        for (int i = 0; i < entry.size(); ++i)
            m_insertReaction.bindValue(i, entry.at(i));
        if (!m_insertReaction.exec() || !m_insertReaction.next())
            return failed(m_insertReaction);
        const qint64 seq = m_insertReaction.value(0).toLongLong();
        m_insertReaction.finish();
        QSqlQuery &state = job.on ? m_reactOn : m_reactOff;
        state.bindValue(0, job.roomId);
        state.bindValue(1, job.target);
        state.bindValue(2, job.userId);
        state.bindValue(3, job.emoji);
        if (job.on)
            state.bindValue(4, seq);
        if (!state.exec())
            return failed(state);
        state.finish();
        m_ownRead.bindValue(0, seq);
        m_ownRead.bindValue(1, job.roomId);
        m_ownRead.bindValue(2, job.userId);
        if (!m_ownRead.exec())
            return failed(m_ownRead);
        m_ownRead.finish();
        m_newEntries.insert(job.roomId, qMax(m_newEntries.value(job.roomId), seq));
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
        if (!m_createRoom.next()) {
            if (m_createRoom.lastError().isValid())
                return failed(m_createRoom);
            m_createRoom.finish();
            return failure(protocol::ErrorCode::Conflict,
                           u"a room named '%1' already exists"_s.arg(job.name));
        }
        const qint64 roomId = m_createRoom.value(0).toLongLong();
        m_createRoom.finish();
        m_roomChanges.insert(roomId);
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
        m_roomChanges.insert(job.roomId);
        return {};
    }

    // The pair's room, when there is one: false only when the read failed.
    bool findDirect(qint64 low, qint64 high, WriteResult &result)
    {
        m_findDirect.bindValue(0, low);
        m_findDirect.bindValue(1, high);
        if (!m_findDirect.exec()) {
            result = failed(m_findDirect);
            return false;
        }
        if (m_findDirect.next()) {
            result.value = m_findDirect.value(0).toLongLong();
            result.name = m_findDirect.value(1).toString();
            result.duplicate = true;
        } else if (m_findDirect.lastError().isValid()) {
            result = failed(m_findDirect);
            return false;
        }
        m_findDirect.finish();
        return true;
    }

    WriteResult apply(const write::OpenDirect &job)
    {
        const qint64 low = qMin(job.userId, job.peerId);
        const qint64 high = qMax(job.userId, job.peerId);
        WriteResult result;
        if (!findDirect(low, high, result))
            return result;
        if (!result.duplicate) {
            result = apply(write::CreateRoom{job.name, job.name, 0, write::RoomKind::Direct});
            if (!result.ok)
                return result;
            const qint64 created = result.value;
            result.name = job.name;
            m_insertDirect.bindValue(0, low);
            m_insertDirect.bindValue(1, high);
            m_insertDirect.bindValue(2, created);
            if (!m_insertDirect.exec())
                return failed(m_insertDirect);
            const bool inserted = m_insertDirect.next();
            m_insertDirect.finish();
            if (!inserted) {
                m_dropRoom.bindValue(0, created);
                if (!m_dropRoom.exec())
                    return failed(m_dropRoom);
                result = {};
                if (!findDirect(low, high, result))
                    return result;
            }
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
        m_roomChanges.insert(job.roomId);
        return {};
    }

    WriteResult apply(const write::LeaveRoom &job)
    {
        m_leave.bindValue(0, job.roomId);
        m_leave.bindValue(1, job.userId);
        if (!m_leave.exec())
            return failed(m_leave);
        m_roomChanges.insert(job.roomId);
        return {};
    }

    WriteResult apply(const write::MarkRead &job)
    {
        m_markRead.bindValue(0, job.seq);
        m_markRead.bindValue(1, job.roomId);
        m_markRead.bindValue(2, job.roomId);
        m_markRead.bindValue(3, job.userId);
        if (!m_markRead.exec())
            return failed(m_markRead);
        if (!m_markRead.next()) {
            if (m_markRead.lastError().isValid())
                return failed(m_markRead);
            m_markRead.finish();
            return failure(protocol::ErrorCode::Forbidden, u"you are not a member of this room"_s);
        }
        WriteResult result;
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
        if (!m_createToken.exec() || !m_createToken.next())
            return failed(m_createToken);
        WriteResult result;
        result.value = m_createToken.value(0).toLongLong();
        m_createToken.finish();
        return result;
    }

    WriteResult apply(const write::RevokeToken &job)
    {
        m_revokeToken.bindValue(0, job.tokenId);
        if (!m_revokeToken.exec())
            return failed(m_revokeToken);
        // Other instances close this token's sessions when the admin generation moves.
        m_tokensRevoked = true;
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
    bool m_reachable = false;
    bool m_broken = false;
    bool m_tokensRevoked = false;
    QString m_failure;
    std::vector<PendingMessage> m_pending;
    QMap<qint64, qint64> m_newEntries; // room → last seq stored by this commit
    QSet<qint64> m_roomChanges;
    QSqlQuery m_insertReaction, m_reactOn, m_reactOff, m_insertChunk;
    QSqlQuery m_findDirect, m_insertDirect, m_dropRoom, m_rename;
    FileRows m_files;
    QSqlQuery m_lockRoom, m_findCid, m_target, m_insertChange, m_applyEdit, m_eraseMessage,
        m_eraseEdits, m_ownRead;
    QSqlQuery m_lockRooms, m_insertMessages, m_createRoom, m_join, m_leave, m_markRead,
        m_createToken, m_revokeToken, m_touchToken, m_notify;
};

} // namespace

std::unique_ptr<WriteBackend> makePostgresWriteBackend()
{
    return std::make_unique<PostgresWriteBackend>();
}

} // namespace conversa::server
