// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Frames.h"
#include "storage/StorageWriter.h"

#include <QJsonObject>

#include <functional>

namespace conversa::server {

class ServerContext;
struct Room;
struct Session;

// What every request handler does alike: answer the requester, write and answer after the
// commit, find the room a request names.
class Handler
{
public:
    explicit Handler(ServerContext &context)
        : m_context(context)
    {}

protected:
    void reply(Session &session, const QByteArray &frame);
    void replyError(Session &session, const protocol::RequestId &re, protocol::ErrorCode code,
                    const QString &message);
    // Writes `job`; once committed, `onCommitted` updates in-memory state and returns the `ok`
    // payload for the requester; a failed write is answered with its error.
    void submitAndReply(Session &session, const protocol::RequestId &re, WriteJob job,
                        std::function<QJsonObject(const WriteResult &)> onCommitted);
    // The room the request names, if it exists and (when `mustBeMember`) the caller is in it;
    // otherwise replies with not_found or forbidden and returns nullptr.
    Room *roomFor(Session &session, const protocol::RequestId &re, const QString &name,
                  bool mustBeMember);

    ServerContext &m_context;
};

} // namespace conversa::server
