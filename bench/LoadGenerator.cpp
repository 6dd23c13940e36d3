// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-load: many WebSocket clients in one room against a running conversa-server.
// Listeners authenticate with one token (sessions of one user), senders each with their own,
// and every message carries its send time so receivers measure send-to-receive latency.
// With --processes N the clients are spread over N worker processes of this program (each
// under its own open-files limit and on its own core); the first one also runs the senders.
// With --rooms N the listeners are spread over N rooms (ROOM0 … ROOMn-1, one listener account
// per room, LISTENER0 …), and the senders join every room and send to them in turn.
#include "Codec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSocketNotifier>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace conversa::protocol;

namespace {

QElapsedTimer g_clock;

qint64 cpuMicroseconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return (qint64(usage.ru_utime.tv_sec) + usage.ru_stime.tv_sec) * 1'000'000 +
           usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

// Send-to-receive latencies in microseconds: exact below 1 ms, within 1/128 above, in a fixed
// number of buckets however long the run (and mergeable across worker processes).
class LatencyHistogram
{
public:
    LatencyHistogram()
        : m_counts(bucketCount, 0)
    {}

    void add(qint64 us)
    {
        ++m_counts[size_t(bucketOf(us))];
        ++m_total;
    }
    void clear()
    {
        std::fill(m_counts.begin(), m_counts.end(), 0);
        m_total = 0;
    }
    void merge(const LatencyHistogram &other)
    {
        for (size_t i = 0; i < m_counts.size(); ++i)
            m_counts[i] += other.m_counts[i];
        m_total += other.m_total;
    }
    qint64 percentile(double p) const
    {
        if (m_total == 0)
            return 0;
        const qint64 rank = std::min<qint64>(m_total - 1, qint64(p * double(m_total)));
        qint64 seen = 0;
        for (size_t i = 0; i < m_counts.size(); ++i) {
            seen += m_counts[i];
            if (seen > rank)
                return valueOf(int(i));
        }
        return valueOf(bucketCount - 1);
    }
    QByteArray serialize() const
    {
        QByteArray out;
        for (size_t i = 0; i < m_counts.size(); ++i) {
            if (m_counts[i])
                out +=
                    QByteArray::number(qulonglong(i)) + ':' + QByteArray::number(m_counts[i]) + ' ';
        }
        return out.trimmed();
    }
    bool parse(QByteArrayView text)
    {
        for (const QByteArray &pair : text.toByteArray().split(' ')) {
            if (pair.isEmpty())
                continue;
            const qsizetype colon = pair.indexOf(':');
            bool indexOk = false;
            bool countOk = false;
            const int index = pair.left(colon).toInt(&indexOk);
            const qint64 count = pair.mid(colon + 1).toLongLong(&countOk);
            if (colon < 0 || !indexOk || !countOk || index < 0 || index >= bucketCount)
                return false;
            m_counts[size_t(index)] += count;
            m_total += count;
        }
        return true;
    }

private:
    static constexpr int exactBelow = 1024;
    static constexpr int subBuckets = 128;
    static constexpr int bucketCount = exactBelow + (63 - 10) * subBuckets;

    static int bucketOf(qint64 us)
    {
        if (us < exactBelow)
            return us < 0 ? 0 : int(us);
        const int exponent = 63 - std::countl_zero(quint64(us)); // >= 10
        const int sub = int((quint64(us) >> (exponent - 7)) & (subBuckets - 1));
        return exactBelow + (exponent - 10) * subBuckets + sub;
    }
    static qint64 valueOf(int bucket)
    {
        if (bucket < exactBelow)
            return bucket;
        const int exponent = 10 + (bucket - exactBelow) / subBuckets;
        const int sub = (bucket - exactBelow) % subBuckets;
        return qint64(subBuckets + sub) << (exponent - 7);
    }

