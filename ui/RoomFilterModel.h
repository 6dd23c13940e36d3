// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSortFilterProxyModel>

namespace conversa::ui {

// Rooms whose name or title contains the filter text (case-insensitive): rooms first, then
// direct messages, each in the source order.
class RoomFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setFilterText(const QString &text);
    QString filterText() const { return m_text; }
    QString roomAt(int row) const;
    int rowOfRoom(const QString &room) const;
    // Adds what a screen reader says of a room: its title, unread messages and mentions.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    void setSourceModel(QAbstractItemModel *model) override;
    // Whether the row at `row` is the first direct message (a section heading goes above it).
    bool startsDirectMessages(int row) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_text;
};

} // namespace conversa::ui
