// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "EpollEventDispatcher.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

#ifdef Q_OS_LINUX
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace conversa::server {

namespace {

constexpr qint64 kNsPerMs = 1000 * 1000;
// When the timer heap holds this many more entries than live timers, it is rebuilt.
constexpr size_t kHeapSlack = 64;

// Ready conditions that wake each kind of notifier; hang-ups and errors wake readers so they
// see the end of the stream, errors wake writers so they see the failure (as poll() does).
constexpr quint32 kReadReady = EPOLLIN | EPOLLHUP | EPOLLERR;
constexpr quint32 kWriteReady = EPOLLOUT | EPOLLERR;
constexpr quint32 kExceptionReady = EPOLLPRI;

bool laterDeadline(const auto &a, const auto &b)
{
    // std::push_heap builds a max-heap; inverting the order makes the front the earliest.
    if (a.deadlineNs != b.deadlineNs)
        return a.deadlineNs > b.deadlineNs;
    return a.schedule > b.schedule;
}

quint64 packEpollData(int fd, quint32 tag)
{
    return (quint64(tag) << 32) | quint32(fd);
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
{
    m_epollFd = epoll_create1(EPOLL_CLOEXEC);
    if (m_epollFd < 0)
        qFatal("EpollEventDispatcher: cannot create an epoll set: %s", std::strerror(errno));
    m_wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_wakeFd < 0)
        qFatal("EpollEventDispatcher: cannot create an eventfd: %s", std::strerror(errno));
    // Tag 0 is never given to a socket, so the wake-up descriptor is told apart by it.
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = packEpollData(m_wakeFd, 0);
    if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeFd, &event) != 0)
        qFatal("EpollEventDispatcher: cannot watch the eventfd: %s", std::strerror(errno));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeFd);
    ::close(m_epollFd);
}

qint64 EpollEventDispatcher::nowNs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1000 * kNsPerMs + now.tv_nsec;
}

// ---------------------------------------------------------------------------------------------
// Socket notifiers

quint32 EpollEventDispatcher::epollEventsFor(const Watch &watch)
{
    quint32 events = 0;
    if (watch.notifiers[ReadSlot])
        events |= EPOLLIN;
    if (watch.notifiers[WriteSlot])
        events |= EPOLLOUT;
    if (watch.notifiers[ExceptionSlot])
        events |= EPOLLPRI;
    return events;
}

static int slotFor(QSocketNotifier::Type type)
{
    switch (type) {
    case QSocketNotifier::Read:
        return 0;
    case QSocketNotifier::Write:
        return 1;
    case QSocketNotifier::Exception:
        return 2;
    }
    return 0;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const qintptr socket = notifier->socket();
    if (socket < 0 || socket > INT_MAX) {
        qWarning("EpollEventDispatcher: cannot watch the invalid socket %lld", qlonglong(socket));
        return;
    }
    const int fd = int(socket);
    const auto [it, isNew] = m_watches.try_emplace(fd);
    Watch &watch = it->second;
    if (isNew) {
        // It may be a new socket that reuses the number of one closed earlier in this batch,
        // whose readiness must not reach the new notifier: the tag tells them apart.
        if (++m_lastTag == 0)
            ++m_lastTag;
        watch.tag = m_lastTag;
    }
    QSocketNotifier *&slot = watch.notifiers[slotFor(notifier->type())];
    if (slot == notifier)
        return;
    if (slot)
        qWarning("EpollEventDispatcher: several socket notifiers of one type for socket %d", fd);
    slot = notifier;
    markChanged(fd, watch);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const auto it = m_watches.find(int(notifier->socket()));
    if (it == m_watches.end())
        return;
    QSocketNotifier *&slot = it->second.notifiers[slotFor(notifier->type())];
    if (slot != notifier)
        return;
    // Cleared at once, so a notifier disabled or deleted during a batch is never activated
    // by the rest of that batch.
    slot = nullptr;
    Watch &watch = it->second;
    if (epollEventsFor(watch) != 0) {
        // The kernel learns of it before the next wait: a write notifier switched off and on
        // again within one iteration costs nothing.
        markChanged(it->first, watch);
        return;
    }
    // The last notifier of a descriptor leaves the set at once, while the descriptor is still
    // open (Qt disables notifiers before closing a socket). Removed later, after the close,
    // epoll_ctl could no longer name it, and a copy of it inherited by a child process would
    // stay in the set and keep reporting readiness.
    if (watch.inKernel)
        controlEpoll(EPOLL_CTL_DEL, it->first, 0, 0);
    if (watch.alwaysReady)
        std::erase(m_alwaysReadyFds, it->first);
    m_watches.erase(it);
}

