// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "redis/RedisClient.h"

#include <QPointer>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QUrl>

namespace conversa::server::redis {

using namespace Qt::StringLiterals;

QString RedisAddress::toString() const
{
    return host.contains(u':') ? u"[%1]:%2"_s.arg(host).arg(port) : u"%1:%2"_s.arg(host).arg(port);
}

std::optional<RedisAddress> parseRedisUrl(const QString &text, QString *error)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != "redis"_L1 || url.host().isEmpty()) {
        *error = u"redis_url must look like redis://HOST:PORT, not '%1'"_s.arg(text);
        return std::nullopt;
    }
    if (!url.userInfo().isEmpty()) {
        *error = u"redis_url: user names and passwords are not supported; let Redis listen only "
                 "where the instances can reach it"_s;
        return std::nullopt;
    }
    if (!url.path().isEmpty() && url.path() != "/"_L1) {
        *error = u"redis_url: database numbers are not supported; use redis://HOST:PORT, not "
                 "'%1'"_s.arg(text);
        return std::nullopt;
    }
    if (url.hasQuery() || url.hasFragment()) {
        *error = u"redis_url takes no options; use redis://HOST:PORT, not '%1'"_s.arg(text);
        return std::nullopt;
    }
    const int port = url.port(6379);
    if (port <= 0 || port > 65535) {
        *error = u"redis_url has no usable port: '%1'"_s.arg(text);
        return std::nullopt;
    }
    return RedisAddress{url.host(), quint16(port)};
}

RedisClient::RedisClient(RedisAddress address, QObject *parent)
    : QObject(parent)
    , m_address(std::move(address))
    , m_socket(new QTcpSocket(this))
{
    m_clock.start();
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisClient::connectNow);
    m_watchdog.setInterval(250);
    connect(&m_watchdog, &QTimer::timeout, this, &RedisClient::watch);
    connect(m_socket, &QTcpSocket::connected, this, &RedisClient::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &RedisClient::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this,
            [this] { drop(u"%1: %2"_s.arg(m_address.toString(), m_socket->errorString())); });
    connect(m_socket, &QTcpSocket::disconnected, this,
            [this] { drop(u"%1 closed the connection"_s.arg(m_address.toString())); });
}

RedisClient::~RedisClient()
{
    m_socket->disconnect(this);
    m_running = false;
    m_socket->abort();
}

void RedisClient::setTimeouts(int commandTimeoutMs, int pingIntervalMs)
{
    m_commandTimeoutMs = commandTimeoutMs;
    m_pingIntervalMs = pingIntervalMs;
}

void RedisClient::setBackoff(int firstDelayMs, int longestDelayMs)
{
    m_firstDelayMs = firstDelayMs;
    m_longestDelayMs = longestDelayMs;
}

void RedisClient::start()
{
    if (m_running)
        return;
    m_running = true;
    m_attempt = 0;
    m_watchdog.start();
    connectNow();
}

void RedisClient::stop()
{
    m_running = false;
    m_reconnectTimer.stop();
    m_watchdog.stop();
    drop(u"stopped"_s);
}

void RedisClient::connectNow()
{
    if (!m_running || m_state != State::Disconnected)
        return;
    m_socket->abort();
    ++m_generation;
    m_state = State::Connecting;
    m_attemptStartedMs = m_clock.elapsed();
    m_parser.clear();
    m_socket->connectToHost(m_address.host, m_address.port);
}

void RedisClient::onConnected()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_lastReceivedMs = m_clock.elapsed();
    if (!m_channels.isEmpty()) {
        QList<QByteArray> subscribe{"SUBSCRIBE"_ba};
        subscribe += m_channels;
        m_unconfirmedChannels = int(m_channels.size());
        m_socket->write(encodeCommand(subscribe));
        return;
    }
    // Something that accepts TCP is not yet Redis that answers: ready after the first PONG.
    write({"PING"_ba}, [this](const RedisResult &result) {
        if (result.ok)
            becomeReady();
        else if (m_state == State::Connecting)
            drop(u"%1 did not answer PING: %2"_s.arg(m_address.toString(), result.error));
    });
}

void RedisClient::becomeReady()
{
    m_state = State::Ready;
    m_attempt = 0;
    emit ready();
}

