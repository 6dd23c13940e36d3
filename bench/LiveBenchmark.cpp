// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-live-bench: the desktop client's memory and GUI-thread stalls over a long busy run,
// and scrollback to the first message of a big room, through a real conversa-server.
//
//   conversa-live-bench [--messages N] [--rate R] [--report S] [--warmup S]
//   conversa-live-bench --scrollback N
//
// It starts conversa-server on a throw-away data folder (rate limits lifted), signs in as bob
// with the real client stack (SessionManager, MessageCache, Outbox, the models and MainWindow
// with the chat page, MessageView and MessageDelegate, shown), opens the room, and starts a child
// process of itself that signs in as alice and sends R messages per second (1,000) until N
// (1,000,000) are acknowledged. Meanwhile it prints every S seconds (30) the client's RSS, the
// messages received, the rows in the model and the longest GUI-thread block of the interval (the
// worst lateness of a 1 ms timer), and at the end RSS first / after the warm-up / last.
//
// --scrollback N fills the room with N messages first (as fast as the server takes them), then
// signs in, opens the room and scrolls the view from the newest message to the first, printing
// the time, RSS and the largest model, then jumps to a seq in the middle of the room.
//
// Any QPA platform: offscreen by default, or xvfb-run for a real X server.
#include <ChatPage.h>
#include <MainWindow.h>
#include <MemberListModel.h>
#include <MessageCache.h>
#include <MessageDelegate.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <ServerProcess.h>
#include <SessionManager.h>
#include <Theme.h>
#include <TypingUsers.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QProcess>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace ui = conversa::ui;

namespace {

const QString kRoom = u"general"_s;
const QString kAlicePassword = u"alice-bench-password"_s;
const QString kBobPassword = u"bob-bench-password"_s;

double rssMegabytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

QString bodyFor(qint64 n)
{
    // A realistic mix: mostly short lines, some long paragraphs, links and multi-line messages.
    switch (n % 10) {
    case 0:
        return u"Here is a longer message number %1 that wraps over several lines in a normal "
               "window, because people do write paragraphs now and then, with details about "
               "what happened, what they tried, and what they want to do next."_s.arg(n);
    case 3:
        return u"see https://example.com/tickets/%1 for the details"_s.arg(n);
    case 7:
        return u"line one of %1\nline two\nline three"_s.arg(n);
    default:
        return u"message %1"_s.arg(n);
    }
}

// --- the sender (a child process) ----------------------------------------------------------------

// Signs in as alice over a raw WebSocket and sends `total` messages at `rate` per second (as fast
// as a window of unacknowledged sends allows when `rate` is 0); exits once all are acknowledged.
int runSender(const QUrl &url, qint64 total, int rate)
{
    constexpr int kWindow = 2000;
    constexpr qint64 kFirstSendId = 100;
    QWebSocket socket;
    QElapsedTimer clock;
    QTimer pacer;
    pacer.setTimerType(Qt::PreciseTimer);
    pacer.setInterval(5);
    qint64 sent = 0;
    qint64 acknowledged = 0;
    auto sendJson = [&socket](const QJsonObject &frame) {
        socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    };
    QObject::connect(&pacer, &QTimer::timeout, [&] {
        const qint64 due = rate > 0 ? std::min(total, clock.elapsed() * rate / 1000) : total;
        while (sent < due && sent - acknowledged < kWindow) {
            sendJson({{u"type"_s, u"send"_s},
                      {u"id"_s, kFirstSendId + sent},
                      {u"room"_s, kRoom},
                      {u"cid"_s, u"bench-%1"_s.arg(sent)},
                      {u"body"_s, bodyFor(sent)}});
            ++sent;
        }
    });
    QObject::connect(&socket, &QWebSocket::connected, [&] {
        sendJson({{u"type"_s, u"login"_s},
                  {u"id"_s, 1},
                  {u"user"_s, u"alice"_s},
                  {u"password"_s, kAlicePassword},
                  {u"device"_s, u"bench-sender"_s}});
    });
    QObject::connect(&socket, &QWebSocket::textMessageReceived, [&](const QString &text) {
        const QJsonObject frame = QJsonDocument::fromJson(text.toUtf8()).object();
        if (qEnvironmentVariableIsSet("BENCH_DEBUG"))
            std::fprintf(stderr, "sender got: %s\n", qPrintable(text.left(200)));
        const qint64 re = frame.value(u"re"_s).toInteger(-1);
        if (re < 0)
            return; // events (our own messages coming back)
        if (frame.value(u"type"_s).toString() != u"ok"_s) {
            std::fprintf(stderr, "sender: refused: %s\n", qPrintable(text));
            QCoreApplication::exit(1);
            return;
        }
        if (re == 1) {
            sendJson({{u"type"_s, u"join"_s}, {u"id"_s, 2}, {u"room"_s, kRoom}});
        } else if (re == 2) {
            clock.start();
            pacer.start();
        } else if (re >= kFirstSendId && ++acknowledged == total) {
            std::fprintf(stderr, "sender: %lld messages acknowledged in %.1f s\n", total,
                         clock.elapsed() / 1000.0);
            QCoreApplication::exit(0);
        }
    });
    QObject::connect(&socket, &QWebSocket::disconnected, [&] {
        std::fprintf(stderr, "sender: disconnected (%d %s): %s\n", int(socket.closeCode()),
                     qPrintable(socket.closeReason()), qPrintable(socket.errorString()));
        QCoreApplication::exit(1);
    });
    QWebSocketHandshakeOptions handshake;
    handshake.setSubprotocols({u"conversa.v1"_s});
    socket.open(QNetworkRequest(url), handshake);
    return QCoreApplication::exec();
}

// --- the client under test
// -------------------------------------------------------------------------

struct Client {
    QTemporaryDir dir;
    core::MessageCache cache;
    core::Outbox outbox;
    core::SessionManager session;
    core::RoomListModel rooms;
    core::MessageModel messages;
    core::MemberListModel members;
    core::TypingUsers typing;
    ui::MainWindow window;
    qint64 received = 0;