void EpollEventDispatcher::markChanged(int fd, Watch &watch)
{
    if (watch.pendingChange)
        return;
    watch.pendingChange = true;
    m_pendingChanges.push_back(fd);
}

bool EpollEventDispatcher::controlEpoll(int operation, int fd, quint32 events, quint32 tag)
{
    ++m_epollControlCalls;
    epoll_event event{};
    event.events = events;
    event.data.u64 = packEpollData(fd, tag);
    return epoll_ctl(m_epollFd, operation, fd, &event) == 0;
}

void EpollEventDispatcher::applyPendingChanges()
{
    for (const int fd : m_pendingChanges) {
        const auto it = m_watches.find(fd);
        if (it == m_watches.end())
            continue;
        Watch &watch = it->second;
        watch.pendingChange = false;
        const quint32 wanted = epollEventsFor(watch);
        if (wanted == 0 || watch.alwaysReady || (watch.inKernel && wanted == watch.kernelEvents))
            continue;
        // The set may disagree with our record when a descriptor was closed and its number
        // reused without the notifiers going away first; fall back to the other operation.
        bool done = watch.inKernel ? controlEpoll(EPOLL_CTL_MOD, fd, wanted, watch.tag)
                                   : controlEpoll(EPOLL_CTL_ADD, fd, wanted, watch.tag);
        if (!done && (errno == ENOENT || errno == EEXIST))
            done = controlEpoll(errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, wanted,
                                watch.tag);
        if (done) {
            watch.inKernel = true;
            watch.kernelEvents = wanted;
        } else if (errno == EPERM) {
            watch.inKernel = false;
            watch.alwaysReady = true;
            m_alwaysReadyFds.push_back(fd);
        } else {
            qWarning("EpollEventDispatcher: cannot watch socket %d: %s", fd, std::strerror(errno));
            watch.inKernel = false;
        }
    }
    m_pendingChanges.clear();
}

bool EpollEventDispatcher::deliver(int fd, quint32 tag, NotifierSlot slot, quint64 wait)
{
    // Looked up afresh for every activation: the one before may have closed this socket,
    // deleted its notifiers, or registered others (which can rehash the table).
    const auto it = m_watches.find(fd);
    if (it == m_watches.end() || it->second.tag != tag)
        return false;
    Watch &watch = it->second;
    // A nested event loop inside an earlier activation waited again and served this socket
    // with newer readiness; what this batch knows is stale.
    if (watch.lastDeliveryWait > wait)
        return false;
    QSocketNotifier *notifier = watch.notifiers[slot];
    if (!notifier)
        return false;
    watch.lastDeliveryWait = wait;
    QEvent event(QEvent::SockAct);
    QCoreApplication::sendEvent(notifier, &event);
    return true;
}

int EpollEventDispatcher::deliverSocketEvents(const epoll_event *events, int count, quint64 wait)
{
    int delivered = 0;
    for (int i = 0; i < count; ++i) {
        const int fd = int(quint32(events[i].data.u64));
        const quint32 tag = quint32(events[i].data.u64 >> 32);
        if (tag == 0) {
            drainWakeUps();
            ++delivered;
            continue;
        }
        const quint32 ready = events[i].events;
        if ((ready & kReadReady) && deliver(fd, tag, ReadSlot, wait))
            ++delivered;
        if ((ready & kWriteReady) && deliver(fd, tag, WriteSlot, wait))
            ++delivered;
        if ((ready & kExceptionReady) && deliver(fd, tag, ExceptionSlot, wait))
            ++delivered;
    }
    return delivered;
}

int EpollEventDispatcher::deliverAlwaysReady(quint64 wait)
{
    int delivered = 0;
    // Copied: an activation may add or remove such descriptors.
    const std::vector<int> fds = m_alwaysReadyFds;
    for (const int fd : fds) {
        const auto it = m_watches.find(fd);
        if (it == m_watches.end())
            continue;
        const quint32 tag = it->second.tag;
        if (deliver(fd, tag, ReadSlot, wait))
            ++delivered;
        if (deliver(fd, tag, WriteSlot, wait))
            ++delivered;
    }
    return delivered;
}

