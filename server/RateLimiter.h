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
    // True when the bucket would be full now: it remembers nothing worth keeping.
    bool isFull(qint64 nowMs, double rate, int burst) const;

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
    // Takes back the newest recorded event of `key` (an attempt that turned out to succeed).
    void forgetLatest(const QString &key);
    int count(const QString &key, qint64 nowMs);
    // Milliseconds until the oldest counted failure leaves the window.
    qint64 retryAfterMs(const QString &key, qint64 nowMs) const;
    // Drops keys whose failures are all older than the window; call now and then.
    void prune(qint64 nowMs);

private:
    qint64 m_windowMs;
    QHash<QString, QList<qint64>> m_failures;
};

// Locks an account after a burst of failed sign-ins, for longer each time the bursts come back:
// one minute, then two, four, ... up to an hour. A lock is forgotten after a quiet day.
class AccountLockout
{
public:
    // Call when the account's failures in the window reach the limit.
    void strike(const QString &account, qint64 nowMs);
    // Milliseconds the account stays locked, 0 when it is not.
    qint64 lockedForMs(const QString &account, qint64 nowMs) const;
    void prune(qint64 nowMs);

    static constexpr qint64 kFirstLockMs = 60'000;
    static constexpr qint64 kLongestLockMs = 3'600'000;
    static constexpr qint64 kForgetAfterMs = 24 * 3'600'000LL;

private:
    struct Lock {
        int strikes = 0;
        qint64 untilMs = 0;
    };
    QHash<QString, Lock> m_locks;
};

} // namespace conversa::server
