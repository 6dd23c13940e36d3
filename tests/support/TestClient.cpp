// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "TestClient.h"

#include "ServerProcess.h" // waitUntil

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QUuid>
#include <QWebSocketHandshakeOptions>

#include <array>

using namespace Qt::StringLiterals;

namespace conversa::test {

namespace {

// `re` and `id` compare as numbers when both are numbers (1 and 1.0 are the same id).
bool sameId(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble();
    return a == b;
}

} // namespace

TestClient::TestClient(QObject *parent)
    : QObject(parent)
{}

TestClient::~TestClient()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

bool TestClient::waitFor(const std::function<bool()> &predicate, int timeoutMs)
{
    return waitUntil(predicate, timeoutMs);
}

bool TestClient::open(const QUrl &url, const Options &options, int timeoutMs)
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    m_socket = std::make_unique<QWebSocket>(options.origin);
    m_connected = false;
    m_disconnected = false;
    m_closeStarted = false;
    m_closeCode = -1;
    m_closeReason.clear();
    m_errorString.clear();
    m_sslErrors.clear();

    QWebSocket *socket = m_socket.get();
    connect(socket, &QWebSocket::connected, this, [this] { m_connected = true; });
    connect(socket, &QWebSocket::aboutToClose, this, [this] { m_closeStarted = true; });
    connect(socket, &QWebSocket::disconnected, this, &TestClient::onDisconnected);
    connect(socket, &QWebSocket::textMessageReceived, this, &TestClient::onText);
    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this](const QByteArray &data) { m_binary.append(data); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, socket](QAbstractSocket::SocketError) {
                if (m_errorString.isEmpty())
                    m_errorString = socket->errorString();
            });
    const bool ignoreSsl = options.ignoreSslErrors;
    connect(socket, &QWebSocket::sslErrors, this,
            [this, socket, ignoreSsl](const QList<QSslError> &errors) {
                m_sslErrors += errors;
                if (ignoreSsl)
                    socket->ignoreSslErrors();
            });

    if (options.ssl)
        socket->setSslConfiguration(*options.ssl);
    QNetworkRequest request(url);
    for (const auto &[name, value] : options.headers)
        request.setRawHeader(name, value);
    QWebSocketHandshakeOptions handshake;
    handshake.setSubprotocols(options.subprotocols);
    socket->open(request, handshake);

    waitFor([this] { return m_connected || m_disconnected; }, timeoutMs);
    if (!m_connected && m_errorString.isEmpty())
        m_errorString = m_disconnected ? u"disconnected during the handshake"_s
                                       : u"no connection within %1 ms"_s.arg(timeoutMs);
    return m_connected && !m_disconnected;
}

bool TestClient::isConnected() const
{
    return m_socket && m_connected && !m_disconnected &&
           m_socket->state() == QAbstractSocket::ConnectedState;
}

void TestClient::close(quint16 code, const QString &reason, int timeoutMs)
{
    if (!m_socket || m_disconnected)
        return;
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
    waitFor([this] { return m_disconnected; }, timeoutMs);
}

void TestClient::abort()
{
    if (m_socket)
        m_socket->abort();
}

QString TestClient::subprotocol() const
{
    return m_socket ? m_socket->subprotocol() : QString();
}

void TestClient::onText(const QString &text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        m_malformed.append(text);
        return;
    }
    const QJsonObject frame = document.object();
    m_received.append(frame);
    if (frame.contains(u"re"_s))
        m_replies.append(frame);
    else
        m_events.append(frame);
    Q_EMIT frameReceived(frame);
}

void TestClient::onDisconnected()
{
    m_disconnected = true;
    if (m_socket) {
        // QWebSocket reports 1000 even when no close frame arrived; tell the two apart.
        m_closeCode = m_closeStarted ? int(m_socket->closeCode())
                                     : int(QWebSocketProtocol::CloseCodeAbnormalDisconnection);
        m_closeReason = m_socket->closeReason();
        if (m_errorString.isEmpty() && !m_connected)
            m_errorString = m_socket->errorString();
    }
}

