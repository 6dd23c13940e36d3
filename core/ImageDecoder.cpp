// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ImageDecoder.h"

#include <QFileInfo>
#include <QImageReader>
#include <QThreadPool>

namespace conversa::core {

QSize ImageDecoder::fitted(const QSize &declared, const QSize &bounds)
{
    if (declared.isEmpty())
        return {};
    if (bounds.isEmpty() ||
        (declared.width() <= bounds.width() && declared.height() <= bounds.height()))
        return declared;
    const QSize scaled = declared.scaled(bounds, Qt::KeepAspectRatio);
    return {qMax(1, scaled.width()), qMax(1, scaled.height())};
}

DecodedImage ImageDecoder::decode(const QString &path, const QSize &bounds,
                                  const ImageLimits &limits)
{
    DecodedImage result;
    const QFileInfo info(path);
    if (!info.isFile()) {
        result.error = tr("The image file is missing.");
        return result;
    }
    if (info.size() > limits.maxFileBytes) {
        result.error = tr("The image is too large to show (%1 MB; at most %2 MB).")
                           .arg(info.size() / 1'000'000)
                           .arg(limits.maxFileBytes / 1'000'000);
        return result;
    }
    QImageReader reader(path);
    reader.setAllocationLimit(limits.allocationLimitMiB);
    reader.setAutoTransform(true);
    // The header alone: nothing is decoded yet.
    const QSize declared = reader.size();
    result.fullSize = declared;
    if (!declared.isValid() || declared.isEmpty()) {
        result.error = reader.canRead() ? tr("The image does not say its size.")
                                        : tr("This is not an image Conversa can show.");
        return result;
    }
    if (declared.width() > limits.maxSide || declared.height() > limits.maxSide ||
        qint64(declared.width()) * declared.height() > limits.maxPixels) {
        result.error = tr("The image is too large to show (%1 × %2 pixels).")
                           .arg(declared.width())
                           .arg(declared.height());
        return result;
    }
    const QSize target = fitted(declared, bounds);
    if (target != declared)
        reader.setScaledSize(target);
    if (!reader.read(&result.image)) {
        result.image = {};
        result.error = tr("The image cannot be read: %1").arg(reader.errorString());
    }
    return result;
}

QThreadPool *ImageDecoder::pool()
{
    static QThreadPool *const pool = [] {
        auto *p = new QThreadPool(QCoreApplication::instance());
        p->setMaxThreadCount(2);
        p->setObjectName(QStringLiteral("conversa-image-decoder"));
        return p;
    }();
    return pool;
}

void ImageDecoder::decodeLater(QObject *context, const QString &path, const QSize &bounds,
                               const ImageLimits &limits, std::function<void(DecodedImage)> done)
{
    QPointer<QObject> guard(context);
    pool()->start([guard, path, bounds, limits, done = std::move(done)]() mutable {
        DecodedImage decoded = decode(path, bounds, limits);
        // The application outlives every context: the answer goes through it, and `guard` is
        // read on the GUI thread only.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard, decoded = std::move(decoded), done = std::move(done)]() mutable {
                if (guard)
                    done(std::move(decoded));
            },
            Qt::QueuedConnection);
    });
}

} // namespace conversa::core
