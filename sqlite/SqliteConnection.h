// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "SqliteMigrations.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <initializer_list>

namespace conversa::sqlite {

// One SQLite connection owned by one object and used on one thread, under a connection name of
// its own, in WAL mode with foreign keys on and a busy timeout, so a second connection or process
// on the same file waits instead of failing. Failures are kept in lastError(), in words.
class Connection
{
public:
    Connection() = default;
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    // How hard a commit waits for the disk (PRAGMA synchronous, with WAL). Full: a committed
    // transaction survives a power cut (what a person typed). Normal: a power cut may lose the
    // last commits but never corrupts the file (a copy someone else can refill).
    enum class Synchronous { Full, Normal };

    // How long a statement waits for another connection's lock before it fails.
    static constexpr int kBusyTimeoutMs = 10'000;

    // Opens `path`, creating its folders and the file when missing.
    bool open(const QString &path, Synchronous synchronous = Synchronous::Full);
    // Brings the open file up to schema.latestVersion() (see sqlite::migrate); false with the
    // reason in lastError() when it cannot, e.g. a file newer than the schema knows.
    bool migrate(const Schema &schema);
    void close();
    bool isOpen() const;
    QString lastError() const { return m_lastError; }
    QString path() const { return m_path; }
    QString connectionName() const { return m_connectionName; }
    QSqlDatabase database() const;

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

} // namespace conversa::sqlite
