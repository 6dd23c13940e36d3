// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageFiles.h"

#include "Theme.h"

#include <FileSize.h>
#include <MessageModel.h>
#include <ThumbnailCache.h>

#include <QFileInfo>
#include <QFontMetrics>
#include <QIcon>
#include <QLocale>
#include <QMimeDatabase>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

using conversa::core::MessageModel;
using conversa::core::ThumbnailCache;
using namespace Qt::StringLiterals;

namespace conversa::ui {

namespace {
constexpr int kGap = 6;          // between the text and the files, and between two files
constexpr int kRadius = 6;       // corners of thumbnails and cards
constexpr int kIconSize = 32;    // a card's type icon
constexpr int kCardPadding = 10; // inside a card

QFont smallFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.9);
    return small;
}

QString fileName(const QVariantMap &file)
{
    const QString name = file.value(u"name"_s).toString();
    return name.isEmpty() ? MessageFiles::tr("file") : name;
}

// A drawn icon when the desktop's theme has none for the type: a page with a folded corner and
// the file's extension on a band coloured by the kind of file.
void paintFallbackIcon(QPainter *painter, const QRect &rect, const QVariantMap &file,
                       const QPalette &palette)
{
    const QString type = file.value(u"type"_s).toString();
    QColor band(0x6b, 0x72, 0x80); // anything else
    if (type == "application/pdf"_L1)
        band = QColor(0xd9, 0x3f, 0x3f);
    else if (type.startsWith("image/"_L1))
        band = QColor(0x2f, 0x9e, 0x6a);
    else if (type.startsWith("audio/"_L1))
        band = QColor(0x8b, 0x5c, 0xd6);
    else if (type.startsWith("video/"_L1))
        band = QColor(0xe0, 0x7b, 0x28);
    else if (type.startsWith("text/"_L1))
        band = QColor(0x3b, 0x82, 0xd6);
    else if (type.contains("zip"_L1) || type.contains("compressed"_L1) || type.contains("tar"_L1))
        band = QColor(0x9a, 0x6b, 0x3f);

    const QRectF page = QRectF(rect).adjusted(rect.width() * 0.15, 0, -rect.width() * 0.15, 0);
    const qreal fold = page.width() * 0.3;
    QPainterPath outline;
    outline.moveTo(page.topLeft());
    outline.lineTo(page.right() - fold, page.top());
    outline.lineTo(page.right(), page.top() + fold);
    outline.lineTo(page.bottomRight());
    outline.lineTo(page.bottomLeft());
    outline.closeSubpath();
    painter->setPen(QPen(palette.color(QPalette::Mid), 1));
    painter->setBrush(palette.color(QPalette::Base));
    painter->drawPath(outline);

    QString extension = QFileInfo(file.value(u"name"_s).toString()).suffix().toUpper().left(4);
    const QRectF label(rect.left(), page.top() + page.height() * 0.5, rect.width(),
                       page.height() * 0.32);
    painter->setPen(Qt::NoPen);
    painter->setBrush(band);
    painter->drawRoundedRect(label, 2, 2);
    if (!extension.isEmpty()) {
        QFont font = painter->font();
        font.setBold(true);
        font.setPixelSize(qMax(6, int(label.height() * 0.7)));
        painter->setFont(font);
        painter->setPen(Qt::white);
        painter->drawText(label, Qt::AlignCenter, extension);
    }
}

QIcon themeIcon(const QVariantMap &file)
{
    const QMimeType mime = QMimeDatabase().mimeTypeForName(file.value(u"type"_s).toString());
    if (!mime.isValid())
        return {};
    QIcon icon = QIcon::fromTheme(mime.iconName());
    if (icon.isNull())
        icon = QIcon::fromTheme(mime.genericIconName());
    return icon;
}
} // namespace

QVariantList MessageFiles::filesOf(const QModelIndex &index)
{
    if (index.data(MessageModel::DeletedRole).toBool())
        return {};
    return index.data(MessageModel::FilesRole).toList();
}