    bool start(const QUrl &url)
    {
        if (!cache.open(dir.filePath(u"cache.sqlite"_s)) ||
            !outbox.open(dir.filePath(u"outbox.sqlite"_s))) {
            std::fprintf(stderr, "cannot open the cache or outbox\n");
            return false;
        }
        session.setServerUrl(url);
        session.setCache(&cache);
        session.setOutbox(&outbox);
        session.setProxy(core::SessionManager::ProxyMode::None);
        session.setWatchNetwork(false);
        rooms.setCache(&cache);
        rooms.setSession(&session);
        messages.setSources(&cache, &outbox, &session);
        members.setSession(&session);
        typing.setSession(&session);
        QObject::connect(&session, &core::SessionManager::messageReceived,
                         [this](const auto &) { ++received; });
        window.chatPage()->setSources({&session, &outbox, &rooms, &messages, &members, &typing});
        window.setSignedInUser(u"bob"_s);
        window.showChat();
        window.resize(1180, 760);
        window.show();

        session.signIn(u"bob"_s, kBobPassword);
        if (!waitFor([this] { return session.state() == core::ConnectionState::Online; }, 20000)) {
            std::fprintf(stderr, "bob did not get online\n");
            return false;
        }
        bool joined = false;
        session.request(conversa::protocol::JoinRequest{{}, kRoom},
                        [&joined](const core::RequestResult &result) { joined = result.isOk(); });
        if (!waitFor([&] { return joined && cache.room(kRoom).has_value(); }, 20000)) {
            std::fprintf(stderr, "bob could not join the room\n");
            return false;
        }
        window.chatPage()->openRoom(kRoom);
        waitFor([] { return false; }, 500); // first layout and paint
        return true;
    }

    ui::MessageView *view() const { return window.chatPage()->messageView(); }

