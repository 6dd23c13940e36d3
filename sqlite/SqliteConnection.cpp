// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SqliteConnection.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>

namespace conversa::sqlite {

using namespace Qt::StringLiterals;

namespace {
QAtomicInteger<quint64> s_connectionCounter;
}

Connection::~Connection()
{
    close();
}

bool Connection::open(const QString &path, Synchronous synchronous)
{
    close();
    m_path = path;
    m_lastError.clear();
    if (path.isEmpty()) {
        m_lastError = u"no database file given"_s;
        return false;
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        m_lastError = u"cannot create the folder for %1"_s.arg(path);
        return false;
    }
    m_connectionName = u"conversa-sqlite-%1"_s.arg(s_connectionCounter.fetchAndAddRelaxed(1));
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
    db.setDatabaseName(path);
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(kBusyTimeoutMs));
    if (!db.open()) {
        m_lastError = u"cannot open %1: %2"_s.arg(path, db.lastError().text());
        db = QSqlDatabase();
        close();
        return false;
    }
    const QStringList pragmas{u"PRAGMA journal_mode=WAL"_s,
                              synchronous == Synchronous::Full ? u"PRAGMA synchronous=FULL"_s
                                                               : u"PRAGMA synchronous=NORMAL"_s,
                              u"PRAGMA foreign_keys=ON"_s};
    for (const QString &statement : pragmas) {
        if (!exec(statement)) {
            m_lastError = u"cannot set up %1 (%2): %3"_s.arg(path, statement, m_lastError);
            db = QSqlDatabase();
            close();
            return false;
        }
    }
    return true;
}

bool Connection::migrate(const Schema &schema)
{
    if (!isOpen()) {
        m_lastError = u"cannot upgrade %1: the database is not open"_s.arg(schema.name);
        return false;
    }
    QSqlDatabase db = database();
    const MigrationResult result = sqlite::migrate(db, schema);
    if (!result.ok()) {
        m_lastError = result.error;
        qWarning("conversa: %s", qUtf8Printable(m_lastError));
        return false;
    }
    return true;
}

void Connection::close()
{
    if (m_connectionName.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

bool Connection::isOpen() const
{
    return !m_connectionName.isEmpty() && QSqlDatabase::database(m_connectionName, false).isOpen();
}

QSqlDatabase Connection::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

QSqlQuery Connection::prepare(const QString &sql)
{
    QSqlQuery query(database());
    if (!query.prepare(sql))
        m_lastError = query.lastError().text();
    return query;
}

bool Connection::exec(QSqlQuery &query)
{
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        qWarning("conversa: SQL failed on %s: %s", qUtf8Printable(m_path),
                 qUtf8Printable(m_lastError));
        return false;
    }
    return true;
}

bool Connection::exec(const QString &sql, std::initializer_list<QVariant> values)
{
    QSqlQuery query = prepare(sql);
    // Executing a query that did not prepare would replace SQLite's words with "No query".
    if (query.lastError().isValid()) {
        qWarning("conversa: SQL failed on %s: %s", qUtf8Printable(m_path),
                 qUtf8Printable(m_lastError));
        return false;
    }
    for (const QVariant &value : values)
        query.addBindValue(value);
    return exec(query);
}

QVariant Connection::pragma(const QString &name)
{
    QSqlQuery query = prepare(u"PRAGMA "_s + name);
    if (!exec(query) || !query.next())
        return {};
    return query.value(0);
}

bool Connection::transaction()
{
    QSqlDatabase db = database();
    if (!db.transaction()) {
        m_lastError = db.lastError().text();
        return false;
    }
    return true;
}

bool Connection::commit()
{
    QSqlDatabase db = database();
    if (!db.commit()) {
        m_lastError = db.lastError().text();
        return false;
    }
    return true;
}

void Connection::rollback()
{
    database().rollback();
}

} // namespace conversa::sqlite
