// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RateLimiter.h"
#include "handlers/Handler.h"

#include <QElapsedTimer>
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
    void handle(Session &session, const protocol::EditRequest &request);
    void handle(Session &session, const protocol::DeleteRequest &request);
    void handle(Session &session, const protocol::ReactRequest &request);

private:
    // The budget of this instance alone: without Redis, or while it does not answer.
    void sendWithLocalBudget(Session &session, const Room &room,
                             const protocol::SendRequest &request, const QElapsedTimer &received);
    // Stores the message, then acknowledges it and fans it out.
    void store(Session &session, const Room &room, const protocol::SendRequest &request,
               const QElapsedTimer &received);

    // Edits and deletions: log entries like messages, from the same budget (this instance's).
    void change(Session &session, const protocol::RequestId &re, const QString &roomName,
                write::ChangeMessage job);
    // Stores a log entry about another (edit, delete, reaction), then answers and fans it out.
    void storeEntry(Session &session, const protocol::RequestId &re, const Room &room,
                    WriteJob job, protocol::MessageEvent event);
    bool takeToken(Session &session, const protocol::RequestId &re);

    QHash<qint64, TokenBucket> m_sendBuckets;
};

} // namespace conversa::server
