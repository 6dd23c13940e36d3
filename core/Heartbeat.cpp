// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Heartbeat.h"

#include <QDateTime>

namespace conversa::core {

Heartbeat::Heartbeat(QObject *parent)
    : QObject(parent)
{
    // Wall-clock time keeps counting while the machine sleeps, which is what late-timer
    // detection needs (the monotonic clock stops on Linux during suspend).
    m_clock = [] { return QDateTime::currentMSecsSinceEpoch(); };
    // The heartbeat decides when a link is dead: coarse timers could add up to 5 % to it.
    m_pingTimer.setTimerType(Qt::PreciseTimer);
    m_pongTimer.setTimerType(Qt::PreciseTimer);
    m_pongTimer.setSingleShot(true);
    connect(&m_pingTimer, &QTimer::timeout, this, &Heartbeat::onTick);
    connect(&m_pongTimer, &QTimer::timeout, this, [this] {
        stop();
        emit pongMissing();
    });
}

void Heartbeat::setClock(Clock clock)
{
    if (clock)
        m_clock = std::move(clock);
}

void Heartbeat::start(int intervalMs, int pongTimeoutMs, int lateToleranceMs)
{
    m_intervalMs = intervalMs;
    m_lateToleranceMs = lateToleranceMs;
    m_pongTimer.setInterval(pongTimeoutMs);
    m_pongTimer.stop();
    m_lastTickMs = m_clock();
    m_pingTimer.start(intervalMs);
}

void Heartbeat::stop()
{
    m_pingTimer.stop();
    m_pongTimer.stop();
}

void Heartbeat::pongReceived()
{
    m_pongTimer.stop();
}

void Heartbeat::onTick()
{
    const qint64 now = m_clock();
    const qint64 late = now - m_lastTickMs - m_intervalMs;
    m_lastTickMs = now;
    if (late > m_lateToleranceMs) {
        stop();
        emit slept(late);
        return;
    }
    if (!m_pongTimer.isActive()) {
        emit pingDue();
        m_pongTimer.start();
    }
}

} // namespace conversa::core
