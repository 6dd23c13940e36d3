// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>
#include <QFont>
#include <QList>
#include <QModelIndex>
#include <QPalette>
#include <QRect>
#include <QStringList>

class QPainter;

namespace conversa::ui {

// What a message row shows around its text: the quoted start of the message it replies to
// (above), and below it the reaction chips and the "(edited)" marker. Geometry and painting
// for MessageDelegate, which places them.
class MessageDecorations
{
    Q_DECLARE_TR_FUNCTIONS(conversa::ui::MessageDecorations)
public:
    struct Chip {
        QRect rect;
        QString emoji;
        int count = 0;
        bool mine = false;
        QStringList users;
    };
    struct Footer {
        QList<Chip> chips;
        QRect edited; // empty when not edited
        int height = 0;
    };

    // The reply's quote line, one line high (0 for a message that replies to nothing).
    static int replyQuoteHeight(const QFont &font, const QModelIndex &index);
    // "alice: the start of it", or what can be said when that is not known.
    static QString replyQuoteText(const QModelIndex &index);
    static void paintReplyQuote(QPainter *painter, const QRect &rect, const QModelIndex &index,
                                const QPalette &palette, const QFont &font);

    // Chips from `origin`, wrapping within `width`, then the edited marker.
    static Footer layoutFooter(const QFont &font, const QModelIndex &index, const QPoint &origin,
                               int width);
    static void paintFooter(QPainter *painter, const Footer &footer, const QPalette &palette,
                            const QFont &font);
    // How far a message's files are uploaded (0..1): a thin bar in `rect`.
    static void paintUploadProgress(QPainter *painter, const QRect &rect, double fraction,
                                    const QPalette &palette);
    // `base` scaled by `scale`, drawing emoji from a colour emoji font where there is one: the
    // text font's fallback may otherwise draw them as its own small black-and-white glyphs.
    static QFont emojiFont(const QFont &base, qreal scale = 1.0);
    // Who reacted, for a chip's tooltip: "alice, bob reacted with 👍".
    static QString reactedText(const Chip &chip);
    static QString editedLabel() { return tr("(edited)"); }
    static QString deletedLabel() { return tr("message deleted"); }
};

} // namespace conversa::ui
