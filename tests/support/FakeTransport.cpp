// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "FakeTransport.h"

#include <QJsonDocument>
#include <QTimer>

namespace conversa::test {

using namespace Qt::StringLiterals;
using core::ConnectionProblem;

FakeTransport::FakeTransport(FakeNetwork *network, QObject *parent)
    : core::Transport(parent)
    , m_network(network)
{}

void FakeTransport::open(const core::TransportOptions &options)
{
    m_options = options;
    m_opened = true;
    if (m_network)
        m_network->opened(this);
}

void FakeTransport::close(int code, const QString &reason)
{
    if (m_ended)
        return;
    QTimer::singleShot(0, this, [this, code, reason] { drop(code, reason); });
}

void FakeTransport::abort()
{
    m_aborted = true;
    m_ended = true;
}

void FakeTransport::sendText(const QString &frame)
{
    if (!isConnected())
        return;
    const QJsonObject object = QJsonDocument::fromJson(frame.toUtf8()).object();
    m_sent.append(object);
    if (m_network)
        m_network->handle(this, object);
}

void FakeTransport::ping()
{
    if (!isConnected())
        return;
    ++m_pings;
    if (m_network && m_network->m_autoPong)
        QTimer::singleShot(0, this, [this] { answerPing(1); });
}

void FakeTransport::describe(core::ConnectionDetails &details) const
{
    details.peerName = m_options.url.host();
    details.peerPort = quint16(m_options.url.port(80));
    details.proxy = QNetworkProxy(QNetworkProxy::NoProxy);
    details.totalMs = m_connected ? 0 : -1;
}

void FakeTransport::acceptConnect()
{
    if (m_ended || m_connected)
        return;
    m_connected = true;
    emit detailsChanged();
    emit connected();
}

void FakeTransport::failConnect(ConnectionProblem problem, const QString &reason)
{
    if (m_ended)
        return;
    m_ended = true;
    emit errorOccurred(problem, reason.isEmpty() ? u"fake failure"_s : reason);
    emit disconnected(0, {});
}

void FakeTransport::drop(int closeCode, const QString &reason)
{
    if (m_ended)
        return;
    m_ended = true;
    m_connected = false;
    emit disconnected(closeCode, reason);
}

void FakeTransport::deliver(const QJsonObject &frame)
{
    deliverText(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

void FakeTransport::deliverText(const QString &frame)
{
    if (isConnected())
        emit textReceived(frame);
}

void FakeTransport::answerPing(qint64 roundTripMs)
{
    if (isConnected())
        emit pong(roundTripMs);
}

void FakeTransport::reply(const QJsonValue &re, const QJsonObject &payload)
{
    QJsonObject frame = payload;
    frame.insert("type"_L1, "ok"_L1);
    frame.insert("re"_L1, re);
    deliver(frame);
}

void FakeTransport::replyError(const QJsonValue &re, const QString &code, const QString &message)
{
    deliver(QJsonObject{{"type"_L1, "error"_L1},
                        {"re"_L1, re},
                        {"code"_L1, code},
                        {"message"_L1, message.isEmpty() ? code : message}});
}

QList<QJsonObject> FakeTransport::sentOfType(const QString &type) const
{
    QList<QJsonObject> frames;
    for (const QJsonObject &frame : m_sent) {
        if (frame.value("type"_L1).toString() == type)
            frames.append(frame);
    }
    return frames;
}

// --- the network ------------------------------------------------------------------------------

FakeNetwork::FakeNetwork(QObject *parent)
    : QObject(parent)
{}

core::TransportFactory FakeNetwork::factory()
{
    return [this](QObject *parent) {
        auto *transport = new FakeTransport(this, parent);
        m_transports.append(transport);
        emit transportCreated(transport);
        return transport;
    };
}

void FakeNetwork::setAutoFail(ConnectionProblem problem, const QString &reason)
{
    if (problem == ConnectionProblem::None)
        m_autoFail.reset();
    else
        m_autoFail = std::make_pair(problem, reason);
}

void FakeNetwork::setResponder(const QString &type, Responder responder)
{
    m_responders.insert(type, std::move(responder));
}

FakeTransport *FakeNetwork::current() const
{
    return m_transports.isEmpty() ? nullptr : m_transports.constLast().data();
}

QList<QJsonObject> FakeNetwork::sentOfType(const QString &type) const
{
    QList<QJsonObject> frames;
    for (const QJsonObject &frame : m_allSent) {
        if (frame.value("type"_L1).toString() == type)
            frames.append(frame);
    }
    return frames;
}

void FakeNetwork::opened(FakeTransport *transport)
{
    QPointer<FakeTransport> guard(transport);
    if (m_autoFail) {
        const auto [problem, reason] = *m_autoFail;
        QTimer::singleShot(0, transport, [guard, problem, reason] {
            if (guard)
                guard->failConnect(problem, reason);
        });
    } else if (m_autoAccept) {
        QTimer::singleShot(0, transport, [guard] {
            if (guard)
                guard->acceptConnect();
        });
    }
}

void FakeNetwork::handle(FakeTransport *transport, const QJsonObject &frame)
{
    m_allSent.append(frame);
    emit frameSent(transport, frame);
    const auto responder = m_responders.constFind(frame.value("type"_L1).toString());
    if (responder == m_responders.cend())
        return;
    const std::optional<Answer> answer = (*responder)(transport, frame);
    if (!answer)
        return;
    QPointer<FakeTransport> guard(transport);
    const QJsonValue re = frame.value("id"_L1);
    QTimer::singleShot(0, transport, [guard, re, answer = *answer] {
        if (!guard)
            return;
        if (answer.errorCode.isEmpty())
            guard->reply(re, answer.payload);
        else
            guard->replyError(re, answer.errorCode, answer.errorMessage);
    });
}

} // namespace conversa::test
