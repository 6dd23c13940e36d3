// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RateLimiter.h"
#include "handlers/Handler.h"

#include <QHash>

namespace conversa::server {

// Rooms and membership: `rooms`, `create`, `join`, `leave` and `members`.
class RoomHandler : public Handler
{
public:
    using Handler::Handler;

    void handle(Session &session, const protocol::RoomsRequest &request);
    void handle(Session &session, const protocol::CreateRequest &request);
    void handle(Session &session, const protocol::JoinRequest &request);
    void handle(Session &session, const protocol::LeaveRequest &request);
    void handle(Session &session, const protocol::MembersRequest &request);

private:
    QHash<qint64, TokenBucket> m_roomCreationBuckets;
};

} // namespace conversa::server
