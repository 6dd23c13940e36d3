// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace conversa::server {

struct CopyReport {
    QString error; // in words; empty when everything was copied
    qint64 users = 0;
    qint64 tokens = 0;
    qint64 rooms = 0;
    qint64 members = 0;
    qint64 messages = 0;
};

// `migrate --from-sqlite DIR --database-url URL`: copies a SQLite server's data (users with their
// password hashes, tokens, rooms, members with read markers, messages with their seqs and cids,
// the admin generation and history epoch) into an empty PostgreSQL database, in one transaction:
// on any error the database is left empty. Ids and seqs are kept, so clients' caches and saved
// tokens stay valid. The caller keeps servers off the folder while it runs.
CopyReport copySqliteToPostgres(const QString &dataDir, const QString &databaseUrl);

} // namespace conversa::server