// ---------------------------------------------------------------------------------------------
// Wake-ups

void EpollEventDispatcher::wakeUp()
{
    // Qt calls this for every posted event; one write is enough until the loop drains it.
    bool expected = false;
    if (m_wakeUpPending.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
        const eventfd_t one = 1;
        while (eventfd_write(m_wakeFd, one) != 0 && errno == EINTR) {
        }
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_release);
    wakeUp();
}

void EpollEventDispatcher::drainWakeUps()
{
    eventfd_t value = 0;
    eventfd_read(m_wakeFd, &value);
    // Reset after the read: an event posted in between finds the flag still set and writes
    // nothing, but it is already queued and this loop sends posted events before it waits.
    m_wakeUpPending.store(false, std::memory_order_release);
}

// ---------------------------------------------------------------------------------------------
// Timers

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qWarning("EpollEventDispatcher: invalid timer (id %d, interval %lld)", timerId,
                 qlonglong(interval));
        return;
    }
    if (m_timers.contains(timerId))
        unregisterTimer(timerId);
    Timer &timer = m_timers[timerId];
    timer.object = object;
    timer.intervalMs = interval;
    timer.type = timerType;
    timer.registration = ++m_lastTimerSerial;
    // Every timer type is kept to the millisecond: coarse timers may be that exact.
    timer.deadlineNs = nowNs() + interval * kNsPerMs;
    schedule(timerId, timer);
    m_timersByObject[object].push_back(timerId);
}

void EpollEventDispatcher::schedule(int timerId, Timer &timer)
{
    timer.schedule = ++m_lastTimerSerial;
    m_timerHeap.push_back({timer.deadlineNs, timer.schedule, timerId});
    std::push_heap(m_timerHeap.begin(), m_timerHeap.end(),
                   [](const HeapEntry &a, const HeapEntry &b) { return laterDeadline(a, b); });
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    const auto owner = m_timersByObject.find(it->second.object);
    if (owner != m_timersByObject.end()) {
        std::erase(owner->second, timerId);
        if (owner->second.empty())
            m_timersByObject.erase(owner);
    }
    // Its heap entry stays behind and is dropped when it reaches the top or at compaction.
    m_timers.erase(it);
    compactTimerHeap();
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const auto owner = m_timersByObject.find(object);
    if (owner == m_timersByObject.end())
        return false;
    for (const int timerId : owner->second)
        m_timers.erase(timerId);
    m_timersByObject.erase(owner);
    compactTimerHeap();
    return true;
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> infos;
    const auto owner = m_timersByObject.find(object);
    if (owner == m_timersByObject.end())
        return infos;
    for (const int timerId : owner->second) {
        const Timer &timer = m_timers.at(timerId);
        infos.append(TimerInfo(timerId, int(qMin<qint64>(timer.intervalMs, INT_MAX)), timer.type));
    }
    return infos;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    const qint64 left = it->second.deadlineNs - nowNs();
    return left <= 0 ? 0 : int(qMin<qint64>((left + kNsPerMs - 1) / kNsPerMs, INT_MAX));
}

void EpollEventDispatcher::compactTimerHeap()
{
    if (m_timerHeap.size() <= 2 * m_timers.size() + kHeapSlack)
        return;
    m_timerHeap.clear();
    for (const auto &[timerId, timer] : m_timers)
        m_timerHeap.push_back({timer.deadlineNs, timer.schedule, timerId});
    std::make_heap(m_timerHeap.begin(), m_timerHeap.end(),
                   [](const HeapEntry &a, const HeapEntry &b) { return laterDeadline(a, b); });
}

void EpollEventDispatcher::dropStaleHeapTop()
{
    while (!m_timerHeap.empty()) {
        const HeapEntry &top = m_timerHeap.front();
        const auto it = m_timers.find(top.timerId);
        if (it != m_timers.end() && it->second.schedule == top.schedule)
            return;
        std::pop_heap(m_timerHeap.begin(), m_timerHeap.end(),
                      [](const HeapEntry &a, const HeapEntry &b) { return laterDeadline(a, b); });
        m_timerHeap.pop_back();
    }
}

