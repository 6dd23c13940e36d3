// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QList>
#include <QString>

namespace conversa::server {

// Token bucket: `rate` tokens a second, at most `burst` saved up. Times are monotonic ms.
class TokenBucket
{
public:
    // Takes one token if there is one; otherwise returns false and leaves the bucket alone.
    bool take(qint64 nowMs, double rate, int burst);
    // Milliseconds until the next token, for "try again in ..." messages.
    qint64 waitMs(double rate) const;

private:
    double m_tokens = -1; // -1: not used yet, starts full
    qint64 m_lastMs = 0;
};

// Counts events per key in a sliding one-minute window (failed logins by account or address).
class FailureWindow
{
public:
    explicit FailureWindow(qint64 windowMs = 60'000)
        : m_windowMs(windowMs)
    {}
    void record(const QString &key, qint64 nowMs);
    int count(const QString &key, qint64 nowMs);
    // Milliseconds until the oldest counted failure leaves the window.
    qint64 retryAfterMs(const QString &key, qint64 nowMs) const;
    // Drops keys whose failures are all older than the window; call now and then.
    void prune(qint64 nowMs);

private:
    qint64 m_windowMs;
    QHash<QString, QList<qint64>> m_failures;
};

} // namespace conversa::server
