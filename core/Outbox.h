// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "SqliteDatabase.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

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
    qint64 position = 0; // send order
};

// Messages on their way to the server, on disk (SQLite, one file per account) so that none is lost
// when the app or the machine dies. Each entry is committed before enqueue() returns. Entries go
// out in order per room; a message is sent again after a reconnect with its original cid, and the
// server's cid de-duplication makes sure it is stored once.
class Outbox : public QObject
{
    Q_OBJECT
public:
    explicit Outbox(QObject *parent = nullptr);

    bool open(const QString &path);
    bool isOpen() const { return m_db.isOpen(); }
    QString lastError() const { return m_db.lastError(); }
    // The connection itself (for tests and diagnostics).
    SqliteDatabase &database() { return m_db; }

    // Stores a new pending message and returns its cid (empty on failure).
    QString enqueue(const QString &room, const QString &body);

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
    bool discard(const QString &cid);
    // Deletes sent entries; returns how many.
    int purgeSent();

    int pendingCount(const QString &room = {});
    int failedCount(const QString &room = {});

signals:
    void entryChanged(const conversa::core::OutboxEntry &entry);
    void entryRemoved(const QString &cid);

private:
    std::optional<OutboxEntry> single(QSqlQuery &query);
    int count(OutboxState state, const QString &room);
    bool setState(const QString &cid, OutboxState state, qint64 seq, qint64 ts,
                  const QString &reason);

    SqliteDatabase m_db;
};

} // namespace conversa::core

Q_DECLARE_METATYPE(conversa::core::OutboxEntry)
