// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RoomListModel.h"

#include "MessageCache.h"
#include "MessageMarkup.h"
#include "SessionManager.h"

#include <QDateTime>

namespace conversa::core {

using namespace Qt::StringLiterals;

namespace {
QString preview(const QString &body)
{
    // What the message shows, not its Markdown markers (only the start is needed).
    QString line = parseMarkup(body.left(400)).text.simplified();
    if (line.size() > 80)
        line = line.left(79) + u'…';
    return line;
}
} // namespace

RoomListModel::RoomListModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void RoomListModel::setCache(MessageCache *cache)
{
    m_cache = cache;
    reload();
}

void RoomListModel::setSession(SessionManager *session)
{
    if (m_session)
        m_session->disconnect(this);
    m_session = session;
    if (!session)
        return;
    connect(session, &SessionManager::roomsUpdated, this, &RoomListModel::reload);
    connect(session, &SessionManager::messageReceived, this, &RoomListModel::onMessage);
}

void RoomListModel::reload()
{
    beginResetModel();
    m_rows.clear();
    if (m_cache) {
        for (const CachedRoom &room : m_cache->rooms()) {
            Row row{room.room, room.title, room.lastSeq, room.readSeq, {}, {}, 0};
            const auto last = m_cache->latest(room.room, 1);
            if (!last.isEmpty()) {
                row.lastSender = last.first().from;
                row.lastBody = last.first().body;
                row.lastTs = last.first().ts;
                row.lastSeq = qMax(row.lastSeq, last.first().seq);
            }
            if (row.lastSeq > row.readSeq)
                row.mentions = countMentions(room.room, row.readSeq);
            m_rows.append(row);
        }
    }
    endResetModel();
}

int RoomListModel::countMentions(const QString &room, qint64 readSeq) const
{
    const QString &me = m_user;
    if (!m_cache || me.isEmpty())
        return 0;
    int count = 0;
    for (const protocol::MessageEvent &message : m_cache->latest(room, kMentionScan)) {
        if (message.seq > readSeq && message.from != me && mentionsUser(message.body, me))
            ++count;
    }
    return count;
}

void RoomListModel::onMessage(const protocol::MessageEvent &message)
{
    const int row = rowOfRoom(message.room);
    if (row < 0) {
        reload();
        return;
    }
    Row &r = m_rows[row];
    r.lastSeq = qMax(r.lastSeq, message.seq);
    r.lastSender = message.from;
    r.lastBody = message.body;
    r.lastTs = message.ts;
    if (m_session && message.from == m_session->user())
        r.readSeq = qMax(r.readSeq, message.seq); // our own messages are read
    else if (message.seq > r.readSeq && mentionsUser(message.body, m_user))
        ++r.mentions;
    if (r.readSeq >= r.lastSeq)
        r.mentions = 0;
    const QModelIndex i = index(row);
    emit dataChanged(i, i);
}

void RoomListModel::markRead(const QString &room, qint64 seq)
{
    const int row = rowOfRoom(room);
    if (row < 0 || m_rows[row].readSeq >= seq)
        return;
    m_rows[row].readSeq = seq;
    // Read to the end: none left; read part of the way: those after the marker.
    m_rows[row].mentions = seq >= m_rows[row].lastSeq ? 0 : countMentions(room, seq);
    if (m_session)
        m_session->markRead(room, seq);
    else if (m_cache)
        m_cache->setReadSeq(room, seq);
    const QModelIndex i = index(row);
    emit dataChanged(i, i, {UnreadCountRole, MentionCountRole});
}

int RoomListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant RoomListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return r.title.isEmpty() ? r.name : r.title;
    case Qt::ToolTipRole:
    case NameRole:
        return r.name;
    case TitleRole:
        return r.title;
    case UnreadCountRole:
        return qMax<qint64>(0, r.lastSeq - r.readSeq);
    case LastMessagePreviewRole:
        return r.lastBody.isEmpty() ? QString() : preview(r.lastBody);
    case LastSenderRole:
        return r.lastSender;
    case LastSeqRole:
        return r.lastSeq;
    case LastTimeRole:
        return r.lastTs > 0 ? QDateTime::fromMSecsSinceEpoch(r.lastTs) : QDateTime();
    case MentionCountRole:
        return r.mentions;
    default:
        return {};
    }
}

QHash<int, QByteArray> RoomListModel::roleNames() const
{
    return {{NameRole, "name"},
            {TitleRole, "title"},
            {UnreadCountRole, "unreadCount"},
            {LastMessagePreviewRole, "lastMessagePreview"},
            {LastSenderRole, "lastSender"},
            {LastSeqRole, "lastSeq"},
            {LastTimeRole, "lastTime"},
            {MentionCountRole, "mentionCount"}};
}

int RoomListModel::rowOfRoom(const QString &room) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).name == room)
            return i;
    }
    return -1;
}

QString RoomListModel::roomAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).name : QString();
}

} // namespace conversa::core
