// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageModel.h"

#include "FileSize.h"
#include "MessageCache.h"
#include "MessageMarkup.h"
#include "MessageState.h"
#include "SessionManager.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <utility>

namespace conversa::core {

using namespace Qt::StringLiterals;

namespace {
// Marks a change of the rows in progress: views and testers that react to its signals by asking
// for more rows are told there are none until it is done.
class ChangeGuard
{
public:
    explicit ChangeGuard(bool &flag)
        : m_flag(flag)
        , m_previous(std::exchange(flag, true))
    {}
    ~ChangeGuard() { m_flag = m_previous; }
    ChangeGuard(const ChangeGuard &) = delete;
    ChangeGuard &operator=(const ChangeGuard &) = delete;

private:
    bool &m_flag;
    bool m_previous;
};

// The server answers `history` with at most this many messages.
constexpr int kMaxHistoryPage = 200;
// A batch of live messages is inserted at once when it reaches this size.
constexpr int kMaxLiveBatch = 1000;
} // namespace

MessageModel::MessageModel(QObject *parent)
    : QAbstractListModel(parent)
{
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(100);
    connect(&m_batchTimer, &QTimer::timeout, this, &MessageModel::flushLive);
    m_uploadProgressTimer.setSingleShot(true);
    m_uploadProgressTimer.setInterval(100);
    connect(&m_uploadProgressTimer, &QTimer::timeout, this, &MessageModel::flushUploadProgress);
}

void MessageModel::onUploadProgress(const QString &room, const QString &cid, double fraction)
{
    if (room != m_room)
        return;
    if (fraction < 0)
        m_uploadProgress.remove(cid);
    else
        m_uploadProgress.insert(cid, fraction);
    m_uploadProgressChanged.insert(cid);
    // The end of an upload shows at once; the steps of one at most ten times a second.
    if (fraction < 0)
        flushUploadProgress();
    else if (!m_uploadProgressTimer.isActive())
        m_uploadProgressTimer.start();
}

void MessageModel::flushUploadProgress()
{
    m_uploadProgressTimer.stop();
    const QSet<QString> changed = std::exchange(m_uploadProgressChanged, {});
    for (const QString &cid : changed) {
        const int row = rowOfCid(cid);
        if (row >= 0)
            emit dataChanged(index(row), index(row), {UploadProgressRole});
    }
}

void MessageModel::setSources(MessageCache *cache, Outbox *outbox, SessionManager *session)
{
    if (m_outbox)
        m_outbox->disconnect(this);
    if (m_session)
        m_session->disconnect(this);
    m_cache = cache;
    m_outbox = outbox;
    m_session = session;
    if (outbox) {
        connect(outbox, &Outbox::entryChanged, this, &MessageModel::onOutboxEntry);
        connect(outbox, &Outbox::entryRemoved, this, &MessageModel::onOutboxRemoved);
    }
    if (session) {
        connect(session, &SessionManager::uploadProgress, this, &MessageModel::onUploadProgress);
        connect(session, &SessionManager::messageReceived, this, &MessageModel::queueLive);
        // In the same queue: an edit must find the message it names already inserted.
        connect(session, &SessionManager::logEntryReceived, this, &MessageModel::queueLive);
        connect(session, &SessionManager::historyReceived, this, &MessageModel::addHistory);
        // Back online: what failed before is asked again on the next scroll; stop saying it failed.
        connect(session, &SessionManager::synced, this, [this] { setHistoryError({}); });
        connect(session, &SessionManager::historyFailed, this,
                [this](const QString &room, const QString &reason) {
                    if (room != m_room)
                        return;
                    m_waitingForServer = false; // the next fetchMore() asks again
                    m_request = Request::None;
                    setHistoryError(tr("Older messages could not be loaded: %1. Scroll up to try "
                                       "again.")
                                        .arg(reason));
                });
        connect(session, &SessionManager::historyReset, this, [this](const QString &room) {
            if (room.isEmpty() || room == m_room)
                reload();
        });
    }
    reload();
}

void MessageModel::setRoom(const QString &room)
{
    if (room == m_room)
        return;
    m_room = room;
    m_uploadProgress.clear();
    reload();
}

namespace {
// U+001F cannot occur in room names, user names or cids (the server refuses control characters).
QString messageKey(const QString &room, const QString &sender, const QString &cid)
{
    return room + u'\x1f' + sender + u'\x1f' + cid;
}
} // namespace

MessageModel::Row MessageModel::fromMessage(const protocol::MessageEvent &m) const
{
    return Row{m.seq,
               m.cid,
               m.from,
               m.ts,
               m.body,
               DeliveryState::Delivered,
               {},
               m.cid.isEmpty() ? m_room + u"\x1fseq:"_s + QString::number(m.seq)
                               : messageKey(m_room, m.from, m.cid),
               m.replyTo,
               m.edited,
               m.deleted,
               m.reactions,
               m.files};
}

protocol::MessageEvent MessageModel::eventOf(const Row &row) const
{
    protocol::MessageEvent m{m_room, row.seq, row.ts, row.sender, row.cid, row.body, row.replyTo};
    m.edited = row.edited;
    m.deleted = row.deleted;
    m.reactions = row.reactions;
    m.files = row.files;
    return m;
}

std::optional<protocol::MessageEvent> MessageModel::messageAt(qint64 seq) const
{
    const int row = rowOfSeq(seq);
    if (row < 0)
        return std::nullopt;
    return eventOf(m_rows.at(row));
}

bool MessageModel::hasMyReaction(qint64 seq, const QString &emoji) const
{
    const int row = rowOfSeq(seq);
    if (row < 0 || !m_session)
        return false;
    for (const protocol::Reaction &r : m_rows.at(row).reactions) {
        if (r.emoji == emoji)
            return r.users.contains(m_session->user());
    }
    return false;
}

qint64 MessageModel::lastOwnMessageSeq() const
{
    if (!m_session || m_session->user().isEmpty())
        return 0;
    for (int i = deliveredCount() - 1; i >= 0; --i) {
        const Row &r = m_rows.at(i);
        if (r.sender == m_session->user() && !r.deleted)
            return r.seq;
    }
    return 0;
}

MessageModel::Original MessageModel::originalOf(qint64 seq) const
{
    if (const int row = rowOfSeq(seq); row >= 0) {
        const Row &r = m_rows.at(row);
        return {true, r.sender, r.body, r.deleted};
    }
    if (const auto it = m_originals.constFind(seq); it != m_originals.cend())
        return *it;
    Original original;
    if (m_cache) {
        if (const auto cached = m_cache->message(m_room, seq))
            original = {true, cached->from, cached->body, cached->deleted};
    }
    // Bounded: a window's worth of distinct originals at most before it starts over.
    if (m_originals.size() >= m_maxRows)
        m_originals.clear();
    m_originals.insert(seq, original);
    return original;
}

void MessageModel::applyLogEntries(const QList<protocol::MessageEvent> &entries)
{
    for (const protocol::MessageEvent &entry : entries) {
        if (entry.room != m_room || entry.kind.isEmpty())
            continue;
        m_originals.remove(entry.target);
        const int row = rowOfSeq(entry.target);
        if (row < 0)
            continue; // not in the window: the cache has it changed for when it pages in
        protocol::MessageEvent state = eventOf(m_rows.at(row));
        if (applyLogEntry(state, entry))
            setMessageState(row, state);
    }
}

void MessageModel::setMessageState(int row, const protocol::MessageEvent &state)
{
    Row &r = m_rows[row];
    r.body = state.body;
    r.edited = state.edited;
    r.deleted = state.deleted;
    r.reactions = state.reactions;
    r.files = state.files;
    const qint64 seq = r.seq;
    m_originals.remove(seq);
    const QModelIndex changed = index(row);
    emit dataChanged(changed, changed);
    // Replies show the start of it.
    for (int i = row + 1; i < deliveredCount(); ++i) {
        if (m_rows.at(i).replyTo == seq) {
            const QModelIndex reply = index(i);
            emit dataChanged(reply, reply);
        }
    }
}

MessageModel::Row MessageModel::fromOutbox(const OutboxEntry &e)
{
    Row row;
    row.cid = e.cid;
    row.ts = e.createdMs;
    row.body = e.body;
    row.state = e.state == OutboxState::Failed ? DeliveryState::Failed : DeliveryState::Pending;
    row.reason = e.reason;
    row.replyTo = e.replyTo;
    for (const OutboxFile &file : e.files) {
        row.files.append(file.ref());
        row.localPaths.append(file.localPath());
    }
    return row;
}

QList<OutboxEntry> MessageModel::unsentMessages() const
{
    QList<OutboxEntry> entries = m_outbox ? m_outbox->unsent(m_room) : QList<OutboxEntry>();
    // Edits and deletions waiting to go out are not rows of their own.
    entries.removeIf([](const OutboxEntry &e) { return !e.isMessage(); });
    return entries;
}

void MessageModel::reload()
{
    const ChangeGuard guard(m_changing);
    beginResetModel();
    m_rows.clear();
    m_live.clear();
    m_batchTimer.stop();
    m_waitingForServer = false;
    m_request = Request::None;
    m_serverHasNoOlder = false;
    m_liveNewestSeq = 0;
    m_originals.clear();
    setHistoryError({});
    if (!m_room.isEmpty()) {
        if (m_cache) {
            for (const protocol::MessageEvent &m : m_cache->latest(m_room, m_pageSize))
                m_rows.append(fromMessage(m));
        }
        m_liveNewestSeq = newestSeq();
        if (m_outbox) {
            for (const OutboxEntry &e : unsentMessages())
                m_rows.append(fromOutbox(e));
        }
    }
    const bool wasDetached = std::exchange(m_detached, false);
    endResetModel(); // views asking isAtNewest() from here hear the truth
    if (wasDetached)
        emit atNewestChanged(true);
    // Edits and deletions still on their way (typed offline, before a restart) show too.
    m_pendingChanges.clear();
    if (m_outbox && !m_room.isEmpty()) {
        for (const OutboxEntry &e : m_outbox->unsent(m_room)) {
            if (!e.isMessage())
                showPendingChange(e);
        }
    }
}

void MessageModel::setDetached(bool detached)
{
    if (detached == m_detached)
        return;
    m_detached = detached;
    emit atNewestChanged(!detached);
}

int MessageModel::deliveredCount() const
{
    // Delivered rows come first; pending and failed ones (seq 0) only after them.
    int low = 0;
    int high = int(m_rows.size());
    while (low < high) {
        const int middle = (low + high) / 2;
        if (m_rows.at(middle).state == DeliveryState::Delivered)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

int MessageModel::rowOfCid(const QString &cid) const
{
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (m_rows.at(i).cid == cid)
            return i;
    }
    return -1;
}

int MessageModel::rowOfSeq(qint64 seq) const
{
    const int delivered = deliveredCount();
    const auto begin = m_rows.cbegin();
    const auto it = std::lower_bound(begin, begin + delivered, seq,
                                     [](const Row &row, qint64 value) { return row.seq < value; });
    if (it == begin + delivered || it->seq != seq)
        return -1;
    return int(it - begin);
}

qint64 MessageModel::newestSeq() const
{
    const int n = deliveredCount();
    return n > 0 ? m_rows.at(n - 1).seq : 0;
}

qint64 MessageModel::oldestSeq() const
{
    return deliveredCount() > 0 ? m_rows.first().seq : 0;
}

void MessageModel::queueLive(const protocol::MessageEvent &message)
{
    if (message.room != m_room)
        return;
    m_live.append(message);
    if (m_live.size() >= kMaxLiveBatch)
        flushLive();
    else if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void MessageModel::flushLive()
{
    m_batchTimer.stop();
    if (!m_live.isEmpty())
        addMessages(std::exchange(m_live, {}));
}

void MessageModel::addMessage(const protocol::MessageEvent &message)
{
    addMessages({message});
}

void MessageModel::addMessages(const QList<protocol::MessageEvent> &messages)
{
    QList<protocol::MessageEvent> plain;
    QList<protocol::MessageEvent> entries;
    for (const protocol::MessageEvent &m : messages)
        (m.kind.isEmpty() ? plain : entries).append(m);
    // An entry names an earlier seq: after the messages of the same batch are in.
    insertLive(plain);
    applyLogEntries(entries);
}

void MessageModel::insertLive(const QList<protocol::MessageEvent> &messages)
{
    QList<protocol::MessageEvent> fresh;
    qint64 newest = newestSeq();
    for (const protocol::MessageEvent &m : messages) {
        // Older than what is here: a duplicate (the session delivers in order).
        if (m.room != m_room || m.seq <= qMax(newest, m_liveNewestSeq))
            continue;
        fresh.append(m);
        newest = m.seq;
    }
    if (fresh.isEmpty())
        return;
    const ChangeGuard guard(m_changing);
    m_liveNewestSeq = fresh.last().seq;
    // While a reader looks at older messages the window may grow to twice its bound; past
    // that (or when it does not reach the newest anyway) live messages are paged in later.
    const int limit = m_trimmingPaused ? 2 * m_maxRows : m_maxRows;
    if (!m_detached && m_trimmingPaused && deliveredCount() + fresh.size() > limit) {
        // Pending rows belong below the newest message: they come back with it.
        const int delivered = deliveredCount();
        if (m_rows.size() > delivered) {
            beginRemoveRows({}, delivered, int(m_rows.size()) - 1);
            m_rows.remove(delivered, m_rows.size() - delivered);
            endRemoveRows();
        }
        setDetached(true);
    }
    if (m_detached) {
        const QString me = m_session ? m_session->user() : QString();
        const auto fromOthers = std::count_if(fresh.cbegin(), fresh.cend(),
                                              [&me](const auto &m) { return m.from != me; });
        if (fromOthers > 0)
            emit newerMessagesArrived(int(fromOthers));
        return;
    }
    // Our own messages leave the pending section (after the delivered rows) as they arrive with
    // their seq.
    for (const protocol::MessageEvent &m : std::as_const(fresh)) {
        const int delivered = deliveredCount();
        if (delivered == m_rows.size())
            break; // nothing pending (the usual case: no scan per message)
        if (m_session && !m_session->user().isEmpty() && m.from != m_session->user())
            continue; // a cid is only unique per sender: someone else's is not ours
        for (int row = delivered; row < m_rows.size(); ++row) {
            if (m_rows.at(row).cid == m.cid) {
                beginRemoveRows({}, row, row);
                m_rows.removeAt(row);
                endRemoveRows();
                break;
            }
        }
    }
    const int delivered = deliveredCount();
    // More than the window holds in one batch: only the newest of it.
    const int count = qMin<int>(int(fresh.size()), m_maxRows);
    if (count < fresh.size())
        fresh = fresh.mid(fresh.size() - count);
    beginInsertRows({}, delivered, delivered + count - 1);
    QList<Row> rows;
    rows.reserve(count);
    for (const protocol::MessageEvent &m : std::as_const(fresh))
        rows.append(fromMessage(m));
    m_rows.insert(delivered, count, Row{});
    std::move(rows.begin(), rows.end(), m_rows.begin() + delivered);
    endInsertRows();
    trimOldest();
}

void MessageModel::setTrimmingPaused(bool paused)
{
    if (paused == m_trimmingPaused)
        return;
    m_trimmingPaused = paused;
    trimOldest();
}

void MessageModel::trimOldest()
{
    if (m_detached)
        return; // the reader is somewhere in the middle: paging trims
    const int limit = m_trimmingPaused ? 2 * m_maxRows : m_maxRows;
    dropOldest(qMin(int(m_rows.size()) - limit, deliveredCount()));
}

void MessageModel::dropOldest(int count)
{
    if (count <= 0)
        return;
    beginRemoveRows({}, 0, count - 1);
    m_rows.remove(0, count);
    endRemoveRows();
    m_serverHasNoOlder = false;
}

void MessageModel::dropNewest(int count)
{
    // The newest delivered rows, and with them the pending ones below them.
    const int delivered = deliveredCount();
    count = qMin(count, delivered);
    if (count <= 0)
        return;
    const int first = delivered - count;
    beginRemoveRows({}, first, int(m_rows.size()) - 1);
    m_rows.remove(first, m_rows.size() - first);
    endRemoveRows();
    setDetached(true);
}

void MessageModel::appendOutboxRows()
{
    if (!m_outbox || m_rows.size() > deliveredCount())
        return;
    const QList<OutboxEntry> unsent = unsentMessages();
    if (unsent.isEmpty())
        return;
    dropOldest(qMin(int(m_rows.size() + unsent.size()) - m_maxRows, deliveredCount()));
    const int at = int(m_rows.size());
    beginInsertRows({}, at, at + int(unsent.size()) - 1);
    for (const OutboxEntry &e : unsent)
        m_rows.append(fromOutbox(e));
    endInsertRows();
}

void MessageModel::showPendingChange(const OutboxEntry &entry)
{
    if (entry.state == OutboxState::Sent) {
        m_pendingChanges.remove(entry.cid); // its log entry applies from here
        return;
    }
    if (entry.state != OutboxState::Pending)
        return;
    m_pendingChanges.insert(entry.cid, entry.target);
    protocol::MessageEvent change;
    change.room = m_room;
    change.ts = entry.createdMs;
    change.from = m_session ? m_session->user() : QString();
    change.cid = entry.cid;
    change.body = entry.body;
    change.kind = entry.kind;
    change.target = entry.target;
    applyLogEntries({change});
}

void MessageModel::revertPendingChange(const QString &cid)
{
    const auto it = m_pendingChanges.constFind(cid);
    if (it == m_pendingChanges.cend())
        return;
    const qint64 target = *it;
    m_pendingChanges.erase(it);
    const int row = rowOfSeq(target);
    const auto stored = row >= 0 && m_cache ? m_cache->message(m_room, target) : std::nullopt;
    if (stored)
        setMessageState(row, *stored);
}

void MessageModel::onOutboxEntry(const OutboxEntry &entry)
{
    if (entry.room != m_room)
        return;
    if (!entry.isMessage()) {
        // Our edit or deletion shows at once, as a message we write does.
        showPendingChange(entry);
        return;
    }
    if (m_detached) {
        // Something the reader just wrote: back to the newest, where it shows.
        if (entry.state == OutboxState::Pending && rowOfCid(entry.cid) < 0)
            showNewest();
        return;
    }
    const int row = rowOfCid(entry.cid);
    const int delivered = deliveredCount();
    if (entry.state == OutboxState::Sent) {
        // The delivered copy comes through addMessage(); the pending row goes then.
        return;
    }
    if (row >= delivered) {
        m_rows[row] = fromOutbox(entry);
        const QModelIndex i = index(row);
        emit dataChanged(i, i);
    } else if (row < 0) {
        // A view (or tester) that asks for older rows while this one goes in is told to wait.
        const ChangeGuard guard(m_changing);
        const int at = int(m_rows.size());
        beginInsertRows({}, at, at);
        m_rows.append(fromOutbox(entry));
        endInsertRows();
    }
}

void MessageModel::onOutboxRemoved(const QString &cid)
{
    // A change the server refused (or the disk did not take): back to what is stored.
    revertPendingChange(cid);
    const int row = rowOfCid(cid);
    if (row >= deliveredCount()) {
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    }
}

bool MessageModel::canFetchMore(const QModelIndex &parent) const
{
    if (parent.isValid() || m_room.isEmpty())
        return false;
    return !m_changing && oldestSeq() > 1 && !m_waitingForServer && !m_serverHasNoOlder;
}

bool MessageModel::askServer(qint64 beforeSeq, int limit)
{
    if (!m_session)
        return false;
    if (!m_session->isAuthenticated()) {
        setHistoryError(tr("Older messages load when the connection is back."));
        return false;
    }
    m_waitingForServer = true;
    m_session->requestHistory(m_room, beforeSeq, qBound(1, limit, kMaxHistoryPage));
    return true;
}

void MessageModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    flushLive();
    const qint64 oldest = oldestSeq();
    if (m_cache) {
        const auto older = m_cache->before(m_room, oldest, m_pageSize);
        // Only a page that joins the window (the cache may start later than the window). The
        // cache holds one stretch of the log with no gap, so a page before a cached row joins
        // it (edits and reactions between them are log entries, not rows).
        if (!older.isEmpty() &&
            (older.last().seq == oldest - 1 || m_cache->message(m_room, oldest))) {
            prependOlder(older);
            return;
        }
    }
    if (askServer(oldest, m_pageSize))
        m_request = Request::Older;
}

bool MessageModel::canFetchNewer() const
{
    return !m_room.isEmpty() && !m_changing && m_detached && !m_waitingForServer &&
           deliveredCount() > 0;
}

void MessageModel::fetchNewer()
{
    if (!canFetchNewer())
        return;
    const qint64 newest = newestSeq();
    if (m_cache) {
        const auto newer = m_cache->after(m_room, newest, m_pageSize);
        if (!newer.isEmpty() &&
            (newer.first().seq == newest + 1 || m_cache->message(m_room, newest))) {
            appendNewer(newer);
            return;
        }
        if (newer.isEmpty() && newest >= m_liveNewestSeq) {
            appendNewer({}); // nothing newer anywhere: back at the newest
            return;
        }
    }
    const int limit = qMin(m_pageSize, kMaxHistoryPage);
    if (askServer(newest + 1 + limit, limit))
        m_request = Request::Newer;
}

void MessageModel::showNewest()
{
    if (m_detached)
        reload();
    setTrimmingPaused(false);
}

void MessageModel::revealMessage(qint64 seq)
{
    m_revealing = true;
    jumpTo(seq);
}

void MessageModel::jumpTo(qint64 seq)
{
    if (m_room.isEmpty())
        return;
    const bool revealing = std::exchange(m_revealing, false);
    const auto answer = [this, revealing](int row, qint64 seq) {
        emit scrollToRowRequested(row);
        if (revealing)
            emit messageRevealed(row, seq);
    };
    flushLive();
    seq = qMax<qint64>(1, seq);
    if (m_liveNewestSeq > 0 && seq >= m_liveNewestSeq) {
        // The newest, or past it: the newest it is.
        showNewest();
        if (deliveredCount() > 0)
            answer(deliveredCount() - 1, seq);
        return;
    }
    if (const int row = rowOfSeq(seq); row >= 0) {
        answer(row, seq);
        return;
    }
    const int before = qMax(1, m_pageSize / 2);
    const int after = qMax(1, m_pageSize - before);
    if (m_cache) {
        QList<protocol::MessageEvent> page = m_cache->before(m_room, seq + 1, before);
        if (!page.isEmpty() && page.last().seq == seq) {
            page.append(m_cache->after(m_room, seq, after));
            resetWindow(page);
            m_revealing = revealing;
            finishJump(seq);
            return;
        }
    }
    const int limit = qMin(before + after, kMaxHistoryPage);
    if (askServer(seq + 1 + qMin(after, limit - 1), limit)) {
        m_request = Request::Jump;
        m_jumpTarget = seq;
        m_revealing = revealing; // until the answer is placed
    }
}

void MessageModel::finishJump(qint64 seq)
{
    int row = rowOfSeq(seq);
    if (row < 0) // not in the room (past its end): the nearest there is
        row = seq > newestSeq() ? deliveredCount() - 1 : 0;
    const bool revealing = std::exchange(m_revealing, false);
    if (row < 0)
        return;
    emit scrollToRowRequested(row);
    if (revealing)
        emit messageRevealed(row, seq);
}

void MessageModel::resetWindow(const QList<protocol::MessageEvent> &page)
{
    {
        const ChangeGuard guard(m_changing);
        beginResetModel();
        m_rows.clear();
        m_originals.clear();
        m_serverHasNoOlder = false;
        const qsizetype first = qMax<qsizetype>(0, page.size() - m_maxRows);
        qint64 previous = 0;
        for (qsizetype i = first; i < page.size(); ++i) {
            if (page.at(i).seq <= previous)
                continue;
            previous = page.at(i).seq;
            m_rows.append(fromMessage(page.at(i)));
        }
        const bool reachesNewest = newestSeq() >= m_liveNewestSeq;
        m_liveNewestSeq = qMax(m_liveNewestSeq, newestSeq());
        m_detached = !reachesNewest;
        if (reachesNewest && m_outbox) {
            for (const OutboxEntry &e : unsentMessages())
                m_rows.append(fromOutbox(e));
        }
        endResetModel();
    }
    emit atNewestChanged(!m_detached);
}

void MessageModel::setHistoryError(const QString &error)
{
    if (error == m_historyError)
        return;
    m_historyError = error;
    emit historyErrorChanged(error);
}

void MessageModel::addHistory(const QString &room, const QList<protocol::MessageEvent> &page)
{
    if (room != m_room)
        return;
    // Messages in history come in their current state, so the log entries among them (edit,
    // delete, reaction) are left out: applying them again would undo later entries not in this
    // page (a reaction taken back after).
    QList<protocol::MessageEvent> messages = page;
    messages.removeIf([](const protocol::MessageEvent &m) { return !m.kind.isEmpty(); });
    const Request request = std::exchange(m_request, Request::None);
    m_waitingForServer = false;
    setHistoryError({});
    switch (request) {
    case Request::Jump:
        if (messages.isEmpty() && !page.isEmpty() && page.first().seq > 1 &&
            askServer(page.first().seq, m_pageSize)) {
            // Only log entries there: the messages are before them.
            m_request = Request::Jump;
            return;
        }
        if (messages.isEmpty()) { // nothing at or before it: the room is empty
            if (m_detached)
                reload();
            finishJump(m_jumpTarget);
            return;
        }
        resetWindow(messages);
        finishJump(m_jumpTarget);
        return;
    case Request::Newer: {
        QList<protocol::MessageEvent> newer;
        const qint64 newest = newestSeq();
        for (const protocol::MessageEvent &m : messages) {
            if (m.seq > newest)
                newer.append(m);
        }
        // Nothing newer on the server: the window is at the newest after all.
        m_liveNewestSeq = newer.isEmpty() ? newestSeq() : qMax(m_liveNewestSeq, newer.last().seq);
        appendNewer(newer);
        return;
    }
    case Request::Older:
    case Request::None:
        break;
    }
    QList<protocol::MessageEvent> older;
    const qint64 oldest = oldestSeq();
    for (const protocol::MessageEvent &m : messages) {
        if (oldest == 0 || m.seq < oldest)
            older.append(m);
    }
    if (older.isEmpty()) {
        // A page of nothing but log entries is not the beginning: ask for the page before it.
        const qint64 pageStart = page.isEmpty() ? 0 : page.first().seq;
        if (request == Request::Older && pageStart > 1 && (oldest == 0 || pageStart < oldest) &&
            askServer(pageStart, m_pageSize)) {
            m_request = Request::Older;
            return;
        }
        m_serverHasNoOlder = true;
        return;
    }
    prependOlder(older);
}

void MessageModel::prependOlder(const QList<protocol::MessageEvent> &page)
{
    // Only what is older than the oldest row (a view may call fetchMore() re-entrantly).
    const qint64 oldest = oldestSeq();
    QList<protocol::MessageEvent> older;
    for (const protocol::MessageEvent &m : page) {
        if (oldest == 0 || m.seq < oldest)
            older.append(m);
    }
    const int count = qMin<int>(int(older.size()), m_maxRows);
    if (count <= 0)
        return;
    const ChangeGuard guard(m_changing);
    // A full window gives up its newest rows, the farthest from a reader paging up.
    dropNewest(int(m_rows.size()) + count - m_maxRows);
    // Keep the newest `count` of the older page, ascending.
    const auto slice = older.mid(older.size() - count);
    beginInsertRows({}, 0, count - 1);
    m_rows.insert(0, count, Row{});
    for (int i = 0; i < count; ++i)
        m_rows[i] = fromMessage(slice.at(i));
    endInsertRows();
}

void MessageModel::appendNewer(const QList<protocol::MessageEvent> &page)
{
    const qint64 newest = newestSeq();
    QList<protocol::MessageEvent> newer;
    for (const protocol::MessageEvent &m : page) {
        if (m.seq > (newer.isEmpty() ? newest : newer.last().seq))
            newer.append(m);
    }
    const int count = qMin<int>(int(newer.size()), m_maxRows);
    const ChangeGuard guard(m_changing);
    if (count > 0) {
        // A full window gives up its oldest rows, the farthest from a reader paging down.
        dropOldest(qMin(int(m_rows.size()) + count - m_maxRows, deliveredCount()));
        const int at = deliveredCount();
        beginInsertRows({}, at, at + count - 1);
        m_rows.insert(at, count, Row{});
        for (int i = 0; i < count; ++i)
            m_rows[at + i] = fromMessage(newer.at(i));
        endInsertRows();
    }
    if (newestSeq() >= m_liveNewestSeq) {
        setDetached(false);
        appendOutboxRows();
    }
}

QString MessageModel::stateText(const Row &row)
{
    switch (row.state) {
    case DeliveryState::Pending:
        return tr("Sending…");
    case DeliveryState::Failed:
        return row.reason.isEmpty() ? tr("Not sent") : tr("Not sent: %1").arg(row.reason);
    case DeliveryState::Delivered:
        break;
    }
    return {};
}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case BodyRole:
        return r.body;
    case SeqRole:
        return r.seq;
    case CidRole:
        return r.cid;
    case SenderRole:
        if (r.sender.isEmpty() && m_session)
            return m_session->user();
        return r.sender;
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(r.ts);
    case StateRole:
        return QVariant::fromValue(r.state);
    case FailureReasonRole:
        return r.reason;
    case RoomRole:
        return m_room;
    case KeyRole:
        if (r.key.isEmpty()) // pending: sent as the session's user
            return messageKey(m_room, data(index, SenderRole).toString(), r.cid);
        return r.key;
    case EditedRole:
        return r.edited > 0 && !r.deleted;
    case EditedTimeRole:
        return r.edited > 0 ? QDateTime::fromMSecsSinceEpoch(r.edited) : QDateTime();
    case DeletedRole:
        return r.deleted;
    case ReactionsRole: {
        const QString me = m_session ? m_session->user() : QString();
        QVariantList reactions;
        for (const protocol::Reaction &reaction : r.reactions)
            reactions.append(
                QVariantMap{{u"emoji"_s, reaction.emoji},
                            {u"count"_s, int(reaction.users.size())},
                            {u"users"_s, reaction.users},
                            {u"mine"_s, !me.isEmpty() && reaction.users.contains(me)}});
        return reactions;
    }
    case FilesRole: {
        QVariantList files;
        for (qsizetype i = 0; i < r.files.size(); ++i) {
            const protocol::FileRef &f = r.files.at(i);
            QVariantMap file{{u"file"_s, f.file}, {u"name"_s, f.name},   {u"type"_s, f.type},
                             {u"size"_s, f.size}, {u"width"_s, f.width}, {u"height"_s, f.height}};
            if (i < r.localPaths.size())
                file.insert(u"localPath"_s, r.localPaths.at(i));
            files.append(file);
        }
        return files;
    }
    case UploadProgressRole:
        return r.state == DeliveryState::Pending ? m_uploadProgress.value(r.cid, -1.0) : -1.0;
    case ReplyToRole:
        return r.replyTo;
    case ReplySenderRole:
        return r.replyTo > 0 ? originalOf(r.replyTo).sender : QString();
    case ReplyPreviewRole: {
        if (r.replyTo <= 0)
            return QString();
        const Original original = originalOf(r.replyTo);
        // One line, the start only: a preview, not the message.
        // As it reads, without its Markdown markers.
        QString text = parseMarkup(original.body.left(400)).text.simplified();
        if (text.size() > 120)
            text = text.left(119) + u'…';
        return text;
    }
    case ReplyDeletedRole:
        return r.replyTo > 0 && originalOf(r.replyTo).deleted;
    case OwnRole:
        return r.state != DeliveryState::Delivered ||
               (m_session && !m_session->user().isEmpty() && r.sender == m_session->user());
    case Qt::AccessibleTextRole: {
        // What a screen reader says for the row: who, when, what, and whether it is out yet.
        QString sender = data(index, SenderRole).toString();
        if (sender.isEmpty())
            sender = tr("You"); // our own message before the session knows our name
        const QString time =
            QLocale().toString(QDateTime::fromMSecsSinceEpoch(r.ts).time(), QLocale::ShortFormat);
        const QString state = stateText(r);
        QString body = r.deleted      ? tr("message deleted")
                       : r.edited > 0 ? tr("%1 (edited)").arg(r.body)
                                      : r.body;
        if (!r.deleted && !r.files.isEmpty()) {
            QStringList files;
            for (const protocol::FileRef &f : r.files)
                files.append(tr("%1, %2").arg(f.name, formatFileSize(f.size)));
            body = (body.isEmpty() ? QString() : body + u' ') +
                   tr("(attached: %1)").arg(files.join(u"; "_s));
        }
        return state.isEmpty() ? tr("%1 at %2: %3").arg(sender, time, body)
                               : tr("%1 at %2: %3 (%4)").arg(sender, time, body, state);
    }
    case Qt::AccessibleDescriptionRole:
        return stateText(r);
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    return {{SeqRole, "seq"},
            {CidRole, "cid"},
            {SenderRole, "sender"},
            {TimeRole, "time"},
            {BodyRole, "body"},
            {StateRole, "state"},
            {FailureReasonRole, "failureReason"},
            {RoomRole, "room"},
            {KeyRole, "key"},
            {EditedRole, "edited"},
            {EditedTimeRole, "editedTime"},
            {DeletedRole, "deleted"},
            {ReactionsRole, "reactions"},
            {ReplyToRole, "replyTo"},
            {ReplySenderRole, "replySender"},
            {ReplyPreviewRole, "replyPreview"},
            {ReplyDeletedRole, "replyDeleted"},
            {OwnRole, "own"},
            {FilesRole, "files"},
            {UploadProgressRole, "uploadProgress"}};
}

} // namespace conversa::core
