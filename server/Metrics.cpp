// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Metrics.h"

namespace conversa::server {

void Metrics::observeSendAck(double seconds)
{
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i])
            ++m_bucketCounts[i];
    }
    ++m_latencyCount;
    m_latencySum += seconds;
}

QByteArray Metrics::render() const
{
    QByteArray out;
    auto metric = [&out](const char *name, const char *type, const char *help, qint64 value) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' +
               name + ' ' + QByteArray::number(value) + '\n';
    };
    metric("conversa_connections_open", "gauge", "Open WebSocket connections.", connectionsOpen);
    metric("conversa_sessions_authenticated", "gauge", "Authenticated sessions.",
           sessionsAuthenticated);
    metric("conversa_messages_stored_total", "counter", "Messages committed to storage.",
           messagesStored);
    metric("conversa_messages_delivered_total", "counter", "Message events sent to sessions.",
           messagesDelivered);
    metric("conversa_frames_rejected_total", "counter", "Frames answered with an error.",
           framesRejected);
    metric("conversa_login_failures_total", "counter", "Failed sign-in attempts.", loginFailures);
    metric("conversa_logins_refused_total", "counter",
           "Sign-ins refused before checking the password (rate limits, busy hashing).",
           loginsRefused);
    metric("conversa_connections_overflowed_total", "counter",
           "Connections dropped for queuing more output than their cap (not reading).",
           connectionsOverflowed);
    metric("conversa_log_lines_suppressed_total", "counter",
           "Log lines about a client left out by the per-address log rate limit.",
           logLinesSuppressed);
    metric("conversa_accept_errors_total", "counter",
           "Failed accepts (for example no file descriptors left).", acceptErrors);
    if (redisUp >= 0)
        metric("conversa_redis_up", "gauge",
               "1 while Redis (typing, presence, shared send limits) is reachable, else 0.",
               redisUp);

    out += "# HELP conversa_send_ack_seconds Time from receiving a send to acknowledging it.\n"
           "# TYPE conversa_send_ack_seconds histogram\n";
    for (size_t i = 0; i < kBuckets.size(); ++i)
        out += "conversa_send_ack_seconds_bucket{le=\"" + QByteArray::number(kBuckets[i]) + "\"} " +
               QByteArray::number(m_bucketCounts[i]) + '\n';
    out += "conversa_send_ack_seconds_bucket{le=\"+Inf\"} " + QByteArray::number(m_latencyCount) +
           '\n';
    out += "conversa_send_ack_seconds_sum " + QByteArray::number(m_latencySum, 'g', 9) + '\n';
    out += "conversa_send_ack_seconds_count " + QByteArray::number(m_latencyCount) + '\n';
    return out;
}

} // namespace conversa::server
