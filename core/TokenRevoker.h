// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "SqliteDatabase.h"
#include "TokenStore.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <functional>

namespace conversa::core {

class SessionManager;

// Device tokens still to be revoked on their server: signing out while offline leaves one
// behind. The token itself goes to the OS keychain (TokenStore) under a key of its own,
// "revoke:user@host:port#<random id>", so a new sign-in of the same account never overwrites
// it; the SQLite file only lists what is pending (that key, user, server, when), never a token,
// so quitting the app does not forget it. Each token is revoked on a session of its own (`auth`
// with the token, then `logout`); a token the server already refuses is done as well. Then its
// keychain entry and its row go. What cannot be reached now is tried again later, and at the
// next start. Without a keychain nothing is kept: `dropped` says so in words.
class TokenRevoker : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxTokens = 64; // the oldest go first past this
    static inline const QString kKeyPrefix = QStringLiteral("revoke:");

    explicit TokenRevoker(QObject *parent = nullptr);

    bool open(const QString &path);
    QString lastError() const { return m_db.lastError(); }
    // False (--no-keychain): nothing is kept, and `add` says so through `dropped`.
    void setKeychainAllowed(bool allowed) { m_keychainAllowed = allowed; }
    // The keychain access (tests shorten its retry policy).
    TokenStore *tokenStore() const { return m_store; }

    // Puts `token` in the keychain, then remembers to revoke it (committed to disk once the
    // keychain has it) and tries at once. False when nothing can be done (no token, no server,
    // not open); a keychain that does not take the token is reported by `dropped`.
    bool add(const QUrl &server, const QString &user, const QString &token);
    // Revocations on disk, and those still waiting for the keychain to store their token.
    int pendingCount();
    int storingCount() const { return int(m_storing.size()); }
    // The keychain keys of the revocations on disk, oldest first.
    QStringList pendingKeys();

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
    // `user`'s token could not be kept for a later revocation (`message` says why, in words):
    // it stays valid on the server.
    void dropped(const QString &user, const QString &message);

private:
    struct Job {
        QString key; // in the keychain
        QUrl server;
        QString user;
    };
    QList<Job> jobs();
    void onWritten(const QString &key, TokenStore::Result result, const QString &message);
    void onRead(const QString &key, TokenStore::Result result, const QString &token,
                const QString &message);
    void onDeleted(const QString &key, TokenStore::Result result, const QString &message);
    bool insert(const Job &job);
    void start(const Job &job, const QString &token);
    void finish(const QString &key, bool done);
    void remove(const QString &key);
    void retryLater();

    SqliteDatabase m_db;
    TokenStore *m_store = nullptr;
    std::function<void(SessionManager &)> m_setup;
    QHash<QString, Job> m_storing; // key -> revocation whose token the keychain is writing
    QHash<QString, Job> m_busy;    // key -> revocation being read, revoked or deleted
    QHash<QString, QPointer<SessionManager>> m_running; // key -> its session
    QTimer m_retry;
    int m_attemptTimeoutMs = 30'000;
    bool m_keychainAllowed = true;
};

} // namespace conversa::core
