// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RateLimiter.h"
#include "handlers/Handler.h"

#include <QHash>

namespace conversa::server {

// `search`: the caller's rooms (or one of them) for messages with every word of the query,
// newest first, each in its current state. A search reads on the serving thread, so each user
// has a budget of them (kSearchesPerSecond, kSearchBurst) on this instance.
class SearchHandler : public Handler
{
public:
    using Handler::Handler;

    static constexpr double kSearchesPerSecond = 2.0;
    static constexpr int kSearchBurst = 10;

    void handle(Session &session, const protocol::SearchRequest &request);

private:
    bool takeToken(Session &session, const protocol::RequestId &re);

    QHash<qint64, TokenBucket> m_buckets;
};

} // namespace conversa::server
