// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageDelegate.h"

#include "Theme.h"

#include <MessageModel.h>
#include <ThumbnailCache.h>

#include <QAbstractItemView>
#include <QApplication>
#include <QDateTime>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QRegularExpression>
#include <QTextLayout>
#include <QToolTip>

#include <cmath>

using namespace Qt::StringLiterals;
using conversa::core::MessageModel;

namespace conversa::ui {

namespace {

constexpr int kSideMargin = 16;
constexpr int kAvatarSize = 36;
constexpr int kAvatarGap = 12;
constexpr int kGroupTopPadding = 10;
constexpr int kContinuationTopPadding = 2;
constexpr int kBottomPadding = 2;
// A pause this long (or longer) since the message before starts a new group, with its own name
// and time, even when the same person goes on writing.
constexpr qint64 kGroupPauseMs = 5 * 60 * 1000;
// Quoted and code-block lines are indented this far; a quote's bar sits in the indent.
constexpr int kBlockIndent = 12;
constexpr int kQuoteBarWidth = 3;

using core::MarkupSpan;

// The block style (Quote or CodeBlock) of each line start, walked in order: spans and lines
// both come in text order, so a whole body costs one pass, however many lines it has.
class BlockWalker
{
public:
    explicit BlockWalker(const core::MarkedUpText &markup)
        : m_spans(markup.spans)
    {}
    quint8 styleAt(int position)
    {
        while (m_next < m_spans.size()) {
            const MarkupSpan &span = m_spans.at(m_next);
            if (!(span.styles & (MarkupSpan::Quote | MarkupSpan::CodeBlock)) ||
                span.start + span.length <= position) {
                ++m_next;
                continue;
            }
            if (span.start > position)
                return 0;
            return span.styles & (MarkupSpan::Quote | MarkupSpan::CodeBlock);
        }
        return 0;
    }

private:
    const QList<MarkupSpan> &m_spans;
    qsizetype m_next = 0;
};

MessageModel::DeliveryState deliveryState(const QModelIndex &index)
{
    return index.data(MessageModel::StateRole).value<MessageModel::DeliveryState>();
}

// A cid is unique only per (room, sender), so a message is named by all three; the name survives
// the step from pending to delivered (same body, same height). Without a cid, (room, seq) names it.
QString messageKey(const QModelIndex &index)
{
    // MessageModel has it made once per row (a relayout asks for it several times per row).
    if (const QVariant key = index.data(MessageModel::KeyRole); key.isValid())
        return key.toString();
    const QString room = index.data(MessageModel::RoomRole).toString();
    const QString cid = index.data(MessageModel::CidRole).toString();
    // U+001F cannot occur in room names, user names or cids (the server refuses control
    // characters).
    if (!cid.isEmpty())
        return room + u'\x1f' + index.data(MessageModel::SenderRole).toString() + u'\x1f' + cid;
    return room + u"\x1fseq:"_s + QString::number(index.data(MessageModel::SeqRole).toLongLong());
}

// The width rows are laid out for: the view's viewport, so sizeHint() and paint() agree.
int rowWidth(const QStyleOptionViewItem &option)
{
    if (const auto *view = qobject_cast<const QAbstractItemView *>(option.widget))
        return view->viewport()->width();
    return option.rect.width() > 0 ? option.rect.width() : 600;
}

QString dayLabel(const QDate &date)
{
    const QDate today = QDate::currentDate();
    if (date == today)
        return MessageDelegate::tr("Today");
    if (date == today.addDays(-1))
        return MessageDelegate::tr("Yesterday");
    return QLocale().toString(date, QLocale::LongFormat);
}

QString timeLabel(const QDateTime &time)
{
    return MessageDelegate::shortTime(time);
}

} // namespace

MessageDelegate::MessageDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{}

void MessageDelegate::setCurrentUser(const QString &user)
{
    m_currentUser = user;
}

void MessageDelegate::setThumbnails(core::ThumbnailCache *thumbnails)
{
    m_thumbnails = thumbnails;
}

QString MessageDelegate::shortTime(const QDateTime &time)
{
    // Some locales' "short" format still has seconds (C: HH:mm:ss); a chat wants minutes.
    QString format = QLocale().timeFormat(QLocale::ShortFormat);
    format.remove(u":ss"_s).remove(u".ss"_s);
    return QLocale().toString(time.toLocalTime().time(), format);
}

// --- text helpers -------------------------------------------------------------------------------

QString MessageDelegate::displayText(const QModelIndex &index)
{
    if (index.data(MessageModel::DeletedRole).toBool())
        return MessageDecorations::deletedLabel();
    return core::parseMarkup(index.data(MessageModel::BodyRole).toString()).text;
}

QList<MessageDelegate::Span> MessageDelegate::linksIn(const core::MarkedUpText &markup)
{
    QList<Span> links;
    QList<std::pair<int, int>> noBareLinks; // code and link labels: [start, end)
    for (const MarkupSpan &span : markup.spans) {
        if (span.styles & MarkupSpan::Link)
            links.append(Span{span.start, span.length, span.target});
        if (span.styles & (MarkupSpan::Link | MarkupSpan::Code | MarkupSpan::CodeBlock))
            noBareLinks.append({span.start, span.start + span.length});
    }
    qsizetype excluded = 0;
    for (const Span &bare : findLinks(markup.text)) {
        while (excluded < noBareLinks.size() && noBareLinks.at(excluded).second <= bare.start)
            ++excluded;
        if (excluded < noBareLinks.size() &&
            noBareLinks.at(excluded).first < bare.start + bare.length)
            continue;
        links.append(bare);
    }
    return links;
}

QList<MessageDelegate::Span> MessageDelegate::findLinks(const QString &text)
{
    static const QRegularExpression pattern(u"\\b(?:https?://|www\\.)[^\\s<>\"]+"_s,
                                            QRegularExpression::CaseInsensitiveOption);
    QList<Span> spans;
    auto it = pattern.globalMatch(text);
    while (it.hasNext()) {
        const auto match = it.next();
        QString url = match.captured();
        // Punctuation that ends a sentence is not part of the link.
        while (!url.isEmpty() && u".,;:!?)]}'"_s.contains(url.back())) {
            if (url.back() == u')' && url.count(u'(') > url.count(u')') - 1)
                break; // a balanced parenthesis, as in Wikipedia links
            url.chop(1);
        }
        if (url.size() < 5)
            continue;
        const QString target =
            url.startsWith(u"www."_s, Qt::CaseInsensitive) ? u"https://"_s + url : url;
        spans.append(Span{int(match.capturedStart()), int(url.size()), target});
    }
    return spans;
}

QList<MessageDelegate::Span> MessageDelegate::findMentions(const QString &text, const QString &user)
{
    QList<Span> spans;
    if (user.isEmpty())
        return spans;
    const QString needle = u"@"_s + user;
    qsizetype from = 0;
    while ((from = text.indexOf(needle, from, Qt::CaseInsensitive)) >= 0) {
        const qsizetype end = from + needle.size();
        const bool startOk = from == 0 || !text.at(from - 1).isLetterOrNumber();
        const bool endOk = end >= text.size() || !(text.at(end).isLetterOrNumber() ||
                                                   text.at(end) == u'_' || text.at(end) == u'-');
        if (startOk && endOk)
            spans.append(Span{int(from), int(needle.size()), {}});
        from = end;
    }
    return spans;
}

bool MessageDelegate::mentions(const QString &text, const QString &user)
{
    return core::mentionsUser(text, user);
}

QString MessageDelegate::initials(const QString &user)
{
    // "ana-maria" -> "AM", "bob" -> "BO", "j.doe" -> "JD".
    const QStringList parts = user.split(QRegularExpression(u"[\\s._-]+"_s), Qt::SkipEmptyParts);
    QString result;
    if (parts.size() >= 2)
        result = parts.at(0).left(1) + parts.at(1).left(1);
    else if (!parts.isEmpty())
        result = parts.at(0).left(2);
    return result.toUpper();
}

std::pair<int, int> MessageDelegate::wordAt(const QString &text, int position)
{
    const auto isWordChar = [&text](int i) {
        return i >= 0 && i < text.size() &&
               (text.at(i).isLetterOrNumber() || text.at(i).isMark() || text.at(i) == u'_' ||
                text.at(i).isSurrogate());
    };
    int at = qBound(0, position, int(text.size()));
    // A click on the right half of a word's last letter reports the position after it.
    if (!isWordChar(at) && isWordChar(at - 1))
        --at;
    if (!isWordChar(at))
        return {at, at};
    int from = at;
    while (isWordChar(from - 1))
        --from;
    int to = at + 1;
    while (isWordChar(to))
        ++to;
    return {from, to};
}

MessageDelegate::Facts MessageDelegate::facts(const QModelIndex &index) const
{
    const QString key = messageKey(index);
    if (const Facts *cached = m_facts.object(key))
        return *cached;
    const QDateTime time = index.data(MessageModel::TimeRole).toDateTime();
    auto f = std::make_unique<Facts>();
    f->ms = time.toMSecsSinceEpoch();
    f->localDay = QDate(1970, 1, 1).daysTo(time.toLocalTime().date());
    f->sender = index.data(MessageModel::SenderRole).toString();
    const Facts result = *f;
    // A pending row shows as our own; once delivered it has the same key and sender.
    m_facts.insert(key, f.release());
    return result;
}

void MessageDelegate::forget(const QModelIndex &index)
{
    const QString key = messageKey(index);
    m_facts.remove(key);
    m_heightCache.remove(key);
}

MessageDelegate::Starts MessageDelegate::starts(const QModelIndex &index) const
{
    if (index.row() == 0)
        return {true, true};
    const Facts current = facts(index);
    const Facts previous = facts(index.siblingAtRow(index.row() - 1));
    const bool day = current.localDay != previous.localDay;
    return {day,
            day || current.sender != previous.sender || current.ms - previous.ms >= kGroupPauseMs};
}

bool MessageDelegate::startsDay(const QModelIndex &index) const
{
    return starts(index).day;
}

bool MessageDelegate::startsGroup(const QModelIndex &index) const
{
    return starts(index).group;
}

QString MessageDelegate::clipboardText(const QModelIndex &index)
{
    return u"[%1] %2: %3"_s.arg(timeLabel(index.data(MessageModel::TimeRole).toDateTime()),
                                index.data(MessageModel::SenderRole).toString(),
                                index.data(MessageModel::BodyRole).toString());
}

// --- geometry -----------------------------------------------------------------------------------

std::unique_ptr<QTextLayout> MessageDelegate::bodyLayout(const QStyleOptionViewItem &option,
                                                         const QModelIndex &index, int width,
                                                         core::MarkedUpText *markupOut) const
{
    // Styles come as ranges over plain text: nothing in a message is ever read as HTML.
    const bool deleted = index.data(MessageModel::DeletedRole).toBool();
    core::MarkedUpText markup =
        deleted ? core::MarkedUpText{MessageDecorations::deletedLabel(), {}}
                : core::parseMarkup(index.data(MessageModel::BodyRole).toString());
    QString text = markup.text;
    // QTextLayout breaks lines only at LineSeparator; same length, so spans stay valid.
    text.replace(u'\n', QChar::LineSeparator);
    auto layout = std::make_unique<QTextLayout>(text, option.font);
    QTextOption textOption;
    textOption.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout->setTextOption(textOption);

    QList<QTextLayout::FormatRange> formats;
    const QPalette &palette = option.palette;
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (const MarkupSpan &span : std::as_const(markup.spans)) {
        QTextLayout::FormatRange range;
        range.start = span.start;
        range.length = span.length;
        if (span.styles & MarkupSpan::Bold)
            range.format.setFontWeight(QFont::Bold);
        if (span.styles & MarkupSpan::Italic)
            range.format.setFontItalic(true);
        if (span.styles & (MarkupSpan::Code | MarkupSpan::CodeBlock)) {
            range.format.setFontFamilies(fixed.families());
            range.format.setFontFixedPitch(true);
        }
        if (span.styles & MarkupSpan::Code)
            range.format.setBackground(palette.color(QPalette::AlternateBase));
        if ((span.styles & MarkupSpan::Quote) && !(span.styles & MarkupSpan::Link))
            range.format.setForeground(Theme::mutedText());
        if (range.format.propertyCount() > 0)
            formats.append(range);
    }
    if (deleted) {
        // What is left of a deleted message: a muted, italic note in its place.
        QTextLayout::FormatRange range;
        range.start = 0;
        range.length = int(text.size());
        range.format.setFontItalic(true);
        range.format.setForeground(Theme::mutedText());
        formats.append(range);
    }
    for (const Span &link : linksIn(markup)) {
        QTextLayout::FormatRange range;
        range.start = link.start;
        range.length = link.length;
        range.format.setForeground(palette.color(QPalette::Link));
        range.format.setFontUnderline(true);
        formats.append(range);
    }
    for (const Span &mention : findMentions(text, m_currentUser)) {
        QTextLayout::FormatRange range;
        range.start = mention.start;
        range.length = mention.length;
        range.format.setFontWeight(QFont::Bold);
        range.format.setForeground(palette.color(QPalette::Highlight));
        formats.append(range);
    }
    layout->setFormats(formats);

    layout->beginLayout();
    qreal y = 0;
    BlockWalker blocks(markup);
    for (QTextLine line = layout->createLine(); line.isValid(); line = layout->createLine()) {
        const int indent = blocks.styleAt(line.textStart()) ? kBlockIndent : 0;
        line.setLineWidth(qMax(1, width - indent));
        line.setPosition(QPointF(indent, y));
        y += line.height();
    }
    layout->endLayout();
    if (markupOut)
        *markupOut = std::move(markup);
    return layout;
}

int MessageDelegate::bodyHeight(const QStyleOptionViewItem &option, const QModelIndex &index,
                                int width) const
{
    if (width != m_cacheWidth) {
        m_heightCache.clear();
        m_cacheWidth = width;
    }
    const QString key = messageKey(index);
    if (const int *cached = m_heightCache.object(key))
        return *cached;
    const auto layout = bodyLayout(option, index, width);
    const int height = int(std::ceil(layout->boundingRect().height()));
    m_heightCache.insert(key, new int(height));
    return height;
}

QString MessageDelegate::statusText(const QModelIndex &index) const
{
    switch (deliveryState(index)) {
    case MessageModel::DeliveryState::Pending: {
        const double uploaded = index.data(MessageModel::UploadProgressRole).toDouble();
        if (uploaded >= 0)
            return tr("Uploading… %1%").arg(int(uploaded * 100));
        return tr("Sending…");
    }
    case MessageModel::DeliveryState::Failed: {
        const QString reason = index.data(MessageModel::FailureReasonRole).toString();
        return reason.isEmpty() ? tr("Not sent.") : tr("Not sent: %1").arg(reason);
    }
    case MessageModel::DeliveryState::Delivered:
        break;
    }
    return {};
}

MessageDelegate::Geometry MessageDelegate::geometry(const QStyleOptionViewItem &option,
                                                    const QModelIndex &index) const
{
    Geometry g;
    const QFontMetrics metrics(option.font);
    const int width = rowWidth(option);
    const int left = option.rect.left() + kSideMargin;
    const int bodyLeft = left + kAvatarSize + kAvatarGap;
    const int bodyWidth = qMax(40, width - kSideMargin - (bodyLeft - option.rect.left()));
    int y = option.rect.top();

    const Starts startsHere = starts(index);
    if (startsHere.day) {
        g.daySeparator = QRect(option.rect.left(), y, width, metrics.height() + 20);
        y += g.daySeparator.height();
    }
    const bool head = startsHere.group;
    y += head ? kGroupTopPadding : kContinuationTopPadding;
    const int rowContentTop = y;
    if (head) {
        g.avatar = QRect(left, y, kAvatarSize, kAvatarSize);
        g.header = QRect(bodyLeft, y, bodyWidth, metrics.height());
        y += metrics.height() + 2;
    }
    if (const int quote = MessageDecorations::replyQuoteHeight(option.font, index); quote > 0) {
        g.replyQuote = QRect(bodyLeft, y, qMin(bodyWidth, 520), quote);
        y += quote;
    }
    // A message of files alone has no line of text above them.
    const bool filesOnly = index.data(MessageModel::BodyRole).toString().isEmpty() &&
                           !MessageFiles::filesOf(index).isEmpty();
    const int height = filesOnly ? 0 : bodyHeight(option, index, bodyWidth);
    g.body = QRect(bodyLeft, y, bodyWidth, height);
    y += height;
    g.files = MessageFiles::layout(option.font, index, QPoint(bodyLeft, y), bodyWidth);
    y += g.files.height;
    g.footer =
        MessageDecorations::layoutFooter(option.font, index, QPoint(bodyLeft, y + 3), bodyWidth);
    if (g.footer.height > 0)
        y += g.footer.height + 3;

    const auto state = deliveryState(index);
    if (state != MessageModel::DeliveryState::Delivered) {
        y += 3;
        QFont small = option.font;
        small.setPointSizeF(small.pointSizeF() * 0.9);
        const QFontMetrics smallMetrics(small);
        g.status = QRect(bodyLeft, y, bodyWidth, smallMetrics.height());
        if (state == MessageModel::DeliveryState::Failed) {
            // Retry and Discard sit right after the reason, on the same line.
            const int textWidth =
                qMin(smallMetrics.horizontalAdvance(statusText(index)), bodyWidth / 2);
            const int retryWidth = smallMetrics.horizontalAdvance(tr("Retry")) + 12;
            const int discardWidth = smallMetrics.horizontalAdvance(tr("Discard")) + 12;
            g.retry = QRect(bodyLeft + textWidth + 12, y, retryWidth, smallMetrics.height());
            g.discard = QRect(g.retry.right() + 6, y, discardWidth, smallMetrics.height());
        }
        y += smallMetrics.height();
    }
    y += kBottomPadding;
    if (head)
        y = qMax(y, rowContentTop + kAvatarSize + kBottomPadding);
    g.row = QRect(option.rect.left(), option.rect.top(), width, y - option.rect.top());
    return g;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    opt.rect.moveTo(0, 0);
    const Geometry g = geometry(opt, index);
    return g.row.size();
}

// --- painting -----------------------------------------------------------------------------------

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    const Geometry g = geometry(option, index);
    const QPalette &palette = option.palette;
    const QString body = index.data(MessageModel::BodyRole).toString();
    const QString sender = index.data(MessageModel::SenderRole).toString();
    const QDateTime time = index.data(MessageModel::TimeRole).toDateTime();
    const auto state = deliveryState(index);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::TextAntialiasing);

    QRect messageArea = option.rect;
    if (!g.daySeparator.isEmpty())
        messageArea.setTop(g.daySeparator.bottom() + 1);

    // Backgrounds: a mention of me, then selection and hover on top.
    const bool mentioned = sender != m_currentUser && mentions(body, m_currentUser);
    if (mentioned) {
        painter->fillRect(messageArea, Theme::mentionBackground());
        painter->fillRect(QRect(messageArea.left(), messageArea.top(), 3, messageArea.height()),
                          Theme::accent());
    }
    if (m_highlightedSeq > 0 && index.data(MessageModel::SeqRole).toLongLong() == m_highlightedSeq)
        painter->fillRect(messageArea, Theme::mentionBackground());
    if (option.state & QStyle::State_Selected) {
        QColor selection = palette.color(QPalette::Highlight);
        selection.setAlpha(70);
        painter->fillRect(messageArea, selection);
    } else if (option.state & QStyle::State_MouseOver) {
        QColor hover = palette.color(QPalette::Text);
        hover.setAlpha(12);
        painter->fillRect(messageArea, hover);
    }

    QFont bold = option.font;
    bold.setBold(true);
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.9);

    // Day separator: a centred date between two hairlines.
    if (!g.daySeparator.isEmpty()) {
        QFont dayFont = small;
        dayFont.setBold(true);
        painter->setFont(dayFont);
        const QString label = dayLabel(time.toLocalTime().date());
        const int labelWidth = QFontMetrics(dayFont).horizontalAdvance(label) + 24;
        const QRect labelRect(g.daySeparator.center().x() - labelWidth / 2, g.daySeparator.top(),
                              labelWidth, g.daySeparator.height());
        QColor line = palette.color(QPalette::Mid);
        painter->setPen(line);
        const int lineY = g.daySeparator.center().y();
        painter->drawLine(g.daySeparator.left() + kSideMargin, lineY, labelRect.left(), lineY);
        painter->drawLine(labelRect.right(), lineY, g.daySeparator.right() - kSideMargin, lineY);
        painter->setPen(Theme::mutedText());
        painter->drawText(labelRect, Qt::AlignCenter, label);
    }

    // Header: initials avatar, sender, time.
    if (!g.avatar.isEmpty()) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(Theme::avatarColor(sender));
        painter->drawEllipse(g.avatar);
        QFont avatarFont = bold;
        avatarFont.setPixelSize(kAvatarSize * 2 / 5);
        painter->setFont(avatarFont);
        painter->setPen(Qt::white);
        painter->drawText(g.avatar, Qt::AlignCenter, initials(sender));

        painter->setFont(bold);
        painter->setPen(palette.color(QPalette::Text));
        const QFontMetrics boldMetrics(bold);
        const QString shownSender =
            boldMetrics.elidedText(sender, Qt::ElideRight, g.header.width() * 2 / 3);
        painter->drawText(g.header, Qt::AlignLeft | Qt::AlignVCenter, shownSender);
        painter->setFont(small);
        painter->setPen(Theme::mutedText());
        const QRect timeRect =
            g.header.adjusted(boldMetrics.horizontalAdvance(shownSender) + 8, 0, 0, 0);
        painter->drawText(timeRect, Qt::AlignLeft | Qt::AlignVCenter, timeLabel(time));
    } else if (option.state & QStyle::State_MouseOver) {
        // Continuation rows show their time in the avatar column while hovered.
        painter->setFont(small);
        painter->setPen(Theme::mutedText());
        const QRect gutter(option.rect.left(), g.body.top(), kSideMargin + kAvatarSize + 4,
                           QFontMetrics(option.font).height());
        painter->drawText(gutter, Qt::AlignRight | Qt::AlignVCenter, timeLabel(time));
    }

    // Body: plain text laid out by QTextLayout with the styles of its Markdown subset; nothing
    // in it is ever read as HTML. Quotes get a bar, code blocks a background, behind the text.
    core::MarkedUpText markup;
    const auto layout = bodyLayout(option, index, g.body.width(), &markup);
    BlockWalker blocks(markup);
    for (int i = 0; i < layout->lineCount(); ++i) {
        const QTextLine line = layout->lineAt(i);
        const quint8 block = blocks.styleAt(line.textStart());
        const QRectF lineRect(g.body.left(), g.body.top() + line.y(), g.body.width(),
                              line.height());
        if (block & MarkupSpan::CodeBlock)
            painter->fillRect(lineRect.adjusted(kBlockIndent / 2, 0, 0, 0),
                              palette.color(QPalette::AlternateBase));
        else if (block & MarkupSpan::Quote)
            painter->fillRect(
                QRectF(lineRect.left(), lineRect.top(), kQuoteBarWidth, lineRect.height()),
                Theme::mutedText());
    }
    painter->setFont(option.font);
    QColor textColor = palette.color(QPalette::Text);
    if (state == MessageModel::DeliveryState::Pending)
        textColor = Theme::mutedText();
    painter->setPen(textColor);
    QList<QTextLayout::FormatRange> selected;
    const auto [from, to] = m_selection.rangeIn(index.row(), int(layout->text().size()));
    if (to > from) {
        QTextLayout::FormatRange range;
        range.start = from;
        range.length = to - from;
        range.format.setBackground(palette.color(QPalette::Highlight));
        range.format.setForeground(palette.color(QPalette::HighlightedText));
        selected.append(range);
    }
    layout->draw(painter, g.body.topLeft(), selected);
    MessageDecorations::paintReplyQuote(painter, g.replyQuote, index, palette, option.font);
    MessageFiles::paint(painter, g.files, palette, option.font, m_thumbnails);
    MessageDecorations::paintFooter(painter, g.footer, palette, option.font);

    // Status line for messages the server has not stored.
    if (!g.status.isEmpty()) {
        painter->setFont(small);
        if (state == MessageModel::DeliveryState::Failed) {
            painter->setPen(Theme::failureText());
            const QRect reasonRect(g.status.left(), g.status.top(),
                                   g.retry.left() - 12 - g.status.left(), g.status.height());
            painter->drawText(reasonRect, Qt::AlignLeft | Qt::AlignVCenter,
                              QFontMetrics(small).elidedText(statusText(index), Qt::ElideRight,
                                                             reasonRect.width()));
            QFont linkFont = small;
            linkFont.setUnderline(true);
            linkFont.setBold(true);
            painter->setFont(linkFont);
            painter->setPen(palette.color(QPalette::Link));
            painter->drawText(g.retry, Qt::AlignCenter, tr("Retry"));
            painter->drawText(g.discard, Qt::AlignCenter, tr("Discard"));
        } else {
            small.setItalic(true);
            painter->setFont(small);
            painter->setPen(Theme::mutedText());
            const QString status = statusText(index);
            painter->drawText(g.status, Qt::AlignLeft | Qt::AlignVCenter, status);
            // A message whose files are uploading: how far, as a bar after the words.
            const double uploaded = index.data(MessageModel::UploadProgressRole).toDouble();
            if (uploaded >= 0) {
                const int left =
                    g.status.left() + QFontMetrics(small).horizontalAdvance(status) + 8;
                const QRect bar(left, g.status.center().y() - 2, qMin(160, g.status.right() - left),
                                4);
                if (bar.width() > 16)
                    MessageDecorations::paintUploadProgress(painter, bar, uploaded, palette);
            }
        }
    }

    if (option.state & QStyle::State_HasFocus) {
        QColor focus = palette.color(QPalette::Highlight);
        painter->setPen(QPen(focus, 1, Qt::DotLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRect(messageArea.adjusted(1, 0, -2, -1));
    }
    painter->restore();
}

// --- hit tests ----------------------------------------------------------------------------------

bool MessageDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view,
                                const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event && event->type() == QEvent::ToolTip && index.isValid()) {
        const Geometry g = geometry(option, index);
        const QString link = linkIn(g, option, index, event->pos());
        if (!link.isEmpty()) {
            QToolTip::showText(event->globalPos(), link, view);
            return true;
        }
        for (const MessageDecorations::Chip &chip : g.footer.chips) {
            if (chip.rect.contains(event->pos())) {
                QToolTip::showText(event->globalPos(), MessageDecorations::reactedText(chip), view);
                return true;
            }
        }
        if (g.footer.edited.contains(event->pos())) {
            const QDateTime edited = index.data(MessageModel::EditedTimeRole).toDateTime();
            QToolTip::showText(
                event->globalPos(),
                tr("Edited at %1")
                    .arg(QLocale().toString(edited.toLocalTime(), QLocale::ShortFormat)),
                view);
            return true;
        }
        if (const auto file = MessageFiles::hitTest(g.files, event->pos()); !file.file.isEmpty()) {
            QToolTip::showText(event->globalPos(), MessageFiles::describe(file.file), view);
            return true;
        }
        if (g.replyQuote.contains(event->pos())) {
            QToolTip::showText(event->globalPos(), tr("Show the original message"), view);
            return true;
        }
    }
    return QStyledItemDelegate::helpEvent(event, view, option, index);
}

