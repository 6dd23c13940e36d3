// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSqlDatabase>
#include <QString>

namespace conversa::server::postgres {

// The server's schema on PostgreSQL, in versions like the SQLite one: table `schema_version`
// holds the version reached. Never edit a released step; append one.
int latestVersion();

struct MigrationOutcome {
    int fromVersion = 0;
    int toVersion = 0;
    QString error; // in words; empty when the schema is now at latestVersion()
};

// Brings the database up to date in one transaction under an advisory lock, so instances that
// start together take turns and the later ones find the work done. A database newer than this
// code is refused and left alone; a failing step leaves it as it was (DDL is transactional).
MigrationOutcome migrate(QSqlDatabase &db);

// The version recorded, 0 for an empty database, -1 (with `error`) when it cannot be read.
int currentVersion(QSqlDatabase &db, QString *error);

} // namespace conversa::server::postgres
