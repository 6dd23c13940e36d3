// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "OutboxFile.h"

#include <QList>
#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <functional>
#include <memory>

class QThread;

namespace conversa::core {

// The Outbox's writer thread: its own connection to the outbox file with synchronous=FULL, so a
// new message is on the disk (fsync) when its commit returns, and none of that waiting happens
// on the GUI thread. Whatever is queued while one commit runs goes into the next one (group
// commit), in the order it was queued, so positions (the send order) follow the queue order.
// Each commit's outcome is handed to `report` on the writer thread.
class OutboxWriter
{
public:
    struct NewEntry {
        QString cid;
        QString room;
        QString body;
        qint64 createdMs = 0;
        QString kind{};     // "" (a message), "edit" or "delete" (see OutboxEntry)
        qint64 target = 0;  // the seq an edit or delete is about
        qint64 replyTo = 0; // the seq a message replies to
        // Each is copied from `source` to `path` (fsync) before the commit.
        QList<OutboxFile> files{};
    };
    struct Outcome {
        QList<std::pair<QString, qint64>> saved; // cid, position
        QList<NewEntry> failed;                  // the whole transaction was refused
        QString error;                           // in words, when some failed
    };
    // Runs on the writer thread before each commit of new messages; false (with `error`) makes
    // the commit fail as a full disk would. For tests: a slow disk, a refusing disk.
    using Hook = std::function<bool(QString *error)>;

    // The queue's bound: enqueue() waits for the writer beyond this many messages or bytes (only
    // when the disk is far slower than the typing, or a script).
    static constexpr int kMaxQueuedMessages = 10'000;
    static constexpr qint64 kMaxQueuedBytes = 16 * 1024 * 1024;

    OutboxWriter(const QString &path, std::function<void(const Outcome &)> report);
    // Commits what is queued, then stops.
    ~OutboxWriter();

    void enqueue(NewEntry entry);
    // Waits until everything queued so far is committed (or refused) and reported.
    void flush();
    // Copies WAL pages into the file (the GUI connection never does: it waits for the disk).
    void requestCheckpoint();
    void setHook(Hook hook);

private:
    void run();
    // Copies the files of `entry` to their paths; false (with `error`) removes what it copied.
    static bool copyFiles(const NewEntry &entry, QString *error);

    const QString m_path;
    const std::function<void(const Outcome &)> m_report;
    std::unique_ptr<QThread> m_thread;
    QMutex m_mutex;
    QWaitCondition m_wake; // work arrived, or stop
    QWaitCondition m_idle; // the queue was taken or committed
    QList<NewEntry> m_queue;
    qint64 m_queuedBytes = 0;
    bool m_busy = false;
    bool m_stop = false;
    bool m_checkpointDue = false;
    Hook m_hook;
};

} // namespace conversa::core
