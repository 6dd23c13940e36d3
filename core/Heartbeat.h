// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QTimer>

#include <functional>

namespace conversa::core {

// Keeps a link honest: asks for a ping every `intervalMs`, declares the link dead when no pong
// came within `pongTimeoutMs`, and at once when a tick fires far too late (more than
// `lateToleranceMs` after it was due): the machine slept and the link is almost surely gone.
class Heartbeat : public QObject
{
    Q_OBJECT
public:
    // Milliseconds on a clock that keeps counting while the machine sleeps.
    using Clock = std::function<qint64()>;

    explicit Heartbeat(QObject *parent = nullptr);

    void setClock(Clock clock);
    void start(int intervalMs, int pongTimeoutMs, int lateToleranceMs);
    void stop();
    bool isRunning() const { return m_pingTimer.isActive(); }
    // The answer to the last ping came.
    void pongReceived();

signals:
    void pingDue();
    void pongMissing();
    void slept(qint64 lateMs);

private:
    void onTick();

    Clock m_clock;
    QTimer m_pingTimer;
    QTimer m_pongTimer;
    int m_intervalMs = 0;
    int m_lateToleranceMs = 0;
    qint64 m_lastTickMs = 0;
};

} // namespace conversa::core
