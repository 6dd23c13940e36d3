// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>
#include <QImage>
#include <QObject>
#include <QPointer>
#include <QSize>
#include <QString>

#include <functional>

class QThreadPool;

namespace conversa::core {

// What an image file may be before a single pixel of it is decoded. A file is a stranger's:
// its header may claim any size, so the size it declares is checked first, and the decoder may
// never allocate more than `allocationLimitMiB` whatever the header said.
struct ImageLimits {
    int maxSide = 8192;               // width and height, in pixels
    qint64 maxPixels = 40'000'000;    // width × height
    qint64 maxFileBytes = 64LL << 20; // the file on disk
    int allocationLimitMiB = 256;     // QImageReader's own bound on one decoded frame
};

struct DecodedImage {
    QImage image;   // null when refused or unreadable
    QSize fullSize; // what the file declares (before scaling)
    QString error;  // why there is no image, in words
    bool ok() const { return !image.isNull(); }
};

// Decodes image files with limits, scaled while decoding (a JPEG decoder scales in its IDCT,
// so a thumbnail of a 12-megapixel photo never exists at full size). Thread-safe: decode() runs
// on any thread; decodeLater() runs it on a small pool of its own, off the GUI thread.
class ImageDecoder
{
    Q_DECLARE_TR_FUNCTIONS(conversa::core::ImageDecoder)
public:
    // The image at `path`, fitted into `bounds` keeping its aspect and never enlarged (an empty
    // `bounds`: full size). Only the first frame of an animation. Turned as its EXIF says.
    static DecodedImage decode(const QString &path, const QSize &bounds,
                               const ImageLimits &limits = {});
    // The size `declared` fitted into `bounds` (never enlarged; at least 1×1).
    static QSize fitted(const QSize &declared, const QSize &bounds);

    // decode() on the pool; `done` runs on the application's (GUI) thread afterwards, unless
    // `context` is gone by then.
    static void decodeLater(QObject *context, const QString &path, const QSize &bounds,
                            const ImageLimits &limits, std::function<void(DecodedImage)> done);
    // At most two images are decoded at once: a page of thumbnails never takes every core.
    static QThreadPool *pool();
};

} // namespace conversa::core