MessageDelegate::Hit MessageDelegate::hitAt(const QStyleOptionViewItem &option,
                                            const QModelIndex &index, const QPoint &pos) const
{
    const Geometry g = geometry(option, index);
    Hit hit;
    hit.action = actionIn(g, pos);
    hit.replyQuote = g.replyQuote.contains(pos);
    hit.file = MessageFiles::hitTest(g.files, pos);
    hit.reaction = reactionIn(g, pos);
    hit.link = linkIn(g, option, index, pos);
    return hit;
}

QString MessageDelegate::linkAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                const QPoint &pos) const
{
    return linkIn(geometry(option, index), option, index, pos);
}

QString MessageDelegate::linkIn(const Geometry &g, const QStyleOptionViewItem &option,
                                const QModelIndex &index, const QPoint &pos) const
{
    if (!g.body.contains(pos))
        return {};
    core::MarkedUpText markup;
    const auto layout = bodyLayout(option, index, g.body.width(), &markup);
    const QPointF local = pos - g.body.topLeft();
    for (int i = 0; i < layout->lineCount(); ++i) {
        const QTextLine line = layout->lineAt(i);
        if (local.y() < line.y() || local.y() >= line.y() + line.height())
            continue;
        if (local.x() < line.x() || local.x() > line.x() + line.naturalTextWidth())
            return {};
        const int cursor = line.xToCursor(local.x(), QTextLine::CursorOnCharacter);
        for (const Span &link : linksIn(markup)) {
            if (cursor >= link.start && cursor < link.start + link.length)
                return link.target;
        }
        return {};
    }
    return {};
}