bool MessageFiles::isInlineImage(const QVariantMap &file)
{
    static const QStringList decoded{u"image/png"_s, u"image/jpeg"_s, u"image/gif"_s,
                                     u"image/webp"_s};
    return decoded.contains(file.value(u"type"_s).toString()) &&
           file.value(u"width"_s).toInt() > 0 && file.value(u"height"_s).toInt() > 0;
}

QSize MessageFiles::thumbnailBox(int width, int height, int columnWidth)
{
    const QSize bounds(qMax(1, qMin(kMaxThumbnailWidth, columnWidth)), kMaxThumbnailHeight);
    QSize box(qMax(1, width), qMax(1, height));
    if (box.width() > bounds.width() || box.height() > bounds.height())
        box = box.scaled(bounds, Qt::KeepAspectRatio);
    // A sliver of a panorama still gets a box one can see and click.
    return {qMax(24, box.width()), qMax(24, box.height())};
}

MessageFiles::Layout MessageFiles::layout(const QFont &font, const QModelIndex &index,
                                          const QPoint &origin, int width)
{
    Layout result;
    const QVariantList files = filesOf(index);
    if (files.isEmpty())
        return result;
    const QFontMetrics metrics(font);
    const QFontMetrics smallMetrics(smallFont(font));
    const int cardHeight =
        qMax(kIconSize, metrics.height() + smallMetrics.height() + 2) + 2 * kCardPadding;
    int y = origin.y() + kGap;
    for (const QVariant &entry : files) {
        Item item;
        item.file = entry.toMap();
        item.image = isInlineImage(item.file);
        if (item.image) {
            const QSize box = thumbnailBox(item.file.value(u"width"_s).toInt(),
                                           item.file.value(u"height"_s).toInt(), width);
            item.rect = QRect(QPoint(origin.x(), y), box);
        } else {
            item.rect = QRect(origin.x(), y, qMin(kCardWidth, width), cardHeight);
            // Open and Save as… on the second line, at the card's right.
            const int lineTop = item.rect.top() + kCardPadding + metrics.height() + 2;
            const int saveWidth = smallMetrics.horizontalAdvance(tr("Save as…")) + 8;
            const int openWidth = smallMetrics.horizontalAdvance(tr("Open")) + 8;
            item.save = QRect(item.rect.right() - kCardPadding - saveWidth, lineTop, saveWidth,
                              smallMetrics.height());
            item.open =
                QRect(item.save.left() - 4 - openWidth, lineTop, openWidth, smallMetrics.height());
        }
        y = item.rect.bottom() + 1 + kGap;
        result.items.append(item);
    }
    result.height = y - kGap - origin.y();
    return result;
}

