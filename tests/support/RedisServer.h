// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace conversa::test {

// A real `redis-server` for a test: on a free loopback port, in a temporary folder, keeping
// nothing on disk (`--save '' --appendonly no`), so a restart comes back empty, as a Redis
// without persistence does after a crash.
//
//   RedisServer redis;
//   if (!RedisServer::isInstalled()) {
//       if (RedisServer::mustRun())
//           QFAIL("redis-server is not installed (apt-get install redis-server)");
//       QSKIP("redis-server is not installed (apt-get install redis-server)");
//   }
//   QVERIFY2(redis.start(), qPrintable(redis.diagnostics()));
//   server.start({u"--redis-url"_s, redis.url()});
//   redis.stop();             // SIGKILL, like a crash
//   QVERIFY(redis.start());   // same port, empty
class RedisServer : public QObject
{
    Q_OBJECT
public:
    explicit RedisServer(QObject *parent = nullptr);
    ~RedisServer() override;

    // redis-server in PATH or /usr/bin, /usr/sbin.
    static QString binary();
    static bool isInstalled() { return !binary().isEmpty(); }
    // In CI (CI=true) a missing redis-server is a failure; elsewhere suites skip.
    static bool mustRun();

    // More redis-server options for the next start (e.g. {"--requirepass", "x"}).
    void setExtraArguments(const QStringList &arguments) { m_extraArguments = arguments; }
    // Starts it (the port is chosen on the first start and kept) and waits until it answers.
    bool start(int timeoutMs = 10000);
    // SIGKILL; waits until it is gone.
    void stop();
    // SIGSTOP / SIGCONT: a Redis that accepts but does not answer.
    bool pause();
    bool resume();
    bool isRunning() const;

    quint16 port() const { return m_port; }
    // redis://127.0.0.1:PORT
    QString url() const;
    // Sends one command over a plain socket and returns the raw RESP reply
    // (for checks such as "KEYS conversa:*"); empty on failure.
    QByteArray command(const QList<QByteArray> &arguments, int timeoutMs = 5000) const;
    // The command line, state and log tail, for failure messages.
    QString diagnostics() const;

private:
    QTemporaryDir m_dir;
    QProcess *m_process = nullptr;
    quint16 m_port = 0;
    QStringList m_extraArguments;
};

} // namespace conversa::test
