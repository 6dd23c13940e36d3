// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-load: many WebSocket clients in one room against a running conversa-server.
// Listeners authenticate with one token (sessions of one user), senders each with their own,
// and every message carries its send time so receivers measure send-to-receive latency.
#include "Codec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace conversa::protocol;

namespace {

QElapsedTimer g_clock;

struct Stats {
    qint64 received = 0;
    qint64 sent = 0;
    qint64 acked = 0;
    qint64 errors = 0;
    std::vector<qint64> latenciesUs;
};

class BenchClient : public QObject
{
public:
    BenchClient(QUrl url, QString token, QString room, Stats &stats, QObject *parent)
        : QObject(parent)
        , m_token(std::move(token))
        , m_room(std::move(room))
        , m_stats(stats)
    {
        m_socket.setParent(this);
        connect(&m_socket, &QWebSocket::connected, this, [this] {
            send(AuthRequest{nextId(), m_token});
        });
        connect(&m_socket, &QWebSocket::textMessageReceived, this, &BenchClient::onText);
        QWebSocketHandshakeOptions options;
        options.setSubprotocols({QString(kSubprotocol)});
        m_socket.open(QNetworkRequest(url), options);
    }

    bool ready() const { return m_ready; }
    bool canSend(int window) const { return m_ready && m_inFlight < window; }

    void sendOne()
    {
        ++m_inFlight;
        ++m_stats.sent;
        const QString body = QString::number(g_clock.nsecsElapsed() / 1000);
        send(SendRequest{nextId(), m_room, QUuid::createUuid().toString(QUuid::WithoutBraces),
                         body});
    }

    std::function<void()> onReady;
    std::function<void()> onAck;

private:
    QJsonValue nextId() { return QJsonValue(++m_lastId); }
    void send(const Request &request)
    {
        m_socket.sendTextMessage(QString::fromUtf8(encodeRequest(request)));
    }

    void onText(const QString &text)
    {
        // Fast path for message events so the generator, not the server, is not the limit:
        // the server writes members in sorted order, so a message starts with its body.
        static const QString prefix = u"{\"body\":\""_s;
        if (text.startsWith(prefix) && text.endsWith(u"\"type\":\"message\"}")) {
            const qsizetype end = text.indexOf(u'"', prefix.size());
            const qint64 sentUs =
                QStringView(text).mid(prefix.size(), end - prefix.size()).toLongLong();
            ++m_stats.received;
            m_stats.latenciesUs.push_back(g_clock.nsecsElapsed() / 1000 - sentUs);
            return;
        }
        auto decoded = decodeServerFrame(text.toUtf8());
        auto *frame = std::get_if<ServerFrame>(&decoded);
        if (!frame)
            return;
        if (auto *message = std::get_if<MessageEvent>(frame)) {
            ++m_stats.received;
            const qint64 sentUs = message->body.toLongLong();
            m_stats.latenciesUs.push_back(g_clock.nsecsElapsed() / 1000 - sentUs);
        } else if (std::get_if<OkReply>(frame)) {
            if (!m_joined) {
                m_joined = true;
                send(JoinRequest{nextId(), m_room});
                return;
            }
            if (!m_ready) {
                m_ready = true;
                if (onReady)
                    onReady();
                return;
            }
            ++m_stats.acked;
            --m_inFlight;
            if (onAck)
                onAck();
        } else if (auto *error = std::get_if<ErrorReply>(frame)) {
            ++m_stats.errors;
            if (m_ready)
                --m_inFlight;
            std::fprintf(stderr, "error: %s %s\n", qPrintable(error->codeName),
                         qPrintable(error->message));
        }
    }

    QString m_token;
    QString m_room;
    Stats &m_stats;
    QWebSocket m_socket;
    qint64 m_lastId = 0;
    int m_inFlight = 0;
    bool m_joined = false;
    bool m_ready = false;
};

// Signs in once with the password and returns the device token, or an empty string.
QString obtainToken(const QUrl &url, const QString &user, const QString &password)
{
    QWebSocket socket;
    QEventLoop loop;
    QString token;
    QObject::connect(&socket, &QWebSocket::connected, &loop, [&] {
        socket.sendTextMessage(QString::fromUtf8(
            encodeRequest(LoginRequest{QJsonValue(1), user, password, u"conversa-load"_s})));
    });
    QObject::connect(&socket, &QWebSocket::textMessageReceived, &loop, [&](const QString &text) {
        auto decoded = decodeServerFrame(text.toUtf8());
        if (auto *frame = std::get_if<ServerFrame>(&decoded)) {
            if (auto *ok = std::get_if<OkReply>(frame))
                token = ok->payload.value("token"_L1).toString();
            else if (auto *error = std::get_if<ErrorReply>(frame))
                std::fprintf(stderr, "login %s: %s\n", qPrintable(user),
                             qPrintable(error->message));
        }
        loop.quit();
    });
    QObject::connect(&socket, &QWebSocket::disconnected, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QString(kSubprotocol)});
    socket.open(QNetworkRequest(url), options);
    loop.exec();
    socket.close();
    return token;
}