void TestClient::sendJson(const QJsonObject &frame)
{
    sendText(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

void TestClient::sendText(const QString &text)
{
    if (m_socket)
        m_socket->sendTextMessage(text);
}

void TestClient::sendBinary(const QByteArray &data)
{
    if (m_socket)
        m_socket->sendBinaryMessage(data);
}

QJsonValue TestClient::post(QJsonObject frame)
{
    if (!frame.contains(u"id"_s))
        frame.insert(u"id"_s, nextId());
    const QJsonValue id = frame.value(u"id"_s);
    sendJson(frame);
    return id;
}

QJsonObject TestClient::waitForReply(const QJsonValue &re, int timeoutMs)
{
    qsizetype index = -1;
    auto find = [&] {
        for (qsizetype i = 0; i < m_replies.size(); ++i) {
            if (sameId(m_replies.at(i).value(u"re"_s), re)) {
                index = i;
                return true;
            }
        }
        return false;
    };
    waitFor([&] { return find() || m_disconnected; }, timeoutMs);
    if (index < 0 && !find())
        return {};
    return m_replies.takeAt(index);
}

QJsonObject TestClient::waitForAnyReply(int timeoutMs)
{
    waitFor([this] { return !m_replies.isEmpty() || m_disconnected; }, timeoutMs);
    return m_replies.isEmpty() ? QJsonObject() : m_replies.takeFirst();
}

QJsonObject TestClient::request(QJsonObject frame, int timeoutMs)
{
    return waitForReply(post(std::move(frame)), timeoutMs);
}

QJsonObject TestClient::login(const QString &user, const QString &password, const QString &device)
{
    const QJsonObject reply = request({{u"type"_s, u"login"_s},
                                       {u"user"_s, user},
                                       {u"password"_s, password},
                                       {u"device"_s, device}});
    if (isOk(reply)) {
        m_token = reply.value(u"token"_s).toString();
        m_user = reply.value(u"user"_s).toString();
    }
    return reply;
}

QJsonObject TestClient::auth(const QString &token)
{
    const QJsonObject reply = request({{u"type"_s, u"auth"_s}, {u"token"_s, token}});
    if (isOk(reply)) {
        m_token = token;
        m_user = reply.value(u"user"_s).toString();
    }
    return reply;
}

QJsonObject TestClient::logout()
{
    return request({{u"type"_s, u"logout"_s}});
}

QJsonObject TestClient::rooms()
{
    return request({{u"type"_s, u"rooms"_s}});
}

QJsonObject TestClient::create(const QString &room, const QString &title)
{
    QJsonObject frame{{u"type"_s, u"create"_s}, {u"room"_s, room}};
    if (!title.isNull())
        frame.insert(u"title"_s, title);
    return request(frame);
}

QJsonObject TestClient::join(const QString &room)
{
    return request({{u"type"_s, u"join"_s}, {u"room"_s, room}});
}

QJsonObject TestClient::leave(const QString &room)
{
    return request({{u"type"_s, u"leave"_s}, {u"room"_s, room}});
}

QJsonObject TestClient::members(const QString &room)
{
    return request({{u"type"_s, u"members"_s}, {u"room"_s, room}});
}

QJsonObject TestClient::send(const QString &room, const QString &body, const QString &cid)
{
    const QString id = cid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : cid;
    return request({{u"type"_s, u"send"_s}, {u"room"_s, room}, {u"cid"_s, id}, {u"body"_s, body}});
}

QJsonObject TestClient::history(const QString &room, std::optional<qint64> before,
                                std::optional<int> limit)
{
    QJsonObject frame{{u"type"_s, u"history"_s}, {u"room"_s, room}};
    if (before)
        frame.insert(u"before"_s, *before);
    if (limit)
        frame.insert(u"limit"_s, *limit);
    return request(frame);
}

QJsonObject TestClient::sync(const QString &room, qint64 after, std::optional<int> limit)
{
    QJsonObject frame{{u"type"_s, u"sync"_s}, {u"room"_s, room}, {u"after"_s, after}};
    if (limit)
        frame.insert(u"limit"_s, *limit);
    return request(frame);
}

QJsonObject TestClient::read(const QString &room, qint64 seq)
{
    return request({{u"type"_s, u"read"_s}, {u"room"_s, room}, {u"seq"_s, seq}});
}

void TestClient::typing(const QString &room)
{
    sendJson({{u"type"_s, u"typing"_s}, {u"room"_s, room}});
}

QList<QJsonObject> TestClient::sendBurst(const QString &room, const QStringList &bodies,
                                         int timeoutMs)
{
    QList<QJsonValue> ids;
    ids.reserve(bodies.size());
    for (const QString &body : bodies) {
        ids.append(post({{u"type"_s, u"send"_s},
                         {u"room"_s, room},
                         {u"cid"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)},
                         {u"body"_s, body}}));
    }
    auto allThere = [&] {
        qsizetype found = 0;
        for (const QJsonObject &reply : std::as_const(m_replies)) {
            const QJsonValue re = reply.value(u"re"_s);
            if (re.isDouble() && re.toDouble() >= ids.constFirst().toDouble() &&
                re.toDouble() <= ids.constLast().toDouble())
                ++found;
        }
        return found >= ids.size();
    };
    if (!ids.isEmpty())
        waitFor([&] { return allThere() || m_disconnected; }, timeoutMs);
    QList<QJsonObject> replies;
    replies.reserve(ids.size());
    for (const QJsonValue &id : std::as_const(ids))
        replies.append(waitForReply(id, 0));
    return replies;
}

QJsonObject TestClient::waitForEvent(const QString &type, int timeoutMs,
                                     const std::function<bool(const QJsonObject &)> &match)
{
    qsizetype index = -1;
    auto find = [&] {
        for (qsizetype i = 0; i < m_events.size(); ++i) {
            const QJsonObject &event = m_events.at(i);
            if (event.value(u"type"_s).toString() == type && (!match || match(event))) {
                index = i;
                return true;
            }
        }
        return false;
    };
    waitFor([&] { return find() || m_disconnected; }, timeoutMs);
    if (index < 0 && !find())
        return {};
    return m_events.takeAt(index);
}

QList<QJsonObject> TestClient::eventsOfType(const QString &type) const
{
    QList<QJsonObject> result;
    for (const QJsonObject &event : m_events) {
        if (event.value(u"type"_s).toString() == type)
            result.append(event);
    }
    return result;
}

bool TestClient::waitForDisconnected(int timeoutMs)
{
    return waitFor([this] { return m_disconnected; }, timeoutMs);
}

bool TestClient::isOk(const QJsonObject &reply)
{
    return reply.value(u"type"_s).toString() == u"ok"_s;
}

bool TestClient::isError(const QJsonObject &reply, const QString &code)
{
    return reply.value(u"type"_s).toString() == u"error"_s &&
           (code.isEmpty() || reply.value(u"code"_s).toString() == code);
}

QString TestClient::errorCode(const QJsonObject &reply)
{
    return reply.value(u"code"_s).toString();
}

QString TestClient::toText(const QJsonObject &frame)
{
    if (frame.isEmpty())
        return u"<nothing received>"_s;
    return QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact));
}

const char *TestClient::describe(const QJsonObject &frame)
{
    // A few rotating buffers so several describe() calls can appear in one expression.
    static thread_local std::array<QByteArray, 8> buffers;
    static thread_local std::size_t next = 0;
    QByteArray &buffer = buffers[next++ % buffers.size()];
    buffer = toText(frame).left(4000).toUtf8();
    return buffer.constData();
}

QString TestClient::diagnostics() const
{
    QString text = u"connected=%1 disconnected=%2 close=%3 \"%4\" error=\"%5\"\n"_s.arg(
        m_connected ? u"yes"_s : u"no"_s, m_disconnected ? u"yes"_s : u"no"_s,
        QString::number(m_closeCode), m_closeReason, m_errorString);
    const qsizetype from = qMax<qsizetype>(0, m_received.size() - 5);
    for (qsizetype i = from; i < m_received.size(); ++i)
        text += u"  received: "_s + toText(m_received.at(i)).left(500) + u'\n';
    return text;
}

} // namespace conversa::test
