// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "handlers/SearchHandler.h"

#include "Codec.h"
#include "ServerContext.h"
#include "Validation.h"

#include <QJsonArray>

namespace conversa::server {

using namespace Qt::StringLiterals;
using protocol::ErrorCode;

namespace {
// Buckets of users who have not searched for a while are full and forgotten past this many.
constexpr qsizetype kBucketsBeforePruning = 1024;
} // namespace

bool SearchHandler::takeToken(Session &session, const protocol::RequestId &re)
{
    const qint64 now = m_context.now();
    if (m_buckets.size() > kBucketsBeforePruning)
        m_buckets.removeIf(
            [&](auto it) { return it.value().isFull(now, kSearchesPerSecond, kSearchBurst); });
    TokenBucket &bucket = m_buckets[session.userId];
    if (bucket.take(now, kSearchesPerSecond, kSearchBurst))
        return true;
    replyError(session, re, ErrorCode::RateLimited,
               u"searching too often; try again in %1 ms"_s.arg(bucket.waitMs(kSearchesPerSecond)));
    return false;
}

void SearchHandler::handle(Session &session, const protocol::SearchRequest &request)
{
    SearchScope scope;
    scope.words = protocol::searchWords(request.query);
    scope.before = request.before;
    scope.limit = request.limit;
    if (!request.room.isEmpty()) {
        const Room *room = roomFor(session, request.id, request.room, true);
        if (!room)
            return;
        scope.roomId = room->id;
    }
    if (!takeToken(session, request.id))
        return;
    QString error;
    const QList<protocol::MessageEvent> results =
        m_context.store.search(session.userId, scope, &error);
    if (!error.isEmpty()) {
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not search the messages; try again later"_s);
        return;
    }
    QJsonArray array;
    for (const protocol::MessageEvent &message : results)
        array.append(protocol::messageToJson(message));
    QJsonObject payload{{"results"_L1, array}};
    if (!request.room.isEmpty())
        payload.insert("room"_L1, request.room);
    reply(session, protocol::encodeOk(request.id, payload));
}

} // namespace conversa::server
