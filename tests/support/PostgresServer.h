// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace conversa::test {

// A throw-away PostgreSQL cluster for a test: initdb and pg_ctl (Debian's
// /usr/lib/postgresql/VERSION/bin) in a temporary folder, listening on a free loopback port,
// with trust authentication for the superuser `conversa` and fsync off (tests need speed, not
// durability). PostgreSQL refuses to run as root, so as root every command runs as the
// `postgres` user (`runuser -u postgres --`) in a folder it owns.
//
//   PostgresServer postgres;
//   QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
//   const QString url = postgres.createDatabase(u"t1"_s); // postgresql://conversa@127.0.0.1:P/t1
//   postgres.stop(); postgres.restart();                   // same data, same port
//
// Stopped (immediate mode) by the destructor.
class PostgresServer
{
public:
    PostgresServer();
    ~PostgresServer();
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;

    // Whether PostgreSQL's programs are installed; when not, whyUnavailable() says so.
    static bool isInstalled();
    static QString whyUnavailable();
    // In CI (CI=true) a missing PostgreSQL is a failure; elsewhere suites skip.
    static bool mustRun();

    // initdb (once) and start; false with errorString().
    bool start();
    // Fast shutdown (connections are closed), or immediate when `immediate`.
    bool stop(bool immediate = false);
    bool restart();
    bool isRunning() const { return m_running; }

    quint16 port() const { return m_port; }
    // postgresql://conversa@127.0.0.1:PORT/NAME
    QString url(const QString &database) const;
    // CREATE DATABASE `name` (letters, digits, '_'); returns its url, or empty (errorString()).
    QString createDatabase(const QString &name);
    // Runs one SQL statement in `database` through psql; returns its output (unaligned, tuples
    // only), or a null string on failure (errorString()).
    QString psql(const QString &database, const QString &sql);

    QString errorString() const { return m_error; }
    // The tail of the server's log, for failure messages.
    QString logTail(qsizetype bytes = 3000) const;

private:
    // Runs a PostgreSQL program (as `postgres` when root); false with m_error.
    bool run(const QString &program, const QStringList &arguments, int timeoutMs,
             QString *output = nullptr);

    QTemporaryDir m_dir;
    QString m_binDir;
    QString m_dataDir;
    QString m_logFile;
    quint16 m_port = 0;
    bool m_initialized = false;
    bool m_running = false;
    QString m_error;
};

} // namespace conversa::test
