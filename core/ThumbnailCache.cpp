// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ThumbnailCache.h"

#include "FileCache.h"

using namespace Qt::StringLiterals;

namespace conversa::core {

namespace {
QString sizedKey(const QString &source, const QSize &bounds)
{
    return source + u'\x1f' + QString::number(bounds.width()) + u'x' +
           QString::number(bounds.height());
}
} // namespace

ThumbnailCache::ThumbnailCache(FileCache *files, QObject *parent)
    : QObject(parent)
    , m_files(files)
{
    if (!files)
        return;
    connect(files, &FileCache::ready, this, [this](const QString &fileId, const QString &path) {
        const auto sizes = m_waitingForFile.take(fileId);
        for (const auto &[width, height] : sizes)
            decode(fileId, {}, path, QSize(width, height));
    });
    connect(files, &FileCache::failed, this, [this](const QString &fileId, const QString &why) {
        if (!m_waitingForFile.contains(fileId))
            return;
        const QString source = sourceKey(fileId, {});
        for (const auto &[width, height] : m_waitingForFile.take(fileId))
            m_decoding.remove(sizedKey(source, QSize(width, height)));
        m_failures.insert(source, why);
        emit changed(fileId, {});
    });
}

QString ThumbnailCache::sourceKey(const QString &fileId, const QString &localPath)
{
    return localPath.isEmpty() ? u"id:"_s + fileId : u"local:"_s + localPath;
}

ThumbnailCache::Thumbnail ThumbnailCache::thumbnail(const QString &fileId, const QString &localPath,
                                                    const QSize &bounds)
{
    const QString source = sourceKey(fileId, localPath);
    const QString key = sizedKey(source, bounds);
    if (const QImage *image = m_images.object(key))
        return {State::Ready, *image, {}};
    if (const auto failure = m_failures.constFind(source); failure != m_failures.cend())
        return {State::Failed, {}, *failure};
    if (m_decoding.contains(key))
        return {};
    if (!localPath.isEmpty()) {
        decode(fileId, localPath, localPath, bounds);
        return {};
    }
    if (!m_files) {
        m_failures.insert(source, tr("Images cannot be downloaded here."));
        return {State::Failed, {}, m_failures.value(source)};
    }
    if (const QString path = m_files->cachedPath(fileId); !path.isEmpty()) {
        decode(fileId, {}, path, bounds);
        return {};
    }
    auto &sizes = m_waitingForFile[fileId];
    const bool fetching = !sizes.isEmpty();
    sizes.insert({bounds.width(), bounds.height()});
    m_decoding.insert(key);
    if (!fetching)
        m_files->fetch(fileId);
    return {};
}

void ThumbnailCache::retry(const QString &fileId, const QString &localPath)
{
    m_failures.remove(sourceKey(fileId, localPath));
}

void ThumbnailCache::decode(const QString &fileId, const QString &localPath, const QString &path,
                            const QSize &bounds)
{
    const QString source = sourceKey(fileId, localPath);
    const QString key = sizedKey(source, bounds);
    m_decoding.insert(key);
    ++m_decodesStarted;
    ImageDecoder::decodeLater(this, path, bounds, m_limits,
                              [this, fileId, localPath, source, key](const DecodedImage &decoded) {
                                  m_decoding.remove(key);
                                  if (decoded.ok()) {
                                      const qint64 bytes = decoded.image.sizeInBytes();
                                      m_images.insert(key, new QImage(decoded.image),
                                                      qMax<qint64>(1, bytes));
                                  } else {
                                      m_failures.insert(source, decoded.error);
                                  }
                                  emit changed(fileId, localPath);
                              });
}

} // namespace conversa::core
