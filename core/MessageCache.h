// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "SqliteDatabase.h"

#include <Frames.h>

#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace conversa::core {

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
class MessageCache : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultCapacityPerRoom = 1000;

    explicit MessageCache(QObject *parent = nullptr);

    bool open(const QString &path);
    bool isOpen() const { return m_db.isOpen(); }
    QString lastError() const { return m_db.lastError(); }
    // The connection itself (for tests and diagnostics).
    SqliteDatabase &database() { return m_db; }

    void setCapacityPerRoom(int capacity) { m_capacity = qMax(1, capacity); }
    int capacityPerRoom() const { return m_capacity; }

    // Rooms as the server listed them: titles replaced, seqs and markers only move forward.
    // Rooms not in the list are dropped with their messages (we left them).
    bool updateRooms(const QList<protocol::RoomSummary> &rooms);
    bool addRoom(const QString &room, const QString &title = {});
    bool removeRoom(const QString &room);
    QList<CachedRoom> rooms();
    std::optional<CachedRoom> room(const QString &room);

    // Stores messages that arrived with no gap before them and moves the room's synced seq to
    // `syncedSeq`; one transaction. Older messages beyond the capacity are dropped.
    bool storeMessages(const QString &room, const QList<protocol::MessageEvent> &messages,
                       qint64 syncedSeq);
    qint64 syncedSeq(const QString &room);

    // Which copy of the server's history the cached messages came from: the `epoch` of the
    // server's `rooms` answer (0 until the server is restored from a backup).
    qint64 historyEpoch();
    // The server was restored: its seqs now name other messages. Drops every cached message,
    // sync point, last seq and read marker (the rooms stay) and records the new `epoch`.
    bool resetHistory(qint64 epoch);
    // The same for one room, whose `sync` was answered `conflict`.
    bool resetRoomHistory(const QString &room);
    bool setReadSeq(const QString &room, qint64 seq);

    // Ascending by seq: the newest `limit` messages, or those before `beforeSeq`.
    QList<protocol::MessageEvent> latest(const QString &room, int limit);
    QList<protocol::MessageEvent> before(const QString &room, qint64 beforeSeq, int limit);
    int messageCount(const QString &room);

signals:
    void roomsChanged();

private:
    QList<protocol::MessageEvent> select(QSqlQuery &query, const QString &room);

    SqliteDatabase m_db;
    int m_capacity = kDefaultCapacityPerRoom;
};

} // namespace conversa::core
