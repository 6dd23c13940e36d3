// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QTimer>

namespace conversa::server {

class ServerContext;

// Cluster mode (storage=postgresql): what other instances did reaches this one. A dedicated
// QPSQL connection LISTENs to the channels the writers NOTIFY when they commit:
// - conversa_entries "roomId:lastSeq,...": RoomFeed reads and delivers what is new;
// - conversa_rooms: rooms made, joined or left: the room directory is read again;
// - conversa_admin: revocations, disabled users, admin commands: adminChanged().
// Notifications can be lost (the listening connection dropped, PostgreSQL restarted), so every
// few seconds, and whenever the connection comes back, RoomFeed checks every room with a live
// member here and the directory is read again. Nothing is lost, and RoomFeed's counters keep
// anything from being delivered twice.
class ClusterListener : public QObject
{
    Q_OBJECT
public:
    static constexpr int kCheckIntervalMs = 3000;
    static constexpr int kEntriesDelayMs = 20;

    ClusterListener(ServerContext &context, QObject *parent = nullptr);
    ~ClusterListener() override;

    // Connects and listens; an error in words when the first connection fails (later losses
    // are retried).
    QString start();
    void stop();
    bool isListening() const { return m_listening; }

signals:
    void adminChanged();

private:
    bool connectAndListen(QString *error);
    void dropConnection();
    void onNotification(const QString &channel, QSqlDriver::NotificationSource source,
                        const QVariant &payload);
    void deliverPendingEntries();
    void check();
    void reloadRooms();
    void catchUpEverything();

    ServerContext &m_context;
    QString m_connectionName;
    QSqlDatabase m_db;
    bool m_listening = false;
    QTimer m_checkTimer;
    QTimer m_entriesTimer;
    QHash<qint64, qint64> m_pendingEntries; // room -> newest seq notified
    bool m_adminPending = false;
};

} // namespace conversa::server
