// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SearchPanelDelegate.h"

#include "MessageDelegate.h"
#include "Theme.h"

#include <SearchResultsModel.h>

#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPoint>
#include <QTextLayout>

#include <cmath>

using namespace Qt::StringLiterals;
using conversa::core::SearchResultsModel;

namespace conversa::ui {

namespace {
constexpr int kPadding = 8;
constexpr int kLineGap = 3;
// A match further in than this starts the snippet kLeadIn characters before it.
constexpr int kLateMatch = 100;
constexpr int kLeadIn = 30;

QFont headlineFont(const QFont &base)
{
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() * 0.9);
    return font;
}
} // namespace

SearchPanelDelegate::Snippet SearchPanelDelegate::snippet(const QString &body,
                                                          const QVariantList &matches)
{
    Snippet result;
    QString text = body;
    // Line breaks become spaces (same length, so the ranges still fit).
    for (QChar &c : text) {
        if (c == u'\n' || c == u'\r' || c == u'\t')
            c = u' ';
    }
    int offset = 0;
    if (!matches.isEmpty()) {
        const int first = matches.first().toPoint().x();
        if (first > kLateMatch) {
            offset = first - kLeadIn;
            // Start at a word's beginning, never inside a surrogate pair.
            while (offset > 0 && !text.at(offset - 1).isSpace() && first - offset < 2 * kLeadIn)
                --offset;
            if (offset > 0 && text.at(offset).isLowSurrogate())
                --offset;
        }
    }
    const QString lead = offset > 0 ? u"…"_s : QString();
    result.text = lead + text.mid(offset);
    for (const QVariant &match : matches) {
        const QPoint range = match.toPoint();
        const int start = range.x() - offset;
        if (start < 0)
            continue;
        result.emphasis.append({start + int(lead.size()), range.y()});
    }
    return result;
}

QString SearchPanelDelegate::roomLabel(const QString &room) const
{
    const QString label = m_roomLabel ? m_roomLabel(room) : QString();
    return label.isEmpty() ? u"#"_s + room : label;
}

QString SearchPanelDelegate::headline(const QModelIndex &index) const
{
    const QDateTime when =
        QDateTime::fromMSecsSinceEpoch(index.data(SearchResultsModel::TimestampRole).toLongLong());
    const QString time = when.date() == QDate::currentDate()
                             ? MessageDelegate::shortTime(when)
                             : QLocale().toString(when.date(), QLocale::ShortFormat) + u' ' +
                                   MessageDelegate::shortTime(when);
    return u"%1 · %2 · %3"_s.arg(roomLabel(index.data(SearchResultsModel::RoomRole).toString()),
                                 index.data(SearchResultsModel::SenderRole).toString(), time);
}

void SearchPanelDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);

    const bool selected = option.state & QStyle::State_Selected;
    const QPalette &palette = option.palette;
    const QColor textColor = palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QRect area = option.rect.adjusted(kPadding, kPadding, -kPadding, -kPadding);

    painter->save();
    const QFont small = headlineFont(option.font);
    painter->setFont(small);
    painter->setPen(selected ? textColor : Theme::mutedText());
    const QFontMetrics smallMetrics(small);
    painter->drawText(QRect(area.left(), area.top(), area.width(), smallMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      smallMetrics.elidedText(headline(index), Qt::ElideRight, area.width()));

    const Snippet shown = snippet(index.data(SearchResultsModel::BodyRole).toString(),
                                  index.data(SearchResultsModel::MatchesRole).toList());
    QTextLayout layout(shown.text, option.font);
    QTextOption textOption;
    textOption.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(textOption);
    QList<QTextLayout::FormatRange> formats;
    for (const auto &[start, length] : shown.emphasis) {
        QTextLayout::FormatRange range;
        range.start = start;
        range.length = length;
        range.format.setFontWeight(QFont::Bold);
        if (!selected)
            range.format.setBackground(Theme::mentionBackground());
        formats.append(range);
    }
    layout.setFormats(formats);
    layout.beginLayout();
    qreal y = 0;
    int lines = 0;
    while (lines < kMaxTextLines) {
        QTextLine line = layout.createLine();
        if (!line.isValid())
            break;
        line.setLineWidth(area.width());
        line.setPosition(QPointF(0, y));
        y += line.height();
        ++lines;
    }
    layout.endLayout();
    painter->setPen(textColor);
    const QPointF origin(area.left(), area.top() + smallMetrics.height() + kLineGap);
    layout.draw(painter, origin);
    painter->restore();
}

QSize SearchPanelDelegate::sizeHint(const QStyleOptionViewItem &option,
                                    const QModelIndex &index) const
{
    const int width = qMax(120, (option.widget ? option.widget->width() : option.rect.width()) -
                                    2 * kPadding - 4);
    const Snippet shown = snippet(index.data(SearchResultsModel::BodyRole).toString(),
                                  index.data(SearchResultsModel::MatchesRole).toList());
    QTextLayout layout(shown.text, option.font);
    QTextOption textOption;
    textOption.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(textOption);
    layout.beginLayout();
    qreal height = 0;
    for (int lines = 0; lines < kMaxTextLines; ++lines) {
        QTextLine line = layout.createLine();
        if (!line.isValid())
            break;
        line.setLineWidth(width);
        height += line.height();
    }
    layout.endLayout();
    const int headline = QFontMetrics(headlineFont(option.font)).height();
    return {width, int(std::ceil(height)) + headline + kLineGap + 2 * kPadding};
}

} // namespace conversa::ui
