// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ServerProcess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDebug>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/types.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

using namespace Qt::StringLiterals;

namespace conversa::test {

bool waitUntil(const std::function<bool()> &predicate, int timeoutMs)
{
    if (predicate())
        return true;
    const QDeadlineTimer deadline(timeoutMs, Qt::PreciseTimer);
    // Wakes processEvents() up regularly so the deadline is noticed even when nothing happens.
    QTimer wake;
    wake.setTimerType(Qt::PreciseTimer);
    wake.start(qBound(1, timeoutMs, 25));
    while (!predicate()) {
        if (deadline.hasExpired())
            return predicate();
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    return true;
}

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

bool waitForLoopbackListener(quint16 port, int timeoutMs, const QProcess *process)
{
    bool listening = false;
    waitUntil(
        [&] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            listening = probe.waitForConnected(100);
            return listening || (process && process->state() == QProcess::NotRunning);
        },
        timeoutMs);
    return listening;
}

QString AdminResult::describe() const
{
    QString text;
    if (timedOut)
        text = u"timed out"_s;
    else if (crashed)
        text = u"crashed"_s;
    else
        text = u"exit code %1"_s.arg(exitCode);
    const QString err = QString::fromUtf8(standardError).trimmed();
    if (!err.isEmpty())
        text += u"; stderr: "_s + err;
    const QString out = QString::fromUtf8(standardOutput).trimmed();
    if (!out.isEmpty())
        text += u"; stdout: "_s + out.left(2000);
    return text;
}

ServerProcess::ServerProcess(QObject *parent)
    : QObject(parent)
    , m_ownedData(std::make_unique<QTemporaryDir>())
{
    if (m_ownedData->isValid())
        m_dataDir = m_ownedData->path();
    else
        m_error = u"cannot create a temporary data folder: "_s + m_ownedData->errorString();
    init();
}

ServerProcess::ServerProcess(const QString &dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(dataDir)
{
    if (!QDir().mkpath(dataDir))
        m_error = u"cannot create the data folder "_s + dataDir;
    init();
}

void ServerProcess::init()
{
    m_binary = defaultBinary();
    m_environment = QProcessEnvironment::systemEnvironment();
    m_environment.remove(u"CONVERSA_SERVER_BIN"_s);
    if (m_logDir.isValid())
        m_logFile = m_logDir.filePath(u"server-stderr.log"_s);
    if (m_error.isEmpty() && m_binary.isEmpty())
        m_error = u"CONVERSA_SERVER_BIN is not set"_s;
}

ServerProcess::~ServerProcess()
{
    const bool failed = QTest::currentTestFailed();
    if (m_process) {
        if (m_process->state() != QProcess::NotRunning) {
            // Let a stopped server die too.
            resume();
            m_process->kill();
            m_process->waitForFinished(5000);
        }
        delete m_process;
        m_process = nullptr;
    }
    if (failed)
        qWarning().noquote() << "conversa-server diagnostics:\n" << diagnostics();
}

QString ServerProcess::defaultBinary()
{
    return qEnvironmentVariable("CONVERSA_SERVER_BIN");
}

bool ServerProcess::isValid() const
{
    return m_error.isEmpty();
}

void ServerProcess::setupProcess(QProcess &process) const
{
    process.setProgram(m_binary);
    process.setProcessEnvironment(m_environment);
#ifdef Q_OS_LINUX
    // If the test process dies, the server dies with it instead of lingering.
    process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
}

AdminResult ServerProcess::runProcess(const QStringList &arguments, const QByteArray &standardInput,
                                      int timeoutMs)
{
    AdminResult result;
    QProcess process;
    setupProcess(process);
    process.setArguments(arguments);
    process.start();
    if (!process.waitForStarted(timeoutMs)) {
        result.crashed = true;
        result.standardError = process.errorString().toUtf8();
        return result;
    }
    if (!standardInput.isEmpty())
        process.write(standardInput);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        result.timedOut = true;
        process.kill();
        process.waitForFinished(5000);
    }
    result.crashed = !result.timedOut && process.exitStatus() == QProcess::CrashExit;
    result.exitCode = process.exitCode();
    result.standardOutput = process.readAllStandardOutput();
    result.standardError = process.readAllStandardError();
    return result;
}

AdminResult ServerProcess::runAdmin(const QStringList &arguments, const QByteArray &standardInput,
                                    int timeoutMs)
{
    QStringList args = arguments;
    if (m_databaseUrl.isEmpty())
        args << u"--data"_s << m_dataDir;
    else
        args << u"--database-url"_s << m_databaseUrl;
    return runProcess(args, standardInput, timeoutMs);
}

AdminResult ServerProcess::runRaw(const QStringList &arguments, const QByteArray &standardInput,
                                  int timeoutMs)
{
    return runProcess(arguments, standardInput, timeoutMs);
}

bool ServerProcess::adminOk(const QStringList &arguments, const QByteArray &standardInput)
{
    const AdminResult result = runAdmin(arguments, standardInput);
    if (result.ok())
        return true;
    m_lastAdminError = u"`conversa-server %1`: %2"_s.arg(arguments.join(u' '), result.describe());
    return false;
}

bool ServerProcess::addUser(const QString &name, const QString &password)
{
    return adminOk({u"user"_s, u"add"_s, name, u"--password-stdin"_s}, password.toUtf8() + '\n');
}

bool ServerProcess::setPassword(const QString &name, const QString &password)
{
    return adminOk({u"user"_s, u"passwd"_s, name, u"--password-stdin"_s}, password.toUtf8() + '\n');
}

bool ServerProcess::disableUser(const QString &name)
{
    return adminOk({u"user"_s, u"disable"_s, name});
}

bool ServerProcess::enableUser(const QString &name)
{
    return adminOk({u"user"_s, u"enable"_s, name});
}

bool ServerProcess::createRoom(const QString &name, const QString &title)
{
    QStringList args{u"room"_s, u"create"_s, name};
    if (!title.isEmpty())
        args << u"--title"_s << title;
    return adminOk(args);
}

bool ServerProcess::revokeUserTokens(const QString &user)
{
    return adminOk({u"token"_s, u"revoke"_s, u"--user"_s, user});
}

bool ServerProcess::revokeToken(const QString &tokenId)
{
    return adminOk({u"token"_s, u"revoke"_s, tokenId});
}

bool ServerProcess::start(const QStringList &extraArgs, quint16 port, int timeoutMs)
{
    if (!isValid())
        return false;
    if (isRunning()) {
        m_error = u"the server is already running"_s;
        return false;
    }
    m_error.clear();
    const QString listen =
        (m_host.contains(u':') ? u"[%1]:%2"_s : u"%1:%2"_s).arg(m_host).arg(port);
    m_extraArgs = extraArgs;
    const QStringList storage =
        m_databaseUrl.isEmpty()
            ? QStringList{u"--data"_s, m_dataDir}
            : QStringList{u"--storage"_s, u"postgresql"_s, u"--database-url"_s, m_databaseUrl};
    m_lastArgs = QStringList{u"serve"_s, u"--listen"_s, listen} + storage + extraArgs;
    m_listening = false;
    m_url.clear();
    m_adminUrl.clear();
    m_exitCode = -1;
    m_stdoutParsed = m_stdout.size();

    delete m_process;
    m_process = new QProcess(this);
    setupProcess(*m_process);
    m_process->setArguments(m_lastArgs);
    if (!m_logFile.isEmpty()) {
        QFile log(m_logFile);
        if (log.open(QIODevice::Append)) {
            log.write("\n===== conversa-server " + m_lastArgs.join(u' ').toUtf8() + " =====\n");
            log.close();
        }
        m_process->setStandardErrorFile(m_logFile, QIODevice::Append);
    }
    connect(m_process, &QProcess::readyReadStandardOutput, this, &ServerProcess::onStdout);
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        onStdout();
        m_exitCode = code;
        m_exitStatus = status;
        Q_EMIT finished(code, status);
    });
    m_process->start();
    if (!m_process->waitForStarted(timeoutMs)) {
        m_error = u"cannot start %1: %2"_s.arg(m_binary, m_process->errorString());
        return false;
    }
    const bool wantAdmin = extraArgs.contains(u"--admin-listen"_s);
    const bool ready = waitUntil(
        [&] {
            return (m_listening && (!wantAdmin || m_adminUrl.isValid())) ||
                   m_process->state() == QProcess::NotRunning;
        },
        timeoutMs);
    if (ready && m_listening && m_process->state() != QProcess::NotRunning)
        return true;
    if (m_process->state() == QProcess::NotRunning)
        m_error = u"conversa-server exited (code %1) before listening"_s.arg(m_exitCode);
    else
        m_error = u"conversa-server did not print its listening line within %1 ms"_s.arg(timeoutMs);
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    return false;
}

