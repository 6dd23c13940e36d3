// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Transport.h"

#include <Frames.h>

#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointer>

namespace conversa::core {

class MessageCache;

// The room log entries this client applies: "edit", "delete" and "reaction".
bool isKnownLogEntry(const QString &kind);

// Each room's log as far as this client has it: the seq up to which everything was delivered,
// messages that arrived beyond a gap, and the sync requests that fill the gaps. Whatever comes
// in (live events, sync pages, the answers to our own sends) leaves as one stream per room, in
// seq order, each message exactly once.
class RoomSync : public QObject
{
    Q_OBJECT
public:
    using Sender = std::function<void(const protocol::Request &, ReplyHandler)>;

    explicit RoomSync(Sender send, QObject *parent = nullptr);

    void setCache(MessageCache *cache) { m_cache = cache; }
    // How many recent messages of a room never synced before are fetched (at most).
    void setInitialBacklog(int messages) { m_initialBacklog = qMax(0, messages); }
    // Sync requests go out only while online; going offline forgets the requests on their way.
    void setOnline(bool online);

    // The server's room list (and its history epoch): forgets the rooms no longer listed, starts
    // the new ones from the cache, and resets everything when the server's history changed.
    void applyRooms(const QList<protocol::RoomSummary> &rooms, qint64 epoch);
    void syncRoom(const QString &room);
    void ingest(const QString &room, const QList<protocol::MessageEvent> &messages);
    // Forgets what is known of a room's log (of every room's for an empty name).
    void resetHistory(const QString &room, qint64 epoch);

    bool isSyncing() const;
    // Everything up to this seq of `room` was delivered (0 when unknown).
    qint64 deliveredSeq(const QString &room) const;
    // Messages held beyond a gap.
    int bufferedCount(const QString &room) const;
    qint64 historyEpoch() const { return m_historyEpoch; }

signals:
    void messageReceived(const conversa::protocol::MessageEvent &message);
    // An edit, deletion or reaction, in seq order with the messages.
    void logEntryReceived(const conversa::protocol::MessageEvent &entry);
    void historyReset(const QString &room);
    // A message of a room not in the list came: the list needs refreshing.
    void unknownRoom(const QString &room);
    // The server's history of `room` is not what we hold: the list needs refreshing.
    void roomRestarted(const QString &room);
    // A sync ended (with or without messages); the session may be caught up now.
    void syncFinished(const QString &room);
    // A sync answer could not be read.
    void unreadableAnswer(const QString &room);

private:
    struct Room {
        bool initialized = false;
        qint64 contiguous = 0; // everything up to here was delivered
        QMap<qint64, protocol::MessageEvent> buffered;
        bool syncing = false;
    };

    void initializeRoom(const protocol::RoomSummary &summary);
    void onSyncAnswer(const QString &name, const RequestResult &result);

    Sender m_send;
    QPointer<MessageCache> m_cache;
    int m_initialBacklog = 1000;
    qint64 m_historyEpoch = -1; // the server's, once known (the cache keeps it across runs)
    bool m_online = false;
    quint64 m_generation = 0; // answers from an earlier session are ignored
    QHash<QString, Room> m_rooms;
};

} // namespace conversa::core
