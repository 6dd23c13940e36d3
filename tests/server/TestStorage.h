// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "storage/Database.h"

#include <QString>

namespace conversa::test {

class PostgresServer;

// The storage suites run once per back end: CTest runs each of them a second time with
// CONVERSA_TEST_STORAGE=postgresql (the `_postgresql` entries). On PostgreSQL one cluster is
// started for the whole process (stopped when the application ends) and every call of
// freshStorage() gets a new, empty database in it.
bool testingPostgres();

// A new empty storage: SQLite in `dataDir`, or a new PostgreSQL database. On failure the
// location is empty and `*error` says why.
server::StorageLocation freshStorage(const QString &dataDir, QString *error);

// The shared cluster (started on first use), or nullptr with `*error`.
PostgresServer *sharedPostgres(QString *error);

// QSKIP/QFAIL material: empty when the back end under test can run here.
QString storageUnavailable();

} // namespace conversa::test