std::pair<int, int> MessageDelegate::TextSelection::rangeIn(int row, int length) const
{
    if (isEmpty() || row < startRow || row > endRow)
        return {0, 0};
    const int from = row == startRow ? qBound(0, startChar, length) : 0;
    const int to = row == endRow ? qBound(0, endChar, length) : length;
    return {from, qMax(from, to)};
}

int MessageDelegate::cursorAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                              const QPoint &pos) const
{
    const Geometry g = geometry(option, index);
    const auto layout = bodyLayout(option, index, g.body.width());
    const int length = int(layout->text().size());
    if (pos.y() < g.body.top())
        return -1;
    if (pos.y() >= g.body.bottom() || layout->lineCount() == 0)
        return length;
    const QPointF local = pos - g.body.topLeft();
    for (int i = 0; i < layout->lineCount(); ++i) {
        const QTextLine line = layout->lineAt(i);
        if (local.y() < line.y() + line.height())
            return line.xToCursor(local.x(), QTextLine::CursorBetweenCharacters);
    }
    return length;
}

bool MessageDelegate::isOnReplyQuote(const QStyleOptionViewItem &option, const QModelIndex &index,
                                     const QPoint &pos) const
{
    return geometry(option, index).replyQuote.contains(pos);
}

MessageFiles::Hit MessageDelegate::fileAt(const QStyleOptionViewItem &option,
                                          const QModelIndex &index, const QPoint &pos) const
{
    return MessageFiles::hitTest(geometry(option, index).files, pos);
}

MessageFiles::Layout MessageDelegate::filesLayout(const QStyleOptionViewItem &option,
                                                  const QModelIndex &index) const
{
    return geometry(option, index).files;
}

QString MessageDelegate::reactionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                    const QPoint &pos) const
{
    return reactionIn(geometry(option, index), pos);
}

QString MessageDelegate::reactionIn(const Geometry &g, const QPoint &pos)
{
    for (const MessageDecorations::Chip &chip : g.footer.chips) {
        if (chip.rect.contains(pos))
            return chip.emoji;
    }
    return {};
}

MessageDelegate::Action MessageDelegate::actionAt(const QStyleOptionViewItem &option,
                                                  const QModelIndex &index, const QPoint &pos) const
{
    return actionIn(geometry(option, index), pos);
}

MessageDelegate::Action MessageDelegate::actionIn(const Geometry &g, const QPoint &pos)
{
    if (g.retry.contains(pos))
        return Action::Retry;
    if (g.discard.contains(pos))
        return Action::Discard;
    return Action::None;
}

} // namespace conversa::ui
