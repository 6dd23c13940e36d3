// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

namespace conversa::server {

// How a draining instance (SIGTERM) spreads the closing of its sessions: the first half of
// drain_seconds closes them in even steps, so their clients reconnect to the other instances
// over a few seconds instead of all in one burst; the second half leaves time for the last
// close handshakes before whatever is left is cut off. A few sessions close at once: below the
// floor rate there is no burst to spread.
struct DrainPlan {
    static constexpr int kTickMs = 100;
    static constexpr int kMinClosesPerTick = 5;

    qint64 deadlineMs = 0; // cut off whatever is still open at this time
    int closesPerTick = 0;

    static DrainPlan make(qint64 nowMs, qsizetype sessions, int drainSeconds)
    {
        const qint64 drainMs = qint64(drainSeconds) * 1000;
        const qint64 ticks = qMax<qint64>(1, drainMs / 2 / kTickMs);
        const qint64 perTick = (qint64(sessions) + ticks - 1) / ticks;
        DrainPlan plan;
        plan.deadlineMs = nowMs + drainMs;
        plan.closesPerTick = drainSeconds == 0 ? int(qMax<qsizetype>(1, sessions))
                                               : int(qMax<qint64>(kMinClosesPerTick, perTick));
        return plan;
    }
};

} // namespace conversa::server
