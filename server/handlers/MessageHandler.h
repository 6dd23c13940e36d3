// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RateLimiter.h"
#include "handlers/Handler.h"

#include <QHash>

namespace conversa::server {

// Messages: `send` (stored, acknowledged after the commit, then fanned out), `history`, `sync`
// and `read`.
class MessageHandler : public Handler
{
public:
    using Handler::Handler;

    void handle(Session &session, const protocol::SendRequest &request);
    void handle(Session &session, const protocol::HistoryRequest &request);
    void handle(Session &session, const protocol::SyncRequest &request);
    void handle(Session &session, const protocol::ReadRequest &request);

private:
    QHash<qint64, TokenBucket> m_sendBuckets;
};

} // namespace conversa::server
