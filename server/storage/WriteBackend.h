// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "storage/Database.h"
#include "storage/StorageWriter.h"

#include <QDateTime>

#include <vector>

namespace conversa::server {

// What StorageWriter's thread runs one batch of writes with: one back end per kind of database.
// Everything here runs on the writer thread.
class WriteBackend
{
public:
    virtual ~WriteBackend() = default;

    virtual QString open(const StorageLocation &location) = 0;
    virtual void close() = 0;
    // Applies `jobs` in one transaction, in order, filling `results` (same size). Returns false
    // when the transaction did not commit: then nothing of it is stored and the caller answers
    // every job `internal`.
    virtual bool applyBatch(const std::vector<const WriteJob *> &jobs,
                            std::vector<WriteResult> &results) = 0;
    // Whether the database answered the last time it was asked. SQLite is always reachable.
    virtual bool reachable() const { return true; }
    // Called about once a second while idle: PostgreSQL checks its connection (and opens it
    // again when it was lost), so reachable() follows the database without any write.
    virtual void probe() {}

protected:
    static WriteResult failure(protocol::ErrorCode code, const QString &message)
    {
        WriteResult result;
        result.ok = false;
        result.code = code;
        result.error = message;
        return result;
    }
    static qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }
};

std::unique_ptr<WriteBackend> makeSqliteWriteBackend();
std::unique_ptr<WriteBackend> makePostgresWriteBackend();

} // namespace conversa::server
