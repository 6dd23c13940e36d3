// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStyledItemDelegate>

namespace conversa::ui {

// One room per row: title (bold while unread), time of the last message, a one-line preview and
// an unread badge. Direct messages come after the rooms under their own heading, each with the
// other person's name and a presence dot.
class RoomListDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;

    // "7", "99+"
    static QString badgeText(qint64 unread);
    // The heading above the direct messages, which follow the rooms.
    static QString directMessagesHeading();
};

} // namespace conversa::ui