void MessageFiles::paint(QPainter *painter, const Layout &layout, const QPalette &palette,
                         const QFont &font, ThumbnailCache *thumbnails)
{
    if (layout.items.isEmpty())
        return;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::SmoothPixmapTransform);
    const QFont small = smallFont(font);
    const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    for (const Item &item : layout.items) {
        QPainterPath shape;
        shape.addRoundedRect(QRectF(item.rect).adjusted(0.5, 0.5, -0.5, -0.5), kRadius, kRadius);
        if (item.image) {
            const QString fileId = item.file.value(u"file"_s).toString();
            const QString localPath = item.file.value(u"localPath"_s).toString();
            ThumbnailCache::Thumbnail thumbnail;
            if (thumbnails) {
                const QSize pixels(int(std::ceil(item.rect.width() * ratio)),
                                   int(std::ceil(item.rect.height() * ratio)));
                thumbnail = thumbnails->thumbnail(fileId, localPath, pixels);
            }
            if (thumbnail.state == ThumbnailCache::State::Ready) {
                // The decoded image fits the box (an EXIF turn may change its aspect): centred.
                QSizeF shown = QSizeF(thumbnail.image.size()) / ratio;
                shown.scale(QSizeF(item.rect.size()), Qt::KeepAspectRatio);
                QRectF target(QPointF(), shown);
                target.moveCenter(QRectF(item.rect).center());
                painter->setClipPath(shape);
                painter->fillRect(item.rect, palette.color(QPalette::AlternateBase));
                painter->drawImage(target, thumbnail.image);
                painter->setClipping(false);
                continue;
            }
            // The placeholder has the final size: the list does not move when the image comes.
            painter->setPen(QPen(palette.color(QPalette::Mid), 1));
            painter->setBrush(palette.color(QPalette::AlternateBase));
            painter->drawPath(shape);
            painter->setFont(small);
            painter->setPen(thumbnail.state == ThumbnailCache::State::Failed ? Theme::failureText()
                                                                             : Theme::mutedText());
            const QString text = thumbnail.state == ThumbnailCache::State::Failed
                                     ? imageUnavailableText(thumbnail.reason)
                                     : fileName(item.file);
            painter->drawText(item.rect.adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap,
                              text);
            continue;
        }
        // A card: icon, name, then size · Open · Save as….
        painter->setPen(QPen(palette.color(QPalette::Mid), 1));
        painter->setBrush(palette.color(QPalette::AlternateBase));
        painter->drawPath(shape);
        const QRect icon(item.rect.left() + kCardPadding,
                         item.rect.center().y() - kIconSize / 2 + 1, kIconSize, kIconSize);
        if (const QIcon themed = themeIcon(item.file); !themed.isNull())
            themed.paint(painter, icon);
        else
            paintFallbackIcon(painter, icon, item.file, palette);
        const int textLeft = icon.right() + 1 + kCardPadding;
        const int textWidth = item.rect.right() - kCardPadding - textLeft;
        const QFontMetrics metrics(font);
        QFont nameFont = font;
        nameFont.setBold(true);
        painter->setFont(nameFont);
        painter->setPen(palette.color(QPalette::Text));
        const QRect nameRect(textLeft, item.rect.top() + kCardPadding, textWidth, metrics.height());
        painter->drawText(
            nameRect, Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(nameFont).elidedText(fileName(item.file), Qt::ElideMiddle, textWidth));
        painter->setFont(small);
        painter->setPen(Theme::mutedText());
        const QRect sizeRect(textLeft, item.open.top(), item.open.left() - textLeft - 4,
                             item.open.height());
        painter->drawText(sizeRect, Qt::AlignLeft | Qt::AlignVCenter,
                          sizeText(item.file.value(u"size"_s).toLongLong()));
        // A file still being sent has no id: nothing to open yet.
        if (!item.file.value(u"file"_s).toString().isEmpty()) {
            QFont link = small;
            link.setBold(true);
            painter->setFont(link);
            painter->setPen(palette.color(QPalette::Link));
            painter->drawText(item.open, Qt::AlignCenter, tr("Open"));
            painter->drawText(item.save, Qt::AlignCenter, tr("Save as…"));
        }
    }
    painter->restore();
}

MessageFiles::Hit MessageFiles::hitTest(const Layout &layout, const QPoint &pos)
{
    for (const Item &item : layout.items) {
        if (!item.rect.contains(pos))
            continue;
        if (item.file.value(u"file"_s).toString().isEmpty())
            return {Part::None, item.file}; // still being sent
        if (item.image)
            return {Part::Image, item.file};
        if (item.open.contains(pos))
            return {Part::Open, item.file};
        if (item.save.contains(pos))
            return {Part::Save, item.file};
        return {Part::Card, item.file};
    }
    return {};
}

QString MessageFiles::sizeText(qint64 bytes)
{
    return core::formatFileSize(bytes);
}

QString MessageFiles::describe(const QVariantMap &file)
{
    return tr("%1, %2").arg(fileName(file), sizeText(file.value(u"size"_s).toLongLong()));
}

QString MessageFiles::imageUnavailableText(const QString &reason)
{
    return reason.isEmpty() ? tr("The image cannot be shown.") : reason;
}

} // namespace conversa::ui
