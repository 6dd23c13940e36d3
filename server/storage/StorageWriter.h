// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Protocol.h"
#include "storage/Database.h"
#include "storage/RoomKind.h"

#include <QByteArray>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <variant>
#include <vector>

namespace conversa::server {

namespace write {
struct InsertMessage {
    qint64 roomId = 0;
    qint64 userId = 0;
    QString cid;
    QString body;
    qint64 replyTo = 0;
    // Ids of uploads the message carries (checked by the handler: the sender uploaded each or
    // it was shared with them); a file gone meanwhile makes the send `forbidden`.
    QStringList files{};
};
// Edits (a non-empty body) or deletes (`erase`) the plain message `target`: a new log entry of
// its own seq, idempotent by `cid` like InsertMessage. Edit: the author only; delete: the author
// or the room's owner. A deletion empties the body of the message and of its edit entries.
struct ChangeMessage {
    qint64 roomId = 0;
    qint64 userId = 0;
    QString cid;
    qint64 target = 0;
    bool erase = false;
    QString body;
};
// A reaction given (`on`) or taken back: a log entry (kind 3) on a plain message that is not
// deleted; `reactions` holds who reacts now.
struct React {
    qint64 roomId = 0;
    qint64 userId = 0;
    qint64 target = 0;
    QString emoji;
    bool on = true;
};
// An upload whose bytes are complete in `spoolPath` (the writer takes them: SQLite moves them
// to <data>/files/<sha256[0,2]>/<sha256> unless the same bytes are there already; PostgreSQL
// copies them into file_chunks).
struct AddFile {
    QString id;
    qint64 uploaderId = 0;
    QString sha256;
    QString name;
    QString type;
    qint64 size = 0;
    int width = 0;
    int height = 0;
    QString spoolPath;
};
// Removes uploads no message carries that were made before `createdBeforeMs` (and their bytes).
struct ExpireFiles {
    qint64 createdBeforeMs = 0;
};
struct CreateRoom {
    QString name;
    QString title;
    qint64 creatorId = 0;
    RoomKind kind = RoomKind::Public;
};
// The direct-message room of two users: the pair's room when it exists (both made members
// again), else a new one named `name`. WriteResult: `value` its id, `name` its name,
// `duplicate` that it existed.
struct OpenDirect {
    qint64 userId = 0;
    qint64 peerId = 0;
    QString name;
};
struct RenameRoom {
    qint64 roomId = 0;
    QString title;
};
struct JoinRoom {
    qint64 roomId = 0;
    qint64 userId = 0;
};
struct LeaveRoom {
    qint64 roomId = 0;
    qint64 userId = 0;
};
struct MarkRead {
    qint64 roomId = 0;
    qint64 userId = 0;
    qint64 seq = 0;
};
struct CreateToken {
    qint64 userId = 0;
    QByteArray hash;
    QString device;
};
struct RevokeToken {
    qint64 tokenId = 0;
};
struct TouchToken {
    qint64 tokenId = 0;
};
} // namespace write

using WriteJob =
    std::variant<write::InsertMessage, write::ChangeMessage, write::React, write::AddFile,
                 write::ExpireFiles, write::CreateRoom, write::JoinRoom, write::LeaveRoom,
                 write::MarkRead, write::CreateToken, write::RevokeToken, write::TouchToken,
                 write::OpenDirect, write::RenameRoom>;

struct WriteResult {
    bool ok = true;
    protocol::ErrorCode code = protocol::ErrorCode::Internal;
    QString error;
    // InsertMessage, ChangeMessage: seq; CreateRoom: room id; MarkRead: the read marker now;
    // CreateToken: token id.
    qint64 value = 0;
    qint64 ts = 0;          // InsertMessage: server timestamp (ms)
    bool duplicate = false; // InsertMessage: this cid was already stored
    QString name{};         // OpenDirect: the room's name
};

using WriteCallback = std::function<void(const WriteResult &)>;

class WriteBackend;

// Applies writes on a thread of its own, grouping whatever arrived during one commit into the
// next transaction (group commit). Callbacks run on `context`'s thread after the commit, so
// nothing is acknowledged before it is durable. The SQL is the back end's (WriteBackend: SQLite
// or PostgreSQL); on PostgreSQL each commit also notifies `conversa_entries` (and
// `conversa_rooms`, `conversa_admin`) for other instances: see PostgresWriteBackend.cpp.
class StorageWriter : public QObject
{
    Q_OBJECT
public:
    explicit StorageWriter(QObject *context);
    ~StorageWriter() override;

    // Opens the database on the writer thread; returns an error in words, or an empty string.
    QString start(const StorageLocation &location);
    QString start(const QString &dataDir, SyncMode syncMode);
    // Thread-safe. `done` may be empty for writes nobody waits on.
    void submit(WriteJob job, WriteCallback done = {});
    // Blocks until every job submitted so far is committed and its callback queued.
    void flush();
    void stop();

    // Thread-safe. Whether the database answered the writer last time (always true on SQLite).
    // While it is false every write answers `internal`, and the writer tries to connect again
    // about once a second.
    bool databaseReachable() const { return m_reachable.load(std::memory_order_relaxed); }

signals:
    void committed(int jobCount, qint64 microseconds);
    // Emitted from the writer thread when databaseReachable() changes.
    void databaseReachableChanged(bool reachable);

private:
    struct Pending {
        WriteJob job;
        WriteCallback done;
    };
    class Worker;

    QPointer<QObject> m_context;
    QThread m_thread;
    std::unique_ptr<Worker> m_worker; // lives on m_thread while it runs
    QMutex m_mutex;
    std::vector<Pending> m_queue;
    bool m_wakePosted = false;
    std::atomic<bool> m_reachable{true};
    friend class Worker;
};

} // namespace conversa::server