    static bool waitFor(const std::function<bool()> &done, int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (!done()) {
            if (timer.elapsed() > timeoutMs)
                return false;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        }
        return true;
    }
};

std::unique_ptr<conversa::test::ServerProcess> startServer(const QString &binary)
{
    // ServerProcess finds its binary there (and keeps the variable from the server's own
    // environment).
    qputenv("CONVERSA_SERVER_BIN", QFile::encodeName(binary));
    auto server = std::make_unique<conversa::test::ServerProcess>();
    if (!server->addUser(u"alice"_s, kAlicePassword) || !server->addUser(u"bob"_s, kBobPassword) ||
        !server->createRoom(kRoom, u"General"_s)) {
        std::fprintf(stderr, "server setup failed: %s\n", qPrintable(server->lastAdminError()));
        return nullptr;
    }
    if (!server->start(
            {u"--messages-per-second"_s, u"1000000"_s, u"--message-burst"_s, u"1000000"_s})) {
        std::fprintf(stderr, "the server did not start: %s\n", qPrintable(server->diagnostics()));
        return nullptr;
    }
    return server;
}

std::unique_ptr<QProcess> startSender(const QUrl &url, qint64 messages, int rate)
{
    auto sender = std::make_unique<QProcess>();
    sender->setProcessChannelMode(QProcess::ForwardedChannels);
    sender->setProgram(QCoreApplication::applicationFilePath());
    sender->setArguments({u"--send"_s, url.toString(), u"--messages"_s, QString::number(messages),
                          u"--rate"_s, QString::number(rate)});
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    sender->setProcessEnvironment(environment);
    sender->start();
    return sender;
}

qint64 threadCpuMs()
{
    timespec spec{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec);
    return qint64(spec.tv_sec) * 1000 + spec.tv_nsec / 1'000'000;
}

// The GUI thread's worst lateness, from a 1 ms timer: for the run and for the current interval.
struct StallMeter {
    QTimer timer;
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 lastCpu = 0;
    qint64 intervalWorst = 0;
    qint64 worst = 0;
    qint64 worstAfterWarmup = 0;
    qint64 over50 = 0;
    qint64 mostCpuInABlock = 0; // of the blocks over 50 ms: the GUI thread's own CPU time
    bool warm = false;

    void start()
    {
        timer.setTimerType(Qt::PreciseTimer);
        timer.setInterval(1);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = clock.elapsed();
            const qint64 late = now - last - 1;
            last = now;
            intervalWorst = std::max(intervalWorst, late);
            worst = std::max(worst, late);
            if (warm)
                worstAfterWarmup = std::max(worstAfterWarmup, late);
            // CPU time the GUI thread itself used meanwhile: a block with little of it was the
            // scheduler running other processes, not work of ours.
            const qint64 cpu = threadCpuMs();
            if (late > 50) {
                ++over50;
                mostCpuInABlock = std::max(mostCpuInABlock, cpu - lastCpu);
                if (over50 <= 20)
                    std::fprintf(stderr,
                                 "  GUI thread blocked %lld ms at %.1f s (its own CPU time in "
                                 "it: %lld ms)\n",
                                 late, now / 1000.0, cpu - lastCpu);
            }
            lastCpu = cpu;
        });
        clock.start();
        timer.start();
    }
    qint64 takeInterval() { return std::exchange(intervalWorst, 0); }
};

