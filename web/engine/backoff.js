// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Reconnect delays, the same rule as core's Backoff: exponential from `baseMs` doubling up to
// `capMs`, full jitter (each delay drawn uniformly from [0, ceiling]). The attempt count goes
// back to zero only once a session was accepted (auth ok) and stayed up for `stableAfterMs`, so
// a server that accepts and drops the page at once keeps it backing off.

export class Backoff {
    constructor({ baseMs = 500, capMs = 30000, stableAfterMs = 60000,
                  random = Math.random, clock = Date.now } = {}) {
        this.baseMs = baseMs;
        this.capMs = capMs;
        this.stableAfterMs = stableAfterMs;
        this.random = random;
        this.clock = clock;
        this.attempts = 0;
        this.establishedAt = -1;
    }

    // The upper bound of the delay nextDelayMs() would draw now.
    currentCeilingMs() {
        let ceiling = this.baseMs;
        for (let i = 0; i < this.attempts && ceiling < this.capMs; ++i)
            ceiling *= 2;
        return Math.min(ceiling, this.capMs);
    }

    // The delay before the next attempt; counts one more attempt.
    nextDelayMs() {
        const ceiling = this.currentCeilingMs();
        const r = Math.min(Math.max(this.random(), 0), 1);
        ++this.attempts;
        return Math.min(Math.floor(r * ceiling), ceiling);
    }

    // A delay in [0, spreadMs) that counts no attempt: after a 1001 (server going away) another
    // instance can take the page at once; the spread keeps its clients from arriving together.
    jitterMs(spreadMs) {
        const r = Math.min(Math.max(this.random(), 0), 1);
        return Math.max(0, Math.min(Math.floor(r * spreadMs), spreadMs - 1));
    }

    sessionEstablished() { this.establishedAt = this.clock(); }

    sessionLost() {
        if (this.establishedAt >= 0 && this.clock() - this.establishedAt >= this.stableAfterMs)
            this.attempts = 0;
        this.establishedAt = -1;
    }

    reset() {
        this.attempts = 0;
        this.establishedAt = -1;
    }
}
