// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "PostgresServer.h"

#include "ServerProcess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QVersionNumber>

#include <pwd.h>
#include <unistd.h>

namespace conversa::test {

using namespace Qt::StringLiterals;

namespace {

// The newest /usr/lib/postgresql/VERSION/bin that has initdb, or empty.
QString findBinDir()
{
    const QDir root(u"/usr/lib/postgresql"_s);
    QVersionNumber best;
    QString found;
    for (const QString &version : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString bin = root.filePath(version + u"/bin"_s);
        const QVersionNumber number = QVersionNumber::fromString(version);
        if (QFile::exists(bin + u"/initdb"_s) && number > best) {
            best = number;
            found = bin;
        }
    }
    return found;
}

bool runningAsRoot()
{
    return ::geteuid() == 0;
}

} // namespace

PostgresServer::PostgresServer()
    : m_binDir(findBinDir())
{
    m_dataDir = m_dir.path() + u"/data"_s;
    m_logFile = m_dir.path() + u"/postgres.log"_s;
    if (runningAsRoot()) {
        // The temporary folder is root's and private; PostgreSQL runs as `postgres`.
        if (const passwd *user = ::getpwnam("postgres"))
            (void)::chown(QFile::encodeName(m_dir.path()).constData(), user->pw_uid, user->pw_gid);
    }
}

PostgresServer::~PostgresServer()
{
    if (m_running)
        stop(true);
}

bool PostgresServer::isInstalled()
{
    return !findBinDir().isEmpty() && (!runningAsRoot() || ::getpwnam("postgres") != nullptr);
}

QString PostgresServer::whyUnavailable()
{
    if (findBinDir().isEmpty())
        return u"PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get "
               "install postgresql)"_s;
    if (runningAsRoot() && !::getpwnam("postgres"))
        return u"running as root, but there is no 'postgres' user to run PostgreSQL as"_s;
    return {};
}

bool PostgresServer::mustRun()
{
    return qEnvironmentVariable("CI") == "true"_L1;
}

bool PostgresServer::run(const QString &program, const QStringList &arguments, int timeoutMs,
                         QString *output)
{
    QProcess process;
    QStringList command{m_binDir + u'/' + program};
    command += arguments;
    if (runningAsRoot())
        command = QStringList{u"-u"_s, u"postgres"_s, u"--"_s} + command;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_dir.path());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"LC_ALL"_s, u"C"_s);
    env.remove(u"PGPASSWORD"_s);
    process.setProcessEnvironment(env);
    process.start(runningAsRoot() ? u"runuser"_s : command.takeFirst(), command);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        m_error = u"%1 did not finish in %2 ms: %3"_s.arg(program).arg(timeoutMs).arg(
            QString::fromLocal8Bit(process.readAll()));
        return false;
    }
    const QString text = QString::fromLocal8Bit(process.readAll());
    if (output)
        *output = text;
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        m_error = u"%1 failed (exit %2): %3"_s.arg(program).arg(process.exitCode()).arg(text);
        return false;
    }
    return true;
}

bool PostgresServer::start()
{
    if (m_running)
        return true;
    if (!isInstalled()) {
        m_error = whyUnavailable();
        return false;
    }
    if (!m_dir.isValid()) {
        m_error = u"cannot create a temporary folder"_s;
        return false;
    }
    if (!m_initialized) {
        if (!run(u"initdb"_s,
                 {u"-D"_s, m_dataDir, u"-U"_s, u"conversa"_s, u"--auth=trust"_s, u"-E"_s, u"UTF8"_s,
                  u"--locale=C"_s, u"--no-sync"_s},
                 120000))
            return false;
        m_initialized = true;
    }
    if (m_port == 0)
        m_port = freeLoopbackPort();
    const QString options =
        u"-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200"_s.arg(m_port)
            .arg(m_dir.path());
    if (!run(u"pg_ctl"_s,
             {u"-D"_s, m_dataDir, u"-l"_s, m_logFile, u"-o"_s, options, u"-w"_s, u"-t"_s, u"60"_s,
              u"start"_s},
             90000)) {
        m_error += u"\n"_s + logTail();
        return false;
    }
    m_running = true;
    return true;
}

bool PostgresServer::stop(bool immediate)
{
    if (!m_running)
        return true;
    const bool stopped = run(u"pg_ctl"_s,
                             {u"-D"_s, m_dataDir, u"-m"_s, immediate ? u"immediate"_s : u"fast"_s,
                              u"-w"_s, u"-t"_s, u"60"_s, u"stop"_s},
                             90000);
    if (stopped)
        m_running = false;
    return stopped;
}

bool PostgresServer::restart()
{
    return stop() && start();
}

QString PostgresServer::url(const QString &database) const
{
    return u"postgresql://conversa@127.0.0.1:%1/%2"_s.arg(m_port).arg(database);
}

QString PostgresServer::psql(const QString &database, const QString &sql)
{
    QString output;
    if (!run(u"psql"_s,
             {u"-X"_s, u"-q"_s, u"-A"_s, u"-t"_s, u"-v"_s, u"ON_ERROR_STOP=1"_s, u"-h"_s,
              u"127.0.0.1"_s, u"-p"_s, QString::number(m_port), u"-U"_s, u"conversa"_s, u"-d"_s,
              database, u"-c"_s, sql},
             60000, &output))
        return {};
    return output.trimmed().isNull() ? u""_s : output.trimmed();
}

QString PostgresServer::createDatabase(const QString &name)
{
    static const QRegularExpression plain(u"^[A-Za-z_][A-Za-z0-9_]{0,62}$"_s);
    if (!plain.match(name).hasMatch()) {
        m_error = u"'%1' is not a plain database name"_s.arg(name);
        return {};
    }
    if (psql(u"postgres"_s, u"CREATE DATABASE %1"_s.arg(name)).isNull())
        return {};
    return url(name);
}

QString PostgresServer::logTail(qsizetype bytes) const
{
    QFile log(m_logFile);
    if (!log.open(QIODevice::ReadOnly))
        return u"(no PostgreSQL log)"_s;
    const QByteArray all = log.readAll();
    return u"PostgreSQL log:\n"_s + QString::fromLocal8Bit(all.right(bytes));
}

} // namespace conversa::test
