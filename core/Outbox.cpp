// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Outbox.h"

#include <QDateTime>
#include <QSet>
#include <QUuid>

namespace conversa::core {

using namespace Qt::StringLiterals;

namespace {

constexpr auto kColumns =
    "cid, room, body, state, seq, ts, reason, created_ms, position, kind, target, reply_to"_L1;

OutboxEntry readEntry(const QSqlQuery &q)
{
    OutboxEntry e;
    e.cid = q.value(0).toString();
    e.room = q.value(1).toString();
    e.body = q.value(2).toString();
    e.state = static_cast<OutboxState>(q.value(3).toInt());
    e.seq = q.value(4).toLongLong();
    e.ts = q.value(5).toLongLong();
    e.reason = q.value(6).toString();
    e.createdMs = q.value(7).toLongLong();
    e.position = q.value(8).toLongLong();
    e.kind = q.value(9).toString();
    e.target = q.value(10).toLongLong();
    e.replyTo = q.value(11).toLongLong();
    return e;
}

} // namespace

Outbox::Outbox(QObject *parent)
    : QObject(parent)
{}

Outbox::~Outbox()
{
    // What is queued is still committed; nobody is left to hear about it.
    blockSignals(true);
    close();
}

void Outbox::close()
{
    m_writer.reset(); // commits what is queued
    applyWriterOutcomes();
    m_db.close();
}

bool Outbox::open(const QString &path)
{
    // Never edit a released step: append one. Version 1 is the schema of the files written
    // before versions were recorded (user_version 0), so on those it changes nothing.
    static const sqlite::Schema schema{u"the outbox"_s,
                                       {{u"the outbox table"_s,
                                         {u"CREATE TABLE IF NOT EXISTS outbox ("
                                          "position INTEGER PRIMARY KEY AUTOINCREMENT,"
                                          "cid TEXT NOT NULL UNIQUE,"
                                          "room TEXT NOT NULL,"
                                          "body TEXT NOT NULL,"
                                          "state INTEGER NOT NULL DEFAULT 0,"
                                          "seq INTEGER NOT NULL DEFAULT 0,"
                                          "ts INTEGER NOT NULL DEFAULT 0,"
                                          "reason TEXT NOT NULL DEFAULT '',"
                                          "created_ms INTEGER NOT NULL)"_s,
                                          u"CREATE INDEX IF NOT EXISTS outbox_room_state "
                                          "ON outbox(room, state, position)"_s},
                                         {}},
                                        {u"replies, edits and deletions"_s,
                                         {u"ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL "
                                          "DEFAULT ''"_s,
                                          u"ALTER TABLE outbox ADD COLUMN target INTEGER NOT NULL "
                                          "DEFAULT 0"_s,
                                          u"ALTER TABLE outbox ADD COLUMN reply_to INTEGER NOT "
                                          "NULL DEFAULT 0"_s},
                                         {}}}};
    close();
    // What the person typed exists only here until the server has it: the writer's commits of
    // new messages wait for the disk. This connection only changes rows already there.
    if (!m_db.open(path, SqliteDatabase::Synchronous::Normal))
        return false;
    if (!m_db.migrate(schema)) {
        m_db.close();
        return false;
    }
    // Checkpoints wait for the disk: the writer's, never this thread's.
    m_db.exec(u"PRAGMA wal_autocheckpoint = 0"_s);
    m_writer = std::make_unique<OutboxWriter>(path, [this](const OutboxWriter::Outcome &outcome) {
        {
            QMutexLocker lock(&m_outcomesMutex);
            m_outcomes.append(outcome);
        }
        QMetaObject::invokeMethod(this, &Outbox::applyWriterOutcomes, Qt::QueuedConnection);
    });
    return true;
}

void Outbox::afterWrite()
{
    if (m_writer)
        m_writer->requestCheckpoint();
}

void Outbox::setWriteHook(std::function<bool(QString *error)> hook)
{
    if (m_writer)
        m_writer->setHook(std::move(hook));
}

void Outbox::flush()
{
    if (m_writer)
        m_writer->flush();
    applyWriterOutcomes();
}

int Outbox::savingCount(const QString &room) const
{
    if (room.isEmpty())
        return int(m_saving.size());
    return int(std::count_if(m_saving.cbegin(), m_saving.cend(),
                             [&room](const OutboxEntry &e) { return e.room == room; }));
}

void Outbox::applyWriterOutcomes()
{
    QList<OutboxWriter::Outcome> outcomes;
    {
        QMutexLocker lock(&m_outcomesMutex);
        outcomes = std::exchange(m_outcomes, {});
    }
    const auto takeSaving = [this](const QString &cid) -> std::optional<OutboxEntry> {
        for (qsizetype i = 0; i < m_saving.size(); ++i) {
            if (m_saving.at(i).cid == cid)
                return m_saving.takeAt(i);
        }
        return std::nullopt;
    };
    for (const OutboxWriter::Outcome &outcome : std::as_const(outcomes)) {
        for (const auto &[cid, position] : outcome.saved) {
            std::optional<OutboxEntry> entry = takeSaving(cid);
            if (!entry)
                continue;
            entry->position = position;
            entry->saved = true;
            emit entryChanged(*entry);
            emit saved(*entry);
        }
        for (const OutboxWriter::NewEntry &failed : outcome.failed) {
            std::optional<OutboxEntry> entry = takeSaving(failed.cid);
            if (!entry)
                continue;
            emit notSaved(*entry, outcome.error);
            emit entryRemoved(entry->cid);
        }
    }
}

QString Outbox::enqueue(const QString &room, const QString &body, qint64 replyTo)
{
    OutboxEntry entry;
    entry.room = room;
    entry.body = body;
    entry.replyTo = qMax<qint64>(0, replyTo);
    return enqueueEntry(std::move(entry));
}

QString Outbox::enqueueChange(const QString &room, const QString &kind, qint64 target,
                              const QString &body)
{
    OutboxEntry entry;
    entry.room = room;
    entry.body = body;
    entry.kind = kind;
    entry.target = target;
    return enqueueEntry(std::move(entry));
}

QString Outbox::enqueueEntry(OutboxEntry entry)
{
    if (!m_writer)
        return {};
    entry.cid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    entry.createdMs = QDateTime::currentMSecsSinceEpoch();
    entry.saved = false;
    m_saving.append(entry);
    m_writer->enqueue({entry.cid, entry.room, entry.body, entry.createdMs, entry.kind, entry.target,
                       entry.replyTo});
    emit entryChanged(entry);
    return entry.cid;
}

std::optional<OutboxEntry> Outbox::single(QSqlQuery &query)
{
    if (!m_db.exec(query) || !query.next())
        return std::nullopt;
    return readEntry(query);
}

std::optional<OutboxEntry> Outbox::entry(const QString &cid)
{
    QSqlQuery q = m_db.prepare(u"SELECT %1 FROM outbox WHERE cid = ?"_s.arg(kColumns));
    q.addBindValue(cid);
    if (auto stored = single(q))
        return stored;
    for (const OutboxEntry &e : std::as_const(m_saving)) {
        if (e.cid == cid)
            return e;
    }
    return std::nullopt;
}

std::optional<OutboxEntry> Outbox::nextPending(const QString &room, qint64 afterPosition)
{
    QSqlQuery q =
        m_db.prepare(u"SELECT %1 FROM outbox WHERE room = ? AND state = ? AND position > ? "
                     "ORDER BY position LIMIT 1"_s.arg(kColumns));
    q.addBindValue(room);
    q.addBindValue(static_cast<int>(OutboxState::Pending));
    q.addBindValue(afterPosition);
    return single(q);
}

QList<OutboxEntry> Outbox::pendingAfter(const QString &room, qint64 afterPosition, int limit)
{
    QSqlQuery q =
        m_db.prepare(u"SELECT %1 FROM outbox WHERE room = ? AND state = ? AND position > ? "
                     "ORDER BY position LIMIT ?"_s.arg(kColumns));
    q.addBindValue(room);
    q.addBindValue(static_cast<int>(OutboxState::Pending));
    q.addBindValue(afterPosition);
    q.addBindValue(qMax(0, limit));
    QList<OutboxEntry> entries;
    if (m_db.exec(q)) {
        while (q.next())
            entries.append(readEntry(q));
    }
    return entries;
}

QStringList Outbox::roomsWithPending()
{
    QSqlQuery q = m_db.prepare(
        u"SELECT room, MIN(position) AS first FROM outbox WHERE state = ? GROUP BY room "
        "ORDER BY first"_s);
    q.addBindValue(static_cast<int>(OutboxState::Pending));
    QStringList rooms;
    if (m_db.exec(q)) {
        while (q.next())
            rooms.append(q.value(0).toString());
    }
    return rooms;
}

QList<OutboxEntry> Outbox::unsent(const QString &room)
{
    QSqlQuery q = m_db.prepare(u"SELECT %1 FROM outbox WHERE state != ? %2 ORDER BY position"_s.arg(
        kColumns, room.isEmpty() ? QString() : u"AND room = ?"_s));
    q.addBindValue(static_cast<int>(OutboxState::Sent));
    if (!room.isEmpty())
        q.addBindValue(room);
    QList<OutboxEntry> entries;
    QSet<QString> stored;
    if (m_db.exec(q)) {
        while (q.next()) {
            entries.append(readEntry(q));
            stored.insert(entries.constLast().cid);
        }
    }
    // Those still being saved come last (they were queued last); one whose commit has just
    // returned may be in both.
    for (const OutboxEntry &e : std::as_const(m_saving)) {
        if ((room.isEmpty() || e.room == room) && !stored.contains(e.cid))
            entries.append(e);
    }
    return entries;
}

bool Outbox::setState(const QString &cid, OutboxState state, qint64 seq, qint64 ts,
                      const QString &reason)
{
    QSqlQuery q = m_db.prepare(u"UPDATE outbox SET state = ?, seq = ?, ts = ?, reason = ? "
                               "WHERE cid = ?"_s);
    q.addBindValue(static_cast<int>(state));
    q.addBindValue(seq);
    q.addBindValue(ts);
    q.addBindValue(SqliteDatabase::text(reason));
    q.addBindValue(cid);
    if (!m_db.exec(q) || q.numRowsAffected() != 1)
        return false;
    afterWrite();
    if (auto e = entry(cid))
        emit entryChanged(*e);
    return true;
}

bool Outbox::markSent(const QString &cid, qint64 seq, qint64 ts)
{
    return setState(cid, OutboxState::Sent, seq, ts, {});
}

bool Outbox::markSent(const QList<OutboxEntry> &sent)
{
    if (sent.isEmpty())
        return true;
    bool ok = m_db.transaction();
    QList<OutboxEntry> marked; // not those discarded or marked meanwhile
    if (ok) {
        QSqlQuery q = m_db.prepare(u"UPDATE outbox SET state = ?, seq = ?, ts = ?, reason = '' "
                                   "WHERE cid = ? AND state = ?"_s);
        for (const OutboxEntry &entry : sent) {
            q.bindValue(0, static_cast<int>(OutboxState::Sent));
            q.bindValue(1, entry.seq);
            q.bindValue(2, entry.ts);
            q.bindValue(3, entry.cid);
            q.bindValue(4, static_cast<int>(OutboxState::Pending));
            if (!m_db.exec(q)) {
                ok = false;
                break;
            }
            if (q.numRowsAffected() == 1)
                marked.append(entry);
        }
        if (ok)
            ok = m_db.commit();
        if (!ok)
            m_db.rollback();
    }
    if (!ok)
        return false;
    afterWrite();
    for (OutboxEntry &entry : marked) {
        entry.state = OutboxState::Sent;
        entry.reason.clear();
        emit entryChanged(entry);
    }
    return true;
}

bool Outbox::markFailed(const QString &cid, const QString &reason)
{
    return setState(cid, OutboxState::Failed, 0, 0, reason);
}

bool Outbox::retry(const QString &cid)
{
    // A new position puts it behind everything queued meanwhile: the outbox order is the send
    // order.
    if (!m_db.transaction())
        return false;
    QSqlQuery q = m_db.prepare(
        u"UPDATE outbox SET position = (SELECT MAX(position) + 1 FROM outbox), state = ?, "
        "reason = '' WHERE cid = ? AND state = ?"_s);
    q.addBindValue(static_cast<int>(OutboxState::Pending));
    q.addBindValue(cid);
    q.addBindValue(static_cast<int>(OutboxState::Failed));
    if (!m_db.exec(q) || q.numRowsAffected() != 1 || !m_db.commit()) {
        m_db.rollback();
        return false;
    }
    afterWrite();
    if (auto e = entry(cid))
        emit entryChanged(*e);
    return true;
}

bool Outbox::discard(const QString &cid)
{
    QSqlQuery q = m_db.prepare(u"DELETE FROM outbox WHERE cid = ? AND state != ?"_s);
    q.addBindValue(cid);
    q.addBindValue(static_cast<int>(OutboxState::Sent));
    if (!m_db.exec(q) || q.numRowsAffected() != 1)
        return false;
    afterWrite();
    emit entryRemoved(cid);
    return true;
}

int Outbox::purgeSent()
{
    QSqlQuery q = m_db.prepare(u"DELETE FROM outbox WHERE state = ?"_s);
    q.addBindValue(static_cast<int>(OutboxState::Sent));
    if (!m_db.exec(q))
        return 0;
    const int purged = q.numRowsAffected();
    if (purged > 0)
        afterWrite();
    return purged;
}

int Outbox::count(OutboxState state, const QString &room)
{
    QSqlQuery q = m_db.prepare(u"SELECT COUNT(*) FROM outbox WHERE state = ? %1"_s.arg(
        room.isEmpty() ? QString() : u"AND room = ?"_s));
    q.addBindValue(static_cast<int>(state));
    if (!room.isEmpty())
        q.addBindValue(room);
    if (!m_db.exec(q) || !q.next())
        return 0;
    return q.value(0).toInt();
}

int Outbox::pendingCount(const QString &room)
{
    QStringList saving;
    for (const OutboxEntry &e : std::as_const(m_saving)) {
        if (room.isEmpty() || e.room == room)
            saving.append(e.cid);
    }
    if (saving.isEmpty())
        return count(OutboxState::Pending, room);
    // One whose commit has just returned (its `saved` not emitted yet) is counted once. Both
    // counts come from one statement, so from one snapshot: counted apart, a commit landing
    // between them was counted in neither or twice. The writer's queue bounds the list well
    // below SQLite's limit on bound values.
    QStringList marks(saving.size(), u"?"_s);
    QSqlQuery q =
        m_db.prepare(u"SELECT (SELECT COUNT(*) FROM outbox WHERE state = ? %1), "
                     u"(SELECT COUNT(*) FROM outbox WHERE cid IN (%2))"_s.arg(
                         room.isEmpty() ? QString() : u"AND room = ?"_s, marks.join(u',')));
    q.addBindValue(static_cast<int>(OutboxState::Pending));
    if (!room.isEmpty())
        q.addBindValue(room);
    for (const QString &cid : std::as_const(saving))
        q.addBindValue(cid);
    if (!m_db.exec(q) || !q.next())
        return int(saving.size());
    return q.value(0).toInt() + int(saving.size()) - q.value(1).toInt();
}

int Outbox::failedCount(const QString &room)
{
    return count(OutboxState::Failed, room);
}

} // namespace conversa::core
