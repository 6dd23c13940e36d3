// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MemberListModel.h"

#include "SessionManager.h"

#include <algorithm>

namespace conversa::core {

MemberListModel::MemberListModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void MemberListModel::setSession(SessionManager *session)
{
    if (m_session)
        m_session->disconnect(this);
    m_session = session;
    if (!session)
        return;
    connect(session, &SessionManager::membersReceived, this, &MemberListModel::setMembers);
    connect(session, &SessionManager::presenceChanged, this, &MemberListModel::setOnline);
    connect(session, &SessionManager::synced, this, [this] {
        if (!m_room.isEmpty())
            m_session->requestMembers(m_room);
    });
    connect(session, &SessionManager::stateChanged, this, &MemberListModel::onSessionState);
    onSessionState(session->state());
}

void MemberListModel::onSessionState(ConnectionState state)
{
    if (state == ConnectionState::Syncing || state == ConnectionState::Online)
        return; // the fresh list comes after the sync (see `synced`)
    // Offline: no presence events reach us, so whatever we knew goes stale. Show everyone as
    // offline rather than as they were when the link went down.
    const bool anyOnline = onlineCount() > 0;
    if (anyOnline) {
        emit layoutAboutToBeChanged();
        for (protocol::Member &m : m_members)
            m.online = false;
        sort();
        emit layoutChanged();
        if (!m_members.isEmpty())
            emit dataChanged(index(0), index(rowCount() - 1), {OnlineRole});
    }
    setPresenceKnown(false);
}

void MemberListModel::setPresenceKnown(bool known)
{
    if (known == m_presenceKnown)
        return;
    m_presenceKnown = known;
    emit presenceKnownChanged(known);
}

void MemberListModel::setRoom(const QString &room)
{
    if (room != m_room) {
        beginResetModel();
        m_room = room;
        m_members.clear();
        endResetModel();
    }
    if (m_session && !room.isEmpty())
        m_session->requestMembers(room);
}

void MemberListModel::setMembers(const QString &room, const QList<protocol::Member> &members)
{
    if (room != m_room)
        return;
    beginResetModel();
    m_members = members;
    sort();
    endResetModel();
    setPresenceKnown(true); // the server's answer, fresh
}

void MemberListModel::setOnline(const QString &user, bool online)
{
    const auto it = std::find_if(m_members.begin(), m_members.end(),
                                 [&](const protocol::Member &m) { return m.user == user; });
    if (!m_presenceKnown || it == m_members.end() || it->online == online)
        return;
    it->online = online;
    emit layoutAboutToBeChanged();
    sort();
    emit layoutChanged();
}

void MemberListModel::sort()
{
    std::stable_sort(m_members.begin(), m_members.end(),
                     [](const protocol::Member &a, const protocol::Member &b) {
                         if (a.online != b.online)
                             return a.online;
                         return a.user < b.user;
                     });
}

int MemberListModel::onlineCount() const
{
    return int(std::count_if(m_members.cbegin(), m_members.cend(),
                             [](const protocol::Member &m) { return m.online; }));
}

int MemberListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_members.size());
}

QVariant MemberListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const protocol::Member &m = m_members.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case UserRole:
        return m.user;
    case OnlineRole:
        return m.online;
    default:
        return {};
    }
}

QHash<int, QByteArray> MemberListModel::roleNames() const
{
    return {{UserRole, "user"}, {OnlineRole, "online"}};
}

} // namespace conversa::core
