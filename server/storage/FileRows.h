// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Protocol.h"
#include "storage/StorageWriter.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>

#include <optional>

namespace conversa::server {

// The writer's statements about files (tables `files` and `message_files`), the same SQL on
// SQLite and PostgreSQL. Each runs inside the back end's open transaction; a false return means
// the statement failed (the back end then fails the job with `internal`).
class FileRows
{
public:
    void prepare(QSqlDatabase &db);
    void reset();

    bool insert(const write::AddFile &file, qint64 nowMs, QSqlQuery **failedQuery);
    // Whether every one of `files` still exists: a file gone (deleted or expired since the
    // handler looked) makes the send `forbidden`, as if never shared: `*refusal` says so.
    bool check(const QStringList &files, QString *refusal, QSqlQuery **failedQuery);
    // Records that message (room, seq) carries `files` (checked first).
    bool attach(qint64 roomId, qint64 seq, const QStringList &files, QSqlQuery **failedQuery);
    // Message (room, seq) no longer carries files: each one no other message carries is removed;
    // `*released` gets the sha256 of every removed row (the back end drops unshared bytes).
    bool detach(qint64 roomId, qint64 seq, QStringList *released, QSqlQuery **failedQuery);
    // Removes at most 1000 uploads no message carries, made before `beforeMs`.
    bool expire(qint64 beforeMs, QStringList *released, QSqlQuery **failedQuery);
    // SQLite: whether a row still names these bytes.
    bool shaInUse(const QString &sha256, bool *inUse, QSqlQuery **failedQuery);

private:
    QSqlQuery m_insert, m_exists, m_attach, m_markAttached, m_filesOf, m_detach, m_removeIfFree,
        m_expired, m_removeExpired, m_shaInUse;
};

} // namespace conversa::server