    std::vector<qint64> m_counts;
    qint64 m_total = 0;
};

struct Stats {
    qint64 received = 0;
    qint64 sent = 0;
    qint64 acked = 0;
    qint64 errors = 0;
    LatencyHistogram latency;
};

class BenchClient : public QObject
{
public:
    BenchClient(QUrl url, QString token, QStringList rooms, Stats &stats, QObject *parent)
        : QObject(parent)
        , m_url(std::move(url))
        , m_token(std::move(token))
        , m_rooms(std::move(rooms))
        , m_stats(stats)
    {
        m_socket.setParent(this);
        connect(&m_socket, &QWebSocket::connected, this, [this] {
            send(AuthRequest{nextId(), m_token});
        });
        connect(&m_socket, &QWebSocket::textMessageReceived, this, &BenchClient::onText);
        connect(&m_socket, &QWebSocket::disconnected, this, [this] {
            const QString why =
                m_socket.closeReason().isEmpty()
                    ? m_socket.errorString()
                    : u"%1 %2"_s.arg(int(m_socket.closeCode())).arg(m_socket.closeReason());
            if (!m_ready && onFailed)
                onFailed(why);
            else if (m_ready && !m_closing && onLost)
                onLost(why);
        });
    }

    void open()
    {
        QWebSocketHandshakeOptions options;
        options.setSubprotocols({QString(kSubprotocol)});
        m_socket.open(QNetworkRequest(m_url), options);
    }
    void close()
    {
        m_closing = true;
        m_socket.close();
    }

    bool ready() const { return m_ready; }
    bool canSend(int window) const { return m_ready && m_inFlight < window; }

    void sendOne()
    {
        ++m_inFlight;
        ++m_stats.sent;
        const QString body = QString::number(g_clock.nsecsElapsed() / 1000);
        const QString &room = m_rooms.at(m_nextRoom++ % m_rooms.size());
        send(SendRequest{nextId(), room, QUuid::createUuid().toString(QUuid::WithoutBraces), body});
    }

