// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

#include <functional>

namespace conversa::core {

// Reconnect delays: exponential from `base` doubling up to `cap`, with full jitter (each delay
// is drawn uniformly from [0, ceiling]). The attempt counter goes back to zero only once a
// session was really accepted by the server (auth ok) AND stayed up for `stableAfter`: a server
// that accepts and then drops us at once keeps backing off.
class Backoff
{
public:
    // Returns a number in [0, 1).
    using RandomSource = std::function<double()>;
    // Returns milliseconds on a clock that keeps counting while the machine sleeps.
    using Clock = std::function<qint64()>;

    struct Config {
        qint64 baseMs = 500;
        qint64 capMs = 30'000;
        qint64 stableAfterMs = 60'000;
    };

    Backoff();
    explicit Backoff(Config config, RandomSource random = {}, Clock clock = {});

    // The delay before the next attempt; counts one more attempt.
    qint64 nextDelayMs();
    // A delay in [0, spreadMs) that counts no attempt: for a server that closed a signed-in
    // session because it is going away (1001), where another instance can take the client at
    // once; the spread keeps a draining instance's clients from arriving all together.
    qint64 jitterMs(qint64 spreadMs) const;
    // The upper bound of the delay that nextDelayMs() would draw now.
    qint64 currentCeilingMs() const;
    int attempts() const { return m_attempts; }

    // The server accepted the session (auth ok): the stability clock starts.
    void sessionEstablished();
    // The link went down. Resets the attempts when the session had been stable long enough.
    void sessionLost();
    // Forget all attempts (a deliberate sign-in, for example).
    void reset();

    const Config &config() const { return m_config; }

private:
    Config m_config;
    RandomSource m_random;
    Clock m_clock;
    int m_attempts = 0;
    qint64 m_establishedAt = -1;
};

} // namespace conversa::core
