// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageModel.h"

#include "MessageCache.h"
#include "SessionManager.h"

#include <QDateTime>
#include <QLocale>

namespace conversa::core {

using namespace Qt::StringLiterals;

MessageModel::MessageModel(QObject *parent)
    : QAbstractListModel(parent)
{}

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
        connect(session, &SessionManager::messageReceived, this, &MessageModel::addMessage);
        connect(session, &SessionManager::historyReceived, this, &MessageModel::addHistory);
        // Back online: what failed before is asked again on the next scroll; stop saying it failed.
        connect(session, &SessionManager::synced, this, [this] { setHistoryError({}); });
        connect(session, &SessionManager::historyFailed, this,
                [this](const QString &room, const QString &reason) {
                    if (room != m_room)
                        return;
                    m_waitingForServer = false; // the next fetchMore() asks again
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
    reload();
}

MessageModel::Row MessageModel::fromMessage(const protocol::MessageEvent &m)
{
    return Row{m.seq, m.cid, m.from, m.ts, m.body, DeliveryState::Delivered, {}};
}

MessageModel::Row MessageModel::fromOutbox(const OutboxEntry &e)
{
    return Row{
        0,       e.cid,
        {},      e.createdMs,
        e.body,  e.state == OutboxState::Failed ? DeliveryState::Failed : DeliveryState::Pending,
        e.reason};
}

void MessageModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_waitingForServer = false;
    m_serverHasNoOlder = false;
    setHistoryError({});
    if (!m_room.isEmpty()) {
        if (m_cache) {
            for (const protocol::MessageEvent &m : m_cache->latest(m_room, m_pageSize))
                m_rows.append(fromMessage(m));
        }
        if (m_outbox) {
            for (const OutboxEntry &e : m_outbox->unsent(m_room))
                m_rows.append(fromOutbox(e));
        }
    }
    endResetModel();
}

int MessageModel::deliveredCount() const
{
    int n = 0;
    while (n < m_rows.size() && m_rows.at(n).state == DeliveryState::Delivered)
        ++n;
    return n;
}

int MessageModel::rowOfCid(const QString &cid) const
{
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (m_rows.at(i).cid == cid)
            return i;
    }
    return -1;
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

void MessageModel::addMessage(const protocol::MessageEvent &message)
{
    if (message.room != m_room)
        return;
    const int delivered = deliveredCount();
    if (delivered > 0 && message.seq <= m_rows.at(delivered - 1).seq)
        return; // already here (the session delivers in order, so this is a duplicate)
    // Our own message leaves the pending section as it arrives with its seq.
    const int pendingRow = rowOfCid(message.cid);
    if (pendingRow >= delivered) {
        beginRemoveRows({}, pendingRow, pendingRow);
        m_rows.removeAt(pendingRow);
        endRemoveRows();
    }
    beginInsertRows({}, delivered, delivered);
    m_rows.insert(delivered, fromMessage(message));
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
    const int limit = m_trimmingPaused ? 2 * m_maxRows : m_maxRows;
    const int excess = int(m_rows.size()) - limit;
    const int removable = qMin(excess, deliveredCount());
    if (removable <= 0)
        return;
    beginRemoveRows({}, 0, removable - 1);
    m_rows.remove(0, removable);
    endRemoveRows();
    m_serverHasNoOlder = false;
}

void MessageModel::onOutboxEntry(const OutboxEntry &entry)
{
    if (entry.room != m_room)
        return;
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
        const int at = int(m_rows.size());
        beginInsertRows({}, at, at);
        m_rows.append(fromOutbox(entry));
        endInsertRows();
    }
}

void MessageModel::onOutboxRemoved(const QString &cid)
{
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
    return !m_prepending && oldestSeq() > 1 && m_rows.size() < m_maxRows && !m_waitingForServer &&
           !m_serverHasNoOlder;
}

void MessageModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    const qint64 oldest = oldestSeq();
    const int room = qMin<int>(m_pageSize, m_maxRows - int(m_rows.size()));
    if (m_cache) {
        const auto older = m_cache->before(m_room, oldest, room);
        if (!older.isEmpty()) {
            prependOlder(older);
            return;
        }
    }
    if (!m_session)
        return;
    if (!m_session->isAuthenticated()) {
        setHistoryError(tr("Older messages load when the connection is back."));
        return;
    }
    m_waitingForServer = true;
    m_session->requestHistory(m_room, oldest, room);
}

void MessageModel::setHistoryError(const QString &error)
{
    if (error == m_historyError)
        return;
    m_historyError = error;
    emit historyErrorChanged(error);
}

void MessageModel::addHistory(const QString &room, const QList<protocol::MessageEvent> &messages)
{
    if (room != m_room)
        return;
    m_waitingForServer = false;
    setHistoryError({});
    QList<protocol::MessageEvent> older;
    const qint64 oldest = oldestSeq();
    for (const protocol::MessageEvent &m : messages) {
        if (oldest == 0 || m.seq < oldest)
            older.append(m);
    }
    if (older.isEmpty()) {
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
    const int count = qMin<int>(int(older.size()), m_maxRows - int(m_rows.size()));
    if (count <= 0)
        return;
    // Keep the newest `count` of the older page, ascending.
    const auto slice = older.mid(older.size() - count);
    m_prepending = true; // a view may ask for more from inside the insert signals
    beginInsertRows({}, 0, count - 1);
    for (int i = 0; i < count; ++i)
        m_rows.insert(i, fromMessage(slice.at(i)));
    endInsertRows();
    m_prepending = false;
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
    case Qt::AccessibleTextRole: {
        // What a screen reader says for the row: who, when, what, and whether it is out yet.
        QString sender = data(index, SenderRole).toString();
        if (sender.isEmpty())
            sender = tr("You"); // our own message before the session knows our name
        const QString time =
            QLocale().toString(QDateTime::fromMSecsSinceEpoch(r.ts).time(), QLocale::ShortFormat);
        const QString state = stateText(r);
        return state.isEmpty() ? tr("%1 at %2: %3").arg(sender, time, r.body)
                               : tr("%1 at %2: %3 (%4)").arg(sender, time, r.body, state);
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
            {RoomRole, "room"}};
}

} // namespace conversa::core
