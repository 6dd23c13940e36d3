// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "storage/Database.h"
#include "storage/StorageWriter.h"

#include <QDateTime>
#include <QUuid>

#include <optional>

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

    // messages.kind
    static constexpr int kEditKind = 1;
    static constexpr int kDeleteKind = 2;
    static constexpr int kReactionKind = 3;
    // Reactions have no client cid; theirs is unique and cannot look like a client's UUID.
    static QString reactionCid()
    {
        return QStringLiteral("reaction:") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    }
    static WriteResult noMessageToReactTo(qint64 target)
    {
        return failure(protocol::ErrorCode::NotFound,
                       QStringLiteral("there is no message %1 to react to in this room (it may "
                                      "have been deleted)")
                           .arg(target));
    }

    // Who may change the message `target` (found, not deleted and a plain message: `plain`):
    // an edit its author only, a deletion its author or the room's owner.
    static std::optional<WriteResult> refusal(const write::ChangeMessage &job, bool plain,
                                              qint64 author, qint64 owner)
    {
        if (!plain)
            return failure(
                protocol::ErrorCode::NotFound,
                QStringLiteral(
                    "there is no message %1 to %2 in this room (it may have been deleted)")
                    .arg(job.target)
                    .arg(job.erase ? QStringLiteral("delete") : QStringLiteral("edit")));
        if (job.erase ? author != job.userId && owner != job.userId : author != job.userId)
            return failure(
                protocol::ErrorCode::Forbidden,
                job.erase
                    ? QStringLiteral("only its author or the room's owner may delete message %1")
                          .arg(job.target)
                    : QStringLiteral("only its author may edit message %1").arg(job.target));
        return std::nullopt;
    }
};

std::unique_ptr<WriteBackend> makeSqliteWriteBackend();
std::unique_ptr<WriteBackend> makePostgresWriteBackend();

} // namespace conversa::server
