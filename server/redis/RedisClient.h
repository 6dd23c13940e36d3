// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "redis/Resp.h"

#include <QElapsedTimer>
#include <QObject>
#include <QQueue>
#include <QTimer>

#include <functional>
#include <optional>

class QTcpSocket;

namespace conversa::server::redis {

struct RedisAddress {
    QString host;
    quint16 port = 6379;
    QString toString() const;
};

// Parses `redis://HOST[:PORT]` (the `redis_url` setting); nullopt with `error` in words otherwise.
std::optional<RedisAddress> parseRedisUrl(const QString &url, QString *error);

// What came back for one command: the reply, or why there is none.
struct RedisResult {
    // False when Redis answered with an error, or did not answer: not connected, queue full,
    // timed out, connection lost. `error` then says which, in words.
    bool ok = false;
    RespValue value;
    QString error;
};

// One connection to Redis, speaking RESP2 over a QTcpSocket on the caller's event loop.
//
// Why our own client instead of hiredis: RESP2 is a small, stable protocol (the parser is
// Resp.cpp), while Debian 12's hiredis 0.14 has no timeouts for its asynchronous API and would
// still need an adapter to Qt's event loop, its own reconnect logic and a bounded queue — the
// parts that make up most of this class. A QTcpSocket runs on the server's epoll dispatcher like
// every other socket and adds no library to the package.
//
// It never blocks: commands are written at once and answered in order through callbacks. It
// reconnects by itself with a growing delay (with jitter), checks the link with PING when quiet,
// and drops the connection when the oldest command has waited longer than the command timeout.
// What waits for an answer is bounded (see docs/security.md): past kDroppableLimit commands
// in flight, droppable ones (typing) are refused; past kPendingLimit, all are.
//
// With subscriptions set it is a subscriber connection: it subscribes on every connect, is
// ready once every channel is confirmed, and emits message() for what is published there.
class RedisClient : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Ready };
    enum class Priority { Normal, Droppable };
    using Callback = std::function<void(const RedisResult &)>;

    static constexpr qsizetype kPendingLimit = 10'000;
    static constexpr qsizetype kDroppableLimit = 1'000;
    static constexpr qint64 kUnsentBytesLimit = 8 * 1024 * 1024;

    explicit RedisClient(RedisAddress address, QObject *parent = nullptr);
    ~RedisClient() override;

    // The channels a subscriber connection subscribes to on every connect; set before start().
    void setSubscriptions(const QList<QByteArray> &channels) { m_channels = channels; }
    // How long a command (or a connection attempt) may take before the connection is dropped,
    // how long a quiet link waits before a PING, and the reconnect delays.
    void setTimeouts(int commandTimeoutMs, int pingIntervalMs);
    void setBackoff(int firstDelayMs, int longestDelayMs);

    // Connects, and keeps reconnecting whenever the connection is lost, until stop().
    void start();
    void stop();
    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Ready; }
    RedisAddress address() const { return m_address; }
    qsizetype pendingCount() const { return m_pending.size(); }

    // Sends one command. `done` runs exactly once: from the event loop with Redis's answer, or
    // at once, inside this call, when the command is refused (not ready, queue full), or when
    // the connection is lost or times out (then for every command in flight, in order).
    void command(const QList<QByteArray> &arguments, Callback done = {},
                 Priority priority = Priority::Normal);
    // Writes what is buffered now, without waiting (before the process exits).
    void flush();

signals:
    void ready();
    // A connection attempt failed or a ready connection was lost; another attempt follows.
    void lost(const QString &reason);
    // Subscriber connections: something was published on one of the channels.
    void message(const QByteArray &channel, const QByteArray &payload);

private:
    struct Pending {
        Callback done;
        qint64 sentMs = 0;
    };

    void connectNow();
    void onConnected();
    void onReadyRead();
    void handleValue(RespValue value);
    void becomeReady();
    void drop(const QString &reason);
    void watch();
    void write(const QList<QByteArray> &arguments, Callback done);

    RedisAddress m_address;
    QList<QByteArray> m_channels;
    QTcpSocket *m_socket = nullptr;
    RespParser m_parser;
    QQueue<Pending> m_pending;
    State m_state = State::Disconnected;
    bool m_running = false;
    int m_unconfirmedChannels = 0;
    int m_attempt = 0;
    quint64 m_generation = 0; // one per connection, so a loop notices when the link changed
    int m_commandTimeoutMs = 2000;
    int m_pingIntervalMs = 3000;
    int m_firstDelayMs = 200;
    int m_longestDelayMs = 5000;
    qint64 m_attemptStartedMs = 0;
    qint64 m_lastReceivedMs = 0;
    QElapsedTimer m_clock;
    QTimer m_reconnectTimer;
    QTimer m_watchdog;
};

} // namespace conversa::server::redis
