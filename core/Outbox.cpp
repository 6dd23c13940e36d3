// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Outbox.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
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
                                         {}},
                                        {u"files carried by messages"_s,
                                         {u"CREATE TABLE IF NOT EXISTS outbox_files ("
                                          "cid TEXT NOT NULL,"
                                          "ord INTEGER NOT NULL,"
                                          "path TEXT NOT NULL,"
                                          "name TEXT NOT NULL,"
                                          "type TEXT NOT NULL,"
                                          "size INTEGER NOT NULL,"
                                          "width INTEGER NOT NULL DEFAULT 0,"
                                          "height INTEGER NOT NULL DEFAULT 0,"
                                          "file_id TEXT NOT NULL DEFAULT '',"
                                          "PRIMARY KEY(cid, ord))"_s},
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
    m_filesDir = QFileInfo(path).absolutePath() + u"/outbox-files"_s;
    QDir().mkpath(m_filesDir);
    removeStrayCopies();
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
            if (!entry->files.isEmpty()) {
                // From here on the copies, not the originals.
                QList<OutboxEntry> stored{*entry};
                loadFiles(stored);
                entry->files = stored.constFirst().files;
            }
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

QString Outbox::enqueue(const QString &room, const QString &body, qint64 replyTo,
                        const QList<OutboxFile> &files)
{
    OutboxEntry entry;
    entry.room = room;
    entry.body = body;
    entry.replyTo = qMax<qint64>(0, replyTo);
    entry.files = files;
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
    for (qsizetype i = 0; i < entry.files.size(); ++i) {
        OutboxFile &file = entry.files[i];
        // The copy's name keeps a short extension, for whoever opens it from here.
        const QString suffix = QFileInfo(file.name).suffix().left(8);
        file.path = u"%1/%2-%3%4"_s.arg(m_filesDir, entry.cid)
                        .arg(i)
                        .arg(suffix.isEmpty() ? QString() : u"."_s + suffix);
        file.fileId.clear();
    }
    OutboxWriter::NewEntry written{entry.cid,  entry.room,   entry.body,    entry.createdMs,
                                   entry.kind, entry.target, entry.replyTo, entry.files};
    // Until the commit, the rows show the originals (the copies do not exist yet).
    for (OutboxFile &file : entry.files)
        file.path.clear();
    m_saving.append(entry);
    m_writer->enqueue(std::move(written));
    emit entryChanged(entry);
    return entry.cid;
}

std::optional<OutboxEntry> Outbox::single(QSqlQuery &query)
{
    if (!m_db.exec(query) || !query.next())
        return std::nullopt;
    QList<OutboxEntry> entries{readEntry(query)};
    loadFiles(entries);
    return entries.constFirst();
}

void Outbox::loadFiles(QList<OutboxEntry> &entries)
{
    if (entries.isEmpty())
        return;
    // The table holds only messages with files that are not sent yet: a handful of rows.
    QSqlQuery q = m_db.prepare(u"SELECT cid, path, name, type, size, width, height, file_id "
                               "FROM outbox_files ORDER BY cid, ord"_s);
    if (!m_db.exec(q))
        return;
    QHash<QString, QList<OutboxFile>> byCid;
    while (q.next()) {
        OutboxFile file;
        file.path = q.value(1).toString();
        file.name = q.value(2).toString();
        file.type = q.value(3).toString();
        file.size = q.value(4).toLongLong();
        file.width = q.value(5).toInt();
        file.height = q.value(6).toInt();
        file.fileId = q.value(7).toString();
        byCid[q.value(0).toString()].append(file);
    }
    if (byCid.isEmpty())
        return;
    for (OutboxEntry &entry : entries)
        entry.files = byCid.value(entry.cid);
}

void Outbox::removeFiles(const QStringList &cids)
{
    if (cids.isEmpty())
        return;
    QSqlQuery select = m_db.prepare(u"SELECT path FROM outbox_files WHERE cid = ?"_s);
    QSqlQuery remove = m_db.prepare(u"DELETE FROM outbox_files WHERE cid = ?"_s);
    for (const QString &cid : cids) {
        select.bindValue(0, cid);
        if (!m_db.exec(select))
            continue;
        QStringList paths;
        while (select.next())
            paths.append(select.value(0).toString());
        if (paths.isEmpty())
            continue;
        remove.bindValue(0, cid);
        if (!m_db.exec(remove))
            continue;
        for (const QString &path : std::as_const(paths))
            QFile::remove(path);
    }
}

void Outbox::removeStrayCopies()
{
    QSet<QString> known;
    QSqlQuery q = m_db.prepare(u"SELECT path FROM outbox_files"_s);
    if (!m_db.exec(q))
        return;
    while (q.next())
        known.insert(QFileInfo(q.value(0).toString()).fileName());
    const QDateTime hourAgo = QDateTime::currentDateTimeUtc().addSecs(-3600);
    QDirIterator it(m_filesDir, QDir::Files | QDir::Hidden);
    while (it.hasNext()) {
        const QFileInfo info(it.next());
        if (!known.contains(info.fileName()) && info.lastModified() < hourAgo)
            QFile::remove(info.filePath());
    }
}

bool Outbox::setFileUploaded(const QString &cid, int index, const QString &fileId)
{
    QSqlQuery q = m_db.prepare(u"UPDATE outbox_files SET file_id = ? WHERE cid = ? AND ord = ?"_s);
    q.addBindValue(fileId);
    q.addBindValue(cid);
    q.addBindValue(index);
    if (!m_db.exec(q) || q.numRowsAffected() != 1)
        return false;
    afterWrite();
    return true;
}

qint64 Outbox::fileBytes()
{
    qint64 bytes = 0;
    QSqlQuery q = m_db.prepare(u"SELECT COALESCE(SUM(size), 0) FROM outbox_files"_s);
    if (m_db.exec(q) && q.next())
        bytes = q.value(0).toLongLong();
    for (const OutboxEntry &e : std::as_const(m_saving)) {
        for (const OutboxFile &file : e.files)
            bytes += file.size;
    }
    return bytes;
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
    loadFiles(entries);
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
    loadFiles(entries);
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
    if (!setState(cid, OutboxState::Sent, seq, ts, {}))
        return false;
    // The server has the files now: the copies have done their work.
    removeFiles({cid});
    return true;
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
    QStringList withFiles;
    for (const OutboxEntry &entry : std::as_const(marked)) {
        if (!entry.files.isEmpty())
            withFiles.append(entry.cid);
    }
    removeFiles(withFiles);
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
    removeFiles({cid});
    afterWrite();
    emit entryRemoved(cid);
    return true;
}

int Outbox::purgeSent()
{
    // Files of sent messages (a crash between the mark and the removal of the copies).
    QSqlQuery sentWithFiles =
        m_db.prepare(u"SELECT DISTINCT f.cid FROM outbox_files f JOIN outbox o ON o.cid = f.cid "
                     "WHERE o.state = ?"_s);
    sentWithFiles.addBindValue(static_cast<int>(OutboxState::Sent));
    QStringList cids;
    if (m_db.exec(sentWithFiles)) {
        while (sentWithFiles.next())
            cids.append(sentWithFiles.value(0).toString());
    }
    removeFiles(cids);
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
