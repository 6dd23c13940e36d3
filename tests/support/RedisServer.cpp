// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RedisServer.h"

#include "ServerProcess.h"

#include <QFile>
#include <QStandardPaths>
#include <QTcpSocket>

#include <csignal>

namespace conversa::test {

using namespace Qt::StringLiterals;

RedisServer::RedisServer(QObject *parent)
    : QObject(parent)
{}

RedisServer::~RedisServer()
{
    stop();
}

QString RedisServer::binary()
{
    QString found = QStandardPaths::findExecutable(u"redis-server"_s);
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(u"redis-server"_s, {u"/usr/bin"_s, u"/usr/sbin"_s});
    return found;
}

bool RedisServer::mustRun()
{
    return qEnvironmentVariable("CI") == "true"_L1;
}

QString RedisServer::url() const
{
    return u"redis://127.0.0.1:%1"_s.arg(m_port);
}

bool RedisServer::start(int timeoutMs)
{
    if (isRunning())
        return true;
    if (!m_dir.isValid() || binary().isEmpty())
        return false;
    if (m_port == 0)
        m_port = freeLoopbackPort();
    delete m_process;
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(m_dir.filePath(u"redis.log"_s), QIODevice::Append);
    m_process->setWorkingDirectory(m_dir.path());
    m_process->start(binary(),
                     QStringList{u"--port"_s, QString::number(m_port), u"--bind"_s, u"127.0.0.1"_s,
                                 u"--save"_s, u""_s, u"--appendonly"_s, u"no"_s, u"--dir"_s,
                                 m_dir.path(), u"--daemonize"_s, u"no"_s} +
                         m_extraArguments);
    if (!m_process->waitForStarted(timeoutMs))
        return false;
    // Accepting is not answering (it may still load): wait for an answer (a PONG, or NOAUTH
    // from one that wants a password).
    return waitUntil(
        [this] {
            const QByteArray reply = command({"PING"_ba});
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
        },
        timeoutMs);
}

void RedisServer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        ::kill(pid_t(m_process->processId()), SIGCONT);
        m_process->kill();
        m_process->waitForFinished(10000);
    }
}

bool RedisServer::pause()
{
    return isRunning() && ::kill(pid_t(m_process->processId()), SIGSTOP) == 0;
}

bool RedisServer::resume()
{
    return isRunning() && ::kill(pid_t(m_process->processId()), SIGCONT) == 0;
}

bool RedisServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QByteArray RedisServer::command(const QList<QByteArray> &arguments, int timeoutMs) const
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    QByteArray request = '*' + QByteArray::number(arguments.size()) + "\r\n";
    for (const QByteArray &argument : arguments)
        request += '$' + QByteArray::number(argument.size()) + "\r\n" + argument + "\r\n";
    socket.write(request);
    if (!socket.waitForReadyRead(timeoutMs))
        return {};
    QByteArray reply = socket.readAll();
    // Good enough for the short replies tests look at: read what arrives within a moment.
    while (socket.waitForReadyRead(50))
        reply += socket.readAll();
    return reply;
}

QString RedisServer::diagnostics() const
{
    QFile log(m_dir.filePath(u"redis.log"_s));
    QByteArray tail;
    if (log.open(QIODevice::ReadOnly))
        tail = log.readAll().right(3000);
    return u"redis-server on port %1 (%2)\n%3"_s.arg(m_port)
        .arg(isRunning() ? u"running"_s : u"not running"_s)
        .arg(QString::fromUtf8(tail));
}

} // namespace conversa::test
