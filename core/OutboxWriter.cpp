// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "OutboxWriter.h"

#include "SqliteDatabase.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>
#include <QThread>

namespace conversa::core {

using namespace Qt::StringLiterals;

OutboxWriter::OutboxWriter(const QString &path, std::function<void(const Outcome &)> report)
    : m_path(path)
    , m_report(std::move(report))
{
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(u"conversa-outbox-writer"_s);
    m_thread->start();
}

OutboxWriter::~OutboxWriter()
{
    {
        QMutexLocker lock(&m_mutex);
        m_stop = true;
        m_wake.wakeAll();
    }
    m_thread->wait(); // what is queued is committed first
}

void OutboxWriter::enqueue(NewEntry entry)
{
    const qint64 bytes = entry.body.size() * qint64(sizeof(QChar));
    QMutexLocker lock(&m_mutex);
    while ((m_queue.size() >= kMaxQueuedMessages || m_queuedBytes + bytes > kMaxQueuedBytes) &&
           !m_queue.isEmpty())
        m_idle.wait(&m_mutex);
    m_queuedBytes += bytes;
    m_queue.append(std::move(entry));
    m_wake.wakeAll();
}

void OutboxWriter::flush()
{
    QMutexLocker lock(&m_mutex);
    while (!m_queue.isEmpty() || m_busy)
        m_idle.wait(&m_mutex);
}

void OutboxWriter::requestCheckpoint()
{
    QMutexLocker lock(&m_mutex);
    m_checkpointDue = true;
    m_wake.wakeAll();
}

void OutboxWriter::setHook(Hook hook)
{
    QMutexLocker lock(&m_mutex);
    m_hook = std::move(hook);
}

bool OutboxWriter::copyFiles(const NewEntry &entry, QString *error)
{
    QStringList copied;
    const auto fail = [&](const QString &why) {
        for (const QString &path : std::as_const(copied))
            QFile::remove(path);
        *error = why;
        return false;
    };
    for (const OutboxFile &file : entry.files) {
        QFile source(file.source);
        if (!source.open(QIODevice::ReadOnly))
            return fail(
                QCoreApplication::translate("conversa::core::Outbox", "“%1” cannot be read: %2")
                    .arg(file.name, source.errorString()));
        // QSaveFile: the copy appears whole (fsync, then rename) or not at all.
        QSaveFile copy(file.path);
        if (!copy.open(QIODevice::WriteOnly))
            return fail(
                QCoreApplication::translate("conversa::core::Outbox", "“%1” cannot be copied: %2")
                    .arg(file.name, copy.errorString()));
        QByteArray buffer;
        qint64 total = 0;
        while (!source.atEnd()) {
            buffer = source.read(1024 * 1024);
            if (buffer.isEmpty() && source.error() != QFile::NoError)
                break;
            if (copy.write(buffer) != buffer.size())
                break;
            total += buffer.size();
        }
        // The size it was attached with: a file that changed meanwhile is not sent half-written.
        if (total != file.size || !copy.commit())
            return fail(
                QCoreApplication::translate("conversa::core::Outbox", "“%1” cannot be copied: %2")
                    .arg(file.name, total != file.size ? QCoreApplication::translate(
                                                             "conversa::core::Outbox",
                                                             "it changed while it was being copied")
                                                       : copy.errorString()));
        copied.append(file.path);
    }
    return true;
}

void OutboxWriter::run()
{
    SqliteDatabase db;
    const bool opened = db.open(m_path, {}, SqliteDatabase::Synchronous::Full);
    if (!opened)
        qWarning("conversa-core: the outbox's writer cannot open %s: %s", qUtf8Printable(m_path),
                 qUtf8Printable(db.lastError()));
    QSqlQuery insert;
    if (opened)
        insert = db.prepare(
            u"INSERT INTO outbox(cid, room, body, state, created_ms, kind, target, reply_to) "
            "VALUES(?, ?, ?, 0, ?, ?, ?, ?)"_s);
    QSqlQuery insertFile;
    if (opened)
        insertFile =
            db.prepare(u"INSERT INTO outbox_files(cid, ord, path, name, type, size, width, height) "
                       "VALUES(?, ?, ?, ?, ?, ?, ?, ?)"_s);
    QMutexLocker lock(&m_mutex);
    while (true) {
        while (m_queue.isEmpty() && !m_checkpointDue && !m_stop)
            m_wake.wait(&m_mutex);
        if (m_queue.isEmpty() && !m_checkpointDue)
            break; // stopping, nothing left
        QList<NewEntry> entries = std::exchange(m_queue, {});
        m_queuedBytes = 0;
        const bool checkpoint = std::exchange(m_checkpointDue, false);
        const Hook hook = m_hook;
        m_busy = true;
        m_idle.wakeAll(); // producers waiting for room in the queue
        lock.unlock();

        // Files are copied before the commit; a message whose copy fails is refused alone.
        for (qsizetype i = 0; i < entries.size();) {
            QString why;
            if (entries.at(i).files.isEmpty() || copyFiles(entries.at(i), &why)) {
                ++i;
                continue;
            }
            qWarning("conversa-core: the outbox could not copy a file: %s", qUtf8Printable(why));
            m_report(Outcome{{}, {entries.takeAt(i)}, why});
        }
        if (!entries.isEmpty()) {
            Outcome outcome;
            QString error;
            bool ok = opened && (!hook || hook(&error));
            if (ok)
                ok = db.transaction();
            for (const NewEntry &entry : entries) {
                if (!ok)
                    break;
                insert.bindValue(0, entry.cid);
                insert.bindValue(1, entry.room);
                insert.bindValue(2, SqliteDatabase::text(entry.body));
                insert.bindValue(3, entry.createdMs);
                insert.bindValue(4, entry.kind.isNull() ? u""_s : entry.kind);
                insert.bindValue(5, entry.target);
                insert.bindValue(6, entry.replyTo);
                ok = db.exec(insert);
                if (ok)
                    outcome.saved.append({entry.cid, insert.lastInsertId().toLongLong()});
                for (qsizetype ord = 0; ok && ord < entry.files.size(); ++ord) {
                    const OutboxFile &file = entry.files.at(ord);
                    insertFile.bindValue(0, entry.cid);
                    insertFile.bindValue(1, int(ord));
                    insertFile.bindValue(2, file.path);
                    insertFile.bindValue(3, SqliteDatabase::text(file.name));
                    insertFile.bindValue(4, SqliteDatabase::text(file.type));
                    insertFile.bindValue(5, file.size);
                    insertFile.bindValue(6, file.width);
                    insertFile.bindValue(7, file.height);
                    ok = db.exec(insertFile);
                }
            }
            // synchronous=FULL: the commit returns once the WAL is on the disk.
            if (ok)
                ok = db.commit();
            if (!ok) {
                if (error.isEmpty())
                    error = opened
                                ? db.lastError()
                                : QCoreApplication::translate("conversa::core::Outbox",
                                                              "the outbox file cannot be opened");
                db.rollback();
                for (const NewEntry &entry : std::as_const(entries)) {
                    for (const OutboxFile &file : entry.files)
                        QFile::remove(file.path);
                }
                outcome.saved.clear();
                outcome.failed = entries;
                outcome.error = error;
                qWarning("conversa-core: the outbox could not store %lld new messages: %s",
                         qint64(entries.size()), qUtf8Printable(error));
            }
            m_report(outcome);
        }
        if (checkpoint && opened)
            db.exec(u"PRAGMA wal_checkpoint(PASSIVE)"_s);

        lock.relock();
        m_busy = false;
        m_idle.wakeAll();
    }
    insert = QSqlQuery(); // before the connection goes
    insertFile = QSqlQuery();
}

} // namespace conversa::core
