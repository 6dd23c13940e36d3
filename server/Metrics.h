// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>

#include <array>

namespace conversa::server {

// Counters the serving thread updates; rendered in Prometheus text format for /metrics.
class Metrics
{
public:
    qint64 connectionsOpen = 0;
    qint64 sessionsAuthenticated = 0;
    qint64 messagesStored = 0;
    qint64 messagesDelivered = 0;
    qint64 framesRejected = 0;
    qint64 loginFailures = 0;
    qint64 loginsRefused = 0;
    qint64 connectionsOverflowed = 0;
    qint64 logLinesSuppressed = 0;
    qint64 acceptErrors = 0;
    // 1 while Redis is reachable, 0 while not, -1 without `redis_url` (not rendered then).
    qint64 redisUp = -1;

    void observeSendAck(double seconds);
    QByteArray render() const;

private:
    static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
    std::array<qint64, kBuckets.size()> m_bucketCounts{};
    qint64 m_latencyCount = 0;
    double m_latencySum = 0;
};

} // namespace conversa::server
