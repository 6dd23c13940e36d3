// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-outbox-bench: how fast the outbox drains after a reconnect, through a real server.
//
//   conversa-outbox-bench [--server PATH] [--messages N] [--paced M]
//
// 1. A fresh conversa-server (users alice and bob, room general); alice signs in with the real
//    SessionManager, Outbox and MessageCache, as the app does.
// 2. The server stops; alice queues N messages (5,000) while offline, each through
//    SessionManager::sendMessage, which answers at once (the outbox's writer thread commits them
//    with fsync). Printed: the longest sendMessage call, and when all were on the disk.
// 3. The server starts again with its send limit lifted (--messages-per-second 1000000
//    --message-burst 1000000); alice reconnects. Printed: the seconds from the reconnect until
//    the server has acknowledged all N (and the outbox has written that down), and the longest
//    block of alice's event loop meanwhile (the worst lateness of a 1 ms timer).
// 4. bob signs in and syncs the room: every message exactly once, in the order queued.
// 5. The same with M messages (200) and the server's default limit (10/s, burst 20): the time,
//    and the `rate_limited` refusals alice collected (0 when the pacing works).
// Exit code 0 when every check passed.
#include <MessageCache.h>
#include <Outbox.h>
#include <SessionManager.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace proto = conversa::protocol;

