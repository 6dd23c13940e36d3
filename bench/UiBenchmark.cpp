// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-ui-bench: how the desktop app's chat view holds up with a big room.
//
//   conversa-ui-bench [--messages N] [--seconds S] [--rate R]
//
// 1. fill: a child process writes N messages (100,000) of one room into a fresh cache.
// 2. measure: a second child process starts like the app does (cache, models, main window),
//    opens the room and reports the time from its main() to the first painted history, its RSS,
//    the frame times while scrolling up through the history (which pages older messages in from
//    the cache), and, while R messages per second (1,000) arrive for S seconds (10) the way the
//    session delivers them (stored in the cache, then signalled), the longest stall of the UI
//    thread, measured by a 5 ms heartbeat timer.
// Runs on any QPA platform: offscreen by default, or a real X server (xvfb-run) to include the
// cost of putting pixels on a screen.
#include <ChatPage.h>
#include <MainWindow.h>
#include <MemberListModel.h>
#include <MessageCache.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <Theme.h>
#include <TypingUsers.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace ui = conversa::ui;
namespace proto = conversa::protocol;

namespace {

const QString kRoom = u"general"_s;

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

QString bodyFor(qint64 seq)
{
    // A realistic mix: mostly short lines, some long paragraphs, links and multi-line messages.
    switch (seq % 10) {
    case 0:
        return u"Here is a longer message number %1 that wraps over several lines in a normal "
               "window, because people do write paragraphs now and then, with details about "
               "what happened, what they tried, and what they want to do next."_s.arg(seq);
    case 3:
        return u"see https://example.com/tickets/%1 for the details"_s.arg(seq);
    case 7:
        return u"line one of %1\nline two\nline three"_s.arg(seq);
    default:
        return u"message %1"_s.arg(seq);
    }
}

proto::MessageEvent messageFor(qint64 seq, qint64 ts)
{
    static const QStringList senders{u"alice"_s, u"bob"_s, u"carol"_s, u"dave"_s};
    return {
        kRoom,       seq, ts, senders.at(int((seq / 3) % senders.size())), u"bench-%1"_s.arg(seq),
        bodyFor(seq)};
}

int fill(const QString &dir, int count)
{
    core::MessageCache cache;
    cache.setCapacityPerRoom(count);
    if (!cache.open(dir + u"/cache.sqlite"_s)) {
        std::fprintf(stderr, "cannot open cache: %s\n", qPrintable(cache.lastError()));
        return 1;
    }
    cache.updateRooms({{kRoom, u"General"_s, count, count}, {u"random"_s, u"Random"_s, 0, 0}});
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - qint64(count) * 30'000;
    QElapsedTimer timer;
    timer.start();
    constexpr int kBatch = 2000;
    for (int first = 1; first <= count; first += kBatch) {
        QList<proto::MessageEvent> batch;
        for (int seq = first; seq < first + kBatch && seq <= count; ++seq)
            batch.append(messageFor(seq, start + qint64(seq) * 30'000));
        cache.storeMessages(kRoom, batch, batch.last().seq);
    }
    std::printf("fill: %d messages written to the cache in %.1f s (%d in the room)\n", count,
                timer.elapsed() / 1000.0, cache.messageCount(kRoom));
    return 0;
}

struct Percentiles {
    double median = 0, p95 = 0, max = 0;
};
Percentiles percentiles(QList<double> values)
{
    if (values.isEmpty())
        return {};
    std::sort(values.begin(), values.end());
    return {values.at(values.size() / 2), values.at(int(values.size() * 0.95)), values.last()};
}

int measure(const QString &dir, const QElapsedTimer &sinceMain, int seconds, int rate, int count)
{
    // Start the way DesktopApplication does: cache and outbox, models, the window.
    core::MessageCache cache;
    cache.setCapacityPerRoom(count);
    core::Outbox outbox;
    if (!cache.open(dir + u"/cache.sqlite"_s) || !outbox.open(dir + u"/outbox.sqlite"_s))
        return 1;
    core::SessionManager session;
    session.setCache(&cache);
    session.setOutbox(&outbox);
    core::RoomListModel rooms;
    rooms.setCache(&cache);
    rooms.setSession(&session);
    core::MessageModel messages;
    messages.setSources(&cache, &outbox, &session);
    core::MemberListModel members;
    members.setSession(&session);
    core::TypingUsers typing;
    typing.setSession(&session);

    ui::MainWindow window;
    window.chatPage()->setSources({&session, &outbox, &rooms, &messages, &members, &typing});
    window.setSignedInUser(u"alice"_s);
    window.showChat();
    window.resize(1180, 760);
    ui::MessageView *view = window.chatPage()->messageView();

    // First painted history: the first paint of the message list with rows in it.
    qint64 firstPaintMs = -1;
    struct PaintWatcher : QObject {
        std::function<void()> onPaint;
        bool eventFilter(QObject *, QEvent *event) override
        {
            if (event->type() == QEvent::Paint && onPaint)
                onPaint();
            return false;
        }
    } watcher;
    watcher.onPaint = [&] {
        if (firstPaintMs < 0 && view->model()->rowCount() > 0)
            firstPaintMs = sinceMain.elapsed();
    };
    view->viewport()->installEventFilter(&watcher);
    window.show();
    window.chatPage()->openRoom(kRoom);
    QElapsedTimer waited;
    waited.start();
    while (firstPaintMs < 0 && waited.elapsed() < 10'000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    QTimer::singleShot(200, [] {});
    for (int i = 0; i < 20; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const double rssAfterOpen = rssMegabytes();
    std::printf("start to first painted history: %lld ms (rows loaded: %d)\n", firstPaintMs,
                messages.rowCount());
    std::printf("RSS after the first paint: %.1f MB\n", rssAfterOpen);

    // Scrolling up through history, 40 px a frame; older pages come from the cache on the way.
    QList<double> frames;
    QElapsedTimer frame;
    int loadedRows = messages.rowCount();
    for (int i = 0; i < 1500; ++i) {
        frame.start();
        QScrollBar *bar = view->verticalScrollBar();
        bar->setValue(bar->value() - 40);
        QCoreApplication::processEvents(); // page-ins and layout triggered by the scroll
        view->viewport()->repaint();
        frames.append(frame.nsecsElapsed() / 1e6);
        loadedRows = messages.rowCount();
    }
    const Percentiles scroll = percentiles(frames);
    std::printf("scrolling up 1500 frames of 40 px: frame time median %.2f ms, p95 %.2f ms, "
                "max %.2f ms (rows in the model afterwards: %d, cap %d)\n",
                scroll.median, scroll.p95, scroll.max, loadedRows, messages.maxRows());
    std::printf("RSS after scrolling: %.1f MB\n", rssMegabytes());
    {
        // What one full relayout of the loaded rows costs (it happens when rows are trimmed).
        QList<double> layouts;
        for (int i = 0; i < 5; ++i) {
            QElapsedTimer layout;
            layout.start();
            view->doItemsLayout();
            layouts.append(layout.nsecsElapsed() / 1e6);
        }
        std::printf("full relayout of %d rows: median %.1f ms\n", messages.rowCount(),
                    percentiles(layouts).median);
    }

    // Back to the newest, then a flood of incoming messages.
    view->scrollToNewest();
    if (qEnvironmentVariableIsSet("BENCH_LAYOUT_MODE_BATCHED"))
        view->setLayoutMode(QListView::Batched);
    if (qEnvironmentVariableIsSet("BENCH_HIDE_VIEW"))
        view->hide();
    for (int i = 0; i < 20; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    qint64 nextSeq = cache.syncedSeq(kRoom) + 1;
    const qint64 total = qint64(rate) * seconds;
    qint64 delivered = 0;
    QElapsedTimer flood;
    QElapsedTimer heartbeatClock;
    qint64 lastBeat = 0;
    qint64 longestGap = 0;
    QList<double> beatGaps;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(5);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = heartbeatClock.elapsed();
        longestGap = std::max(longestGap, now - lastBeat);
        beatGaps.append(double(now - lastBeat));
        lastBeat = now;
    });
    qint64 longestStore = 0;    // the cache write the session does before it signals
    qint64 longestUiUpdate = 0; // models and views taking the messages in
    QList<double> updateTimes;
    QTimer sender;
    sender.setTimerType(Qt::PreciseTimer);
    sender.setInterval(1);
    QObject::connect(&sender, &QTimer::timeout, [&] {
        // Deliver what is due by now, as the session would after reading its socket.
        const qint64 due = std::min(total, flood.elapsed() * rate / 1000);
        if (due <= delivered)
            return;
        QList<proto::MessageEvent> batch;
        for (; delivered < due; ++delivered)
            batch.append(messageFor(nextSeq++, QDateTime::currentMSecsSinceEpoch()));
        QElapsedTimer step;
        step.start();
        cache.storeMessages(kRoom, batch, batch.last().seq);
        longestStore = std::max(longestStore, step.elapsed());
        step.start();
        for (const proto::MessageEvent &m : std::as_const(batch))
            emit session.messageReceived(m);
        longestUiUpdate = std::max(longestUiUpdate, step.elapsed());
        updateTimes.append(step.nsecsElapsed() / 1e6);
    });
    flood.start();
    heartbeatClock.start();
    heartbeat.start();
    sender.start();
    while (delivered < total && flood.elapsed() < qint64(seconds) * 1000 + 20'000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const qint64 floodMs = flood.elapsed();
    sender.stop();
    heartbeat.stop();
    std::printf("incoming %d msg/s for %d s: %lld delivered in %.1f s, longest UI stall %lld ms "
                "(heartbeat every 5 ms; stall = longest gap between beats)\n",
                rate, seconds, delivered, floodMs / 1000.0, longestGap);
    std::printf("  of which: longest cache write %lld ms, longest model update %lld ms\n",
                longestStore, longestUiUpdate);
    const Percentiles updates = percentiles(updateTimes);
    const Percentiles gaps = percentiles(beatGaps);
    std::printf("  model update per batch: median %.2f ms, p95 %.2f ms; heartbeat gap p95 %.0f ms, "
                "gaps over 50 ms: %lld\n",
                updates.median, updates.p95, gaps.p95,
                qint64(std::count_if(beatGaps.cbegin(), beatGaps.cend(),
                                     [](double gap) { return gap > 50; })));
    std::printf("RSS at the end: %.1f MB (rows in the model: %d)\n", rssMegabytes(),
                messages.rowCount());
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceMain;
    sinceMain.start();
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Conversa desktop UI benchmark"_s);
    parser.addHelpOption();
    const QCommandLineOption messagesOption(u"messages"_s, u"Messages in the room."_s, u"n"_s,
                                            u"100000"_s);
    const QCommandLineOption secondsOption(u"seconds"_s, u"Seconds of incoming messages."_s, u"s"_s,
                                           u"10"_s);
    const QCommandLineOption rateOption(u"rate"_s, u"Incoming messages per second."_s, u"r"_s,
                                        u"1000"_s);
    const QCommandLineOption fillOption(u"fill"_s, u"(internal) fill DIR"_s, u"dir"_s);
    const QCommandLineOption measureOption(u"measure"_s, u"(internal) measure DIR"_s, u"dir"_s);
    parser.addOptions({messagesOption, secondsOption, rateOption, fillOption, measureOption});
    parser.process(app);
    const int count = parser.value(messagesOption).toInt();
    conversa::ui::Theme::install(app);
    conversa::ui::Theme::apply(conversa::ui::Theme::Mode::Light);

    if (parser.isSet(fillOption))
        return fill(parser.value(fillOption), count);
    if (parser.isSet(measureOption))
        return measure(parser.value(measureOption), sinceMain, parser.value(secondsOption).toInt(),
                       parser.value(rateOption).toInt(), count);

    // Fill and measure in fresh processes, so the measured start is a real start.
    QTemporaryDir dir;
    const QStringList common{u"--messages"_s, QString::number(count),
                             u"--seconds"_s,  parser.value(secondsOption),
                             u"--rate"_s,     parser.value(rateOption)};
    std::printf("platform: %s\n", qPrintable(QGuiApplication::platformName()));
    std::fflush(stdout);
    for (const QStringList &step : {QStringList{u"--fill"_s, dir.path()} + common,
                                    QStringList{u"--measure"_s, dir.path()} + common}) {
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedChannels);
        child.start(QCoreApplication::applicationFilePath(), step);
        if (!child.waitForFinished(-1) || child.exitCode() != 0) {
            std::fprintf(stderr, "step %s failed\n", qPrintable(step.first()));
            return 1;
        }
    }
    return 0;
}
