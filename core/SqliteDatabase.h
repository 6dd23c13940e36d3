// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "SqliteConnection.h"

#include <QStringList>

namespace conversa::core {

// The client's SQLite connection (Outbox, MessageCache, TokenRevoker): the shared
// sqlite::Connection (own connection name, WAL, busy timeout, errors in words) plus the
// versioned schema of each file through migrate().
class SqliteDatabase : public sqlite::Connection
{
public:
    using sqlite::Connection::open;

    // Opens (creating folders and file) and runs `statements`, one per entry, e.g. a
    // connection's PRAGMAs; a file's tables belong in a sqlite::Schema given to migrate().
    bool open(const QString &path, const QStringList &statements,
              Synchronous synchronous = Synchronous::Full);
};

} // namespace conversa::core
