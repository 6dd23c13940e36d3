// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Backoff.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>

namespace conversa::core {

Backoff::Backoff()
    : Backoff(Config{})
{}

Backoff::Backoff(Config config, RandomSource random, Clock clock)
    : m_config(config)
    , m_random(std::move(random))
    , m_clock(std::move(clock))
{
    if (!m_random)
        m_random = [] { return QRandomGenerator::global()->generateDouble(); };
    if (!m_clock)
        m_clock = [] { return QDateTime::currentMSecsSinceEpoch(); };
}

qint64 Backoff::currentCeilingMs() const
{
    // base * 2^attempts, without overflowing for large attempt counts.
    qint64 ceiling = m_config.baseMs;
    for (int i = 0; i < m_attempts && ceiling < m_config.capMs; ++i)
        ceiling *= 2;
    return std::min(ceiling, m_config.capMs);
}

qint64 Backoff::nextDelayMs()
{
    const qint64 ceiling = currentCeilingMs();
    const double r = std::clamp(m_random(), 0.0, 1.0);
    ++m_attempts;
    return std::min<qint64>(static_cast<qint64>(r * static_cast<double>(ceiling)), ceiling);
}

qint64 Backoff::jitterMs(qint64 spreadMs) const
{
    const double r = std::clamp(m_random(), 0.0, 1.0);
    return std::clamp<qint64>(static_cast<qint64>(r * static_cast<double>(spreadMs)), 0,
                              std::max<qint64>(0, spreadMs - 1));
}

void Backoff::sessionEstablished()
{
    m_establishedAt = m_clock();
}

void Backoff::sessionLost()
{
    if (m_establishedAt >= 0 && m_clock() - m_establishedAt >= m_config.stableAfterMs)
        m_attempts = 0;
    m_establishedAt = -1;
}

void Backoff::reset()
{
    m_attempts = 0;
    m_establishedAt = -1;
}

} // namespace conversa::core
