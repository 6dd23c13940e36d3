// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStyledItemDelegate>

#include <functional>

namespace conversa::ui {

// One search result: the room, who wrote it and when on the first line, then up to three lines
// of its text with the searched-for words emphasised. The text is laid out as plain text (never
// HTML: it is someone else's); a long message starts a little before its first match, so the
// match shows.
class SearchPanelDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    static constexpr int kMaxTextLines = 3;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The text as shown (one line per paragraph joined, perhaps starting later with "…") and the
    // emphasised ranges in it.
    struct Snippet {
        QString text;
        QList<std::pair<int, int>> emphasis; // (start, length)
    };
    static Snippet snippet(const QString &body, const QVariantList &matches);
    // "#general · alice · 14:05" (the time as the locale writes it; the date too when not today).
    QString headline(const QModelIndex &index) const;

    // How a room is named to people: "#general" unless told otherwise (a dm by its peer).
    using RoomLabel = std::function<QString(const QString &room)>;
    void setRoomLabel(RoomLabel label) { m_roomLabel = std::move(label); }
    QString roomLabel(const QString &room) const;

private:
    RoomLabel m_roomLabel;
};

} // namespace conversa::ui