bool ServerProcess::restart(int timeoutMs)
{
    if (isRunning())
        kill();
    return start(m_extraArgs, m_port, timeoutMs);
}

int ServerProcess::startExpectingExit(const QStringList &arguments, int timeoutMs)
{
    if (isRunning())
        kill();
    m_lastArgs = arguments;
    m_stdoutParsed = m_stdout.size();
    delete m_process;
    m_process = new QProcess(this);
    setupProcess(*m_process);
    m_process->setArguments(arguments);
    if (!m_logFile.isEmpty())
        m_process->setStandardErrorFile(m_logFile, QIODevice::Append);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &ServerProcess::onStdout);
    m_process->start();
    if (!m_process->waitForStarted(timeoutMs))
        return -1;
    const bool exited =
        waitUntil([&] { return m_process->state() == QProcess::NotRunning; }, timeoutMs);
    if (!exited) {
        m_process->kill();
        m_process->waitForFinished(5000);
        m_exitCode = -1;
        return -1;
    }
    onStdout();
    m_exitStatus = m_process->exitStatus();
    m_exitCode = m_exitStatus == QProcess::NormalExit ? m_process->exitCode() : -1;
    return m_exitCode;
}

void ServerProcess::onStdout()
{
    if (!m_process)
        return;
    m_stdout += m_process->readAllStandardOutput();
    parseListeningLines();
}

