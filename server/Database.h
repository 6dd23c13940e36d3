// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ServerConfig.h"

#include <QSqlDatabase>
#include <QString>

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
    void close();

    QSqlDatabase &db() { return m_db; }
    const QString &lastError() const { return m_lastError; }

    static int schemaVersion();

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
