// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageDecorations.h"

#include "Theme.h"

#include <MessageModel.h>

#include <QFontMetrics>
#include <QPainter>
#include <QPainterPath>

using conversa::core::MessageModel;
using namespace Qt::StringLiterals;

namespace conversa::ui {

namespace {
constexpr int kChipPaddingX = 7;
constexpr int kChipGap = 4;
constexpr int kQuoteBarWidth = 3;
constexpr int kQuoteIndent = 9;

QFont smallFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.9);
    return small;
}
// The emoji of a chip, a little larger than its count.
constexpr qreal kChipEmojiScale = 1.15;
constexpr int kChipEmojiGap = 4;

int chipWidth(const QFont &small, const QString &emoji, int count)
{
    return QFontMetrics(MessageDecorations::emojiFont(small, kChipEmojiScale))
               .horizontalAdvance(emoji) +
           kChipEmojiGap + QFontMetrics(small).horizontalAdvance(QString::number(count)) +
           2 * kChipPaddingX;
}
} // namespace

QFont MessageDecorations::emojiFont(const QFont &base, qreal scale)
{
    QFont emoji = base;
    if (scale != 1.0)
        emoji.setPointSizeF(base.pointSizeF() * scale);
    emoji.setFamilies(
        {u"Noto Color Emoji"_s, u"Apple Color Emoji"_s, u"Segoe UI Emoji"_s, base.family()});
    return emoji;
}

int MessageDecorations::replyQuoteHeight(const QFont &font, const QModelIndex &index)
{
    if (index.data(MessageModel::ReplyToRole).toLongLong() <= 0)
        return 0;
    return QFontMetrics(smallFont(font)).height() + 6;
}

QString MessageDecorations::replyQuoteText(const QModelIndex &index)
{
    const QString sender = index.data(MessageModel::ReplySenderRole).toString();
    if (index.data(MessageModel::ReplyDeletedRole).toBool())
        return tr("%1: message deleted").arg(sender);
    if (sender.isEmpty())
        return tr("Reply to an earlier message");
    return tr("%1: %2").arg(sender, index.data(MessageModel::ReplyPreviewRole).toString());
}

void MessageDecorations::paintReplyQuote(QPainter *painter, const QRect &rect,
                                         const QModelIndex &index, const QPalette &palette,
                                         const QFont &font)
{
    if (rect.isEmpty())
        return;
    const QRect quote = rect.adjusted(0, 1, 0, -3);
    QColor tint = Theme::accent();
    tint.setAlpha(28);
    painter->fillRect(quote, tint);
    painter->fillRect(QRect(quote.left(), quote.top(), kQuoteBarWidth, quote.height()),
                      Theme::accent());
    const QFont small = smallFont(font);
    const QFontMetrics metrics(small);
    const QRect textRect = quote.adjusted(kQuoteIndent, 0, -6, 0);
    const QString sender = index.data(MessageModel::ReplySenderRole).toString();
    const QString text = replyQuoteText(index);
    painter->setFont(small);
    if (!sender.isEmpty() && text.startsWith(sender)) {
        // The name in bold and the accent colour, the text muted after it.
        QFont bold = small;
        bold.setBold(true);
        const QString name = sender + u':';
        const int nameWidth = qMin(QFontMetrics(bold).horizontalAdvance(name), textRect.width());
        painter->setFont(bold);
        painter->setPen(Theme::accent());
        painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(bold).elidedText(name, Qt::ElideRight, textRect.width()));
        painter->setFont(small);
        painter->setPen(palette.color(QPalette::Text));
        const QRect rest = textRect.adjusted(nameWidth + 4, 0, 0, 0);
        painter->drawText(
            rest, Qt::AlignLeft | Qt::AlignVCenter,
            metrics.elidedText(text.mid(name.size()).trimmed(), Qt::ElideRight, rest.width()));
        return;
    }
    painter->setPen(Theme::mutedText());
    painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter,
                      metrics.elidedText(text, Qt::ElideRight, textRect.width()));
}

