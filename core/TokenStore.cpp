// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "TokenStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace conversa::core {

using namespace Qt::StringLiterals;

TokenStore::TokenStore(QObject *parent)
    : QObject(parent)
{}

QString TokenStore::accountKey(const QString &user, const QString &host, int port)
{
    return u"%1@%2:%3"_s.arg(user, host.toLower()).arg(port);
}

void TokenStore::setRetryPolicy(int totalMs, int intervalMs)
{
    m_retryTotalMs = qMax(0, totalMs);
    m_retryIntervalMs = qMax(1, intervalMs);
}

void TokenStore::readToken(const QString &key)
{
    start(Operation::Read, key, {}, QDateTime::currentMSecsSinceEpoch());
}

void TokenStore::writeToken(const QString &key, const QString &token)
{
    start(Operation::Write, key, token, QDateTime::currentMSecsSinceEpoch());
}

void TokenStore::deleteToken(const QString &key)
{
    start(Operation::Delete, key, {}, QDateTime::currentMSecsSinceEpoch());
}

void TokenStore::start(Operation op, const QString &key, const QString &token, qint64 startedMs)
{
    // A job owns itself (autoDelete) and has no parent: libsecret calls back into it when the
    // keychain answers, so a job deleted with this store while it is still waiting (the app
    // quitting mid-sign-out) would be used after it is freed. The connection below ends with
    // this store, so a late answer reaches nobody.
    QKeychain::Job *job = nullptr;
    switch (op) {
    case Operation::Read:
        job = new QKeychain::ReadPasswordJob(kService);
        break;
    case Operation::Write: {
        auto *write = new QKeychain::WritePasswordJob(kService);
        write->setTextData(token);
        job = write;
        break;
    }
    case Operation::Delete:
        job = new QKeychain::DeletePasswordJob(kService);
        break;
    }
    job->setKey(key);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // a token never goes to a plain file
    connect(job, &QKeychain::Job::finished, this, [=, this](QKeychain::Job *done) {
        const QKeychain::Error error = done->error();
        if (error == QKeychain::NoError) {
            QString value;
            if (op == Operation::Read)
                value = static_cast<QKeychain::ReadPasswordJob *>(done)->textData();
            finish(op, key, Result::Ok, value, {});
            return;
        }
        if (error == QKeychain::EntryNotFound) {
            // Deleting what is not there is a success: the token is gone.
            finish(op, key, op == Operation::Delete ? Result::Ok : Result::NotFound, {},
                   QCoreApplication::translate("TokenStore", "No saved sign-in for %1.").arg(key));
            return;
        }
        const bool maybeNotReady = error == QKeychain::NoBackendAvailable ||
                                   error == QKeychain::OtherError ||
                                   error == QKeychain::AccessDenied;
        const qint64 elapsed = QDateTime::currentMSecsSinceEpoch() - startedMs;
        if (maybeNotReady && elapsed + m_retryIntervalMs <= m_retryTotalMs) {
            QTimer::singleShot(m_retryIntervalMs, this,
                               [=, this] { start(op, key, token, startedMs); });
            return;
        }
        if (error == QKeychain::NotImplemented || maybeNotReady) {
            finish(op, key, Result::Unavailable, {},
                   QCoreApplication::translate(
                       "TokenStore",
                       "No keychain is available (%1). You stay signed in only until the app "
                       "closes; install or unlock a keychain (GNOME Keyring, KWallet) to stay "
                       "signed in.")
                       .arg(done->errorString()));
            return;
        }
        finish(op, key, Result::Failed, {},
               QCoreApplication::translate("TokenStore", "The keychain refused: %1")
                   .arg(done->errorString()));
    });
    job->start();
}

void TokenStore::finish(Operation op, const QString &key, Result result, const QString &token,
                        const QString &message)
{
    switch (op) {
    case Operation::Read:
        emit tokenRead(key, result, token, message);
        break;
    case Operation::Write:
        emit tokenWritten(key, result, message);
        break;
    case Operation::Delete:
        emit tokenDeleted(key, result, message);
        break;
    }
}

} // namespace conversa::core
