// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RateLimiter.h"
#include "handlers/Handler.h"
#include "storage/Store.h"

#include <QThreadPool>

#include <optional>

namespace conversa::server {

class PresenceHandler;

// `login`, `auth` and `logout`: passwords checked on a small pool off the serving thread, failed
// sign-ins limited per account and address, device tokens created and revoked.
class SignInHandler : public Handler
{
public:
    SignInHandler(ServerContext &context, PresenceHandler &presence);
    ~SignInHandler();

    void handle(Session &session, const protocol::LoginRequest &request);
    void handle(Session &session, const protocol::AuthRequest &request);
    void handle(Session &session, const protocol::LogoutRequest &request);

    // What `login` and `auth` answer besides the token: user, instance and limits.
    QJsonObject signedInAnswer(const QString &userName) const;
    // Blocks until every password check has finished (and queued its answer).
    void waitForPasswordChecks() { m_hashPool.waitForDone(); }
    void prune(qint64 nowMs);

private:
    // The limits on failed sign-ins of this instance alone: without Redis, or when it does not
    // answer.
    void checkLocallyAndStart(Session &session, const protocol::LoginRequest &request);
    void refuseForFailures(Session &session, const protocol::RequestId &re, qint64 waitMs);
    // Hashes the password on the pool. `sharedAttempt`: the attempt's id in Redis, or empty when
    // it was counted here.
    void startPasswordCheck(Session &session, const protocol::LoginRequest &request,
                            const QByteArray &sharedAttempt);
    void finishLogin(quint64 sessionId, const protocol::RequestId &re, const QString &requestedUser,
                     const std::optional<UserRecord> &user, bool passwordOk, QString device,
                     const QByteArray &sharedAttempt);
    void authenticate(Session &session, qint64 userId, const QString &userName, qint64 tokenId);
    void countAuthFailure(Session &session);

    PresenceHandler &m_presence;
    QThreadPool m_hashPool;
    int m_hashesPending = 0;
    FailureWindow m_loginFailures;
    AccountLockout m_accountLockout;
};

} // namespace conversa::server
