// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "HaproxyProcess.h"

#include "ConversaTest.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace conversa::test {

HaproxyProcess::HaproxyProcess() = default;

HaproxyProcess::~HaproxyProcess()
{
    stop();
}

QString HaproxyProcess::executable()
{
    return QStandardPaths::findExecutable(u"haproxy"_s, {u"/usr/sbin"_s, u"/sbin"_s});
}

QString HaproxyProcess::shippedConfig()
{
#ifdef CONVERSA_SOURCE_DIR
    return QStringLiteral(CONVERSA_SOURCE_DIR "/installer/linux/haproxy-conversa.cfg");
#else
    return {};
#endif
}

QString HaproxyProcess::writePem(const QString &certificateFile, const QString &keyFile)
{
    QFile pem(QDir(m_dir.path()).filePath(u"conversa.pem"_s));
    QFile certificate(certificateFile);
    QFile key(keyFile);
    if (!pem.open(QIODevice::WriteOnly) || !certificate.open(QIODevice::ReadOnly) ||
        !key.open(QIODevice::ReadOnly))
        return {};
    pem.write(certificate.readAll() + key.readAll());
    return pem.fileName();
}

QString HaproxyProcess::configFile() const
{
    return QDir(m_dir.path()).filePath(u"haproxy.cfg"_s);
}

bool HaproxyProcess::start(const QString &pemFile, const QList<quint16> &backendPorts, quint16 port,
                           const std::function<void(QString &)> &adjust,
                           const QString &configTemplate)
{
    stop();
    m_error.clear();
    QFile shipped(configTemplate);
    if (!shipped.open(QIODevice::ReadOnly)) {
        m_error = u"cannot read "_s + configTemplate;
        return false;
    }
    m_port = port != 0 ? port : freeLoopbackPort();
    QStringList lines = QString::fromUtf8(shipped.readAll()).split(u'\n');
    static const QRegularExpression serverLine(uR"(^(\s*server\s+\S+\s+)127\.0\.0\.1:\d+(.*)$)"_s);
    qsizetype servers = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QString &line = lines[i];
        line.replace(u"bind :443"_s, u"bind 127.0.0.1:%1"_s.arg(m_port));
        line.replace(u"/etc/ssl/conversa/conversa.pem"_s, pemFile);
        const QRegularExpressionMatch match = serverLine.match(line);
        if (!match.hasMatch())
            continue;
        if (servers < backendPorts.size()) {
            line = match.captured(1) + u"127.0.0.1:%1"_s.arg(backendPorts.at(servers)) +
                   match.captured(2);
        } else {
            lines.removeAt(i--);
        }
        ++servers;
    }
    if (servers < backendPorts.size()) {
        m_error = u"%1 has %2 server lines, the test wants %3"_s.arg(configTemplate)
                      .arg(servers)
                      .arg(backendPorts.size());
        return false;
    }
    m_config = lines.join(u'\n');
    if (adjust)
        adjust(m_config);
    QFile file(configFile());
    if (!file.open(QIODevice::WriteOnly)) {
        m_error = u"cannot write "_s + file.fileName();
        return false;
    }
    file.write(m_config.toUtf8());
    file.close();
    return launch({}, 10000);
}

bool HaproxyProcess::launch(const QStringList &extraArgs, int timeoutMs)
{
    const QString program = executable();
    if (program.isEmpty()) {
        m_error = u"haproxy is not installed"_s;
        return false;
    }
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->start(program, QStringList{u"-db"_s, u"-f"_s, configFile()} + extraArgs);
    if (!process->waitForStarted(5000)) {
        m_error = u"haproxy did not start: "_s + process->errorString();
        return false;
    }
    QProcess *current = process.get();
    m_processes.push_back(std::move(process));
    if (!waitForLoopbackListener(m_port, timeoutMs, current))
        return false;
    // A reloaded process binds the port while the old one still has it (SO_REUSEPORT): give it
    // a moment to take over, then it must still be running.
    if (!extraArgs.isEmpty())
        waitUntil([] { return false; }, 500);
    return current->state() == QProcess::Running;
}

bool HaproxyProcess::reload(int timeoutMs)
{
    if (m_processes.empty() || m_processes.back()->state() != QProcess::Running)
        return false;
    const qint64 oldPid = m_processes.back()->processId();
    return launch({u"-sf"_s, QString::number(oldPid)}, timeoutMs);
}

void HaproxyProcess::stop()
{
    for (auto &process : m_processes) {
        if (process->state() != QProcess::NotRunning) {
            process->terminate();
            if (!process->waitForFinished(5000)) {
                process->kill();
                process->waitForFinished(5000);
            }
        }
    }
    log();
    m_processes.clear();
}

bool HaproxyProcess::isRunning() const
{
    return !m_processes.empty() && m_processes.back()->state() == QProcess::Running;
}

QUrl HaproxyProcess::url() const
{
    QUrl url;
    url.setScheme(u"wss"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(m_port);
    url.setPath(u"/ws"_s);
    return url;
}

QString HaproxyProcess::log() const
{
    for (const auto &process : m_processes)
        m_log += QString::fromUtf8(process->readAll());
    return m_error.isEmpty() ? m_log : m_error + u'\n' + m_log;
}

} // namespace conversa::test
