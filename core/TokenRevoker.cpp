// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "TokenRevoker.h"

#include "SessionManager.h"

#include <QDateTime>

namespace conversa::core {

using namespace Qt::StringLiterals;

TokenRevoker::TokenRevoker(QObject *parent)
    : QObject(parent)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(60'000);
    connect(&m_retry, &QTimer::timeout, this, &TokenRevoker::revokeAll);
}

bool TokenRevoker::open(const QString &path)
{
    return m_db.open(path,
                     {u"CREATE TABLE IF NOT EXISTS revocations ("
                      "token TEXT PRIMARY KEY,"
                      "user TEXT NOT NULL,"
                      "server TEXT NOT NULL,"
                      "created_ms INTEGER NOT NULL)"_s},
                     // A token the person asked to revoke must survive a crash right after.
                     SqliteDatabase::Synchronous::Full);
}

bool TokenRevoker::add(const QUrl &server, const QString &user, const QString &token)
{
    if (token.isEmpty() || !server.isValid() || !m_db.isOpen())
        return false;
    if (!m_db.transaction())
        return false;
    const bool stored =
        m_db.exec(u"INSERT OR REPLACE INTO revocations(token, user, server, created_ms) "
                  "VALUES(?, ?, ?, ?)"_s,
                  {token, SqliteDatabase::text(user), server.toString(),
                   QDateTime::currentMSecsSinceEpoch()}) &&
        m_db.exec(u"DELETE FROM revocations WHERE token NOT IN (SELECT token FROM revocations "
                  "ORDER BY created_ms DESC LIMIT ?)"_s,
                  {kMaxTokens});
    if (!stored || !m_db.commit()) {
        m_db.rollback();
        return false;
    }
    revokeAll();
    return true;
}

bool TokenRevoker::contains(const QString &token)
{
    QSqlQuery q = m_db.prepare(u"SELECT 1 FROM revocations WHERE token = ?"_s);
    q.addBindValue(token);
    return m_db.exec(q) && q.next();
}

int TokenRevoker::pendingCount()
{
    QSqlQuery q = m_db.prepare(u"SELECT COUNT(*) FROM revocations"_s);
    return m_db.exec(q) && q.next() ? q.value(0).toInt() : 0;
}

QList<TokenRevoker::Job> TokenRevoker::jobs()
{
    QList<Job> list;
    QSqlQuery q =
        m_db.prepare(u"SELECT server, user, token FROM revocations ORDER BY created_ms"_s);
    if (m_db.exec(q)) {
        while (q.next())
            list.append(
                {QUrl(q.value(0).toString()), q.value(1).toString(), q.value(2).toString()});
    }
    return list;
}

void TokenRevoker::revokeAll()
{
    m_retry.stop();
    for (const Job &job : jobs()) {
        if (!m_running.contains(job.token))
            start(job);
    }
}

void TokenRevoker::start(const Job &job)
{
    auto *session = new SessionManager(this);
    if (m_setup)
        m_setup(*session);
    session->setServerUrl(job.server);
    m_running.insert(job.token, session);
    const QString token = job.token;
    connect(session, &SessionManager::loggedOut, this,
            [this, token](bool confirmed) { finish(token, confirmed); });
    // Revoked or unknown already (or the account is gone): nothing is left to revoke.
    connect(session, &SessionManager::tokenRejected, this, [this, token] { finish(token, true); });
    QTimer::singleShot(m_attemptTimeoutMs, session, [this, token] { finish(token, false); });
    session->resume(job.user, job.token);
    session->logout(); // sent as soon as the session is accepted
}

void TokenRevoker::finish(const QString &token, bool done)
{
    const QPointer<SessionManager> session = m_running.take(token);
    if (!session)
        return; // already finished (a late signal after the timeout)
    const QString user = session->user();
    session->disconnect(this);
    session->signOut();
    session->deleteLater();
    if (done) {
        remove(token);
        emit revoked(user);
    } else if (!m_retry.isActive()) {
        m_retry.start();
    }
}

void TokenRevoker::remove(const QString &token)
{
    if (!m_db.exec(u"DELETE FROM revocations WHERE token = ?"_s, {token}))
        qWarning("conversa-core: could not forget a revoked token: %s",
                 qUtf8Printable(m_db.lastError()));
}

} // namespace conversa::core
