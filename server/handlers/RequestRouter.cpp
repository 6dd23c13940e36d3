// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "handlers/RequestRouter.h"

#include "Codec.h"
#include "ServerContext.h"

namespace conversa::server {

using namespace Qt::StringLiterals;
using protocol::ErrorCode;
namespace CloseCode = protocol::CloseCode;

namespace {
constexpr int kMalformedFramesBeforeClose = 10;
} // namespace

RequestRouter::RequestRouter(ServerContext &context)
    : Handler(context)
    , m_presence(context)
    , m_signIn(context, m_presence)
    , m_rooms(context)
    , m_messages(context)
    , m_search(context)
    , m_social(context)
{}

void RequestRouter::handleText(Session &session, const QString &text)
{
    auto decoded = protocol::decodeRequest(text.toUtf8(), m_context.config.limits);
    if (auto *error = std::get_if<protocol::DecodeError>(&decoded)) {
        replyError(session, error->id, error->code, error->message);
        if (++session.malformedInRow >= kMalformedFramesBeforeClose)
            m_context.sink->close(session, CloseCode::PolicyViolation,
                                  u"too many malformed frames"_s);
        return;
    }
    session.malformedInRow = 0;
    auto &request = std::get<protocol::Request>(decoded);
    const bool signInRequest = std::holds_alternative<protocol::LoginRequest>(request) ||
                               std::holds_alternative<protocol::AuthRequest>(request);
    if (!session.authenticated() && !signInRequest) {
        replyError(session, protocol::requestId(request), ErrorCode::Unauthorized,
                   u"sign in first with 'login' or 'auth'"_s);
        return;
    }
    std::visit([this, &session](const auto &r) { dispatch(session, r); }, request);
}

template <typename R> void RequestRouter::dispatch(Session &session, const R &request)
{
    using namespace protocol;
    if constexpr (std::is_same_v<R, LoginRequest> || std::is_same_v<R, AuthRequest> ||
                  std::is_same_v<R, LogoutRequest>)
        m_signIn.handle(session, request);
    else if constexpr (std::is_same_v<R, RoomsRequest> || std::is_same_v<R, CreateRequest> ||
                       std::is_same_v<R, JoinRequest> || std::is_same_v<R, LeaveRequest> ||
                       std::is_same_v<R, MembersRequest>)
        m_rooms.handle(session, request);
    else if constexpr (std::is_same_v<R, SendRequest> || std::is_same_v<R, HistoryRequest> ||
                       std::is_same_v<R, SyncRequest> || std::is_same_v<R, ReadRequest> ||
                       std::is_same_v<R, EditRequest> || std::is_same_v<R, DeleteRequest> ||
                       std::is_same_v<R, ReactRequest>)
        m_messages.handle(session, request);
    else if constexpr (std::is_same_v<R, SearchRequest>)
        m_search.handle(session, request);
    else if constexpr (std::is_same_v<R, DmRequest> || std::is_same_v<R, InviteRequest> ||
                       std::is_same_v<R, DirectoryRequest> || std::is_same_v<R, RenameRequest> ||
                       std::is_same_v<R, RemoveRequest>)
        m_social.handle(session, request);
    else
        m_presence.handle(session, request);
}

} // namespace conversa::server
