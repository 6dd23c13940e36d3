// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RoomFilterModel.h"

#include <RoomListModel.h>

using conversa::core::RoomListModel;
using namespace Qt::StringLiterals;

namespace conversa::ui {

void RoomFilterModel::setFilterText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateFilter();
}

QString RoomFilterModel::roomAt(int row) const
{
    return index(row, 0).data(RoomListModel::NameRole).toString();
}

int RoomFilterModel::rowOfRoom(const QString &room) const
{
    for (int row = 0; row < rowCount(); ++row) {
        if (roomAt(row) == room)
            return row;
    }
    return -1;
}

QVariant RoomFilterModel::data(const QModelIndex &index, int role) const
{
    if (role != Qt::AccessibleTextRole)
        return QSortFilterProxyModel::data(index, role);
    QString text = QSortFilterProxyModel::data(index, Qt::DisplayRole).toString();
    const int unread = QSortFilterProxyModel::data(index, RoomListModel::UnreadCountRole).toInt();
    const int mentions =
        QSortFilterProxyModel::data(index, RoomListModel::MentionCountRole).toInt();
    if (QSortFilterProxyModel::data(index, RoomListModel::IsDirectRole).toBool())
        text = QSortFilterProxyModel::data(index, RoomListModel::PeerOnlineRole).toBool()
                   ? tr("Direct message with %1, online").arg(text)
                   : tr("Direct message with %1").arg(text);
    if (unread > 0)
        text += u", "_s + tr("%n unread", nullptr, unread);
    if (mentions > 0)
        text += u", "_s + tr("%n mention(s) of you", nullptr, mentions);
    return text;
}

void RoomFilterModel::setSourceModel(QAbstractItemModel *model)
{
    QSortFilterProxyModel::setSourceModel(model);
    sort(0);
}

bool RoomFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const bool leftDirect = left.data(RoomListModel::IsDirectRole).toBool();
    const bool rightDirect = right.data(RoomListModel::IsDirectRole).toBool();
    if (leftDirect != rightDirect)
        return rightDirect;
    return left.row() < right.row();
}

bool RoomFilterModel::startsDirectMessages(int row) const
{
    if (!index(row, 0).data(RoomListModel::IsDirectRole).toBool())
        return false;
    return row == 0 || !index(row - 1, 0).data(RoomListModel::IsDirectRole).toBool();
}

bool RoomFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return index.data(RoomListModel::NameRole).toString().contains(m_text, Qt::CaseInsensitive) ||
           index.data(Qt::DisplayRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace conversa::ui
