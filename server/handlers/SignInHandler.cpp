// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "handlers/SignInHandler.h"

#include "Codec.h"
#include "Log.h"
#include "PasswordHasher.h"
#include "ServerContext.h"
#include "handlers/PresenceHandler.h"
#include "redis/SharedState.h"

namespace conversa::server {

using namespace Qt::StringLiterals;
using protocol::ErrorCode;
namespace CloseCode = protocol::CloseCode;

namespace {
// Password hashes waiting for the pool: past this, sign-ins are refused until it drains.
constexpr int kMaxPendingHashes = 32;
} // namespace

SignInHandler::SignInHandler(ServerContext &context, PresenceHandler &presence)
    : Handler(context)
    , m_presence(presence)
{
    m_hashPool.setMaxThreadCount(2);
}

SignInHandler::~SignInHandler()
{
    m_hashPool.waitForDone();
}

void SignInHandler::prune(qint64 nowMs)
{
    m_loginFailures.prune(nowMs);
    m_accountLockout.prune(nowMs);
}

void SignInHandler::handle(Session &session, const protocol::LoginRequest &request)
{
    if (session.authenticated() || session.loginPending) {
        replyError(session, request.id, ErrorCode::Conflict,
                   session.loginPending ? u"a sign-in is already in progress"_s
                                        : u"this connection is already signed in"_s);
        return;
    }
    // With Redis, failed sign-ins count on all instances together; without an answer from it,
    // on this one.
    if (m_context.sharedState) {
        session.loginPending = true;
        const bool asked = m_context.sharedState->takeLoginAttempt(
            request.user, session.address, m_context.config.loginFailuresPerMinute,
            [this, id = session.id, address = session.address, request](
                redis::SharedState::Verdict verdict, qint64 waitMs, const QByteArray &attempt) {
                Session *session = m_context.sessions.find(id);
                if (!session) {
                    // Gone before its password was checked: no guess was made.
                    if (!attempt.isEmpty() && m_context.sharedState)
                        m_context.sharedState->forgetLoginAttempt(request.user, address, attempt);
                    return;
                }
                session->loginPending = false;
                if (verdict == redis::SharedState::Verdict::Unavailable)
                    checkLocallyAndStart(*session, request);
                else if (verdict == redis::SharedState::Verdict::Refused)
                    refuseForFailures(*session, request.id, waitMs);
                else
                    startPasswordCheck(*session, request, attempt);
            });
        if (asked)
            return;
        session.loginPending = false;
    }
    checkLocallyAndStart(session, request);
}

void SignInHandler::refuseForFailures(Session &session, const protocol::RequestId &re,
                                      qint64 waitMs)
{
    ++m_context.metrics.loginsRefused;
    replyError(session, re, ErrorCode::RateLimited,
               u"too many failed sign-ins; try again in %1 s"_s.arg((waitMs + 999) / 1000));
}

void SignInHandler::checkLocallyAndStart(Session &session, const protocol::LoginRequest &request)
{
    const qint64 t = m_context.now();
    const QString accountKey = "user:"_L1 + request.user;
    const QString addressKey = "addr:"_L1 + session.address;
    const int limit = m_context.config.loginFailuresPerMinute;
    // Attempts count when they start, not when their hash is done: thirty logins sent at once
    // get `limit` guesses, not thirty.
    qint64 wait = m_accountLockout.lockedForMs(accountKey, t);
    if (m_loginFailures.count(addressKey, t) >= limit)
        wait = qMax(wait, m_loginFailures.retryAfterMs(addressKey, t));
    if (m_loginFailures.count(accountKey, t) >= limit) {
        m_accountLockout.strike(accountKey, t);
        wait = qMax(wait, m_accountLockout.lockedForMs(accountKey, t));
    }
    if (wait > 0) {
        refuseForFailures(session, request.id, wait);
        return;
    }
    startPasswordCheck(session, request, {});
}

void SignInHandler::startPasswordCheck(Session &session, const protocol::LoginRequest &request,
                                       const QByteArray &sharedAttempt)
{
    // An attempt that never reaches the password check is no guess: it does not count.
    auto notAGuess = [&] {
        if (!sharedAttempt.isEmpty() && m_context.sharedState)
            m_context.sharedState->forgetLoginAttempt(request.user, session.address, sharedAttempt);
    };
    if (m_hashesPending >= kMaxPendingHashes) {
        notAGuess();
        ++m_context.metrics.loginsRefused;
        replyError(session, request.id, ErrorCode::RateLimited,
                   u"the server is busy signing other people in; try again in a few seconds"_s);
        return;
    }
    QString error;
    const std::optional<UserRecord> user = m_context.store.userByName(request.user, &error);
    if (!error.isEmpty()) {
        notAGuess();
        // Not the client's fault, and not a guess: it may try again with the same password.
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not check your account; try again in a moment"_s);
        return;
    }
    if (sharedAttempt.isEmpty()) {
        const qint64 t = m_context.now();
        m_loginFailures.record("user:"_L1 + request.user, t);
        m_loginFailures.record("addr:"_L1 + session.address, t);
    }
    ++m_hashesPending;
    session.loginPending = true;
    const QByteArray hash = user ? user->passwordHash : PasswordHasher::decoyHash();
    const quint64 id = session.id;
    m_hashPool.start([this, id, re = request.id, name = request.user, user, hash,
                      password = request.password, device = request.device, sharedAttempt] {
        const bool ok = PasswordHasher::verify(hash, password);
        QMetaObject::invokeMethod(
            m_context.eventContext,
            [=, this] {
                --m_hashesPending;
                finishLogin(id, re, name, user, ok, device, sharedAttempt);
            },
            Qt::QueuedConnection);
    });
}

void SignInHandler::finishLogin(quint64 sessionId, const protocol::RequestId &re,
                                const QString &requestedUser, const std::optional<UserRecord> &user,
                                bool passwordOk, QString device, const QByteArray &sharedAttempt)
{
    Session *session = m_context.sessions.find(sessionId);
    if (!session)
        return;
    session->loginPending = false;
    if (!user || !passwordOk || user->disabled) {
        // The attempt was counted when it started. A disabled account answers the same whether
        // or not the password was right, so the reply never confirms a password.
        ++m_context.metrics.loginFailures;
        m_context.logClient(session->address, u"event=login_failed addr=%1 user=%2"_s.arg(
                                                  session->address, logValue(requestedUser)));
        replyError(*session, re, ErrorCode::Unauthorized,
                   user && user->disabled ? u"this account is disabled; ask your administrator"_s
                                          : u"wrong user name or password"_s);
        countAuthFailure(*session);
        return;
    }
    // A right password is not a failed attempt: take back what was counted at the start.
    if (sharedAttempt.isEmpty()) {
        m_loginFailures.forgetLatest("user:"_L1 + requestedUser);
        m_loginFailures.forgetLatest("addr:"_L1 + session->address);
    } else if (m_context.sharedState) {
        m_context.sharedState->forgetLoginAttempt(requestedUser, session->address, sharedAttempt);
    }
    if (device.trimmed().isEmpty())
        device = u"unnamed device"_s;
    const QString token = TokenSecrets::generate();
    session->loginPending = true;
    m_context.writer->submit(write::CreateToken{user->id, TokenSecrets::hashOf(token), device},
                             [this, sessionId, re, user, token](const WriteResult &result) {
                                 Session *session = m_context.sessions.find(sessionId);
                                 if (!session)
                                     return;
                                 session->loginPending = false;
                                 if (!result.ok) {
                                     replyError(*session, re, result.code, result.error);
                                     return;
                                 }
                                 authenticate(*session, user->id, user->name, result.value);
                                 QJsonObject answer = signedInAnswer(user->name);
                                 answer.insert("token"_L1, token);
                                 reply(*session, protocol::encodeOk(re, answer));
                             });
}

void SignInHandler::handle(Session &session, const protocol::AuthRequest &request)
{
    if (session.authenticated() || session.loginPending) {
        replyError(session, request.id, ErrorCode::Conflict,
                   u"this connection is already signed in"_s);
        return;
    }
    QString error;
    const auto token = m_context.store.validToken(TokenSecrets::hashOf(request.token), &error);
    if (!error.isEmpty()) {
        // `unauthorized` would make the client throw its token away; this is the server's
        // trouble, so the client keeps the token and retries.
        replyError(session, request.id, ErrorCode::Internal,
                   u"the server could not check your sign-in; try again in a moment"_s);
        return;
    }
    if (!token) {
        m_context.logClient(session.address, u"event=auth_failed addr=%1"_s.arg(session.address));
        replyError(session, request.id, ErrorCode::Unauthorized,
                   u"this token is not valid (revoked or unknown); sign in with your password"_s);
        countAuthFailure(session);
        return;
    }
    authenticate(session, token->userId, token->userName, token->tokenId);
    m_context.writer->submit(write::TouchToken{token->tokenId});
    reply(session, protocol::encodeOk(request.id, signedInAnswer(token->userName)));
}

QJsonObject SignInHandler::signedInAnswer(const QString &userName) const
{
    const ServerConfig &config = m_context.config;
    const QJsonObject limits{
        {"max_body_bytes"_L1, static_cast<qint64>(config.limits.maxBodyBytes)},
        {"max_file_bytes"_L1, config.limits.maxFileBytes},
        {"max_files_per_message"_L1, config.limits.maxFilesPerMessage},
        {"messages_per_second"_L1, config.messagesPerSecond},
        {"message_burst"_L1, config.messageBurst},
    };
    return {{"user"_L1, userName}, {"instance"_L1, m_context.instanceName}, {"limits"_L1, limits}};
}

void SignInHandler::countAuthFailure(Session &session)
{
    if (++session.authFailures < m_context.config.authFailuresPerConnection)
        return;
    m_context.logClient(session.address,
                        u"event=closed reason=auth_failures addr=%1"_s.arg(session.address));
    m_context.sink->close(session, CloseCode::PolicyViolation,
                          u"too many failed sign-ins on this connection"_s);
}

void SignInHandler::authenticate(Session &session, qint64 userId, const QString &userName,
                                 qint64 tokenId)
{
    const qsizetype sessions = m_context.sessions.signIn(session, userId, userName, tokenId);
    ++m_context.metrics.sessionsAuthenticated;
    m_context.logClient(session.address, u"event=auth addr=%1 user=%2 sessions=%3"_s.arg(
                                             session.address, userName, QString::number(sessions)));
    if (sessions == 1)
        m_presence.presenceChanged(userId, userName);
}

void SignInHandler::handle(Session &session, const protocol::LogoutRequest &request)
{
    const qint64 tokenId = session.tokenId;
    const quint64 id = session.id;
    m_context.writer->submit(write::RevokeToken{tokenId}, [this, id, tokenId, re = request.id](
                                                              const WriteResult &result) {
        Session *session = m_context.sessions.find(id);
        if (!result.ok) {
            if (session)
                replyError(*session, re, result.code, result.error);
            return;
        }
        for (Session *other : m_context.sessions.sessionsWithToken(tokenId)) {
            if (other->id != id)
                m_context.sink->close(*other, CloseCode::TokenRevoked, u"token revoked"_s);
        }
        if (session) {
            reply(*session, protocol::encodeOk(re));
            m_context.sink->close(*session, CloseCode::Normal, u"signed out"_s);
        }
    });
}

} // namespace conversa::server
