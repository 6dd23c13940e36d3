// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageMarkup.h"

#include <Validation.h>

#include <QStringView>
#include <QUrl>

#include <vector>

using namespace Qt::StringLiterals;

namespace conversa::core {

namespace {

// Styles nest at most this deep (**bold *italic***); deeper markers are shown as they are.
constexpr int kMaxNesting = 3;

bool isFence(QStringView line)
{
    return line.trimmed().startsWith(u"```");
}

class LineParser
{
public:
    LineParser(QStringView line, MarkedUpText &out, quint8 baseStyles)
        : m_line(line)
        , m_out(out)
        , m_base(baseStyles)
    {
        // Where each marker next occurs, found once from the end: every lookup is then O(1),
        // so no input (10,000 asterisks, say) makes the scan quadratic.
        const qsizetype n = line.size();
        m_nextStar.assign(n + 1, -1);
        m_nextDoubleStar.assign(n + 1, -1);
        m_nextTick.assign(n + 1, -1);
        m_nextCloseBracket.assign(n + 1, -1);
        m_nextTargetEnd.assign(n + 1, -1);
        for (qsizetype i = n - 1; i >= 0; --i) {
            m_nextStar[i] = line[i] == u'*' ? i : m_nextStar[i + 1];
            m_nextDoubleStar[i] =
                (line[i] == u'*' && i + 1 < n && line[i + 1] == u'*') ? i : m_nextDoubleStar[i + 1];
            m_nextTick[i] = line[i] == u'`' ? i : m_nextTick[i + 1];
            m_nextCloseBracket[i] = line[i] == u']' ? i : m_nextCloseBracket[i + 1];
            m_nextTargetEnd[i] =
                (line[i] == u')' || line[i].isSpace()) ? i : m_nextTargetEnd[i + 1];
        }
    }

    void parse() { parseRange(0, m_line.size(), m_base, 0); }

private:
    void emitText(qsizetype from, qsizetype to, quint8 styles, const QString &target = {})
    {
        if (to <= from)
            return;
        const int start = int(m_out.text.size());
        m_out.text += m_line.sliced(from, to - from);
        if (styles != 0)
            m_out.spans.append({start, int(to - from), styles, target});
    }

    bool canOpen(qsizetype after, qsizetype end) const
    {
        return after < end && !m_line[after].isSpace();
    }
    bool canClose(qsizetype closer) const { return !m_line[closer - 1].isSpace(); }

    // [label](target) starting at `open` (the '['): where the label ends (its ']') and the
    // position after ')', or -1 when it is no link.
    struct Link {
        qsizetype labelEnd = -1;
        qsizetype after = -1;
        QString target;
    };
    Link parseLink(qsizetype open, qsizetype end) const
    {
        const qsizetype close = m_nextCloseBracket[open + 1];
        if (close < 0 || close + 1 >= end || m_line[close + 1] != u'(' || close == open + 1)
            return {};
        // The target ends at the first ')' or space; a space means it is no link.
        const qsizetype targetEnd = m_nextTargetEnd[close + 2];
        if (targetEnd < 0 || targetEnd >= end || m_line[targetEnd] != u')')
            return {};
        QString target = m_line.sliced(close + 2, targetEnd - close - 2).toString();
        if (!isSafeLinkTarget(target))
            return {}; // shown as typed, brackets and all
        return {close, targetEnd + 1, std::move(target)};
    }

