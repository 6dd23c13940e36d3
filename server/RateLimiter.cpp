// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RateLimiter.h"

#include <algorithm>
#include <cmath>

namespace conversa::server {

bool TokenBucket::take(qint64 nowMs, double rate, int burst)
{
    if (m_tokens < 0) {
        m_tokens = burst;
        m_lastMs = nowMs;
    }
    m_tokens = std::min<double>(burst, m_tokens + (nowMs - m_lastMs) * rate / 1000.0);
    m_lastMs = nowMs;
    if (m_tokens < 1.0)
        return false;
    m_tokens -= 1.0;
    return true;
}

qint64 TokenBucket::waitMs(double rate) const
{
    return static_cast<qint64>(std::ceil(std::max(0.0, 1.0 - m_tokens) * 1000.0 / rate));
}

bool TokenBucket::isFull(qint64 nowMs, double rate, int burst) const
{
    return m_tokens < 0 || m_tokens + (nowMs - m_lastMs) * rate / 1000.0 >= burst;
}

void FailureWindow::record(const QString &key, qint64 nowMs)
{
    m_failures[key].append(nowMs);
}

void FailureWindow::forgetLatest(const QString &key)
{
    auto it = m_failures.find(key);
    if (it == m_failures.end())
        return;
    if (!it.value().isEmpty())
        it.value().removeLast();
    if (it.value().isEmpty())
        m_failures.erase(it);
}

int FailureWindow::count(const QString &key, qint64 nowMs)
{
    auto it = m_failures.find(key);
    if (it == m_failures.end())
        return 0;
    QList<qint64> &times = it.value();
    times.removeIf([&](qint64 t) { return nowMs - t >= m_windowMs; });
    if (times.isEmpty()) {
        m_failures.erase(it);
        return 0;
    }
    return static_cast<int>(times.size());
}

qint64 FailureWindow::retryAfterMs(const QString &key, qint64 nowMs) const
{
    const QList<qint64> times = m_failures.value(key);
    if (times.isEmpty())
        return 0;
    return std::max<qint64>(0, times.first() + m_windowMs - nowMs);
}

void FailureWindow::prune(qint64 nowMs)
{
    for (auto it = m_failures.begin(); it != m_failures.end();) {
        if (it.value().isEmpty() || nowMs - it.value().last() >= m_windowMs)
            it = m_failures.erase(it);
        else
            ++it;
    }
}

void AccountLockout::strike(const QString &account, qint64 nowMs)
{
    Lock &lock = m_locks[account];
    if (lock.untilMs > nowMs)
        return; // already locked: the attempts that ran into the lock do not lengthen it
    if (lock.strikes > 0 && nowMs - lock.untilMs > kForgetAfterMs)
        lock.strikes = 0;
    const qint64 length = std::min(kLongestLockMs, kFirstLockMs << std::min(lock.strikes, 10));
    ++lock.strikes;
    lock.untilMs = nowMs + length;
}

qint64 AccountLockout::lockedForMs(const QString &account, qint64 nowMs) const
{
    const auto it = m_locks.constFind(account);
    if (it == m_locks.cend())
        return 0;
    return std::max<qint64>(0, it->untilMs - nowMs);
}

void AccountLockout::prune(qint64 nowMs)
{
    m_locks.removeIf([nowMs](auto it) { return nowMs - it.value().untilMs > kForgetAfterMs; });
}

} // namespace conversa::server
