// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RoomListModel.h"

#include "MessageCache.h"
#include "MessageMarkup.h"
#include "SessionManager.h"

#include <QCoreApplication>
#include <QDateTime>

namespace conversa::core {

namespace {
// The message list's words for it (translated there).
QString deletedText()
{
    return QCoreApplication::translate("conversa::core::MessageModel", "message deleted");
}
} // namespace

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
    connect(session, &SessionManager::roomsUpdated, this, &RoomListModel::onRoomsUpdated);
    connect(session, &SessionManager::messageReceived, this, &RoomListModel::onMessage);
    connect(session, &SessionManager::logEntryReceived, this, &RoomListModel::onLogEntry);
    connect(session, &SessionManager::presenceChanged, this, &RoomListModel::onPresence);
    connect(session, &SessionManager::membersReceived, this, &RoomListModel::onMembers);
}

void RoomListModel::onRoomsUpdated(const QList<protocol::RoomSummary> &rooms)
{
    m_info.clear();
    for (const protocol::RoomSummary &room : rooms) {
        // A server before kinds and counts leaves the model to its own reckoning.
        if (room.kind.isEmpty())
            continue;
        m_info.insert(room.room, ServerInfo{room.kind, room.peer, room.owner, room.unread,
                                            room.mentions, room.lastSeq});
        // A dm's peer: whether they are online comes with the room's members, then presence.
        if (room.kind == "dm"_L1 && m_session && !m_online.contains(room.peer))
            m_session->requestMembers(room.room);
    }
    reload();
}

void RoomListModel::onPresence(const QString &user, bool online)
{
    m_online.insert(user, online);
    for (int row = 0; row < m_rows.size(); ++row) {
        if (kindOf(m_rows.at(row)) == "dm"_L1 && peerOf(m_rows.at(row)) == user)
            emitRowChanged(row);
    }
}

QStringList RoomListModel::knownPeople() const
{
    QSet<QString> people = m_seenPeople;
    for (const Row &row : m_rows) {
        people.insert(row.lastSender);
        people.insert(peerOf(row));
    }
    people.remove(QString());
    people.remove(m_user);
    QStringList sorted(people.cbegin(), people.cend());
    sorted.sort();
    return sorted;
}

void RoomListModel::onMembers(const QString &room, const QList<protocol::Member> &members)
{
    // Bounded by the rooms' member counts; each name is a few bytes.
    for (const protocol::Member &member : members)
        m_seenPeople.insert(member.user);
    const int row = rowOfRoom(room);
    if (row < 0 || kindOf(m_rows.at(row)) != "dm"_L1)
        return;
    for (const protocol::Member &member : members) {
        if (member.user != m_user)
            m_online.insert(member.user, member.online);
    }
    emitRowChanged(row);
}

QString RoomListModel::kindOf(const Row &row) const
{
    const auto info = m_info.constFind(row.name);
    if (info != m_info.cend())
        return info->kind;
    // Only the server names rooms "dm-…" (users may not): a dm, also before it answers.
    return row.name.startsWith("dm-"_L1) ? u"dm"_s : QString();
}

QString RoomListModel::peerOf(const Row &row) const
{
    const auto info = m_info.constFind(row.name);
    if (info != m_info.cend() && !info->peer.isEmpty())
        return info->peer;
    return kindOf(row) == "dm"_L1 ? row.title : QString(); // a dm's title is the peer's name
}

void RoomListModel::emitRowChanged(int row)
{
    const QModelIndex i = index(row);
    emit dataChanged(i, i);
}

int RoomListModel::countUnread(const QString &room, qint64 readSeq) const
{
    if (!m_cache)
        return 0;
    int count = 0;
    for (const protocol::MessageEvent &message : m_cache->latest(room, kMentionScan)) {
        if (message.seq > readSeq && message.from != m_user && !message.deleted)
            ++count;
    }
    return count;
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
                row.lastBody = last.first().deleted ? deletedText() : last.first().body;
                row.lastMessageSeq = last.first().seq;
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

void RoomListModel::onLogEntry(const protocol::MessageEvent &entry)
{
    const int row = rowOfRoom(entry.room);
    if (row < 0 || entry.target != m_rows.at(row).lastMessageSeq || entry.target <= 0)
        return;
    Row &r = m_rows[row];
    if (entry.kind == u"edit"_s && r.lastBody != deletedText())
        r.lastBody = entry.body;
    else if (entry.kind == u"delete"_s)
        r.lastBody = deletedText();
    else
        return;
    const QModelIndex i = index(row);
    emit dataChanged(i, i, {LastMessagePreviewRole});
}

void RoomListModel::onMessage(const protocol::MessageEvent &message)
{
    const int row = rowOfRoom(message.room);
    if (row < 0) {
        reload();
        return;
    }
    Row &r = m_rows[row];
    const bool own = m_session && message.from == m_session->user();
    if (auto info = m_info.find(message.room);
        info != m_info.end() && message.seq > info->countedUpTo) {
        info->countedUpTo = message.seq;
        if (own) {
            info->unread = 0;
            info->mentions = 0;
        } else if (message.kind.isEmpty() && message.seq > r.readSeq) {
            ++info->unread;
            if (mentionsUser(message.body, m_user))
                ++info->mentions;
        }
    }
    r.lastSeq = qMax(r.lastSeq, message.seq);
    r.lastSender = message.from;
    r.lastBody = message.body;
    r.lastMessageSeq = message.seq;
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
    if (auto info = m_info.find(room); info != m_info.end()) {
        const bool all = seq >= m_rows[row].lastSeq;
        info->unread = all ? 0 : qMin<qint64>(info->unread, countUnread(room, seq));
        info->mentions = all ? 0 : qMin<qint64>(info->mentions, m_rows[row].mentions);
    }
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
        if (const QString peer = peerOf(r); !peer.isEmpty())
            return peer;
        return r.title.isEmpty() ? r.name : r.title;
    case Qt::ToolTipRole:
    case NameRole:
        return r.name;
    case TitleRole:
        return r.title;
    case UnreadCountRole:
        if (const auto info = m_info.constFind(r.name); info != m_info.cend())
            return r.readSeq >= r.lastSeq ? 0 : info->unread;
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
        if (const auto info = m_info.constFind(r.name); info != m_info.cend())
            return r.readSeq >= r.lastSeq ? 0 : int(qMax<qint64>(info->mentions, r.mentions));
        return r.mentions;
    case KindRole:
        return kindOf(r);
    case IsDirectRole:
        return kindOf(r) == "dm"_L1;
    case PeerRole:
        return peerOf(r);
    case PeerOnlineRole:
        return m_online.value(peerOf(r), false);
    case OwnerRole:
        return m_info.value(r.name).owner;
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
            {MentionCountRole, "mentionCount"},
            {KindRole, "kind"},
            {IsDirectRole, "isDirect"},
            {PeerRole, "peer"},
            {PeerOnlineRole, "peerOnline"},
            {OwnerRole, "owner"}};
}

int RoomListModel::rowOfRoom(const QString &room) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).name == room)
            return i;
    }
    return -1;
}

QModelIndex RoomListModel::indexOfRoom(const QString &room) const
{
    const int row = rowOfRoom(room);
    return row >= 0 ? index(row) : QModelIndex();
}

QString RoomListModel::roomAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).name : QString();
}

} // namespace conversa::core