qint64 percentile(std::vector<qint64> &values, double p)
{
    if (values.empty())
        return 0;
    const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
    std::nth_element(values.begin(), values.begin() + static_cast<qsizetype>(index), values.end());
    return values[index];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    g_clock.start();
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Load generator for conversa-server"_s);
    parser.addHelpOption();
    const QCommandLineOption urlOption(u"url"_s, u"Server WebSocket URL."_s, u"url"_s);
    const QCommandLineOption listenerUser(u"listener-user"_s,
                                          u"Account every listener signs in as."_s, u"name"_s);
    const QCommandLineOption senderUsers(u"sender-user"_s, u"Account of one sender (repeat)."_s,
                                         u"name"_s);
    const QCommandLineOption passwordOption(u"password"_s, u"Password of those accounts."_s,
                                            u"password"_s);
    const QCommandLineOption clientsOption(u"clients"_s, u"Listening clients."_s, u"n"_s, u"500"_s);
    const QCommandLineOption secondsOption(u"seconds"_s, u"Measured seconds."_s, u"s"_s, u"10"_s);
    const QCommandLineOption rateOption(u"rate"_s,
                                        u"Total sends per second (0: as fast as acks "
                                        "allow)."_s,
                                        u"n"_s, u"0"_s);
    const QCommandLineOption windowOption(u"window"_s, u"Unacknowledged sends per sender."_s,
                                          u"n"_s, u"32"_s);
    const QCommandLineOption roomOption(u"room"_s, u"Room."_s, u"name"_s, u"bench"_s);
    const QCommandLineOption idleOption(u"idle-only"_s,
                                        u"Connect and authenticate, wait, then exit."_s);
    parser.addOptions({urlOption, listenerUser, senderUsers, passwordOption, clientsOption,
                       secondsOption, rateOption, windowOption, roomOption, idleOption});
    parser.process(app);

    const QUrl url(parser.value(urlOption));
    const int clients = parser.value(clientsOption).toInt();
    const int seconds = parser.value(secondsOption).toInt();
    const double rate = parser.value(rateOption).toDouble();
    const int window = parser.value(windowOption).toInt();
    const QString room = parser.value(roomOption);
    Stats stats;
    std::vector<BenchClient *> senders;
    int readyCount = 0;
    const int total = clients + static_cast<int>(parser.values(senderUsers).size());
    const QString password = parser.value(passwordOption);
    const QString listenerToken = obtainToken(url, parser.value(listenerUser), password);
    QStringList senderTokens;
    for (const QString &user : parser.values(senderUsers))
        senderTokens.append(obtainToken(url, user, password));
    if (listenerToken.isEmpty() || senderTokens.contains(QString())) {
        std::fprintf(stderr, "could not sign in; check --url, the accounts and --password\n");
        return 1;
    }

    QTimer pump;
    auto sendMore = [&] {
        if (rate > 0)
            return;
        for (BenchClient *s : senders) {
            while (s->canSend(window))
                s->sendOne();
        }
    };
    qint64 startUs = 0;
    qint64 receivedAtStart = 0;
    auto startMeasuring = [&] {
        std::printf("connected %d clients in %.2f s\n", total, g_clock.elapsed() / 1000.0);
        std::fflush(stdout);
        if (parser.isSet(idleOption)) {
            std::printf("idle-ready\n");
            std::fflush(stdout);
            QTimer::singleShot(seconds * 1000, &app, &QCoreApplication::quit);
            return;
        }
        startUs = g_clock.nsecsElapsed() / 1000;
        receivedAtStart = stats.received;
        stats.latenciesUs.clear();
        if (rate > 0) {
            // Paced: every 5 ms send the share of messages that is due.
            auto due = std::make_shared<double>(0);
            pump.setInterval(5);
            QObject::connect(&pump, &QTimer::timeout, &app, [&, due] {
                *due += rate * 0.005;
                size_t i = 0;
                while (*due >= 1.0 && !senders.empty()) {
                    BenchClient *s = senders[i++ % senders.size()];
                    if (!s->canSend(1 << 20))
                        break;
                    s->sendOne();
                    *due -= 1.0;
                }
            });
            pump.start();
        } else {
            sendMore();
        }
        QTimer::singleShot(seconds * 1000, &app, [&] {
            pump.stop();
            const double elapsed = (g_clock.nsecsElapsed() / 1000 - startUs) / 1e6;
            const qint64 delivered = stats.received - receivedAtStart;
            std::printf("sent %lld acked %lld errors %lld\n", stats.sent, stats.acked,
                        stats.errors);
            std::printf("deliveries %lld in %.2f s = %.0f deliveries/s (%.0f messages/s)\n",
                        delivered, elapsed, delivered / elapsed,
                        clients > 0 ? delivered / elapsed / clients : 0.0);
            std::printf("latency us p50 %lld p99 %lld max %lld\n",
                        percentile(stats.latenciesUs, 0.50), percentile(stats.latenciesUs, 0.99),
                        percentile(stats.latenciesUs, 1.0));
            std::fflush(stdout);
            QCoreApplication::quit();
        });
    };
    auto onReady = [&] {
        if (++readyCount == total)
            startMeasuring();
    };
    for (int i = 0; i < clients; ++i) {
        auto *c = new BenchClient(url, listenerToken, room, stats, &app);
        c->onReady = onReady;
    }
    for (const QString &token : std::as_const(senderTokens)) {
        auto *c = new BenchClient(url, token, room, stats, &app);
        c->onReady = onReady;
        c->onAck = sendMore;
        senders.push_back(c);
    }
    return QCoreApplication::exec();
}