int runLive(const QString &serverBinary, qint64 total, int rate, int reportSeconds,
            int warmupSeconds)
{
    const auto server = startServer(serverBinary);
    if (!server)
        return 1;
    Client client;
    if (!client.start(server->url()))
        return 1;
    const double rssFirst = rssMegabytes();
    std::printf("platform %s; %lld messages at %d/s through %s; client RSS after sign-in and "
                "opening the room: %.1f MB\n",
                qPrintable(QGuiApplication::platformName()), total, rate,
                qPrintable(server->url().toString()), rssFirst);
    std::printf("%8s %10s %8s %9s %7s %8s %12s\n", "seconds", "received", "msg/s", "RSS MB", "rows",
                "cached", "longest ms");
    std::fflush(stdout);

    StallMeter stalls;
    stalls.start();
    const auto sender = startSender(server->url(), total, rate);
    QElapsedTimer run;
    run.start();
    double rssWarm = -1;
    double rssMaxAfterWarmup = 0;
    qint64 lastReceived = 0;
    qint64 lastReportMs = 0;
    QTimer report;
    auto printReport = [&] {
        const qint64 now = run.elapsed();
        const double rss = rssMegabytes();
        const qint64 received = client.received;
        if (!stalls.warm && now >= qint64(warmupSeconds) * 1000) {
            stalls.warm = true;
            rssWarm = rss;
        }
        if (stalls.warm)
            rssMaxAfterWarmup = std::max(rssMaxAfterWarmup, rss);
        const double rateSeen =
            now > lastReportMs ? (received - lastReceived) * 1000.0 / (now - lastReportMs) : 0;
        std::printf("%8.0f %10lld %8.0f %9.1f %7d %8d %12lld\n", now / 1000.0, received, rateSeen,
                    rss, client.messages.rowCount(),
                    client.view()->messageDelegate()->cachedMessages(), stalls.takeInterval());
        std::fflush(stdout);
        lastReceived = received;
        lastReportMs = now;
    };
    QObject::connect(&report, &QTimer::timeout, printReport);
    report.start(reportSeconds * 1000);
    bool senderDone = false;
    QObject::connect(sender.get(), &QProcess::finished, [&] { senderDone = true; });
    // Done when all arrived, or the sender gave up and nothing came for 30 s.
    Client::waitFor(
        [&] {
            return client.received >= total ||
                   (senderDone && sender->exitCode() != 0 && run.elapsed() > lastReportMs + 30000);
        },
        std::numeric_limits<int>::max());
    Client::waitFor([] { return false; }, 1000); // the last batch reaches the view
    report.stop();
    printReport();
    const double rssLast = rssMegabytes();
    std::printf("received %lld of %lld in %.1f s; RSS first %.1f MB, after warm-up (%d s) %.1f "
                "MB, highest after warm-up %.1f MB, last %.1f MB\n",
                client.received, total, run.elapsed() / 1000.0, rssFirst, warmupSeconds, rssWarm,
                rssMaxAfterWarmup, rssLast);
    std::printf("longest GUI-thread block: %lld ms (after warm-up %lld ms); blocks over 50 ms: "
                "%lld, in which the GUI thread itself ran for %lld ms at most\n",
                stalls.worst, stalls.worstAfterWarmup, stalls.over50, stalls.mostCpuInABlock);
    {
        // What each batch of live messages costs the view: one full relayout of its rows.
        QList<qint64> layouts;
        for (int i = 0; i < 5; ++i) {
            QElapsedTimer layout;
            layout.start();
            client.view()->doItemsLayout();
            layouts.append(layout.nsecsElapsed() / 1000);
        }
        std::sort(layouts.begin(), layouts.end());
        std::printf("a full relayout of the view's %d rows: median %.1f ms\n",
                    client.messages.rowCount(), layouts.at(2) / 1000.0);
    }
    sender->waitForFinished(5000);
    return client.received >= total ? 0 : 1;
}

// The same 1 ms timer in a process that does nothing else: how late the machine itself makes it
// (a loaded machine's scheduler delays every thread; compare the client's figures with this).
int runBaseline(int seconds)
{
    StallMeter stalls;
    stalls.start();
    stalls.warm = true;
    Client::waitFor([] { return false; }, seconds * 1000);
    std::printf("baseline: an idle process's 1 ms timer over %d s: longest lateness %lld ms, "
                "over 50 ms: %lld times\n",
                seconds, stalls.worst, stalls.over50);
    return 0;
}

