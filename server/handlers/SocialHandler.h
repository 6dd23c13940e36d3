// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RateLimiter.h"
#include "handlers/Handler.h"

#include <QHash>

#include <optional>

namespace conversa::server {

struct UserRecord;

// Who is in which room beyond join and leave: direct messages (`dm`), `invite`, the public room
// `directory`, and a room owner's `rename` and `remove`. Whoever is added to a room, or sees it
// renamed, is told with a `room` event on each of their sessions; whoever is removed, with a
// `removed` event.
class SocialHandler : public Handler
{
public:
    using Handler::Handler;

    void handle(Session &session, const protocol::DmRequest &request);
    void handle(Session &session, const protocol::InviteRequest &request);
    void handle(Session &session, const protocol::DirectoryRequest &request);
    void handle(Session &session, const protocol::RenameRequest &request);
    void handle(Session &session, const protocol::RemoveRequest &request);

private:
    // An active user by name; otherwise replies (not_found, or internal when storage failed).
    std::optional<UserRecord> existingUser(Session &session, const protocol::RequestId &re,
                                           const QString &name);
    // Whether `userId` may be in one more room; otherwise replies forbidden.
    bool hasRoomToSpare(Session &session, const protocol::RequestId &re, qint64 userId,
                        const QString &userName);
    // Owner-only requests: the room (not a dm) when the caller owns it, else replies.
    Room *ownedRoom(Session &session, const protocol::RequestId &re, const QString &name,
                    const QString &what);
    // Adding people to rooms (a new dm, an invite) takes a token of the caller's hourly budget
    // (kAddsPerHour); otherwise replies rate_limited.
    bool takeAddToken(Session &session, const protocol::RequestId &re);

    QHash<qint64, TokenBucket> m_addBuckets;
};

} // namespace conversa::server
