// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "files/BackupFiles.h"

#include "files/BlobPaths.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace conversa::server::files {

using namespace Qt::StringLiterals;

namespace {
QString failed(const QSqlQuery &query)
{
    return query.lastError().text();
}
} // namespace

QString addFilesToBackup(QSqlDatabase &backup, const QString &dataDir, int *count)
{
    *count = 0;
    QSqlQuery query(backup);
    if (!query.exec(u"CREATE TABLE backup_blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)"_s))
        return failed(query);
    QStringList hashes;
    if (!query.exec(u"SELECT DISTINCT sha256 FROM files"_s))
        return failed(query);
    while (query.next())
        hashes.append(query.value(0).toString());
    query.finish();
    QSqlQuery insert(backup);
    insert.prepare(u"INSERT INTO backup_blobs (sha256, data) VALUES (?, ?)"_s);
    QSqlQuery forget(backup);
    forget.prepare(u"DELETE FROM message_files WHERE file_id IN (SELECT id FROM files WHERE "
                   "sha256 = ?)"_s);
    QSqlQuery forgetFiles(backup);
    forgetFiles.prepare(u"DELETE FROM files WHERE sha256 = ?"_s);
    for (const QString &sha256 : std::as_const(hashes)) {
        QFile blob(blobPath(dataDir, sha256));
        if (!blob.open(QIODevice::ReadOnly)) {
            forget.addBindValue(sha256);
            forgetFiles.addBindValue(sha256);
            if (!forget.exec() || !forgetFiles.exec())
                return failed(forget.lastError().isValid() ? forget : forgetFiles);
            continue;
        }
        insert.addBindValue(sha256);
        insert.addBindValue(blob.readAll());
        if (!insert.exec())
            return failed(insert);
        ++*count;
    }
    return {};
}

QString restoreFilesFromBackup(QSqlDatabase &restored, const QString &dataDir, int *count)
{
    *count = 0;
    QSqlQuery query(restored);
    if (!query.exec(u"SELECT name FROM sqlite_master WHERE type = 'table' AND name = "
                    "'backup_blobs'"_s))
        return failed(query);
    if (!query.next())
        return {}; // a backup from before files, or of a server that had none
    query.finish();
    QSqlQuery blobs(restored);
    blobs.setForwardOnly(true);
    if (!blobs.exec(u"SELECT sha256, data FROM backup_blobs"_s))
        return failed(blobs);
    while (blobs.next()) {
        const QString sha256 = blobs.value(0).toString();
        const QByteArray data = blobs.value(1).toByteArray();
        if (QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex() != sha256.toLatin1())
            return u"the backup's copy of file bytes %1 is damaged (its SHA-256 differs)"_s.arg(
                sha256);
        const QString path = blobPath(dataDir, sha256);
        if (!QFileInfo::exists(path)) {
            QDir().mkpath(QFileInfo(path).path());
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() ||
                !file.commit())
                return u"cannot write '%1': %2"_s.arg(path, file.errorString());
        }
        ++*count;
    }
    blobs.finish();
    if (!query.exec(u"DROP TABLE backup_blobs"_s) || !query.exec(u"VACUUM"_s))
        return failed(query);
    return {};
}

} // namespace conversa::server::files
