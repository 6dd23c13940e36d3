// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>
#include <QFont>
#include <QList>
#include <QModelIndex>
#include <QPalette>
#include <QRect>
#include <QVariantMap>

class QPainter;

namespace conversa::core {
class ThumbnailCache;
}

namespace conversa::ui {

// The files of a message, below its text: images inline as thumbnails, other files as cards
// (type icon, name, size, Open and Save as…). Everything is sized from the message's metadata
// (MessageModel::FilesRole: name, type, size, width, height), so a row has its final height
// before a byte of any file has arrived: an image is a placeholder box of its thumbnail's size
// until the thumbnail is decoded (a file still being sent is read from its local copy; how far
// its upload got is the delegate's status line). Geometry, painting and hit tests for
// MessageDelegate.
class MessageFiles
{
    Q_DECLARE_TR_FUNCTIONS(conversa::ui::MessageFiles)
public:
    // Thumbnails fit in this box, keeping their aspect (and never wider than the text column).
    static constexpr int kMaxThumbnailWidth = 360;
    static constexpr int kMaxThumbnailHeight = 280;
    static constexpr int kCardWidth = 320;

    enum class Part { None, Image, Card, Open, Save };
    struct Item {
        QVariantMap file; // as FilesRole holds it
        bool image = false;
        QRect rect;       // the thumbnail, or the card
        QRect open, save; // a card's actions
    };
    struct Layout {
        QList<Item> items;
        int height = 0;
    };
    struct Hit {
        Part part = Part::None;
        QVariantMap file;
    };

    // The message's files (none once deleted).
    static QVariantList filesOf(const QModelIndex &index);
    // Whether `file` shows as an inline image: a type Conversa decodes, with its size known.
    static bool isInlineImage(const QVariantMap &file);
    // The box of an image of `width`×`height` in a column `columnWidth` wide.
    static QSize thumbnailBox(int width, int height, int columnWidth);

    static Layout layout(const QFont &font, const QModelIndex &index, const QPoint &origin,
                         int width);
    static void paint(QPainter *painter, const Layout &layout, const QPalette &palette,
                      const QFont &font, core::ThumbnailCache *thumbnails);
    static Hit hitTest(const Layout &layout, const QPoint &pos);

    // "2.4 MB" in the reader's locale.
    static QString sizeText(qint64 bytes);
    // "report.pdf, 2.4 MB": tooltips and accessible text.
    static QString describe(const QVariantMap &file);
    // What the thumbnail of an image that could not be shown says instead.
    static QString imageUnavailableText(const QString &reason);
};

} // namespace conversa::ui