    void parseRange(qsizetype from, qsizetype end, quint8 styles, int depth)
    {
        qsizetype textStart = from;
        qsizetype i = from;
        auto flush = [&](qsizetype to) { emitText(textStart, to, styles); };
        while (i < end) {
            const QChar c = m_line[i];
            if (c == u'`') {
                const qsizetype closer = m_nextTick[i + 1];
                if (closer >= 0 && closer < end && closer > i + 1) {
                    flush(i);
                    emitText(i + 1, closer, styles | MarkupSpan::Code);
                    i = textStart = closer + 1;
                    continue;
                }
            } else if (c == u'*' && depth < kMaxNesting) {
                const bool isDouble = i + 1 < end && m_line[i + 1] == u'*';
                const int width = isDouble ? 2 : 1;
                const qsizetype closer = isDouble ? m_nextDoubleStar[i + 2] : m_nextStar[i + 1];
                if (canOpen(i + width, end) && closer >= 0 && closer + width <= end &&
                    closer > i + width && canClose(closer)) {
                    flush(i);
                    parseRange(i + width, closer,
                               styles | (isDouble ? MarkupSpan::Bold : MarkupSpan::Italic),
                               depth + 1);
                    i = textStart = closer + width;
                    continue;
                }
                // Not a marker: the run of stars is shown as it is.
                i += width;
                continue;
            } else if (c == u'[') {
                const Link link = parseLink(i, end);
                if (link.after >= 0) {
                    flush(i);
                    emitText(i + 1, link.labelEnd, styles | MarkupSpan::Link, link.target);
                    i = textStart = link.after;
                    continue;
                }
            }
            ++i;
        }
        flush(end);
    }

    QStringView m_line;
    MarkedUpText &m_out;
    quint8 m_base;
    std::vector<qsizetype> m_nextStar;
    std::vector<qsizetype> m_nextDoubleStar;
    std::vector<qsizetype> m_nextTick;
    std::vector<qsizetype> m_nextCloseBracket;
    std::vector<qsizetype> m_nextTargetEnd; // ')' or a space
};

} // namespace

bool mentionsUser(QStringView text, const QString &user)
{
    // The server counts a room's mentions by the protocol's rule; the badge must agree with it.
    return protocol::mentionsUser(text, user);
}

bool isSafeLinkTarget(const QString &url)
{
    if (url.isEmpty() || url.size() > 2048)
        return false;
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid())
        return false;
    const QString scheme = parsed.scheme().toLower();
    if (scheme == u"http"_s || scheme == u"https"_s)
        return !parsed.host().isEmpty();
    if (scheme == u"mailto"_s)
        return parsed.path().contains(u'@');
    return false;
}

MarkedUpText parseMarkup(const QString &source)
{
    MarkedUpText out;
    out.text.reserve(source.size());
    const QList<QStringView> lines = QStringView(source).split(u'\n');
    // Where each fence's block closes, found once: an unclosed fence is plain text.
    std::vector<qsizetype> nextFence(lines.size() + 1, -1);
    for (qsizetype i = lines.size() - 1; i >= 0; --i)
        nextFence[i] = isFence(lines[i]) ? i : nextFence[i + 1];

    qsizetype i = 0;
    bool first = true;
    auto newLine = [&] {
        if (!first)
            out.text += u'\n';
        first = false;
    };
    while (i < lines.size()) {
        const QStringView line = lines[i];
        if (isFence(line)) {
            const qsizetype close = nextFence[i + 1];
            if (close >= 0) {
                // The fence lines go; the lines between are shown exactly as typed.
                for (qsizetype j = i + 1; j < close; ++j) {
                    newLine();
                    const int start = int(out.text.size());
                    out.text += lines[j];
                    // The line break is in the block too, so its background is one piece.
                    const int length = int(lines[j].size()) + (j + 1 < close ? 1 : 0);
                    if (length > 0)
                        out.spans.append({start, length, MarkupSpan::CodeBlock, {}});
                }
                i = close + 1;
                continue;
            }
        }
        newLine();
        if (line.startsWith(u'>')) {
            QStringView quoted = line.sliced(1);
            if (quoted.startsWith(u' '))
                quoted = quoted.sliced(1);
            const int start = int(out.text.size());
            const qsizetype spansBefore = out.spans.size();
            LineParser(quoted, out, 0).parse();
            // The whole line is a quote; its inner styles keep their own ranges as well.
            for (qsizetype s = spansBefore; s < out.spans.size(); ++s)
                out.spans[s].styles |= MarkupSpan::Quote;
            const int length = int(out.text.size()) - start;
            out.spans.insert(spansBefore, {start, qMax(length, 0), MarkupSpan::Quote, {}});
        } else {
            LineParser(line, out, 0).parse();
        }
        ++i;
    }
    return out;
}

} // namespace conversa::core
