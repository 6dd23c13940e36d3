// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ServerConfig.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace conversa::server {

// Where the data lives: the SQLite file in a data folder, or a PostgreSQL database.
struct StorageLocation {
    StorageKind kind = StorageKind::Sqlite;
    QString dataDir;     // SQLite
    QString databaseUrl; // PostgreSQL: postgresql://USER@HOST:PORT/DB
    SyncMode syncMode = SyncMode::Full;

    static StorageLocation sqlite(const QString &dataDir, SyncMode syncMode = SyncMode::Full);
    static StorageLocation postgresql(const QString &databaseUrl);
    static StorageLocation of(const ServerConfig &config);
    // The folder or the URL (without secrets), for messages.
    QString describe() const;
};

// One connection: SQLite (`<data>/conversa.db` in WAL mode) or PostgreSQL (QPSQL). Each thread
// opens its own. The SQL the server runs is written to work on both; where the two differ the
// caller asks isPostgres().
class Database
{
public:
    Database() = default;
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Opens and brings the schema up to date (SQLite: creating the folder and file if needed).
    // Returns an error in words, or an empty string.
    QString open(const StorageLocation &location, const QString &connectionName);
    QString open(const QString &dataDir, const QString &connectionName,
                 SyncMode syncMode = SyncMode::Full);
    // Opens one database file (created if missing); its schema is brought up to date only when
    // `upgradeSchema` is set, so `check` looks at a file without changing it.
    QString openFile(const QString &filePath, const QString &connectionName, SyncMode syncMode,
                     bool upgradeSchema);
    void close();

    QSqlDatabase &db() { return m_db; }
    const QString &lastError() const { return m_lastError; }
    bool isPostgres() const { return m_kind == StorageKind::Postgresql; }
    // "BEGIN IMMEDIATE" on SQLite (take the write lock first), "BEGIN" on PostgreSQL.
    QString beginWriteSql() const;

    // PostgreSQL: whether the connection still answers (a `SELECT 1`).
    bool isAlive();
    // PostgreSQL: drops the connection and opens it again (prepared statements are gone with
    // it). Returns an error in words, or an empty string.
    QString reconnect();

    // SQLite's version (the SQLite schema); see postgres::latestVersion() for PostgreSQL's.
    static int schemaVersion();
    // The schema version before open() brought it up to date, and after.
    int versionBeforeOpen() const { return m_versionBefore; }
    int versionAfterOpen() const { return m_versionAfter; }

    // SQLite's own check of the file: `PRAGMA quick_check` (page structure, in one pass) or the
    // full `PRAGMA integrity_check` (also every index against its table). Returns the problems
    // in SQLite's words; empty when the file is sound. A check that cannot run is a problem too.
    QStringList checkIntegrity(bool quick);

    // Which copy of the rooms' history this is: 0 until the database is restored from a backup,
    // then the time of the restore (ms). Clients compare it with the one their cache came from.
    // -1 when it cannot be read.
    qint64 historyEpoch();
    bool setHistoryEpoch(qint64 epoch);

    // Admin tools bump this so a running server re-reads tokens, users and rooms. On PostgreSQL
    // the same statement notifies channel `conversa_admin` (payload: the new generation), sent
    // when the surrounding transaction commits.
    bool bumpAdminGeneration();
    qint64 adminGeneration();

private:
    QString migrate();
    QString openPostgres(const QString &databaseUrl, const QString &connectionName);
    bool exec(const QString &sql);

    StorageKind m_kind = StorageKind::Sqlite;
    int m_versionBefore = 0;
    int m_versionAfter = 0;
    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_lastError;
};

} // namespace conversa::server
