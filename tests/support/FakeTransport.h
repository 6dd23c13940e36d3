// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <Transport.h>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace conversa::test {

class FakeNetwork;

// One scripted connection attempt: the test accepts or fails the connect, delivers frames,
// drops the link and reads what the client sent. Nothing touches a socket.
class FakeTransport : public core::Transport
{
    Q_OBJECT
public:
    FakeTransport(FakeNetwork *network, QObject *parent);

    void open(const core::TransportOptions &options) override;
    void close(int code, const QString &reason) override;
    void abort() override;
    bool isConnected() const override { return m_connected && !m_ended; }
    void sendText(const QString &frame) override;
    void ping() override;
    void describe(core::ConnectionDetails &details) const override;

    // --- driven by the test ---
    void acceptConnect();
    void failConnect(core::ConnectionProblem problem, const QString &reason);
    // The server closes (a close code) or the link breaks (code 0).
    void drop(int closeCode = 0, const QString &reason = {});
    void deliver(const QJsonObject &frame);
    void deliverText(const QString &frame);
    void answerPing(qint64 roundTripMs = 1);
    void reply(const QJsonValue &re, const QJsonObject &payload = {});
    void replyError(const QJsonValue &re, const QString &code, const QString &message = {});

    bool isOpened() const { return m_opened; }
    bool isEnded() const { return m_ended; }
    bool wasAborted() const { return m_aborted; }
    core::TransportOptions options() const { return m_options; }
    // Every frame the client sent, decoded, in order.
    const QList<QJsonObject> &sent() const { return m_sent; }
    QList<QJsonObject> sentOfType(const QString &type) const;
    int pings() const { return m_pings; }

private:
    FakeNetwork *m_network;
    core::TransportOptions m_options;
    QList<QJsonObject> m_sent;
    int m_pings = 0;
    bool m_opened = false;
    bool m_connected = false;
    bool m_ended = false;
    bool m_aborted = false;
};

// What the session's factory hands out: a FakeTransport per attempt, all kept here for the test
// (the latest is current()). Requests can be answered automatically by type, like a server
// would; answers arrive from the event loop, never from inside sendText().
class FakeNetwork : public QObject
{
    Q_OBJECT
public:
    // Returns the reply's payload (ok), an error, or nothing (no answer: the request hangs).
    struct Answer {
        QJsonObject payload;
        QString errorCode; // set: an error reply with this code name
        QString errorMessage;

        static Answer ok(const QJsonObject &payload = {}) { return {payload, {}, {}}; }
        static Answer error(const QString &code, const QString &message = {})
        {
            return {{}, code, message};
        }
    };
    using Responder = std::function<std::optional<Answer>(FakeTransport *, const QJsonObject &)>;

    explicit FakeNetwork(QObject *parent = nullptr);

    core::TransportFactory factory();
    // New attempts connect on their own (from the event loop) instead of waiting for the test.
    void setAutoAccept(bool accept) { m_autoAccept = accept; }
    // New attempts fail with this problem on their own.
    void setAutoFail(core::ConnectionProblem problem, const QString &reason = {});
    void setResponder(const QString &type, Responder responder);
    void clearResponder(const QString &type) { m_responders.remove(type); }
    // Pings are answered on their own.
    void setAutoPong(bool pong) { m_autoPong = pong; }

    FakeTransport *current() const;
    int attempts() const { return int(m_transports.size()); }
    const QList<QPointer<FakeTransport>> &transports() const { return m_transports; }
    // Every frame of `type` sent over every attempt, in order.
    QList<QJsonObject> sentOfType(const QString &type) const;

signals:
    void transportCreated(conversa::test::FakeTransport *transport);
    void frameSent(conversa::test::FakeTransport *transport, const QJsonObject &frame);

private:
    friend class FakeTransport;
    void opened(FakeTransport *transport);
    void handle(FakeTransport *transport, const QJsonObject &frame);

    QList<QPointer<FakeTransport>> m_transports;
    QList<QJsonObject> m_allSent; // kept when a transport is gone
    QHash<QString, Responder> m_responders;
    bool m_autoAccept = false;
    bool m_autoPong = true;
    std::optional<std::pair<core::ConnectionProblem, QString>> m_autoFail;
};

} // namespace conversa::test