bool ServerProcess::parseListeningLines()
{
    static const QRegularExpression listening(
        uR"(conversa-server listening on (wss?)://(\[[^\]]+\]|[^\s:/]+):(\d+)(/\S*)?)"_s);
    static const QRegularExpression admin(
        uR"(conversa-server admin on (https?)://(\[[^\]]+\]|[^\s:/]+):(\d+)(/\S*)?)"_s);
    const QString text = QString::fromUtf8(m_stdout.mid(m_stdoutParsed));
    if (!m_listening) {
        const auto match = listening.match(text);
        if (match.hasMatch()) {
            m_tls = match.captured(1) == u"wss"_s;
            m_port = quint16(match.captured(3).toUInt());
            m_url = QUrl(match.captured(0).section(u' ', 3, 3));
            m_listening = m_port != 0 && m_url.isValid();
        }
    }
    if (!m_adminUrl.isValid()) {
        const auto match = admin.match(text);
        if (match.hasMatch())
            m_adminUrl = QUrl(match.captured(0).section(u' ', 3, 3));
    }
    return m_listening;
}

bool ServerProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

qint64 ServerProcess::pid() const
{
    return isRunning() ? m_process->processId() : 0;
}

QUrl ServerProcess::httpUrl(const QString &path) const
{
    QUrl url = m_url;
    url.setScheme(m_tls ? u"https"_s : u"http"_s);
    url.setPath(path);
    return url;
}

void ServerProcess::reap(int timeoutMs)
{
    if (!m_process)
        return;
    waitUntil([&] { return m_process->state() == QProcess::NotRunning; }, timeoutMs);
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    onStdout();
}

void ServerProcess::kill()
{
    if (!isRunning())
        return;
    resume(); // harmless when not stopped
    m_process->kill();
    reap(10000);
}

int ServerProcess::terminate(int timeoutMs)
{
    if (!isRunning())
        return -1;
    m_process->terminate();
    const bool exited =
        waitUntil([&] { return m_process->state() == QProcess::NotRunning; }, timeoutMs);
    if (!exited) {
        m_error = u"conversa-server did not exit within %1 ms of SIGTERM"_s.arg(timeoutMs);
        kill();
        return -1;
    }
    onStdout();
    m_exitStatus = m_process->exitStatus();
    m_exitCode = m_process->exitCode();
    return m_exitStatus == QProcess::NormalExit ? m_exitCode : -1;
}

bool ServerProcess::pause()
{
#ifdef Q_OS_UNIX
    return isRunning() && ::kill(pid_t(m_process->processId()), SIGSTOP) == 0;
#else
    return false;
#endif
}

bool ServerProcess::resume()
{
#ifdef Q_OS_UNIX
    return isRunning() && ::kill(pid_t(m_process->processId()), SIGCONT) == 0;
#else
    return false;
#endif
}

QByteArray ServerProcess::standardError() const
{
    QFile log(m_logFile);
    if (m_logFile.isEmpty() || !log.open(QIODevice::ReadOnly))
        return {};
    return log.readAll();
}

QString ServerProcess::diagnostics(qsizetype tailBytes) const
{
    QString text = u"binary: %1\ndata: %2\nlast command: %3\n"_s.arg(m_binary, m_dataDir,
                                                                     m_lastArgs.join(u' '));
    if (!m_error.isEmpty())
        text += u"error: %1\n"_s.arg(m_error);
    if (isRunning())
        text += u"state: running (pid %1)\n"_s.arg(m_process->processId());
    else
        text +=
            u"state: not running, exit code %1 (%2)\n"_s.arg(m_exitCode)
                .arg(m_exitStatus == QProcess::NormalExit ? u"normal exit"_s : u"crash/signal"_s);
    if (!m_lastAdminError.isEmpty())
        text += u"last admin failure: %1\n"_s.arg(m_lastAdminError);
    const QByteArray out = m_stdout.right(2000);
    if (!out.isEmpty())
        text += u"--- stdout (tail) ---\n"_s + QString::fromUtf8(out) + u'\n';
    const QByteArray err = standardError();
    text += u"--- stderr (tail) ---\n"_s + QString::fromUtf8(err.right(tailBytes));
    return text;
}

} // namespace conversa::test