namespace {

const QString kRoom = u"general"_s;
const QString kPassword = u"outbox bench password"_s;

template <typename Predicate> bool waitFor(Predicate done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

void fail(const QString &what)
{
    std::fprintf(stderr, "conversa-outbox-bench: %s\n", qPrintable(what));
    std::exit(1);
}

class Server
{
public:
    Server(QString binary, QString dataDir)
        : m_binary(std::move(binary))
        , m_data(std::move(dataDir))
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        m_port = probe.serverPort();
    }
    ~Server() { stop(); }

    void admin(const QStringList &arguments, const QByteArray &input = {})
    {
        QProcess process;
        process.start(m_binary, arguments + QStringList{u"--data"_s, m_data});
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(30'000) || process.exitCode() != 0)
            fail(u"conversa-server %1 failed: %2"_s.arg(
                arguments.join(u' '), QString::fromUtf8(process.readAllStandardError())));
    }

    void start(const QStringList &extra = {})
    {
        m_process = std::make_unique<QProcess>();
        // Its log would drown the figures; it goes to a file in the data folder.
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->setStandardOutputFile(m_data + u"/../server.log"_s, QIODevice::Append);
        m_process->start(m_binary, QStringList{u"serve"_s, u"--listen"_s,
                                               u"127.0.0.1:%1"_s.arg(m_port), u"--data"_s, m_data} +
                                       extra);
        const bool up = waitFor(
            [this] {
                QTcpSocket socket;
                socket.connectToHost(QHostAddress::LocalHost, m_port);
                return socket.waitForConnected(50);
            },
            15'000);
        if (!up)
            fail(u"conversa-server did not start listening on port %1"_s.arg(m_port));
    }

    void stop()
    {
        if (!m_process)
            return;
        m_process->kill();
        m_process->waitForFinished(10'000);
        m_process.reset();
    }

    QUrl url() const { return QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(m_port)); }

private:
    QString m_binary;
    QString m_data;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_process;
};

struct Client {
    explicit Client(const QString &dir, const QUrl &url)
    {
        if (!outbox.open(dir + u"/outbox.sqlite"_s) || !cache.open(dir + u"/cache.sqlite"_s))
            fail(u"cannot open the client's files in %1"_s.arg(dir));
        session.setWatchNetwork(false);
        session.setServerUrl(url);
        session.setOutbox(&outbox);
        session.setCache(&cache);
        session.setInitialBacklog(1'000'000);
        QObject::connect(&session, &core::SessionManager::messageReceived, &session,
                         [this](const proto::MessageEvent &m) { received.append(m); });
    }

    void signIn(const QString &user)
    {
        session.signIn(user, kPassword);
        if (!waitFor([this] { return session.state() == core::ConnectionState::Online; }, 20'000))
            fail(u"%1 could not sign in: %2"_s.arg(user, session.status().reason));
    }

    core::Outbox outbox;
    core::MessageCache cache;
    core::SessionManager session;
    QList<proto::MessageEvent> received;
};

qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// The worst lateness of a 1 ms timer: the longest the event loop was blocked, and how much of it
// this thread spent on the CPU (the rest it waited: for the disk, or for a core on a busy
// machine).
class LoopWatch
{
public:
    LoopWatch()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            const qint64 late = now - m_lastNs - 1'000'000;
            if (late > m_worstNs) {
                m_worstNs = late;
                m_worstCpuNs = cpu - m_lastCpuNs;
            }
            m_lastNs = now;
            m_lastCpuNs = cpu;
        });
    }
    void start()
    {
        m_worstNs = 0;
        m_worstCpuNs = 0;
        m_clock.start();
        m_lastNs = 0;
        m_lastCpuNs = threadCpuNs();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double worstMs() const { return m_worstNs / 1e6; }
    double worstCpuMs() const { return m_worstCpuNs / 1e6; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_lastCpuNs = 0;
    qint64 m_worstNs = 0;
    qint64 m_worstCpuNs = 0;
};

struct Drain {
    double worstSendCallMs = 0; // the longest sendMessage() call on the GUI thread
    double sendCallP99Ms = 0;
    double savedSeconds = 0; // from the first send until every message was on the disk
    double seconds = 0;
    double onlineSeconds = 0;
    double worstBlockMs = 0;
    double worstBlockCpuMs = 0;
    int refusals = 0;
};

// Queues `count` messages while the server is down, starts it with `serverFlags`, reconnects
// and waits until the outbox is empty.
Drain drain(Server &server, Client &alice, const QString &prefix, int count,
            const QStringList &serverFlags, double *queueSeconds)
{
    // Far-off retries: the reconnect below is the only one.
    alice.session.setBackoff(core::Backoff({600'000, 600'000, 600'000}, [] { return 1.0; }));
    server.stop();
    if (!waitFor([&] { return alice.session.state() == core::ConnectionState::WaitingToReconnect; },
                 10'000))
        fail(u"alice did not notice the server stopping"_s);
    Drain result;
    QElapsedTimer queueClock;
    queueClock.start();
    QElapsedTimer callClock;
    QList<qint64> callNs;
    callNs.reserve(count);
    for (int i = 1; i <= count; ++i) {
        callClock.start();
        if (alice.session.sendMessage(kRoom, u"%1%2"_s.arg(prefix).arg(i)).isEmpty())
            fail(u"queueing message %1 failed: %2"_s.arg(i).arg(alice.outbox.lastError()));
        callNs.append(callClock.nsecsElapsed());
    }
    std::sort(callNs.begin(), callNs.end());
    result.sendCallP99Ms = callNs.at(qsizetype(callNs.size() * 0.99)) / 1e6;
    result.worstSendCallMs = callNs.constLast() / 1e6;
    *queueSeconds = queueClock.elapsed() / 1000.0;
    // The writer thread commits them meanwhile; this waits until all are on the disk.
    alice.outbox.flush();
    result.savedSeconds = queueClock.elapsed() / 1000.0;
    server.start(serverFlags);

    bool done = false;
    QElapsedTimer clock;
    LoopWatch watch;
    QObject context;
    QObject::connect(&alice.session, &core::SessionManager::outboxProgress, &context,
                     [&](int sent, int total) {
                         if (!done && total > 0 && sent == total) {
                             done = true;
                             result.seconds = clock.nsecsElapsed() / 1e9;
                         }
                     });
    QObject::connect(&alice.session, &core::SessionManager::synced, &context,
                     [&] { result.onlineSeconds = clock.nsecsElapsed() / 1e9; });
    watch.start();
    clock.start();
    alice.session.reconnectNow();
    if (!waitFor([&] { return done; }, 600'000))
        fail(u"the outbox did not drain: %1 pending"_s.arg(alice.outbox.pendingCount()));
    watch.stop();
    result.worstBlockMs = watch.worstMs();
    result.worstBlockCpuMs = watch.worstCpuMs();
    result.refusals = alice.session.outboxRefusals();
    if (!waitFor([&] { return alice.session.outboxIdle(); }, 10'000) ||
        alice.outbox.pendingCount() != 0)
        fail(u"the outbox says it drained but holds %1"_s.arg(alice.outbox.pendingCount()));
    return result;
}

// bob syncs the room from the start: alice's messages with `prefix`, each once, in order?
bool checkHistory(const QString &dir, const QUrl &url, const QString &prefix, int count,
                  QString *why)
{
    Client bob(dir, url);
    bob.signIn(u"bob"_s);
    QList<int> numbers;
    const auto collect = [&] {
        numbers.clear();
        for (const proto::MessageEvent &m : std::as_const(bob.received)) {
            if (m.from == u"alice"_s && m.body.startsWith(prefix))
                numbers.append(m.body.mid(prefix.size()).toInt());
        }
        return numbers.size() >= count;
    };
    waitFor(collect, 30'000);
    waitFor([] { return false; }, 200); // a duplicate or straggler would show by now
    collect();
    bob.session.signOut();
    if (numbers.size() != count) {
        *why = u"bob got %1 of %2 messages"_s.arg(numbers.size()).arg(count);
        return false;
    }
    for (int i = 0; i < count; ++i) {
        if (numbers.at(i) != i + 1) {
            *why = u"message %1 is %2%3"_s.arg(i + 1).arg(prefix).arg(numbers.at(i));
            return false;
        }
    }
    qint64 previous = 0;
    for (const proto::MessageEvent &m : std::as_const(bob.received)) {
        if (m.seq <= previous) {
            *why = u"seq %1 after %2"_s.arg(m.seq).arg(previous);
            return false;
        }
        previous = m.seq;
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Outbox drain through a real conversa-server."_s);
    parser.addHelpOption();
    const QCommandLineOption serverOption(u"server"_s, u"The conversa-server binary."_s, u"path"_s,
                                          QStringLiteral(CONVERSA_SERVER_BIN));
    const QCommandLineOption messagesOption(
        u"messages"_s, u"Messages queued offline (rate limit lifted)."_s, u"n"_s, u"5000"_s);
    const QCommandLineOption pacedOption(
        u"paced"_s, u"Messages queued offline with the default limit."_s, u"n"_s, u"200"_s);
    parser.addOptions({serverOption, messagesOption, pacedOption});
    parser.process(app);
    const int messages = parser.value(messagesOption).toInt();
    const int paced = parser.value(pacedOption).toInt();
    if (messages < 1 || paced < 0)
        fail(u"--messages must be 1 or more and --paced 0 or more"_s);

    QTemporaryDir dir;
    if (!dir.isValid())
        fail(u"no temporary folder"_s);
    Server server(parser.value(serverOption), dir.filePath(u"server"_s));
    for (const QString &user : {u"alice"_s, u"bob"_s})
        server.admin({u"user"_s, u"add"_s, user, u"--password-stdin"_s}, kPassword.toUtf8() + '\n');
    server.admin({u"room"_s, u"create"_s, kRoom});
    server.start();

    Client alice(dir.filePath(u"alice"_s), server.url());
    alice.signIn(u"alice"_s);
    bool joined = false;
    alice.session.request(proto::JoinRequest{{}, kRoom}, [&](const core::RequestResult &result) {
        joined = result.isOk();
        if (!joined)
            fail(u"alice could not join %1: %2"_s.arg(kRoom, result.message));
    });
    if (!waitFor([&] { return joined; }, 10'000))
        fail(u"no answer to join"_s);
    {
        Client bob(dir.filePath(u"bob-join"_s), server.url());
        bob.signIn(u"bob"_s);
        bool bobJoined = false;
        bob.session.request(proto::JoinRequest{{}, kRoom},
                            [&](const core::RequestResult &r) { bobJoined = r.isOk(); });
        if (!waitFor([&] { return bobJoined; }, 10'000))
            fail(u"bob could not join"_s);
        bob.session.signOut();
    }

    bool ok = true;
    QString why;
    double queued = 0;
    const Drain lifted = drain(
        server, alice, u"m"_s, messages,
        {u"--messages-per-second"_s, u"1000000"_s, u"--message-burst"_s, u"1000000"_s}, &queued);
    std::printf("outbox: %d messages queued offline in %.2f s, send call on the GUI thread p99 "
                "%.3f ms, longest %.2f ms; all on the disk (writer thread, fsync) after %.2f s\n",
                messages, queued, lifted.sendCallP99Ms, lifted.worstSendCallMs,
                lifted.savedSeconds);
    std::printf("rate limit lifted: reconnect -> all %d acknowledged in %.2f s (synced after "
                "%.2f s); longest event-loop block while draining %.1f ms (%.1f ms of it on "
                "the CPU); rate_limited %d\n",
                messages, lifted.seconds, lifted.onlineSeconds, lifted.worstBlockMs,
                lifted.worstBlockCpuMs, lifted.refusals);
    const bool liftedInOrder =
        checkHistory(dir.filePath(u"bob1"_s), server.url(), u"m"_s, messages, &why);
    std::printf("  history through a second client: %s\n",
                liftedInOrder ? "every message exactly once, in order"
                              : qPrintable(u"WRONG: "_s + why));
    ok = ok && liftedInOrder;

    if (paced > 0) {
        const Drain limited = drain(server, alice, u"p"_s, paced, {}, &queued);
        std::printf("default limit (10/s, burst 20): %d messages acknowledged in %.1f s after "
                    "the reconnect; rate_limited %d; longest event-loop block %.1f ms (%.1f ms "
                    "on the CPU)\n",
                    paced, limited.seconds, limited.refusals, limited.worstBlockMs,
                    limited.worstBlockCpuMs);
        const bool pacedInOrder =
            checkHistory(dir.filePath(u"bob2"_s), server.url(), u"p"_s, paced, &why);
        std::printf("  history through a second client: %s\n",
                    pacedInOrder ? "every message exactly once, in order"
                                 : qPrintable(u"WRONG: "_s + why));
        ok = ok && pacedInOrder && limited.refusals == 0;
    }
    alice.session.signOut();
    server.stop();
    return ok ? 0 : 1;
}
