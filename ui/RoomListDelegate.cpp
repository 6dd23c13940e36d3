// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RoomListDelegate.h"

#include "MessageDelegate.h"
#include "Theme.h"

#include <RoomListModel.h>

#include <QDateTime>
#include <QLocale>
#include <QPainter>

using namespace Qt::StringLiterals;
using conversa::core::RoomListModel;

namespace conversa::ui {

QString RoomListDelegate::badgeText(qint64 unread)
{
    return unread > 99 ? tr("99+") : QString::number(unread);
}

namespace {
// A heading above the first direct message: the list holds rooms, then dms.
bool startsDirectMessages(const QModelIndex &index)
{
    if (!index.data(RoomListModel::IsDirectRole).toBool())
        return false;
    return index.row() == 0 ||
           !index.siblingAtRow(index.row() - 1).data(RoomListModel::IsDirectRole).toBool();
}
int sectionHeight(const QFont &font)
{
    return QFontMetrics(font).height() + 14;
}
} // namespace

QString RoomListDelegate::directMessagesHeading()
{
    return tr("Direct messages");
}

QSize RoomListDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QFontMetrics metrics(option.font);
    const int section = startsDirectMessages(index) ? sectionHeight(option.font) : 0;
    return QSize(200, metrics.height() * 2 + 18 + section);
}

void RoomListDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPalette &palette = option.palette;
    QRect rowRect = option.rect;
    if (startsDirectMessages(index)) {
        QFont headingFont = option.font;
        headingFont.setBold(true);
        headingFont.setPointSizeF(headingFont.pointSizeF() * 0.88);
        const QRect heading(rowRect.left() + 12, rowRect.top() + 6, rowRect.width() - 24,
                            sectionHeight(option.font) - 8);
        painter->setFont(headingFont);
        painter->setPen(Theme::mutedText());
        painter->drawText(heading, Qt::AlignLeft | Qt::AlignVCenter,
                          directMessagesHeading().toUpper());
        rowRect.setTop(rowRect.top() + sectionHeight(option.font));
    }
    const bool direct = index.data(RoomListModel::IsDirectRole).toBool();
    const QRect card = rowRect.adjusted(6, 2, -6, -2);
    const bool selected = option.state & QStyle::State_Selected;
    if (selected) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(palette.color(QPalette::Highlight));
        painter->drawRoundedRect(card, 6, 6);
    } else if (option.state & QStyle::State_MouseOver) {
        QColor hover = palette.color(QPalette::Text);
        hover.setAlpha(18);
        painter->setPen(Qt::NoPen);
        painter->setBrush(hover);
        painter->drawRoundedRect(card, 6, 6);
    }

    const qint64 unread = index.data(RoomListModel::UnreadCountRole).toLongLong();
    const QString title = index.data(Qt::DisplayRole).toString();
    const QString sender = index.data(RoomListModel::LastSenderRole).toString();
    const QString preview = index.data(RoomListModel::LastMessagePreviewRole).toString();
    const QDateTime last = index.data(RoomListModel::LastTimeRole).toDateTime();

    const QColor text =
        selected ? palette.color(QPalette::HighlightedText) : palette.color(QPalette::Text);
    QColor muted = selected ? palette.color(QPalette::HighlightedText) : Theme::mutedText();
    if (selected)
        muted.setAlpha(200);

    const QRect content = card.adjusted(10, 6, -10, -6);
    const QFontMetrics metrics(option.font);
    const QRect firstLine(content.left(), content.top(), content.width(), metrics.height());
    const QRect secondLine(content.left(), firstLine.bottom() + 3, content.width(),
                           metrics.height());

    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.88);
    const QFontMetrics smallMetrics(small);

    // Time (today: hh:mm, else the date) at the top right.
    QString when;
    if (last.isValid()) {
        const QDateTime local = last.toLocalTime();
        when = local.date() == QDate::currentDate()
                   ? MessageDelegate::shortTime(local)
                   : QLocale().toString(local.date(), QLocale::ShortFormat);
    }
    const int whenWidth = when.isEmpty() ? 0 : smallMetrics.horizontalAdvance(when) + 8;
    painter->setFont(small);
    painter->setPen(muted);
    painter->drawText(firstLine, Qt::AlignRight | Qt::AlignVCenter, when);

    QFont titleFont = option.font;
    titleFont.setBold(unread > 0);
    painter->setFont(titleFont);
    painter->setPen(text);
    QRect titleRect = firstLine.adjusted(0, 0, -whenWidth, 0);
    if (direct) {
        // The peer's presence, in the member list's colours.
        const int dot = qMax(8, metrics.height() / 2);
        const QRect presence(titleRect.left() + 1, titleRect.center().y() - dot / 2 + 1, dot, dot);
        const bool online = index.data(RoomListModel::PeerOnlineRole).toBool();
        painter->setPen(Qt::NoPen);
        painter->setBrush(online ? Theme::onlineDot() : Theme::offlineDot());
        painter->drawEllipse(presence);
        painter->setPen(text);
        titleRect.setLeft(presence.right() + 7);
    }
    const QString prefix = direct ? QString() : u"# "_s;
    painter->drawText(
        titleRect, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(titleFont).elidedText(prefix + title, Qt::ElideRight, titleRect.width()));

    // Unread badge at the bottom right.
    int badgeWidth = 0;
    if (unread > 0) {
        QFont badgeFont = small;
        badgeFont.setBold(true);
        const QString label = badgeText(unread);
        const QFontMetrics badgeMetrics(badgeFont);
        const int height = badgeMetrics.height() + 2;
        badgeWidth = qMax(height, badgeMetrics.horizontalAdvance(label) + 12);
        const QRect badge(secondLine.right() - badgeWidth + 1, secondLine.center().y() - height / 2,
                          badgeWidth, height);
        painter->setPen(Qt::NoPen);
        painter->setBrush(selected ? palette.color(QPalette::HighlightedText)
                                   : Theme::badgeBackground());
        painter->drawRoundedRect(badge, height / 2.0, height / 2.0);
        painter->setFont(badgeFont);
        painter->setPen(selected ? palette.color(QPalette::Highlight) : Theme::badgeText());
        painter->drawText(badge, Qt::AlignCenter, label);
        badgeWidth += 8;
    }
    // Mentions of me get their own badge, in their own colour, left of the unread count.
    const int mentions = index.data(RoomListModel::MentionCountRole).toInt();
    if (mentions > 0) {
        QFont badgeFont = small;
        badgeFont.setBold(true);
        const QString label = u"@"_s + (mentions > 99 ? tr("99+") : QString::number(mentions));
        const QFontMetrics badgeMetrics(badgeFont);
        const int height = badgeMetrics.height() + 2;
        const int width = qMax(height, badgeMetrics.horizontalAdvance(label) + 12);
        const QRect badge(secondLine.right() - badgeWidth - width + 1,
                          secondLine.center().y() - height / 2, width, height);
        painter->setPen(Qt::NoPen);
        painter->setBrush(Theme::mentionBadgeBackground());
        painter->drawRoundedRect(badge, height / 2.0, height / 2.0);
        painter->setFont(badgeFont);
        painter->setPen(Theme::badgeText());
        painter->drawText(badge, Qt::AlignCenter, label);
        badgeWidth += width + 6;
    }

    QString line = preview;
    if (!sender.isEmpty() && !preview.isEmpty())
        line = tr("%1: %2").arg(sender, preview);
    if (line.isEmpty())
        line = tr("No messages yet");
    line.replace(u'\n', u' ');
    painter->setFont(small);
    painter->setPen(muted);
    painter->drawText(
        secondLine.adjusted(0, 0, -badgeWidth, 0), Qt::AlignLeft | Qt::AlignVCenter,
        smallMetrics.elidedText(line, Qt::ElideRight, secondLine.width() - badgeWidth));
    painter->restore();
}

} // namespace conversa::ui
