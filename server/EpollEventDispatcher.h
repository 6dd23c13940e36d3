// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QtGlobal>

#ifdef Q_OS_LINUX
#include <QAbstractEventDispatcher>

#include <array>
#include <atomic>
#include <unordered_map>
#include <vector>

struct epoll_event;

namespace conversa::server {

// An event dispatcher for the serving thread whose cost per wake-up depends on the number of
// ready sockets, not on the number of open ones: sockets live in an epoll set, timers in a
// binary heap, and wake-ups from other threads go through an eventfd. Qt's GLib dispatcher walks
// a list of every socket whenever a write notifier is switched on or off, and its poll()
// dispatcher passes every descriptor to the kernel on each wake-up.
//
// Socket notifier changes are recorded at once but handed to the kernel just before the next
// wait, so a write notifier switched on and off within one iteration costs no system call.
// One instance serves one thread; any thread may have its own (QThread::setEventDispatcher).
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // epoll_ctl calls made so far; tests use it to check that toggling is batched.
    quint64 epollControlCalls() const { return m_epollControlCalls; }
    // Ready sockets one wait hands over at most; the kernel rotates the rest to the next wait.
    static constexpr int maxEventsPerWait = 1024;

private:
    enum NotifierSlot { ReadSlot, WriteSlot, ExceptionSlot, SlotCount };

    struct Watch {
        std::array<QSocketNotifier *, SlotCount> notifiers{};
        quint32 kernelEvents = 0; // what the epoll set holds for this descriptor
        quint32 tag = 0;          // stamped into epoll data; changes when the fd is reused
        quint64 lastDeliveryWait = 0;
        bool inKernel = false;
        bool pendingChange = false;
        bool alwaysReady = false; // a regular file: epoll refuses it, poll() calls it ready
    };

    struct Timer {
        QObject *object = nullptr;
        qint64 intervalMs = 0;
        qint64 deadlineNs = 0;
        quint64 registration = 0;
        quint64 schedule = 0; // matches the one live heap entry of this timer
        Qt::TimerType type = Qt::CoarseTimer;
        bool delivering = false;
    };

    struct HeapEntry {
        qint64 deadlineNs;
        quint64 schedule;
        int timerId;
    };

    static qint64 nowNs();
    static quint32 epollEventsFor(const Watch &watch);

    void markChanged(int fd, Watch &watch);
    void applyPendingChanges();
    bool controlEpoll(int operation, int fd, quint32 events, quint32 tag);
    int deliverSocketEvents(const epoll_event *events, int count, quint64 wait);
    int deliverAlwaysReady(quint64 wait);
    bool deliver(int fd, quint32 tag, NotifierSlot slot, quint64 wait);
    void drainWakeUps();

    void schedule(int timerId, Timer &timer);
    void compactTimerHeap();
    void dropStaleHeapTop();
    int waitTimeoutMs(bool canWait);
    int activateTimers();

    int m_epollFd = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_wakeUpPending{false};
    std::atomic<bool> m_interrupted{false};

    std::unordered_map<int, Watch> m_watches;
    std::vector<int> m_pendingChanges;
    std::vector<int> m_alwaysReadyFds;
    quint32 m_lastTag = 0;
    quint64 m_lastWait = 0;
    quint64 m_epollControlCalls = 0;

    std::unordered_map<int, Timer> m_timers;
    std::unordered_map<QObject *, std::vector<int>> m_timersByObject;
    std::vector<HeapEntry> m_timerHeap;
    quint64 m_lastTimerSerial = 0;
};

} // namespace conversa::server
#endif

namespace conversa::server {

// Installs the serving thread's event dispatcher before the QCoreApplication exists:
// epoll on Linux unless CONVERSA_EVENT_DISPATCHER=qt asks for Qt's default. Returns an error
// in words for an unknown value, else an empty string.
QString installServingEventDispatcher();

} // namespace conversa::server
