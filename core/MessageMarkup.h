// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

namespace conversa::core {

// The small Markdown subset messages may use: **bold**, *italic*, `inline code`, ``` code
// blocks ```, [label](url) links and "> " quotes. The message's plain text stays the source of
// truth; this only says how to show it. Nothing is ever HTML: the result is text plus style
// ranges, and a link target is kept only when it is http(s) or mailto (anything else, e.g.
// javascript:, stays visible as the text it was). Markers never span lines (except code
// fences), and parsing is linear in the length of the text, whatever it contains.
struct MarkupSpan {
    enum Style : quint8 {
        Bold = 0x01,
        Italic = 0x02,
        Code = 0x04,      // inline code
        CodeBlock = 0x08, // the lines between ``` fences
        Quote = 0x10,     // a line that began with ">"
        Link = 0x20,
    };
    int start = 0; // in MarkedUpText::text
    int length = 0;
    quint8 styles = 0;
    QString target; // Link only: an http(s) or mailto URL
};

struct MarkedUpText {
    QString text; // what is shown: the source without its markers
    QList<MarkupSpan> spans;
};

MarkedUpText parseMarkup(const QString &source);

// Whether `text` mentions `user`: protocol::mentionsUser, the rule the server counts by.
bool mentionsUser(QStringView text, const QString &user);

// Whether `url` may become a link target (http, https, mailto; well-formed).
bool isSafeLinkTarget(const QString &url);

} // namespace conversa::core
