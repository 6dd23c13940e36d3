// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "sessions/SessionRegistry.h"

#include "ServerContext.h"

#include <QTcpSocket>
#include <QWebSocket>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
// Before sign-in nothing large is ever sent, so a connection that piles up more than this
// (pongs to a flood of pings) is not reading.
constexpr qint64 kMaxQueuedBytesBeforeAuth = 64 * 1024;
} // namespace

SessionRegistry::SessionRegistry(ServerContext &context)
    : m_context(context)
{}

SessionRegistry::~SessionRegistry() = default;

Session &SessionRegistry::create()
{
    auto session = std::make_unique<Session>();
    session->id = m_nextId++;
    session->acceptedMs = session->lastActivityMs = m_context.now();
    Session &s = *session;
    m_sessions.emplace(s.id, std::move(session));
    return s;
}

Session *SessionRegistry::find(quint64 id)
{
    const auto it = m_sessions.find(id);
    return it == m_sessions.end() ? nullptr : it->second.get();
}

std::unique_ptr<Session> SessionRegistry::take(quint64 id)
{
    auto it = m_sessions.find(id);
    if (it == m_sessions.end())
        return {};
    std::unique_ptr<Session> session = std::move(it->second);
    m_sessions.erase(it);
    return session;
}

QList<quint64> SessionRegistry::ids() const
{
    QList<quint64> ids;
    ids.reserve(qsizetype(m_sessions.size()));
    for (const auto &[id, session] : m_sessions)
        ids.append(id);
    return ids;
}

qsizetype SessionRegistry::signIn(Session &session, qint64 userId, const QString &userName,
                                  qint64 tokenId)
{
    session.userId = userId;
    session.userName = userName;
    session.tokenId = tokenId;
    QList<Session *> &sessions = m_sessionsOfUser[userId];
    sessions.append(&session);
    return sessions.size();
}

bool SessionRegistry::signOut(Session &session)
{
    auto userSessions = m_sessionsOfUser.find(session.userId);
    if (userSessions == m_sessionsOfUser.end())
        return false;
    userSessions->removeOne(&session);
    if (!userSessions->isEmpty())
        return false;
    m_sessionsOfUser.erase(userSessions);
    return true;
}

const QList<Session *> *SessionRegistry::findSessionsOf(qint64 userId) const
{
    const auto it = m_sessionsOfUser.constFind(userId);
    return it == m_sessionsOfUser.cend() ? nullptr : &it.value();
}

QList<Session *> SessionRegistry::sessionsWithToken(qint64 tokenId) const
{
    QList<Session *> found;
    for (const auto &[id, session] : m_sessions) {
        if (session->tokenId == tokenId)
            found.append(session.get());
    }
    return found;
}

qint64 SessionRegistry::outputCap(const Session &session) const
{
    return session.authenticated() ? m_context.config.maxQueuedBytesPerConnection
                                   : kMaxQueuedBytesBeforeAuth;
}

void SessionRegistry::dropOverflowing(Session &session, const char *what)
{
    if (session.stage == Session::Stage::Closing)
        return;
    ++m_context.metrics.connectionsOverflowed;
    m_context.logClient(session.address,
                        u"event=dropped reason=output_cap addr=%1 user=%2 queued=%3 by=%4"_s.arg(
                            session.address, session.userName.isEmpty() ? u"-"_s : session.userName,
                            QString::number(session.tcp ? session.tcp->bytesToWrite() : 0),
                            QLatin1StringView(what)));
    // It is not reading, so a close frame would only queue behind the rest: cut it off. The
    // queued disconnected signal ends the session.
    session.stage = Session::Stage::Closing;
    session.closingSinceMs = m_context.now();
    session.heldRequests.clear();
    session.heldBytes = 0;
    if (session.ws)
        session.ws->abort();
    else if (session.tcp)
        session.tcp->abort();
}

} // namespace conversa::server
