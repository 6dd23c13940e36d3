// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "OutboxFile.h"
#include "OutboxWriter.h"
#include "SqliteDatabase.h"

#include <QList>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>

namespace conversa::core {

enum class OutboxState {
    Pending, // waiting to go out (or out, with no answer yet)
    Sent,    // the server stored it and gave it `seq`
    Failed,  // the server refused it for good; `reason` says why. Retry or discard.
};

struct OutboxEntry {
    QString cid; // client id (UUID): the server stores a repeated cid only once
    QString room;
    QString body;
    OutboxState state = OutboxState::Pending;
    qint64 seq = 0; // when sent
    qint64 ts = 0;  // server time when sent
    QString reason; // when failed
    qint64 createdMs = 0;
    qint64 position = 0; // send order (0 until saved)
    // On the disk. False from enqueue() until the writer's commit returned: shown, not sent.
    bool saved = true;
    // What goes out: a message (`send`, replying to `replyTo` when not 0), or a change of the
    // message `target`: "edit" (to `body`) or "delete". Changes are idempotent by cid too.
    QString kind{};
    qint64 target = 0;
    qint64 replyTo = 0;
    // The files a message carries, in order (the body is then a caption and may be empty).
    QList<OutboxFile> files{};
    bool isMessage() const { return kind.isEmpty(); }
    // Files still to upload before the message itself can go.
    bool needsUpload() const
    {
        return std::any_of(files.cbegin(), files.cend(),
                           [](const OutboxFile &f) { return !f.uploaded(); });
    }
};

// Messages on their way to the server, on disk (SQLite, one file per account) so that none is lost
// when the app or the machine dies. Entries go out in order per room; a message is sent again
// after a reconnect with its original cid, and the server's cid de-duplication makes sure it is
// stored once.
//
// enqueue() answers at once: the new row is committed, with fsync, by a writer thread
// (OutboxWriter), and `saved` (or `notSaved`) follows. Until then the entry is kept in memory,
// counted as pending and shown (entry(), unsent(), pendingCount()), but the reads that feed the
// OutboxPump (nextPending(), pendingAfter(), roomsWithPending()) see only committed rows: a
// message goes out only once a crash can no longer lose it. Otherwise a refused save would give
// the text back to the person, who would send it again under a new cid, and the room would have
// it twice.
//
// The other writes (sent, failed, retry, discard) change rows already on the disk and run on the
// caller's connection without waiting for the disk (synchronous=NORMAL, no checkpoints): losing
// one in a power cut costs a resend the server de-duplicates, or a retry or discard to repeat.
class Outbox : public QObject
{
    Q_OBJECT
public:
    explicit Outbox(QObject *parent = nullptr);

    ~Outbox() override;

    bool open(const QString &path);
    void close();
    bool isOpen() const { return m_db.isOpen(); }
    QString lastError() const { return m_db.lastError(); }
    // The connection itself (for tests and diagnostics).
    SqliteDatabase &database() { return m_db; }

    // Queues a new pending message for the writer and returns its cid at once (empty when no
    // outbox is open); `entryChanged` shows it now, `saved` or `notSaved` follows.
    // With `files` (described by AttachmentLimits::describe), the writer thread first copies
    // each into the outbox's folder (filesDirectory()), so the message does not depend on the
    // originals; a copy that fails refuses the message (`notSaved`) like a full disk.
    QString enqueue(const QString &room, const QString &body, qint64 replyTo = 0,
                    const QList<OutboxFile> &files = {});
    // The same for a change of one of the room's messages: kind "edit" (with the new `body`) or
    // "delete" (with an empty one).
    QString enqueueChange(const QString &room, const QString &kind, qint64 target,
                          const QString &body = {});
    // Waits until every message queued so far is committed (or refused) and its signal emitted:
    // for a program about to exit, and for tests.
    void flush();
    // New messages not on the disk yet (of `room`, or of all rooms).
    int savingCount(const QString &room = {}) const;
    // Runs on the writer thread before each commit of new messages (see OutboxWriter::Hook).
    void setWriteHook(std::function<bool(QString *error)> hook);

    std::optional<OutboxEntry> entry(const QString &cid);
    // The oldest pending message of `room` queued after `afterPosition`.
    std::optional<OutboxEntry> nextPending(const QString &room, qint64 afterPosition = 0);
    // Up to `limit` pending messages of `room` queued after `afterPosition`, in send order.
    QList<OutboxEntry> pendingAfter(const QString &room, qint64 afterPosition, int limit);
    QStringList roomsWithPending();
    // Pending and failed entries (not sent ones), in send order; all rooms when `room` is empty.
    QList<OutboxEntry> unsent(const QString &room = {});

    bool markSent(const QString &cid, qint64 seq, qint64 ts);
    // Marks many at once (their `seq` and `ts` filled in): one transaction, one statement
    // prepared once. A lost mark costs only a resend that the server de-duplicates by cid, so
    // this commit does not wait for the disk (the messages themselves did when queued).
    bool markSent(const QList<OutboxEntry> &sent);
    bool markFailed(const QString &cid, const QString &reason);
    // A failed message goes back to pending, at the end of its room's queue.
    bool retry(const QString &cid);
    // Forgets a pending or failed message, and the copies of its files.
    bool discard(const QString &cid);
    // File `index` of message `cid` is on the server as `fileId` (not uploaded again).
    bool setFileUploaded(const QString &cid, int index, const QString &fileId);
    // Bytes of the copies the outbox holds (and of those being saved), all rooms.
    qint64 fileBytes();
    // Where the copies of attached files live: a folder beside the outbox file.
    QString filesDirectory() const { return m_filesDir; }
    // Deletes sent entries; returns how many.
    int purgeSent();

    // Pending messages, those still being saved included.
    int pendingCount(const QString &room = {});
    int failedCount(const QString &room = {});

signals:
    void entryChanged(const conversa::core::OutboxEntry &entry);
    void entryRemoved(const QString &cid);
    // The message is on the disk; from here on a crash does not lose it.
    void saved(const conversa::core::OutboxEntry &entry);
    // The disk refused the message (the entry is gone); `reason` says why, in words.
    void notSaved(const conversa::core::OutboxEntry &entry, const QString &reason);

private:
    QString enqueueEntry(OutboxEntry entry);
    void applyWriterOutcomes();
    void afterWrite();
    std::optional<OutboxEntry> single(QSqlQuery &query);
    // Fills in the files of `entries` (one query).
    void loadFiles(QList<OutboxEntry> &entries);
    // Deletes the file rows and copies of these messages.
    void removeFiles(const QStringList &cids);
    // Copies nothing refers to (a crash between a copy and its commit), older than an hour so
    // that another process's copy in progress is left alone.
    void removeStrayCopies();
    int count(OutboxState state, const QString &room);
    bool setState(const QString &cid, OutboxState state, qint64 seq, qint64 ts,
                  const QString &reason);

    QString m_filesDir;
    SqliteDatabase m_db; // this thread's: reads, and writes to rows already saved
    std::unique_ptr<OutboxWriter> m_writer;
    QList<OutboxEntry> m_saving; // queued for the writer, in queue order
    QMutex m_outcomesMutex;
    QList<OutboxWriter::Outcome> m_outcomes; // reported by the writer, not applied yet
};

} // namespace conversa::core

Q_DECLARE_METATYPE(conversa::core::OutboxEntry)
