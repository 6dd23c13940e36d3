// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "handlers/Handler.h"
#include "handlers/MessageHandler.h"
#include "handlers/PresenceHandler.h"
#include "handlers/RoomHandler.h"
#include "handlers/SearchHandler.h"
#include "handlers/SignInHandler.h"
#include "handlers/SocialHandler.h"

#include <QString>

namespace conversa::server {

// Decodes a client's text frame and hands the request to the handler of its area. Malformed
// frames are answered with their error; ten in a row close the connection. Nothing but `login`
// and `auth` is served before sign-in.
class RequestRouter : public Handler
{
public:
    explicit RequestRouter(ServerContext &context);

    void handleText(Session &session, const QString &text);

    SignInHandler &signIn() { return m_signIn; }
    PresenceHandler &presence() { return m_presence; }

private:
    template <typename R> void dispatch(Session &session, const R &request);

    PresenceHandler m_presence;
    SignInHandler m_signIn;
    RoomHandler m_rooms;
    MessageHandler m_messages;
    SearchHandler m_search;
    SocialHandler m_social;
};

} // namespace conversa::server