    std::function<void()> onReady;
    std::function<void(const QString &)> onFailed; // closed before it was ready
    std::function<void(const QString &)> onLost;   // closed while measuring
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
            m_stats.latency.add(g_clock.nsecsElapsed() / 1000 - sentUs);
            return;
        }
        auto decoded = decodeServerFrame(text.toUtf8());
        auto *frame = std::get_if<ServerFrame>(&decoded);
        if (!frame)
            return;
        if (auto *message = std::get_if<MessageEvent>(frame)) {
            ++m_stats.received;
            const qint64 sentUs = message->body.toLongLong();
            m_stats.latency.add(g_clock.nsecsElapsed() / 1000 - sentUs);
        } else if (std::get_if<OkReply>(frame)) {
            // The first ok answers auth, then one per room joined.
            if (m_joined < m_rooms.size()) {
                send(JoinRequest{nextId(), m_rooms.at(m_joined++)});
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

    QUrl m_url;
    QString m_token;
    QStringList m_rooms;
    Stats &m_stats;
    QWebSocket m_socket;
    qint64 m_lastId = 0;
    int m_inFlight = 0;
    qsizetype m_joined = 0;
    qsizetype m_nextRoom = 0;
    bool m_ready = false;
    bool m_closing = false;
};

// Signs in once with the password and returns the device token, or an empty string.
QString obtainToken(const QUrl &url, const QString &user, const QString &password)
{
    QWebSocket socket;
    QEventLoop loop;
    QString token;
    bool answered = false;
    QObject::connect(&socket, &QWebSocket::connected, &loop, [&] {
        socket.sendTextMessage(QString::fromUtf8(
            encodeRequest(LoginRequest{QJsonValue(1), user, password, u"conversa-load"_s})));
    });
    QObject::connect(&socket, &QWebSocket::textMessageReceived, &loop, [&](const QString &text) {
        answered = true;
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
    QObject::connect(&socket, &QWebSocket::disconnected, &loop, [&] {
        if (!answered)
            std::fprintf(stderr, "login %s: closed: %s\n", qPrintable(user),
                         qPrintable(socket.errorString()));
        loop.quit();
    });
    QTimer::singleShot(60000, &loop, [&] {
        std::fprintf(stderr, "login %s: no answer in 60 s\n", qPrintable(user));
        loop.quit();
    });
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QString(kSubprotocol)});
    socket.open(QNetworkRequest(url), options);
    loop.exec();
    socket.close();
    return token;
}

struct RunOptions {
    QUrl url;
    QStringList listenerTokens; // one per room
    int rooms = 1;
    QStringList senderTokens;
    int firstRoom = 0; // of this process's listeners (workers continue where the last stopped)
    int clients = 0;
    int seconds = 10;
    double rate = 0;
    int window = 32;
    int connectWindow = 256;
    int connectTimeoutSeconds = 300;
    QString room;
    bool idleOnly = false;

    // With several rooms: ROOM0, ROOM1, …
    QString roomName(int index) const { return rooms == 1 ? room : room + QString::number(index); }
    QStringList allRooms() const
    {
        QStringList names;
        for (int i = 0; i < rooms; ++i)
            names.append(roomName(i));
        return names;
    }
};

struct RunResult {
    qint64 sent = 0;
    qint64 acked = 0;
    qint64 errors = 0;
    qint64 delivered = 0;
    qint64 elapsedUs = 0;
    qint64 cpuUs = 0; // this process, over the measured seconds
    qint64 lost = 0;  // connections closed while measuring
    LatencyHistogram latency;
};

// One process's share of the clients: connects them a window at a time, then measures.
class LoadRun : public QObject
{
public:
    explicit LoadRun(RunOptions options, QObject *parent = nullptr)
        : QObject(parent)
        , m_options(std::move(options))
    {
        m_connectDeadline.setSingleShot(true);
        connect(&m_connectDeadline, &QTimer::timeout, this, [this] {
            fail(u"%1 of %2 clients ready after %3 s"_s.arg(m_ready).arg(total()).arg(
                m_options.connectTimeoutSeconds));
        });
    }

    int total() const { return m_options.clients + int(m_options.senderTokens.size()); }

    std::function<void(double connectSeconds)> onAllReady;
    std::function<void(const QString &why)> onFailed;
    std::function<void(const RunResult &)> onFinished;

    void connectAll()
    {
        m_connectStarted = g_clock.elapsed();
        m_connectDeadline.start(m_options.connectTimeoutSeconds * 1000);
        for (const QString &token : std::as_const(m_options.senderTokens)) {
            auto *client = newClient(token, m_options.allRooms());
            client->onAck = [this] { sendMore(); };
            m_senders.push_back(client);
        }
        // Listener i of this process sits in room (firstRoom + i) mod rooms.
        for (int i = 0; i < m_options.clients; ++i) {
            const int room = (m_options.firstRoom + i) % m_options.rooms;
            newClient(m_options.listenerTokens.at(room), {m_options.roomName(room)});
        }
        if (total() == 0) {
            allReady();
            return;
        }
        openMore();
    }

    void startMeasuring()
    {
        m_startUs = g_clock.nsecsElapsed() / 1000;
        m_startCpuUs = cpuMicroseconds();
        m_receivedAtStart = m_stats.received;
        m_sentAtStart = m_stats.sent;
        m_ackedAtStart = m_stats.acked;
        m_stats.latency.clear();
        m_measuring = true;
        if (!m_options.idleOnly) {
            if (m_options.rate > 0)
                startPacing();
            else
                sendMore();
        }
        QTimer::singleShot(m_options.seconds * 1000, this, [this] { finish(); });
    }

private:
    BenchClient *newClient(const QString &token, const QStringList &rooms)
    {
        auto *client = new BenchClient(m_options.url, token, rooms, m_stats, this);
        client->onReady = [this] {
            --m_opening;
            ++m_ready;
            openMore();
            if (m_ready == total())
                allReady();
        };
        client->onFailed = [this](const QString &why) {
            fail(u"a client closed before it was ready: %1"_s.arg(why));
        };
        client->onLost = [this](const QString &why) {
            if (m_lost++ == 0)
                std::fprintf(stderr, "a ready client was closed: %s\n", qPrintable(why));
        };
        m_all.push_back(client);
        return client;
    }

    // At most connectWindow handshakes at a time: a burst of thousands of SYNs overflows the
    // server's listen backlog and stalls clients for seconds of retransmission.
    void openMore()
    {
        while (m_opening < m_options.connectWindow && m_nextToOpen < m_all.size()) {
            ++m_opening;
            m_all[m_nextToOpen++]->open();
        }
    }

    void allReady()
    {
        m_connectDeadline.stop();
        if (onAllReady)
            onAllReady((g_clock.elapsed() - m_connectStarted) / 1000.0);
    }

    void fail(const QString &why)
    {
        if (m_failed)
            return;
        m_failed = true;
        m_connectDeadline.stop();
        if (onFailed)
            onFailed(why);
    }

    void sendMore()
    {
        if (!m_measuring || m_options.rate > 0)
            return;
        for (BenchClient *sender : m_senders) {
            while (sender->canSend(m_options.window))
                sender->sendOne();
        }
    }

    void startPacing()
    {
        // Paced: every 5 ms send what is due by the clock, so a late tick (a busy generator)
        // sends more rather than the rate silently dropping.
        m_pump.setInterval(5);
        m_pump.setTimerType(Qt::PreciseTimer);
        const qint64 startNs = g_clock.nsecsElapsed();
        connect(&m_pump, &QTimer::timeout, this, [this, startNs] {
            const double due = m_options.rate * double(g_clock.nsecsElapsed() - startNs) / 1e9;
            while (double(m_paced) < due && !m_senders.empty()) {
                BenchClient *sender = m_senders[m_nextSender++ % m_senders.size()];
                if (!sender->canSend(1 << 20))
                    break;
                sender->sendOne();
                ++m_paced;
            }
        });
        m_pump.start();
    }

    void finish()
    {
        m_pump.stop();
        m_measuring = false;
        RunResult result;
        result.elapsedUs = g_clock.nsecsElapsed() / 1000 - m_startUs;
        result.cpuUs = cpuMicroseconds() - m_startCpuUs;
        result.delivered = m_stats.received - m_receivedAtStart;
        result.sent = m_stats.sent - m_sentAtStart;
        result.acked = m_stats.acked - m_ackedAtStart;
        result.errors = m_stats.errors;
        result.lost = m_lost;
        result.latency = m_stats.latency;
        // Reported before the clients close, so whoever watches the output can read the
        // server's CPU time for the measured seconds alone.
        if (onFinished)
            onFinished(result);
        for (BenchClient *client : m_all)
            client->close();
    }

    RunOptions m_options;
    Stats m_stats;
    std::vector<BenchClient *> m_all;
    std::vector<BenchClient *> m_senders;
    size_t m_nextToOpen = 0;
    int m_opening = 0;
    int m_ready = 0;
    qint64 m_lost = 0;
    bool m_failed = false;
    bool m_measuring = false;
    qint64 m_connectStarted = 0;
    QTimer m_connectDeadline;
    QTimer m_pump;
    qint64 m_paced = 0;
    size_t m_nextSender = 0;
    qint64 m_startUs = 0;
    qint64 m_startCpuUs = 0;
    qint64 m_receivedAtStart = 0;
    qint64 m_sentAtStart = 0;
    qint64 m_ackedAtStart = 0;
};

// `listeners` is how many receive each message (the listeners of one room).
void printResult(const RunResult &result, double listeners, int processes)
{
    const double elapsed = result.elapsedUs / 1e6;
    std::printf("sent %lld acked %lld errors %lld\n", result.sent, result.acked, result.errors);
    if (result.lost > 0)
        std::printf("connections lost while measuring %lld\n", result.lost);
    std::printf("deliveries %lld in %.2f s = %.0f deliveries/s (%.0f messages/s)\n",
                result.delivered, elapsed, result.delivered / elapsed,
                listeners > 0 ? result.delivered / elapsed / listeners : 0.0);
    std::printf("latency us p50 %lld p99 %lld max %lld\n", result.latency.percentile(0.50),
                result.latency.percentile(0.99), result.latency.percentile(1.0));
    std::printf("load generator CPU %.2f s in %.2f s (%.2f cores, %d process%s)\n",
                result.cpuUs / 1e6, elapsed, result.cpuUs / 1e6 / elapsed, processes,
                processes == 1 ? "" : "es");
    std::fflush(stdout);
}

// Worker side of --processes: "ready" on stdout when connected, waits for "go" on stdin,
// then prints one "result" line and exits.
int runWorker(LoadRun &run)
{
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    input.setEnabled(false);
    QObject::connect(&input, &QSocketNotifier::activated, &run, [&] {
        char buffer[64];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) { // the parent went away
            QCoreApplication::exit(1);
            return;
        }
        input.setEnabled(false);
        run.startMeasuring();
    });
    run.onAllReady = [&](double seconds) {
        std::printf("ready %.3f\n", seconds);
        std::fflush(stdout);
        input.setEnabled(true);
    };
    run.onFailed = [](const QString &why) {
        std::fprintf(stderr, "worker %d: %s\n", int(getpid()), qPrintable(why));
        QCoreApplication::exit(1);
    };
    run.onFinished = [](const RunResult &r) {
        std::printf("result %lld %lld %lld %lld %lld %lld %lld %s\n", r.sent, r.acked, r.errors,
                    r.delivered, r.elapsedUs, r.cpuUs, r.lost, r.latency.serialize().constData());
        std::fflush(stdout);
        QCoreApplication::quit();
    };
    run.connectAll();
    return QCoreApplication::exec();
}

// Parent side of --processes: starts the workers, lets them measure together, adds up.
int runCoordinator(const RunOptions &options, int processes)
{
    struct Worker {
        std::unique_ptr<QProcess> process;
        QByteArray output;
        bool ready = false;
        bool done = false;
        RunResult result;
    };
    std::vector<Worker> workers(static_cast<size_t>(processes));
    int readyCount = 0;
    int doneCount = 0;
    double slowestConnect = 0;
    bool failed = false;
    const int total = options.clients + int(options.senderTokens.size());

    auto finishAll = [&] {
        RunResult sum;
        qint64 elapsedSum = 0;
        for (const Worker &worker : workers) {
            sum.sent += worker.result.sent;
            sum.acked += worker.result.acked;
            sum.errors += worker.result.errors;
            sum.delivered += worker.result.delivered;
            sum.cpuUs += worker.result.cpuUs;
            sum.lost += worker.result.lost;
            sum.latency.merge(worker.result.latency);
            elapsedSum += worker.result.elapsedUs;
        }
        sum.elapsedUs = elapsedSum / qint64(workers.size());
        if (!options.idleOnly)
            printResult(sum, double(options.clients) / options.rooms, processes);
        QCoreApplication::quit();
    };
    auto abortAll = [&](const QString &why) {
        if (failed)
            return;
        failed = true;
        std::fprintf(stderr, "%s\n", qPrintable(why));
        for (Worker &worker : workers)
            worker.process->kill();
        QCoreApplication::exit(1);
    };

    for (int i = 0; i < processes; ++i) {
        Worker &worker = workers[size_t(i)];
        // Listeners split evenly; the senders go to the first worker.
        const int share = options.clients / processes + (i < options.clients % processes);
        const int firstRoom = int(
            (qint64(options.clients / processes) * i + std::min(i, options.clients % processes)) %
            options.rooms);
        QStringList args{u"--worker"_s,
                         u"--url"_s,
                         options.url.toString(),
                         u"--rooms"_s,
                         QString::number(options.rooms),
                         u"--first-room"_s,
                         QString::number(firstRoom),
                         u"--clients"_s,
                         QString::number(share),
                         u"--seconds"_s,
                         QString::number(options.seconds),
                         u"--rate"_s,
                         QString::number(i == 0 ? options.rate : 0),
                         u"--window"_s,
                         QString::number(options.window),
                         u"--connect-window"_s,
                         QString::number(std::max(1, options.connectWindow / processes)),
                         u"--room"_s,
                         options.room};
        for (const QString &token : options.listenerTokens)
            args << u"--listener-token"_s << token;
        if (i == 0) {
            for (const QString &token : options.senderTokens)
                args << u"--sender-token"_s << token;
        }
        if (options.idleOnly)
            args << u"--idle-only"_s;
        worker.process = std::make_unique<QProcess>();
        worker.process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QProcess *process = worker.process.get();
        QObject::connect(process, &QProcess::readyReadStandardOutput, process, [&, i] {
            Worker &w = workers[size_t(i)];
            w.output += w.process->readAllStandardOutput();
            qsizetype newline;
            while ((newline = w.output.indexOf('\n')) >= 0) {
                const QByteArray line = w.output.left(newline);
                w.output.remove(0, newline + 1);
                if (line.startsWith("ready ") && !w.ready) {
                    w.ready = true;
                    slowestConnect = std::max(slowestConnect, line.mid(6).toDouble());
                    if (++readyCount == processes) {
                        std::printf("connected %d clients in %.2f s\n", total, slowestConnect);
                        if (options.idleOnly)
                            std::printf("idle-ready\n");
                        std::fflush(stdout);
                        for (Worker &each : workers)
                            each.process->write("go\n");
                    }
                } else if (line.startsWith("result ") && !w.done) {
                    const QList<QByteArray> fields = line.split(' ');
                    if (fields.size() < 8) {
                        abortAll(u"worker %1 printed a short result"_s.arg(i));
                        return;
                    }
                    RunResult &r = w.result;
                    r.sent = fields[1].toLongLong();
                    r.acked = fields[2].toLongLong();
                    r.errors = fields[3].toLongLong();
                    r.delivered = fields[4].toLongLong();
                    r.elapsedUs = fields[5].toLongLong();
                    r.cpuUs = fields[6].toLongLong();
                    r.lost = fields[7].toLongLong();
                    // The histogram is everything after the eighth field.
                    qsizetype histogramAt = 0;
                    for (int field = 0; field < 8 && histogramAt >= 0; ++field) {
                        const qsizetype space = line.indexOf(' ', histogramAt);
                        histogramAt = space < 0 ? -1 : space + 1;
                    }
                    if (histogramAt > 0 && !r.latency.parse(line.mid(histogramAt))) {
                        abortAll(u"worker %1 printed a malformed histogram"_s.arg(i));
                        return;
                    }
                    w.done = true;
                    if (++doneCount == processes)
                        finishAll();
                }
            }
        });
        QObject::connect(process, &QProcess::finished, process, [&, i](int code) {
            if (!workers[size_t(i)].done)
                abortAll(u"worker %1 exited (%2) before it reported"_s.arg(i).arg(code));
        });
        process->start(QCoreApplication::applicationFilePath(), args);
    }
    const int code = QCoreApplication::exec();
    for (Worker &worker : workers)
        worker.process->waitForFinished(5000);
    return code;
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
    const QCommandLineOption roomOption(
        u"room"_s, u"Room (the prefix of the rooms with --rooms)."_s, u"name"_s, u"bench"_s);
    const QCommandLineOption roomsOption(
        u"rooms"_s,
        u"Spread the listeners over this many rooms, ROOM0 … (listener accounts USER0 …)."_s,
        u"n"_s, u"1"_s);
    const QCommandLineOption idleOption(u"idle-only"_s,
                                        u"Connect and authenticate, wait, then exit."_s);
    const QCommandLineOption processesOption(
        u"processes"_s, u"Worker processes the clients are spread over (1: this one)."_s, u"n"_s,
        u"1"_s);
    const QCommandLineOption connectWindowOption(
        u"connect-window"_s, u"Handshakes in progress at a time, over all processes."_s, u"n"_s,
        u"256"_s);
    const QCommandLineOption connectTimeoutOption(
        u"connect-timeout"_s, u"Seconds all clients may take to be ready."_s, u"s"_s, u"300"_s);
    // Internal: how the coordinator starts its workers.
    QCommandLineOption workerOption(u"worker"_s, u"Internal: run as a worker."_s);
    workerOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption listenerTokenOption(u"listener-token"_s, u"Internal."_s, u"token"_s);
    listenerTokenOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption senderTokenOption(u"sender-token"_s, u"Internal."_s, u"token"_s);
    senderTokenOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption firstRoomOption(u"first-room"_s, u"Internal."_s, u"n"_s, u"0"_s);
    firstRoomOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({urlOption, listenerUser, senderUsers, passwordOption, clientsOption,
                       secondsOption, rateOption, windowOption, roomOption, idleOption,
                       processesOption, connectWindowOption, connectTimeoutOption, workerOption,
                       listenerTokenOption, senderTokenOption, roomsOption, firstRoomOption});
    parser.process(app);

    RunOptions options;
    options.url = QUrl(parser.value(urlOption));
    options.clients = parser.value(clientsOption).toInt();
    options.seconds = parser.value(secondsOption).toInt();
    options.rate = parser.value(rateOption).toDouble();
    options.window = parser.value(windowOption).toInt();
    options.room = parser.value(roomOption);
    options.rooms = parser.value(roomsOption).toInt();
    options.firstRoom = parser.value(firstRoomOption).toInt();
    options.idleOnly = parser.isSet(idleOption);
    options.connectWindow = parser.value(connectWindowOption).toInt();
    options.connectTimeoutSeconds = parser.value(connectTimeoutOption).toInt();
    const int processes = parser.value(processesOption).toInt();
    if (!options.url.isValid() || options.clients < 0 || options.seconds < 0 ||
        options.window < 1 || options.connectWindow < 1 || options.connectTimeoutSeconds < 1 ||
        processes < 1 || processes > 64 || options.rooms < 1 || options.rooms > 10000 ||
        options.firstRoom < 0) {
        std::fprintf(stderr, "conversa-load: give --url, --clients >= 0, --window >= 1, "
                             "--connect-window >= 1, --connect-timeout >= 1, --processes "
                             "from 1 to 64 and --rooms from 1 to 10000\n");
        return 2;
    }

    if (parser.isSet(workerOption)) {
        options.listenerTokens = parser.values(listenerTokenOption);
        options.senderTokens = parser.values(senderTokenOption);
        if (options.listenerTokens.size() != options.rooms) {
            std::fprintf(stderr, "conversa-load worker: one listener token per room\n");
            return 2;
        }
        LoadRun run(options);
        return runWorker(run);
    }

    const QString password = parser.value(passwordOption);
    const QString listener = parser.value(listenerUser);
    for (int i = 0; i < options.rooms; ++i) {
        const QString user = options.rooms == 1 ? listener : listener + QString::number(i);
        options.listenerTokens.append(obtainToken(options.url, user, password));
    }
    for (const QString &user : parser.values(senderUsers))
        options.senderTokens.append(obtainToken(options.url, user, password));
    if (options.listenerTokens.contains(QString()) || options.senderTokens.contains(QString())) {
        std::fprintf(stderr, "could not sign in; check --url, the accounts and --password\n");
        return 1;
    }
    if (processes > 1)
        return runCoordinator(options, processes);

    LoadRun run(options);
    run.onAllReady = [&](double seconds) {
        std::printf("connected %d clients in %.2f s\n", run.total(), seconds);
        if (options.idleOnly)
            std::printf("idle-ready\n");
        std::fflush(stdout);
        run.startMeasuring();
    };
    run.onFailed = [](const QString &why) {
        std::fprintf(stderr, "conversa-load: %s\n", qPrintable(why));
        QCoreApplication::exit(1);
    };
    run.onFinished = [&](const RunResult &result) {
        if (!options.idleOnly)
            printResult(result, double(options.clients) / options.rooms, 1);
        QCoreApplication::quit();
    };
    run.connectAll();
    return QCoreApplication::exec();
}
