// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <initializer_list>

namespace conversa::core {

// One SQLite connection owned by one object (Outbox, MessageCache), with its own connection name,
// WAL and a busy timeout so a second process on the same file waits instead of failing.
class SqliteDatabase
{
public:
    SqliteDatabase() = default;
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase &) = delete;
    SqliteDatabase &operator=(const SqliteDatabase &) = delete;

    // How hard a commit waits for the disk (PRAGMA synchronous, with WAL). Full: a committed
    // transaction survives a power cut (the outbox: what the person typed). Normal: a power cut
    // may lose the last commits but never corrupts the file (the cache: the server refills it).
    enum class Synchronous { Full, Normal };

    // Opens (creating folders and file) and runs `schema`, one statement per entry.
    bool open(const QString &path, const QStringList &schema,
              Synchronous synchronous = Synchronous::Full);
    void close();
    bool isOpen() const;
    QString lastError() const { return m_lastError; }
    QString path() const { return m_path; }

    // A prepared query; reports failures in lastError().
    QSqlQuery prepare(const QString &sql);
    bool exec(QSqlQuery &query);
    bool exec(const QString &sql, std::initializer_list<QVariant> values = {});
    // The value of a PRAGMA on this connection (e.g. "synchronous"); invalid on failure.
    QVariant pragma(const QString &name);

    // A bind value for a TEXT NOT NULL column: a null QString would bind as SQL NULL.
    static QVariant text(const QString &value)
    {
        return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
    }

    bool transaction();
    bool commit();
    void rollback();

private:
    QString m_connectionName;
    QString m_path;
    QString m_lastError;
};

} // namespace conversa::core
