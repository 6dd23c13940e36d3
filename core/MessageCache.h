// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ServerLimits.h"
#include "SqliteDatabase.h"

#include <Frames.h>

#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace conversa::core {

class CacheWriter;

struct CachedRoom {
    QString room;
    QString title;
    qint64 lastSeq = 0;   // newest seq the server told us about
    qint64 readSeq = 0;   // read marker
    qint64 syncedSeq = 0; // every message up to here has been received (no gaps)
    qint64 unreadCount() const { return qMax<qint64>(0, lastSeq - readSeq); }
};

// The local copy of recent history: the newest messages of each room (1,000 by default), each
// room's last seq, read marker and how far it is synced, so the app shows rooms and messages
// before the network answers. SQLite, one file per account.
//
// Live messages arrive one by one, up to thousands a second, on the GUI thread, where a write
// that waits for a busy disk freezes the window: storeMessages() and setReadSeq() only queue
// their work for a writer thread with its own connection, which commits what arrived within one
// write interval in one transaction with statements prepared once. Each room's synced seq is
// written in the transaction that stores the messages it covers, so a crash loses both together
// and the next sync refills them. Every read and every other write first waits until the queue
// is committed, so callers never see it (reads are rare while messages stream in).
class MessageCache : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultCapacityPerRoom = 1000;

    // How long storeMessages() may keep messages in memory before they are committed.
    static constexpr int kDefaultWriteIntervalMs = 100;
    // A bound on the queue: storeMessages() waits for the writer while this many are queued.
    static constexpr int kMaxQueuedMessages = 5000;

    explicit MessageCache(QObject *parent = nullptr);
    ~MessageCache() override;

    bool open(const QString &path);
    bool isOpen() const { return m_db.isOpen(); }
    QString lastError() const { return m_writeError.isEmpty() ? m_db.lastError() : m_writeError; }
    // The connection itself (for tests and diagnostics).
    SqliteDatabase &database() { return m_db; }

    void setCapacityPerRoom(int capacity);
    int capacityPerRoom() const { return m_capacity; }

    // Rooms as the server listed them: titles replaced, seqs and markers only move forward.
    // Rooms not in the list are dropped with their messages (we left them).
    bool updateRooms(const QList<protocol::RoomSummary> &rooms);
    bool addRoom(const QString &room, const QString &title = {});
    bool removeRoom(const QString &room);
    QList<CachedRoom> rooms();
    std::optional<CachedRoom> room(const QString &room);

    // Stores messages that arrived with no gap before them and moves the room's synced seq to
    // `syncedSeq`, both in the same transaction. Older messages beyond the capacity are dropped.
    // Edits, deletions and reactions among them change the cached message they name (its
    // current state is kept: body, edited, deleted, reactions), in seq order with the rest.
    // Queued for up to writeInterval(); false when the cache is not open or an earlier write of
    // the room was refused (see flush()).
    bool storeMessages(const QString &room, const QList<protocol::MessageEvent> &messages,
                       qint64 syncedSeq);
    // Waits until everything queued is committed; false (and lastError()) when the disk refused
    // some of it since the last flush(). A room whose messages were refused takes no more (a
    // later synced seq would claim the lost ones) until its history is reset or the app restarts,
    // when the sync refills it from the older synced seq.
    bool flush();
    void setWriteInterval(int ms);
    int writeInterval() const { return m_writeInterval; }
    int queuedMessages() const;
    qint64 syncedSeq(const QString &room);

    // Which copy of the server's history the cached messages came from: the `epoch` of the
    // server's `rooms` answer (0 until the server is restored from a backup).
    qint64 historyEpoch();
    // The server was restored: its seqs now name other messages. Drops every cached message,
    // sync point, last seq and read marker (the rooms stay) and records the new `epoch`.
    bool resetHistory(qint64 epoch);
    // The same for one room, whose `sync` was answered `conflict`.
    bool resetRoomHistory(const QString &room);
    // Queued like storeMessages() (markers move once a second while a room is read).
    bool setReadSeq(const QString &room, qint64 seq);

    // What the server said it accepts, as last seen (so that the limits apply offline after a
    // restart too); nothing before the first sign-in.
    std::optional<ServerLimits> serverLimits();
    bool setServerLimits(const ServerLimits &limits);

    // Ascending by seq: the newest `limit` messages, those before `beforeSeq`, or those after
    // `afterSeq`.
    QList<protocol::MessageEvent> latest(const QString &room, int limit);
    QList<protocol::MessageEvent> before(const QString &room, qint64 beforeSeq, int limit);
    QList<protocol::MessageEvent> after(const QString &room, qint64 afterSeq, int limit);
    // One cached message in its current state (the original of a reply).
    std::optional<protocol::MessageEvent> message(const QString &room, qint64 seq);
    // The oldest and newest cached seq of a room (0, 0 when it has none).
    std::pair<qint64, qint64> cachedRange(const QString &room);
    int messageCount(const QString &room);

signals:
    void roomsChanged();

private:
    QList<protocol::MessageEvent> select(QSqlQuery &query, const QString &room, bool descending);
    void prepareStatements();
    void releaseStatements();
    void stopWriter();

    SqliteDatabase m_db; // the GUI thread's connection: reads and the rare other writes
    std::unique_ptr<CacheWriter> m_writer;
    int m_capacity = kDefaultCapacityPerRoom;
    int m_writeInterval = kDefaultWriteIntervalMs;
    QString m_writeError;
    // Prepared once per connection.
    QSqlQuery m_selectLatest;
    QSqlQuery m_selectBefore;
    QSqlQuery m_selectAfter;
    QSqlQuery m_selectOne;
};

} // namespace conversa::core
