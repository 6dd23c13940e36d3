// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ServerConfig.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace conversa::server {

// One SQLite connection to `<data>/conversa.db` in WAL mode. Each thread opens its own.
class Database
{
public:
    Database() = default;
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Opens (creating the folder and file if needed) and brings the schema up to date.
    // Returns an error in words, or an empty string.
    QString open(const QString &dataDir, const QString &connectionName,
                 SyncMode syncMode = SyncMode::Full);
    // Opens one database file (created if missing); its schema is brought up to date only when
    // `upgradeSchema` is set, so `check` looks at a file without changing it.
    QString openFile(const QString &filePath, const QString &connectionName, SyncMode syncMode,
                     bool upgradeSchema);
    void close();

    QSqlDatabase &db() { return m_db; }
    const QString &lastError() const { return m_lastError; }

    static int schemaVersion();

    // SQLite's own check of the file: `PRAGMA quick_check` (page structure, in one pass) or the
    // full `PRAGMA integrity_check` (also every index against its table). Returns the problems
    // in SQLite's words; empty when the file is sound. A check that cannot run is a problem too.
    QStringList checkIntegrity(bool quick);

    // Which copy of the rooms' history this is: 0 until the database is restored from a backup,
    // then the time of the restore (ms). Clients compare it with the one their cache came from.
    // -1 when it cannot be read.
    qint64 historyEpoch();
    bool setHistoryEpoch(qint64 epoch);

    // Admin tools bump this so a running server re-reads tokens, users and rooms.
    bool bumpAdminGeneration();
    qint64 adminGeneration();

private:
    QString migrate();
    bool exec(const QString &sql);

    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_lastError;
};

} // namespace conversa::server