MessageDecorations::Footer MessageDecorations::layoutFooter(const QFont &font,
                                                            const QModelIndex &index,
                                                            const QPoint &origin, int width)
{
    Footer footer;
    const QFont small = smallFont(font);
    const QFontMetrics metrics(small);
    const int chipHeight =
        qMax(metrics.height(), QFontMetrics(emojiFont(small, kChipEmojiScale)).height()) + 4;
    int x = origin.x();
    int y = origin.y();
    const int right = origin.x() + width;
    const QVariantList reactions = index.data(MessageModel::ReactionsRole).toList();
    for (const QVariant &item : reactions) {
        const QVariantMap map = item.toMap();
        Chip chip;
        chip.emoji = map.value(u"emoji"_s).toString();
        chip.count = map.value(u"count"_s).toInt();
        chip.mine = map.value(u"mine"_s).toBool();
        chip.users = map.value(u"users"_s).toStringList();
        const int width = chipWidth(small, chip.emoji, chip.count);
        if (x > origin.x() && x + width > right) {
            x = origin.x();
            y += chipHeight + kChipGap;
        }
        chip.rect = QRect(x, y, width, chipHeight);
        x += width + kChipGap;
        footer.chips.append(chip);
    }
    if (index.data(MessageModel::EditedRole).toBool()) {
        const int labelWidth = metrics.horizontalAdvance(editedLabel()) + 2;
        if (x > origin.x() && x + labelWidth > right) {
            x = origin.x();
            y += chipHeight + kChipGap;
        }
        footer.edited =
            QRect(x, y, labelWidth, footer.chips.isEmpty() ? metrics.height() : chipHeight);
    }
    if (!footer.chips.isEmpty() || !footer.edited.isEmpty())
        footer.height = y - origin.y() + (footer.chips.isEmpty() ? metrics.height() : chipHeight);
    return footer;
}

void MessageDecorations::paintUploadProgress(QPainter *painter, const QRect &rect, double fraction,
                                             const QPalette &palette)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    const qreal radius = rect.height() / 2.0;
    QColor track = palette.color(QPalette::Mid);
    track.setAlphaF(0.35f);
    painter->setBrush(track);
    painter->drawRoundedRect(QRectF(rect), radius, radius);
    QRectF done(rect);
    done.setWidth(rect.width() * qBound(0.0, fraction, 1.0));
    painter->setBrush(Theme::accent());
    if (done.width() > 0)
        painter->drawRoundedRect(done, radius, radius);
    painter->restore();
}

void MessageDecorations::paintFooter(QPainter *painter, const Footer &footer,
                                     const QPalette &palette, const QFont &font)
{
    const QFont small = smallFont(font);
    painter->setFont(small);
    for (const Chip &chip : footer.chips) {
        QPainterPath path;
        path.addRoundedRect(QRectF(chip.rect).adjusted(0.5, 0.5, -0.5, -0.5),
                            chip.rect.height() / 2.0, chip.rect.height() / 2.0);
        QColor fill = chip.mine ? Theme::accent() : palette.color(QPalette::Text);
        fill.setAlpha(chip.mine ? 45 : 18);
        painter->fillPath(path, fill);
        if (chip.mine) {
            painter->setPen(QPen(Theme::accent(), 1));
            painter->drawPath(path);
        }
        // The emoji in colour, the count in the text font beside it.
        const QFont emoji = emojiFont(small, kChipEmojiScale);
        const QRect inner = chip.rect.adjusted(kChipPaddingX, 0, -kChipPaddingX, 0);
        painter->setFont(emoji);
        painter->setPen(palette.color(QPalette::Text));
        painter->drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, chip.emoji);
        painter->setFont(small);
        painter->drawText(inner, Qt::AlignRight | Qt::AlignVCenter, QString::number(chip.count));
    }
    if (!footer.edited.isEmpty()) {
        QFont italic = small;
        italic.setItalic(true);
        painter->setFont(italic);
        painter->setPen(Theme::mutedText());
        painter->drawText(footer.edited, Qt::AlignLeft | Qt::AlignVCenter, editedLabel());
    }
}

QString MessageDecorations::reactedText(const Chip &chip)
{
    return tr("%1 reacted with %2").arg(QLocale().createSeparatedList(chip.users), chip.emoji);
}

} // namespace conversa::ui
