// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QString>

class QTimer;

namespace conversa::core {

// Device tokens in the OS keychain through QtKeychain: service "Conversa", key "user@host:port".
// Passwords are never stored. A keychain that is not ready yet (common right after a desktop
// login on Linux) is retried for about 10 s before giving up; when there is no keychain at all
// `unavailable` says so in words and the caller keeps the token for this run only.
class TokenStore : public QObject
{
    Q_OBJECT
public:
    static inline const QString kService = QStringLiteral("Conversa");

    enum class Result {
        Ok,
        NotFound,    // read: no token stored for this account
        Unavailable, // no usable keychain (after retrying)
        Failed,      // the keychain answered with another error
    };
    Q_ENUM(Result)

    explicit TokenStore(QObject *parent = nullptr);

    static QString accountKey(const QString &user, const QString &host, int port);

    // How long a keychain that is not ready is retried, and how often (tests shorten these).
    void setRetryPolicy(int totalMs, int intervalMs);

    // Each call answers with exactly one `finished` signal carrying the same key.
    void readToken(const QString &key);
    void writeToken(const QString &key, const QString &token);
    void deleteToken(const QString &key);

signals:
    void tokenRead(const QString &key, conversa::core::TokenStore::Result result,
                   const QString &token, const QString &message);
    void tokenWritten(const QString &key, conversa::core::TokenStore::Result result,
                      const QString &message);
    void tokenDeleted(const QString &key, conversa::core::TokenStore::Result result,
                      const QString &message);

private:
    enum class Operation { Read, Write, Delete };
    void start(Operation op, const QString &key, const QString &token, qint64 startedMs);
    void finish(Operation op, const QString &key, Result result, const QString &token,
                const QString &message);

    int m_retryTotalMs = 10'000;
    int m_retryIntervalMs = 1'000;
};

} // namespace conversa::core