int runScrollback(const QString &serverBinary, qint64 total)
{
    const auto server = startServer(serverBinary);
    if (!server)
        return 1;
    QElapsedTimer fill;
    fill.start();
    const auto sender = startSender(server->url(), total, 0);
    if (!sender->waitForFinished(-1) || sender->exitCode() != 0)
        return 1;
    std::printf("filled the room with %lld messages in %.1f s\n", total, fill.elapsed() / 1000.0);
    Client client;
    if (!client.start(server->url()))
        return 1;
    core::MessageModel &model = client.messages;
    ui::MessageView *view = client.view();
    const double rssStart = rssMegabytes();
    std::printf("platform %s; newest seq %lld, %d rows, RSS %.1f MB\n",
                qPrintable(QGuiApplication::platformName()), model.newestSeq(), model.rowCount(),
                rssStart);
    std::fflush(stdout);

    StallMeter stalls;
    stalls.start();
    stalls.warm = true;
    QElapsedTimer timer;
    timer.start();
    int mostRows = 0;
    double mostRss = rssStart;
    qint64 steps = 0;
    QElapsedTimer lastProgress;
    lastProgress.start();
    qint64 oldest = model.oldestSeq();
    // What a reader holding Page Up does: the bar goes to the top, older pages come in above.
    while (model.oldestSeq() > 1 && lastProgress.elapsed() < 30000) {
        view->verticalScrollBar()->setValue(view->verticalScrollBar()->minimum());
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        view->viewport()->repaint();
        ++steps;
        mostRows = std::max(mostRows, model.rowCount());
        if (steps % 200 == 0)
            mostRss = std::max(mostRss, rssMegabytes());
        if (model.oldestSeq() != oldest) {
            oldest = model.oldestSeq();
            lastProgress.restart();
        }
        if (!model.historyError().isEmpty()) {
            std::fprintf(stderr, "history failed: %s\n", qPrintable(model.historyError()));
            return 1;
        }
    }
    const qint64 elapsed = timer.elapsed();
    mostRss = std::max(mostRss, rssMegabytes());
    const bool reached = model.oldestSeq() == 1;
    std::printf("scrollback newest to first: %s in %.1f s (%lld scroll steps), rows at most %d "
                "(max %d), RSS start %.1f MB, highest %.1f MB, end %.1f MB, longest GUI-thread "
                "block %lld ms\n",
                reached ? "reached seq 1" : "did NOT reach seq 1", elapsed / 1000.0, steps,
                mostRows, model.maxRows(), rssStart, mostRss, rssMegabytes(), stalls.worst);

    // A jump into the middle (not cached): the server's history around it.
    timer.restart();
    qint64 shownSeq = 0;
    QObject::connect(&model, &core::MessageModel::scrollToRowRequested, [&](int row) {
        shownSeq = model.index(row).data(core::MessageModel::SeqRole).toLongLong();
    });
    model.jumpTo(total / 2);
    Client::waitFor([&] { return shownSeq != 0; }, 10000);
    std::printf("jump to seq %lld: row of seq %lld shown after %lld ms\n", total / 2, shownSeq,
                timer.elapsed());
    return reached && shownSeq == total / 2 ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Conversa desktop client through a real server: memory and GUI stalls over a long busy "
        "run, and scrollback"_s);
    parser.addHelpOption();
    const QCommandLineOption messagesOption(u"messages"_s, u"Messages sent to the room."_s, u"n"_s,
                                            u"1000000"_s);
    const QCommandLineOption rateOption(u"rate"_s, u"Messages per second (0: unpaced)."_s, u"r"_s,
                                        u"1000"_s);
    const QCommandLineOption reportOption(u"report"_s, u"Seconds between report lines."_s, u"s"_s,
                                          u"30"_s);
    const QCommandLineOption warmupOption(u"warmup"_s, u"Seconds of warm-up."_s, u"s"_s, u"120"_s);
    const QCommandLineOption scrollbackOption(
        u"scrollback"_s, u"Scroll from the newest to the first message of a room of n."_s, u"n"_s);
    const QCommandLineOption serverOption(u"server"_s, u"The conversa-server binary."_s, u"path"_s,
                                          QStringLiteral(CONVERSA_SERVER_BIN));
    const QCommandLineOption baselineOption(
        u"baseline"_s, u"Only measure an idle 1 ms timer for s seconds."_s, u"s"_s);
    const QCommandLineOption sendOption(u"send"_s, u"(internal) send to URL"_s, u"url"_s);
    parser.addOptions({messagesOption, rateOption, reportOption, warmupOption, scrollbackOption,
                       serverOption, baselineOption, sendOption});
    parser.process(app);
    const qint64 messages = parser.value(messagesOption).toLongLong();
    const int rate = parser.value(rateOption).toInt();
    if (messages <= 0 || rate < 0 || parser.value(reportOption).toInt() <= 0) {
        std::fprintf(stderr, "--messages and --report must be positive, --rate not negative\n");
        return 2;
    }
    if (parser.isSet(sendOption))
        return runSender(QUrl(parser.value(sendOption)), messages, rate);
    if (parser.isSet(baselineOption))
        return runBaseline(qMax(1, parser.value(baselineOption).toInt()));

    ui::Theme::install(app);
    ui::Theme::apply(ui::Theme::Mode::Light);
    if (parser.isSet(scrollbackOption)) {
        const qint64 total = parser.value(scrollbackOption).toLongLong();
        if (total <= 0) {
            std::fprintf(stderr, "--scrollback needs a positive number of messages\n");
            return 2;
        }
        return runScrollback(parser.value(serverOption), total);
    }
    return runLive(parser.value(serverOption), messages, rate, parser.value(reportOption).toInt(),
                   parser.value(warmupOption).toInt());
}