int EpollEventDispatcher::waitTimeoutMs(bool canWait)
{
    if (!canWait)
        return 0;
    dropStaleHeapTop();
    if (m_timerHeap.empty())
        return -1;
    const qint64 left = m_timerHeap.front().deadlineNs - nowNs();
    if (left <= 0)
        return 0;
    // Rounded up: waking before the deadline would only mean waiting again.
    return int(qMin<qint64>((left + kNsPerMs - 1) / kNsPerMs, INT_MAX));
}

int EpollEventDispatcher::activateTimers()
{
    const auto later = [](const HeapEntry &a, const HeapEntry &b) { return laterDeadline(a, b); };
    const qint64 now = nowNs();
    int fired = 0;
    while (true) {
        dropStaleHeapTop();
        if (m_timerHeap.empty() || m_timerHeap.front().deadlineNs > now)
            break;
        const int timerId = m_timerHeap.front().timerId;
        std::pop_heap(m_timerHeap.begin(), m_timerHeap.end(), later);
        m_timerHeap.pop_back();
        Timer &timer = m_timers.at(timerId);
        // Rescheduled before delivery so the slot may kill or restart it. The next deadline
        // lies after `now`, so a zero-interval timer fires once per pass, not forever.
        const qint64 intervalNs = timer.intervalMs * kNsPerMs;
        timer.deadlineNs += intervalNs;
        if (timer.deadlineNs <= now)
            timer.deadlineNs = now + std::max<qint64>(intervalNs, 1);
        schedule(timerId, timer);
        // A nested event loop inside this timer's own slot does not deliver it again.
        if (timer.delivering)
            continue;
        timer.delivering = true;
        const quint64 registration = timer.registration;
        QTimerEvent event(timerId);
        QCoreApplication::sendEvent(timer.object, &event);
        ++fired;
        if (const auto it = m_timers.find(timerId);
            it != m_timers.end() && it->second.registration == registration)
            it->second.delivering = false;
    }
    return fired;
}

// ---------------------------------------------------------------------------------------------
// The loop

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    // Whenever waiting would leave a posted event behind, Qt has called wakeUp(), so the
    // eventfd makes the wait below return at once.
    QCoreApplication::sendPostedEvents();

    // ExcludeUserInputEvents needs nothing here: a server thread has no user input to hold back.
    const bool includeSockets = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool canWait =
        (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.load(std::memory_order_acquire);
    if (canWait)
        emit aboutToBlock();
    if (m_interrupted.load(std::memory_order_acquire))
        return false;

    int timeoutMs = waitTimeoutMs(canWait);
    if (includeSockets && !m_alwaysReadyFds.empty())
        timeoutMs = 0;
    applyPendingChanges();

    int delivered = 0;
    if (includeSockets) {
        epoll_event events[maxEventsPerWait];
        const int count = epoll_wait(m_epollFd, events, maxEventsPerWait, timeoutMs);
        if (count < 0 && errno != EINTR)
            qWarning("EpollEventDispatcher: epoll_wait failed: %s", std::strerror(errno));
        const quint64 wait = ++m_lastWait;
        if (count > 0)
            delivered += deliverSocketEvents(events, count, wait);
        if (!m_alwaysReadyFds.empty())
            delivered += deliverAlwaysReady(wait);
    } else {
        // Sockets left out: wait for a wake-up or the next timer only.
        pollfd wake{m_wakeFd, POLLIN, 0};
        if (::poll(&wake, 1, timeoutMs) > 0 && (wake.revents & POLLIN)) {
            drainWakeUps();
            ++delivered;
        }
    }
    delivered += activateTimers();
    return delivered > 0;
}

} // namespace conversa::server
#endif

namespace conversa::server {

QString installServingEventDispatcher()
{
    const QString choice = qEnvironmentVariable("CONVERSA_EVENT_DISPATCHER");
    if (choice == "qt"_L1)
        return {};
    if (!choice.isEmpty() && choice != "epoll"_L1)
        return u"CONVERSA_EVENT_DISPATCHER must be 'epoll' or 'qt', not '%1'"_s.arg(choice);
#ifdef Q_OS_LINUX
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
#else
    if (choice == "epoll"_L1)
        return u"CONVERSA_EVENT_DISPATCHER=epoll is only available on Linux"_s;
#endif
    return {};
}

} // namespace conversa::server
