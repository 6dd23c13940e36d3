// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "sessions/Session.h"

#include <QHash>
#include <QList>

#include <memory>
#include <unordered_map>

namespace conversa::server {

class ServerContext;

// Every live session by id and, once signed in, by user; the per-connection output budget.
class SessionRegistry
{
public:
    explicit SessionRegistry(ServerContext &context);
    ~SessionRegistry();

    // A new session with the next id, accepted now.
    Session &create();
    Session *find(quint64 id);
    // Removes the session from the registry (and from its user's list); the caller ends it.
    std::unique_ptr<Session> take(quint64 id);
    bool isEmpty() const { return m_sessions.empty(); }
    qsizetype size() const { return qsizetype(m_sessions.size()); }
    QList<quint64> ids() const;
    template <typename F> void forEach(F &&visit)
    {
        for (auto &[id, session] : m_sessions)
            visit(*session);
    }

    // Marks `session` signed in as `userId`; returns how many sessions the user has now.
    qsizetype signIn(Session &session, qint64 userId, const QString &userName, qint64 tokenId);
    // Forgets a signed-in session's place among its user's sessions; true when it was the last.
    bool signOut(Session &session);
    bool isOnline(qint64 userId) const { return m_sessionsOfUser.contains(userId); }
    QList<Session *> sessionsOf(qint64 userId) const { return m_sessionsOfUser.value(userId); }
    // The user's sessions without a copy, for fan-out; nullptr when the user has none.
    const QList<Session *> *findSessionsOf(qint64 userId) const;
    QList<Session *> sessionsWithToken(qint64 tokenId) const;

    // What `session` may have waiting to be sent: small before sign-in, the configured budget
    // after.
    qint64 outputCap(const Session &session) const;
    // Drops a connection whose unsent output passed its cap: it is not reading.
    void dropOverflowing(Session &session, const char *what);

private:
    ServerContext &m_context;
    quint64 m_nextId = 1;
    std::unordered_map<quint64, std::unique_ptr<Session>> m_sessions;
    QHash<qint64, QList<Session *>> m_sessionsOfUser;
};

} // namespace conversa::server
