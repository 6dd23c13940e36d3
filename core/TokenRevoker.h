// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "SqliteDatabase.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <functional>

namespace conversa::core {

class SessionManager;

// Device tokens still to be revoked on their server: signing out while offline leaves one
// behind. The list is on disk (SQLite), so quitting the app does not forget it. Each token is
// revoked on a session of its own (`auth` with the token, then `logout`); a token the server
// already refuses is done as well. What cannot be reached now is tried again later, and at the
// next start.
class TokenRevoker : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxTokens = 64; // the oldest go first past this

    explicit TokenRevoker(QObject *parent = nullptr);

    bool open(const QString &path);
    QString lastError() const { return m_db.lastError(); }

    // Remembers to revoke `token` (committed before it returns) and tries at once.
    bool add(const QUrl &server, const QString &user, const QString &token);
    bool contains(const QString &token);
    int pendingCount();

    // Tries every remembered token now (at start, and when the network may be back).
    void revokeAll();
    // Sets up each revoking session beyond its server and token: proxy, extra CAs, timing.
    void setSessionSetup(std::function<void(SessionManager &)> setup)
    {
        m_setup = std::move(setup);
    }
    // How long one attempt may take, and the pause before the tokens left are tried again.
    void setAttemptTimeout(int ms) { m_attemptTimeoutMs = ms; }
    void setRetryInterval(int ms) { m_retry.setInterval(ms); }

signals:
    // The server revoked `user`'s token (or no longer knew it).
    void revoked(const QString &user);

private:
    struct Job {
        QUrl server;
        QString user;
        QString token;
    };
    QList<Job> jobs();
    void start(const Job &job);
    void finish(const QString &token, bool done);
    void remove(const QString &token);

    SqliteDatabase m_db;
    std::function<void(SessionManager &)> m_setup;
    QHash<QString, QPointer<SessionManager>> m_running; // token -> its session
    QTimer m_retry;
    int m_attemptTimeoutMs = 30'000;
};

} // namespace conversa::core
