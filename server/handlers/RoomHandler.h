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
    // The name is free and the user may be in one more room; otherwise replies and says no.
    bool mayCreate(Session &session, const protocol::CreateRequest &request);
    // The hourly budget of this instance alone: without Redis, or while it does not answer.
    void createWithLocalBudget(Session &session, const protocol::CreateRequest &request);
    void refuseCreation(Session &session, const protocol::RequestId &re, qint64 waitMs);
    void create(Session &session, const protocol::CreateRequest &request);

    QHash<qint64, TokenBucket> m_roomCreationBuckets;
};

} // namespace conversa::server
