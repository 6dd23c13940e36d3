// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Transport.h"

#include <QAbstractSocket>
#include <QElapsedTimer>
#include <QPointer>
#include <QSslError>

class QWebSocket;

namespace conversa::core {

// The real link: a QWebSocket through the chosen proxy, TLS verified against the system's CAs
// and the extra ones, with the time each step of opening took (lookup, TCP, TLS, upgrade).
class WebSocketTransport : public Transport
{
    Q_OBJECT
public:
    explicit WebSocketTransport(QObject *parent = nullptr);
    ~WebSocketTransport() override;

    void open(const TransportOptions &options) override;
    void close(int code, const QString &reason) override;
    void abort() override;
    bool isConnected() const override;
    void sendText(const QString &frame) override;
    void ping() override;
    void describe(ConnectionDetails &details) const override;

private:
    void onConnected();
    void onSocketError(QAbstractSocket::SocketError error);
    void onSslErrors(const QList<QSslError> &errors);
    void noteProblem(ConnectionProblem problem, const QString &reason);
    void scheduleEnd();
    void end();
    void watchSocketPhases();
    void notePhase(QAbstractSocket::SocketState socketState);
    void updatePhaseTimes();
    QString describeSocketError(QAbstractSocket::SocketError error,
                                ConnectionProblem *problem) const;

    TransportOptions m_options;
    QWebSocket *m_socket = nullptr;
    QPointer<QAbstractSocket> m_tcp; // the WebSocket's own TCP/TLS socket, when found
    bool m_ended = false;
    bool m_endScheduled = false;
    ConnectionProblem m_problem = ConnectionProblem::None;
    QString m_reason;

    ConnectionDetails m_details; // only the transport's fields are kept up to date
    QElapsedTimer m_clock;
    bool m_lookupSeen = false;
    qint64 m_connectingAt = -1; // the lookup ended, TCP connecting
    qint64 m_tcpUpAt = -1;
    qint64 m_encryptedAt = -1;
    qint64 m_upgradedAt = -1;
};

} // namespace conversa::core