void RedisClient::command(const QList<QByteArray> &arguments, Callback done, Priority priority)
{
    auto refuse = [&done](const QString &why) {
        if (done)
            done(RedisResult{false, {}, why});
    };
    if (m_state != State::Ready)
        return refuse(u"not connected to Redis"_s);
    if (m_pending.size() >= kPendingLimit ||
        (priority == Priority::Droppable && m_pending.size() >= kDroppableLimit) ||
        m_socket->bytesToWrite() > kUnsentBytesLimit)
        return refuse(u"Redis is not keeping up (%1 commands waiting)"_s.arg(m_pending.size()));
    write(arguments, std::move(done));
}

void RedisClient::flush()
{
    if (m_state == State::Ready)
        m_socket->flush();
}

void RedisClient::write(const QList<QByteArray> &arguments, Callback done)
{
    m_pending.enqueue(Pending{std::move(done), m_clock.elapsed()});
    m_socket->write(encodeCommand(arguments));
}

void RedisClient::onReadyRead()
{
    m_parser.feed(m_socket->readAll());
    m_lastReceivedMs = m_clock.elapsed();
    const quint64 generation = m_generation;
    QPointer<RedisClient> self(this);
    while (self && m_generation == generation && m_state != State::Disconnected) {
        QString error;
        std::optional<RespValue> value = m_parser.next(&error);
        if (!value) {
            if (!error.isEmpty())
                drop(u"%1 sent something that is not RESP2: %2"_s.arg(m_address.toString(), error));
            return;
        }
        handleValue(std::move(*value));
    }
}

void RedisClient::handleValue(RespValue value)
{
    if (!m_channels.isEmpty() && value.type == RespValue::Type::Array) {
        const QByteArray kind = value.textAt(0).toLower();
        if (kind == "message") {
            emit message(value.textAt(1), value.textAt(2));
            return;
        }
        if (kind == "subscribe") {
            if (--m_unconfirmedChannels == 0 && m_state == State::Connecting)
                becomeReady();
            return;
        }
        // "pong": the answer to our PING while subscribed; it takes the queue's head below.
    }
    if (m_pending.isEmpty()) {
        // A subscriber's SUBSCRIBE refused (e.g. NOAUTH), or something that is not Redis.
        drop(value.isError()
                 ? u"%1 refused: %2"_s.arg(m_address.toString(), QString::fromUtf8(value.text))
                 : u"%1 answered a command that was never sent"_s.arg(m_address.toString()));
        return;
    }
    Pending pending = m_pending.dequeue();
    if (!pending.done)
        return;
    RedisResult result;
    result.ok = !value.isError();
    if (!result.ok)
        result.error = QString::fromUtf8(value.text);
    result.value = std::move(value);
    pending.done(result);
}

void RedisClient::drop(const QString &reason)
{
    if (m_state == State::Disconnected)
        return;
    // Callbacks below may send new commands: they must see the connection gone already.
    m_state = State::Disconnected;
    ++m_generation;
    m_unconfirmedChannels = 0;
    m_socket->abort();
    m_parser.clear();
    QPointer<RedisClient> self(this);
    QQueue<Pending> failed;
    failed.swap(m_pending);
    const RedisResult lostResult{false, {}, reason};
    for (Pending &pending : failed) {
        if (pending.done)
            pending.done(lostResult);
        if (!self)
            return;
    }
    if (m_running) {
        // Full jitter over a growing ceiling, so instances do not reconnect in step.
        const int ceiling = int(
            std::min<qint64>(m_longestDelayMs, qint64(m_firstDelayMs) << std::min(m_attempt, 16)));
        ++m_attempt;
        const int delay = ceiling / 2 + int(QRandomGenerator::global()->bounded(ceiling / 2 + 1));
        m_reconnectTimer.start(delay);
    }
    emit lost(reason);
}

void RedisClient::watch()
{
    const qint64 now = m_clock.elapsed();
    switch (m_state) {
    case State::Disconnected:
        return;
    case State::Connecting:
        if (now - m_attemptStartedMs > m_commandTimeoutMs)
            drop(u"%1 did not answer within %2 ms"_s.arg(m_address.toString())
                     .arg(m_commandTimeoutMs));
        return;
    case State::Ready:
        if (!m_pending.isEmpty() && now - m_pending.head().sentMs > m_commandTimeoutMs) {
            drop(u"%1 did not answer within %2 ms"_s.arg(m_address.toString())
                     .arg(m_commandTimeoutMs));
            return;
        }
        if (m_pending.isEmpty() && now - m_lastReceivedMs > m_pingIntervalMs)
            write({"PING"_ba}, {});
        return;
    }
}

} // namespace conversa::server::redis
