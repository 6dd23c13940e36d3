// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>
#include <memory>

namespace conversa::test {

// Waits, running the event loop, until `predicate` holds or `timeoutMs` passes. Unlike
// QTest::qWaitFor it wakes up as soon as an event arrives, so many short waits in a row stay
// fast. Returns the predicate's last value.
bool waitUntil(const std::function<bool()> &predicate, int timeoutMs);

// A loopback port that nothing listens on right now.
quint16 freeLoopbackPort();
// Waits until something accepts TCP connections on 127.0.0.1:`port` (true), or until `process`
// (when given) has exited or `timeoutMs` passed (false).
bool waitForLoopbackListener(quint16 port, int timeoutMs, const QProcess *process = nullptr);

// The result of one synchronous run of an admin subcommand.
struct AdminResult {
    int exitCode = -1;
    bool crashed = false;
    bool timedOut = false;
    QByteArray standardOutput;
    QByteArray standardError;

    bool ok() const { return !crashed && !timedOut && exitCode == 0; }
    // One line for a failure message: exit code and stderr.
    QString describe() const;
};

// One real `conversa-server` process for a test, with its own data folder.
//
//   ServerProcess server; // a new, empty data folder
//   QVERIFY2(server.addUser(u"alice"_s, u"pw"_s), qPrintable(server.lastAdminError()));
//   QVERIFY2(server.start({u"--idle-timeout-seconds"_s, u"2"_s}),
//            qPrintable(server.diagnostics()));
//   client.open(server.url());
//   server.kill();              // SIGKILL
//   QVERIFY(server.restart());  // same data, same port, same arguments
//
// The binary comes from the environment variable CONVERSA_SERVER_BIN (set by CTest), or from
// setBinary(). The server's stderr goes to a log file that survives restarts; diagnostics()
// returns its tail for failure messages, and the destructor prints it when the current test
// function failed.
class ServerProcess : public QObject
{
    Q_OBJECT
public:
    // A new, empty data folder that is deleted with this object.
    explicit ServerProcess(QObject *parent = nullptr);
    // Reuses an existing data folder (e.g. one shared with another ServerProcess); not deleted.
    explicit ServerProcess(const QString &dataDir, QObject *parent = nullptr);
    ~ServerProcess() override;

    ServerProcess(const ServerProcess &) = delete;
    ServerProcess &operator=(const ServerProcess &) = delete;

    // CONVERSA_SERVER_BIN, or empty when it is not set.
    static QString defaultBinary();
    QString binary() const { return m_binary; }
    void setBinary(const QString &path) { m_binary = path; }

    // False (with errorString()) when the data folder could not be created or no binary is known.
    bool isValid() const;
    QString errorString() const { return m_error; }

    QString dataDir() const { return m_dataDir; }
    // PostgreSQL instead of the data folder: serve gets `--storage postgresql --database-url URL`
    // (and no --data), admin commands `--database-url URL`.
    void setDatabaseUrl(const QString &url) { m_databaseUrl = url; }
    QString databaseUrl() const { return m_databaseUrl; }

    // Environment for the server and admin commands (defaults to the test's environment
    // without CONVERSA_SERVER_BIN).
    QProcessEnvironment environment() const { return m_environment; }
    void setEnvironment(const QProcessEnvironment &environment) { m_environment = environment; }

    // --- admin subcommands (synchronous; `--data DIR` or `--database-url URL` is appended) ----
    AdminResult runAdmin(const QStringList &arguments, const QByteArray &standardInput = {},
                         int timeoutMs = 30000);
    // Any command line at all, e.g. {"--version"}; nothing is appended.
    AdminResult runRaw(const QStringList &arguments, const QByteArray &standardInput = {},
                       int timeoutMs = 30000);
    bool addUser(const QString &name, const QString &password);
    bool setPassword(const QString &name, const QString &password);
    bool disableUser(const QString &name);
    bool enableUser(const QString &name);
    bool createRoom(const QString &name, const QString &title = {});
    bool revokeUserTokens(const QString &user);
    bool revokeToken(const QString &tokenId);
    // The last admin command that failed, for QVERIFY2 messages.
    QString lastAdminError() const { return m_lastAdminError; }

