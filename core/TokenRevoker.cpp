// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "TokenRevoker.h"

#include "SessionManager.h"

#include <QDateTime>
#include <QUuid>

namespace conversa::core {

using namespace Qt::StringLiterals;

TokenRevoker::TokenRevoker(QObject *parent)
    : QObject(parent)
    , m_store(new TokenStore(this))
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(60'000);
    connect(&m_retry, &QTimer::timeout, this, &TokenRevoker::revokeAll);
    connect(m_store, &TokenStore::tokenWritten, this, &TokenRevoker::onWritten);
    connect(m_store, &TokenStore::tokenRead, this, &TokenRevoker::onRead);
    connect(m_store, &TokenStore::tokenDeleted, this, &TokenRevoker::onDeleted);
}

bool TokenRevoker::open(const QString &path)
{
    // Never edit a released step: append one. Version 1 is the schema of the files written
    // before versions were recorded (user_version 0), so on those it changes nothing.
    static const sqlite::Schema schema{
        u"the list of pending sign-outs"_s,
        {{u"pending revocations"_s,
          {// The first version of this file held the tokens themselves.
           u"DROP TABLE IF EXISTS revocations"_s,
           u"CREATE TABLE IF NOT EXISTS pending_revocations ("
           "keychain_key TEXT PRIMARY KEY,"
           "user TEXT NOT NULL,"
           "server TEXT NOT NULL,"
           "created_ms INTEGER NOT NULL)"_s},
          {}}}};
    // Zeroes what is deleted, so nothing of an older file lingers in free pages (a setting of
    // the connection, so before the schema's steps). A sign-out the person asked for must
    // survive a crash right after.
    if (!m_db.open(path, {u"PRAGMA secure_delete = ON"_s}, SqliteDatabase::Synchronous::Full))
        return false;
    if (!m_db.migrate(schema)) {
        m_db.close();
        return false;
    }
    return true;
}

bool TokenRevoker::add(const QUrl &server, const QString &user, const QString &token)
{
    if (token.isEmpty() || !server.isValid() || server.host().isEmpty())
        return false;
    if (!m_keychainAllowed) {
        const QString why =
            tr("The sign-out of %1 could not reach the server, and with the keychain turned off "
               "it cannot be finished later: the device token stays valid on the server until "
               "this account signs out while online or an administrator revokes it.")
                .arg(user);
        qWarning("conversa-core: %s", qUtf8Printable(why));
        emit dropped(user, why);
        return false;
    }
    if (!m_db.isOpen())
        return false;
    const QString key = kKeyPrefix + SessionManager::accountKey(user, server) + u'#' +
                        QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_storing.insert(key, {key, server, user});
    m_store->writeToken(key, token);
    return true;
}

void TokenRevoker::onWritten(const QString &key, TokenStore::Result result, const QString &message)
{
    const auto it = m_storing.constFind(key);
    if (it == m_storing.cend())
        return;
    const Job job = *it;
    m_storing.erase(it);
    QString why;
    if (result != TokenStore::Result::Ok) {
        // Never a plain file instead: the token stays valid, and the person is told.
        why = tr("The sign-out of %1 could not be kept to finish later, because the keychain did "
                 "not take the device token (%2). The token stays valid on the server until "
                 "this account signs out while online or an administrator revokes it.")
                  .arg(job.user, message);
    } else if (!insert(job)) {
        m_store->deleteToken(key);
        why = tr("The sign-out of %1 could not be kept to finish later: %2. The token stays "
                 "valid on the server until this account signs out while online or an "
                 "administrator revokes it.")
                  .arg(job.user, m_db.lastError());
    }
    if (!why.isEmpty()) {
        qWarning("conversa-core: %s", qUtf8Printable(why));
        emit dropped(job.user, why);
        return;
    }
    revokeAll();
}

bool TokenRevoker::insert(const Job &job)
{
    if (!m_db.transaction())
        return false;
    QStringList oldest;
    QSqlQuery q = m_db.prepare(u"SELECT keychain_key FROM pending_revocations "
                               "ORDER BY created_ms DESC LIMIT -1 OFFSET ?"_s);
    q.addBindValue(kMaxTokens - 1);
    bool stored = m_db.exec(q);
    while (stored && q.next())
        oldest.append(q.value(0).toString());
    for (const QString &key : std::as_const(oldest))
        stored =
            stored && m_db.exec(u"DELETE FROM pending_revocations WHERE keychain_key = ?"_s, {key});
    stored = stored && m_db.exec(u"INSERT OR REPLACE INTO pending_revocations(keychain_key, user, "
                                 "server, created_ms) VALUES(?, ?, ?, ?)"_s,
                                 {job.key, SqliteDatabase::text(job.user), job.server.toString(),
                                  QDateTime::currentMSecsSinceEpoch()});
    if (!stored || !m_db.commit()) {
        m_db.rollback();
        return false;
    }
    for (const QString &key : std::as_const(oldest))
        m_store->deleteToken(key);
    return true;
}

int TokenRevoker::pendingCount()
{
    QSqlQuery q = m_db.prepare(u"SELECT COUNT(*) FROM pending_revocations"_s);
    return m_db.exec(q) && q.next() ? q.value(0).toInt() : 0;
}

QStringList TokenRevoker::pendingKeys()
{
    QStringList keys;
    for (const Job &job : jobs())
        keys.append(job.key);
    return keys;
}

QList<TokenRevoker::Job> TokenRevoker::jobs()
{
    QList<Job> list;
    QSqlQuery q = m_db.prepare(
        u"SELECT keychain_key, server, user FROM pending_revocations ORDER BY created_ms"_s);
    if (m_db.exec(q)) {
        while (q.next())
            list.append(
                {q.value(0).toString(), QUrl(q.value(1).toString()), q.value(2).toString()});
    }
    return list;
}

void TokenRevoker::revokeAll()
{
    m_retry.stop();
    for (const Job &job : jobs()) {
        if (m_busy.contains(job.key))
            continue;
        m_busy.insert(job.key, job);
        m_store->readToken(job.key);
    }
}

void TokenRevoker::onRead(const QString &key, TokenStore::Result result, const QString &token,
                          const QString &message)
{
    if (!m_busy.contains(key) || m_running.contains(key))
        return;
    if (result == TokenStore::Result::Ok && !token.isEmpty()) {
        start(m_busy.value(key), token);
        return;
    }
    if (result == TokenStore::Result::Ok || result == TokenStore::Result::NotFound) {
        // Deleted from the keychain by hand (or the app stopped between its two steps): there
        // is nothing left to revoke with.
        m_busy.remove(key);
        qWarning("conversa-core: a pending sign-out has no token in the keychain; forgotten");
        remove(key);
        return;
    }
    m_busy.remove(key);
    qWarning("conversa-core: a pending sign-out waits for the keychain: %s",
             qUtf8Printable(message));
    retryLater();
}

void TokenRevoker::start(const Job &job, const QString &token)
{
    auto *session = new SessionManager(this);
    if (m_setup)
        m_setup(*session);
    session->setServerUrl(job.server);
    m_running.insert(job.key, session);
    const QString key = job.key;
    connect(session, &SessionManager::loggedOut, this,
            [this, key](bool confirmed) { finish(key, confirmed); });
    // Revoked or unknown already (or the account is gone): nothing is left to revoke.
    connect(session, &SessionManager::tokenRejected, this, [this, key] { finish(key, true); });
    QTimer::singleShot(m_attemptTimeoutMs, session, [this, key] { finish(key, false); });
    session->resume(job.user, token);
    session->logout(); // sent as soon as the session is accepted
}

void TokenRevoker::finish(const QString &key, bool done)
{
    const QPointer<SessionManager> session = m_running.take(key);
    if (!session)
        return; // already finished (a late signal after the timeout)
    const QString user = session->user();
    session->disconnect(this);
    session->signOut();
    session->deleteLater();
    if (!done) {
        m_busy.remove(key);
        retryLater();
        return;
    }
    emit revoked(user);
    m_store->deleteToken(key); // the row goes once the keychain entry has (onDeleted)
}

void TokenRevoker::onDeleted(const QString &key, TokenStore::Result result, const QString &message)
{
    if (!m_busy.contains(key) || m_running.contains(key))
        return;
    m_busy.remove(key);
    if (result == TokenStore::Result::Ok) {
        remove(key);
        return;
    }
    // The row stays, so the entry is found and deleted on a later try.
    qWarning("conversa-core: could not delete a revoked token from the keychain: %s",
             qUtf8Printable(message));
    retryLater();
}

void TokenRevoker::remove(const QString &key)
{
    if (!m_db.exec(u"DELETE FROM pending_revocations WHERE keychain_key = ?"_s, {key}))
        qWarning("conversa-core: could not forget a pending sign-out: %s",
                 qUtf8Printable(m_db.lastError()));
}

void TokenRevoker::retryLater()
{
    if (!m_retry.isActive())
        m_retry.start();
}

} // namespace conversa::core
