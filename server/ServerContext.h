// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "FanOut.h"
#include "Metrics.h"
#include "RateLimiter.h"
#include "RoomDirectory.h"
#include "ServerConfig.h"
#include "cluster/RoomFeed.h"
#include "sessions/SessionRegistry.h"
#include "storage/Store.h"

#include <QElapsedTimer>
#include <QHash>
#include <QString>

class QObject;

namespace conversa::server {

class StorageWriter;
namespace redis {
class SharedState;
}

// What the parts of a running server share: settings, storage, sessions, rooms, counters and the
// clock. ChatServer owns one; handler tests build their own around a temporary data folder.
class ServerContext
{
public:
    explicit ServerContext(ServerConfig serverConfig);
    ServerContext(const ServerContext &) = delete;
    ServerContext &operator=(const ServerContext &) = delete;

    ServerConfig config;
    QString instanceName;
    Metrics metrics;
    Store store;
    // Set once storage is open; writes come back to `eventContext`'s thread after their commit.
    StorageWriter *writer = nullptr;
    QObject *eventContext = nullptr;
    SessionSink *sink = nullptr;
    SessionRegistry sessions{*this};
    RoomDirectory rooms;
    FanOut fanOut{*this};
    RoomFeed roomFeed{*this};
    // Typing, presence and send limits shared with other instances; null without `redis_url`.
    redis::SharedState *sharedState = nullptr;
    bool shuttingDown = false;

    // True when this instance, or (through Redis) another one, holds a session for the user.
    bool isUserOnline(qint64 userId, const QString &userName) const;

    // Monotonic milliseconds since the server started.
    qint64 now() const { return m_clock.elapsed(); }
    // Client-triggered log lines are rate-limited per address so one client cannot fill the disk.
    void logClient(const QString &address, const QString &line);
    // Forgets addresses whose log budget is full again.
    void pruneLogBudgets(qint64 nowMs);

private:
    QElapsedTimer m_clock;
    QHash<QString, TokenBucket> m_logBuckets;
};

} // namespace conversa::server
