// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

class QSqlDatabase;

#include <optional>

namespace conversa::server {

// `database_url`: postgresql://USER@HOST:PORT/DB, optionally with ?sslmode=...,
// ?connect_timeout=SECONDS or ?host=/run/postgresql (a Unix socket folder). A password in the URL
// is refused: it would show in the process list and in logs. It comes from
// CONVERSA_DATABASE_PASSWORD, or libpq reads it from ~/.pgpass (or PGPASSFILE).
struct DatabaseUrl {
    QString user;
    QString host;
    int port = 5432;
    QString database;
    QString sslMode;
    int connectTimeoutSeconds = 5;

    // For QSqlDatabase::setConnectOptions (QPSQL).
    QString connectOptions() const;
    // postgresql://USER@HOST:PORT/DB, for messages and logs (holds no secret).
    QString display() const;
    // Points a QPSQL connection at this database, with the password from databasePassword().
    void configure(QSqlDatabase &db) const;
};

std::optional<DatabaseUrl> parseDatabaseUrl(const QString &text, QString *error);

// CONVERSA_DATABASE_PASSWORD, or empty (then libpq looks in .pgpass).
QString databasePassword();

} // namespace conversa::server
