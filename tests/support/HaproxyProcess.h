// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>
#include <memory>
#include <vector>

namespace conversa::test {

// A real HAProxy (Debian's /usr/sbin/haproxy) started in the foreground (`haproxy -db -f cfg`)
// with the configuration shipped in installer/linux/haproxy-conversa.cfg, changed only where a
// test must: the frontend binds 127.0.0.1:PORT, the certificate is the test's, and the `server`
// lines point at the test's instances (the first N lines, one per backend port; the rest are
// dropped).
//
//   HaproxyProcess haproxy;
//   QVERIFY2(haproxy.start(pemFile, {a.port(), b.port()}), qPrintable(haproxy.log()));
//   client.open(haproxy.url(), options);          // wss://127.0.0.1:PORT/ws
//   QVERIFY2(haproxy.reload(), qPrintable(haproxy.log()));   // new process, -sf the old one
class HaproxyProcess
{
public:
    HaproxyProcess();
    ~HaproxyProcess();
    HaproxyProcess(const HaproxyProcess &) = delete;
    HaproxyProcess &operator=(const HaproxyProcess &) = delete;

    // The haproxy executable, or empty when it is not installed.
    static QString executable();
    // The shipped configuration (CONVERSA_SOURCE_DIR/installer/linux/haproxy-conversa.cfg
    // unless given).
    static QString shippedConfig();

    // `pemFile`: certificate chain and key in one file. Waits until the frontend listens.
    // `adjust`, when given, edits the configuration text last (for the variants the shipped
    // file describes in its comments, such as `option forwardfor` instead of PROXY v2).
    bool start(const QString &pemFile, const QList<quint16> &backendPorts, quint16 port = 0,
               const std::function<void(QString &)> &adjust = {},
               const QString &configTemplate = shippedConfig());
    // A graceful reload as systemd does it: a new process with `-sf OLDPID` takes the port,
    // the old one stops listening and finishes its open connections (hard-stop-after).
    bool reload(int timeoutMs = 10000);
    // Ends every process (SIGTERM, then SIGKILL).
    void stop();
    bool isRunning() const;

    quint16 port() const { return m_port; }
    QUrl url() const;
    // The configuration as written for this run.
    QString configText() const { return m_config; }
    QString configFile() const;
    // Everything the processes wrote (merged stdout and stderr).
    QString log() const;
    // A certificate chain and key concatenated into one file in this object's folder.
    QString writePem(const QString &certificateFile, const QString &keyFile);

private:
    bool launch(const QStringList &extraArgs, int timeoutMs);

    QTemporaryDir m_dir;
    QString m_config;
    quint16 m_port = 0;
    std::vector<std::unique_ptr<QProcess>> m_processes; // the last one is current
    mutable QString m_log;
    QString m_error;
};

} // namespace conversa::test