    // --- the running server ------------------------------------------------------------------
    // Starts `serve --listen HOST:PORT --data DIR [extraArgs]` and waits for the
    // "conversa-server listening on ws://HOST:PORT/ws" line. Port 0 lets the server choose.
    bool start(const QStringList &extraArgs = {}, quint16 port = 0, int timeoutMs = 15000);
    // Starts again with the same data folder, host, port and arguments as the last start().
    bool restart(int timeoutMs = 15000);
    // Like start() but expects the process to exit on its own (e.g. a refused configuration);
    // returns its exit code, or -1 if it did not exit within the timeout (it is then killed).
    int startExpectingExit(const QStringList &arguments, int timeoutMs = 15000);

    bool isRunning() const;
    qint64 pid() const;
    QString host() const { return m_host; }
    void setHost(const QString &host) { m_host = host; }
    quint16 port() const { return m_port; }
    bool isTls() const { return m_tls; }
    // ws://127.0.0.1:PORT/ws (or wss://) as printed by the server.
    QUrl url() const { return m_url; }
    // http(s)://127.0.0.1:PORT + path, for /healthz and /metrics.
    QUrl httpUrl(const QString &path) const;
    // The admin listener announced with --admin-listen, if any.
    QUrl adminUrl() const { return m_adminUrl; }
    QStringList lastArguments() const { return m_lastArgs; }

    // SIGKILL; waits until the process is gone.
    void kill();
    // SIGTERM; waits up to timeoutMs for the exit. Returns the exit code, or -1 when the process
    // crashed or did not exit (it is then killed).
    int terminate(int timeoutMs = 15000);
    // SIGSTOP / SIGCONT (POSIX only; false elsewhere).
    bool pause();
    bool resume();

    // Exit code and status of the last run that ended.
    int exitCode() const { return m_exitCode; }
    QProcess::ExitStatus exitStatus() const { return m_exitStatus; }

    // Everything the server wrote to stdout (all runs).
    QByteArray standardOutput() const { return m_stdout; }
    // Everything the server wrote to stderr (all runs of this object).
    QByteArray standardError() const;
    // A multi-line text for failure messages: the command line, exit state and stderr tail.
    QString diagnostics(qsizetype tailBytes = 6000) const;

Q_SIGNALS:
    void finished(int exitCode, QProcess::ExitStatus status);

private:
    void init();
    void onStdout();
    bool parseListeningLines();
    AdminResult runProcess(const QStringList &arguments, const QByteArray &standardInput,
                           int timeoutMs);
    bool adminOk(const QStringList &arguments, const QByteArray &standardInput = {});
    void setupProcess(QProcess &process) const;
    void reap(int timeoutMs);

    QString m_binary;
    std::unique_ptr<QTemporaryDir> m_ownedData;
    QTemporaryDir m_logDir;
    QString m_dataDir;
    QString m_databaseUrl;
    QString m_logFile;
    QString m_error;
    QString m_lastAdminError;
    QProcessEnvironment m_environment;

    QProcess *m_process = nullptr;
    QString m_host = QStringLiteral("127.0.0.1");
    quint16 m_port = 0;
    bool m_tls = false;
    QUrl m_url;
    QUrl m_adminUrl;
    QStringList m_lastArgs;
    QStringList m_extraArgs; // of the last start(), for restart()
    QByteArray m_stdout;
    qsizetype m_stdoutParsed = 0; // start of the current run's output in m_stdout
    bool m_listening = false;
    int m_exitCode = -1;
    QProcess::ExitStatus m_exitStatus = QProcess::NormalExit;
};

} // namespace conversa::test
