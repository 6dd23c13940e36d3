// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/FileRows.h"

#include "Log.h"

#include <QSqlError>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
bool run(QSqlQuery &query, std::initializer_list<QVariant> values, QSqlQuery **failedQuery)
{
    int i = 0;
    for (const QVariant &value : values)
        query.bindValue(i++, value);
    if (query.exec())
        return true;
    *failedQuery = &query;
    return false;
}
} // namespace

void FileRows::prepare(QSqlDatabase &db)
{
    auto prepare = [&db](QSqlQuery &query, const QString &sql) {
        query = QSqlQuery(db);
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            qCCritical(lcServer) << "cannot prepare" << sql << query.lastError().text();
    };
    prepare(m_insert, u"INSERT INTO files (id, uploader_id, sha256, name, type, size, width, "
                      "height, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    prepare(m_exists, u"SELECT 1 FROM files WHERE id = ?"_s);
    prepare(m_attach,
            u"INSERT INTO message_files (room_id, seq, position, file_id) VALUES (?, ?, ?, ?)"_s);
    prepare(m_markAttached, u"UPDATE files SET attached = 1 WHERE id = ?"_s);
    prepare(m_filesOf, u"SELECT file_id FROM message_files WHERE room_id = ? AND seq = ?"_s);
    prepare(m_detach, u"DELETE FROM message_files WHERE room_id = ? AND seq = ?"_s);
    prepare(m_removeIfFree, u"DELETE FROM files WHERE id = ? AND NOT EXISTS (SELECT 1 FROM "
                            "message_files WHERE file_id = ?) RETURNING sha256"_s);
    prepare(m_expired, u"SELECT id FROM files WHERE attached = 0 AND created_ms < ? "
                       "ORDER BY created_ms LIMIT 1000"_s);
    prepare(m_removeExpired, u"DELETE FROM files WHERE id = ? AND attached = 0 RETURNING sha256"_s);
    prepare(m_shaInUse, u"SELECT 1 FROM files WHERE sha256 = ? LIMIT 1"_s);
}

void FileRows::reset()
{
    *this = FileRows();
}

bool FileRows::insert(const write::AddFile &file, qint64 nowMs, QSqlQuery **failedQuery)
{
    return run(m_insert,
               {file.id, file.uploaderId, file.sha256, file.name, file.type, file.size, file.width,
                file.height, nowMs},
               failedQuery);
}

bool FileRows::check(const QStringList &files, QString *refusal, QSqlQuery **failedQuery)
{
    for (qsizetype i = 0; i < files.size(); ++i) {
        if (!run(m_exists, {files.at(i)}, failedQuery))
            return false;
        const bool exists = m_exists.next();
        m_exists.finish();
        if (!exists) {
            *refusal = u"you cannot attach file %1: you did not upload it, or it was deleted "
                       "or expired"_s.arg(files.at(i));
            return true;
        }
    }
    return true;
}

bool FileRows::attach(qint64 roomId, qint64 seq, const QStringList &files, QSqlQuery **failedQuery)
{
    for (qsizetype i = 0; i < files.size(); ++i) {
        if (!run(m_attach, {roomId, seq, int(i), files.at(i)}, failedQuery) ||
            !run(m_markAttached, {files.at(i)}, failedQuery))
            return false;
    }
    return true;
}

bool FileRows::detach(qint64 roomId, qint64 seq, QStringList *released, QSqlQuery **failedQuery)
{
    if (!run(m_filesOf, {roomId, seq}, failedQuery))
        return false;
    QStringList ids;
    while (m_filesOf.next())
        ids.append(m_filesOf.value(0).toString());
    m_filesOf.finish();
    if (ids.isEmpty())
        return true;
    if (!run(m_detach, {roomId, seq}, failedQuery))
        return false;
    for (const QString &id : ids) {
        if (!run(m_removeIfFree, {id, id}, failedQuery))
            return false;
        while (m_removeIfFree.next())
            released->append(m_removeIfFree.value(0).toString());
        m_removeIfFree.finish();
    }
    return true;
}

bool FileRows::expire(qint64 beforeMs, QStringList *released, QSqlQuery **failedQuery)
{
    if (!run(m_expired, {beforeMs}, failedQuery))
        return false;
    QStringList ids;
    while (m_expired.next())
        ids.append(m_expired.value(0).toString());
    m_expired.finish();
    for (const QString &id : ids) {
        if (!run(m_removeExpired, {id}, failedQuery))
            return false;
        while (m_removeExpired.next())
            released->append(m_removeExpired.value(0).toString());
        m_removeExpired.finish();
    }
    return true;
}

bool FileRows::shaInUse(const QString &sha256, bool *inUse, QSqlQuery **failedQuery)
{
    if (!run(m_shaInUse, {sha256}, failedQuery))
        return false;
    *inUse = m_shaInUse.next();
    m_shaInUse.finish();
    return true;
}

} // namespace conversa::server
