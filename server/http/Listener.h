// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QTimer>

#include <optional>

class QSocketNotifier;
class QTcpSocket;

namespace conversa::server {

// A listening TCP socket that survives running out of file descriptors. QTcpServer keeps its
// read notifier on when accept() fails with EMFILE and never says so, so the event loop spins
// at 100% CPU on a connection it cannot take. Here a failed accept pauses the notifier, retries
// after a growing pause (50 ms doubling to 2 s), and reports the first failure of each run.
// With a TLS configuration, accepted sockets are QSslSockets that start the server handshake.
class Listener : public QObject
{
    Q_OBJECT
public:
    explicit Listener(std::optional<QSslConfiguration> tls = std::nullopt,
                      QObject *parent = nullptr);
    ~Listener() override;

    // Returns an error in words, or an empty string.
    QString listen(const QHostAddress &address, quint16 port, int backlog);
    void close();
    QHostAddress address() const { return m_address; }
    quint16 port() const { return m_port; }

signals:
    // A new connection; the receiver owns `socket` (it has no parent).
    void accepted(QTcpSocket *socket);
    // accept() failed (no descriptors left, out of memory). `firstInRow` is true for the first
    // failure after a successful accept, so a flood of failures is logged once.
    void acceptFailed(const QString &reason, bool firstInRow, int retryMs);

private:
    void acceptPending();

    std::optional<QSslConfiguration> m_tls;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_retry;
    int m_backoffMs = 0;
    QHostAddress m_address;
    quint16 m_port = 0;
};

} // namespace conversa::server
