// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImageDecoder.h"

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QPointer>
#include <QSet>

namespace conversa::core {

class FileCache;

// Thumbnails of the images in messages, for a view to paint: the image is downloaded into the
// FileCache (or read from `localPath`, a copy of a file still being sent), decoded on
// ImageDecoder's pool at the size it is shown, and kept in memory (at most kMaxBytes of pixels,
// least recently used out first). Each (image, size) is decoded once at a time; a failure is
// remembered (and said in words) until retry().
class ThumbnailCache : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxBytes = 64LL << 20;

    explicit ThumbnailCache(FileCache *files, QObject *parent = nullptr);

    enum class State { Loading, Ready, Failed };
    struct Thumbnail {
        State state = State::Loading;
        QImage image;   // Ready
        QString reason; // Failed
    };
    // The thumbnail of the image `fileId` (or, when `localPath` is set, of that local file)
    // fitting `bounds`. Starts fetching and decoding the first time; `changed` follows.
    Thumbnail thumbnail(const QString &fileId, const QString &localPath, const QSize &bounds);
    // Forgets a failure so the next thumbnail() tries again.
    void retry(const QString &fileId, const QString &localPath);
    void setLimits(const ImageLimits &limits) { m_limits = limits; }
    const ImageLimits &limits() const { return m_limits; }
    qint64 cachedBytes() const { return m_images.totalCost(); }
    int decodesStarted() const { return m_decodesStarted; }

signals:
    // A thumbnail of `fileId` (or `localPath`) is ready or failed: views repaint it.
    void changed(const QString &fileId, const QString &localPath);

private:
    static QString sourceKey(const QString &fileId, const QString &localPath);
    void decode(const QString &fileId, const QString &localPath, const QString &path,
                const QSize &bounds);

    QPointer<FileCache> m_files;
    ImageLimits m_limits;
    QCache<QString, QImage> m_images{kMaxBytes}; // cost: bytes
    QSet<QString> m_decoding;                    // key + size
    QHash<QString, QString> m_failures;          // source key -> reason
    // Images waiting for their download: file id -> the sizes asked for.
    QHash<QString, QSet<std::pair<int, int>>> m_waitingForFile;
    int m_decodesStarted = 0;
};

} // namespace conversa::core
