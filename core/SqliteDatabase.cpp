// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SqliteDatabase.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>

namespace conversa::core {

using namespace Qt::StringLiterals;

namespace {
QAtomicInteger<quint64> s_connectionCounter;
}

SqliteDatabase::~SqliteDatabase()
{
    close();
}

bool SqliteDatabase::open(const QString &path, const QStringList &schema, Synchronous synchronous)
{
    close();
    m_path = path;
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        m_lastError = u"cannot create the folder for %1"_s.arg(path);
        return false;
    }
    m_connectionName = u"conversa-core-%1"_s.arg(s_connectionCounter.fetchAndAddRelaxed(1));
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
    db.setDatabaseName(path);
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    if (!db.open()) {
        m_lastError = db.lastError().text();
        return false;
    }
    const QStringList pragmas{u"PRAGMA journal_mode=WAL"_s,
                              synchronous == Synchronous::Full ? u"PRAGMA synchronous=FULL"_s
                                                               : u"PRAGMA synchronous=NORMAL"_s,
                              u"PRAGMA foreign_keys=ON"_s};
    for (const QString &statement : pragmas + schema) {
        if (!exec(statement)) {
            close();
            return false;
        }
    }
    return true;
}

void SqliteDatabase::close()
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

bool SqliteDatabase::isOpen() const
{
    return !m_connectionName.isEmpty() && QSqlDatabase::database(m_connectionName, false).isOpen();
}

QSqlQuery SqliteDatabase::prepare(const QString &sql)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.prepare(sql))
        m_lastError = query.lastError().text();
    return query;
}

bool SqliteDatabase::exec(QSqlQuery &query)
{
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        qWarning("conversa-core: SQL failed on %s: %s", qUtf8Printable(m_path),
                 qUtf8Printable(m_lastError));
        return false;
    }
    return true;
}

bool SqliteDatabase::exec(const QString &sql, std::initializer_list<QVariant> values)
{
    QSqlQuery query = prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    return exec(query);
}

QVariant SqliteDatabase::pragma(const QString &name)
{
    QSqlQuery query = prepare(u"PRAGMA "_s + name);
    if (!exec(query) || !query.next())
        return {};
    return query.value(0);
}

bool SqliteDatabase::transaction()
{
    return QSqlDatabase::database(m_connectionName, false).transaction();
}

bool SqliteDatabase::commit()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.commit()) {
        m_lastError = db.lastError().text();
        return false;
    }
    return true;
}

void SqliteDatabase::rollback()
{
    QSqlDatabase::database(m_connectionName, false).rollback();
}

} // namespace conversa::core
