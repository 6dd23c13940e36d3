// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ServerContext.h"

#include "Log.h"
#include "redis/SharedState.h"

namespace conversa::server {

ServerContext::ServerContext(ServerConfig serverConfig)
    : config(std::move(serverConfig))
{
    m_clock.start();
}

bool ServerContext::isUserOnline(qint64 userId, const QString &userName) const
{
    return sessions.isOnline(userId) || (sharedState && sharedState->isOnlineElsewhere(userName));
}

void ServerContext::logClient(const QString &address, const QString &line)
{
    const int perMinute = config.logLinesPerMinutePerAddress;
    if (!m_logBuckets[address].take(now(), perMinute / 60.0, perMinute)) {
        ++metrics.logLinesSuppressed;
        return;
    }
    qCInfo(lcServer).noquote() << line;
}

void ServerContext::pruneLogBudgets(qint64 nowMs)
{
    // Full buckets hold no state worth keeping.
    const int burst = config.logLinesPerMinutePerAddress;
    m_logBuckets.removeIf([&](auto it) { return it.value().isFull(nowMs, burst / 60.0, burst); });
}

} // namespace conversa::server
