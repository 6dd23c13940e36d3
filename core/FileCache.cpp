// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "FileCache.h"

#include "FileTransfer.h"

#include <Validation.h>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace conversa::core {

FileCache::FileCache(const QString &directory, QObject *parent)
    : QObject(parent)
    , m_directory(QDir(directory).absolutePath())
{
    QDir().mkpath(m_directory);
    QDir(QDir(m_directory).filePath(u"opened"_s)).removeRecursively();
    QDirIterator it(m_directory, QDir::Files | QDir::Hidden);
    while (it.hasNext()) {
        const QFileInfo info = it.nextFileInfo();
        if (!protocol::isValidFileId(info.fileName())) {
            // An interrupted download (<id>.part) or something that is not ours to keep.
            if (info.fileName().endsWith(".part"_L1))
                QFile::remove(info.absoluteFilePath());
            continue;
        }
        m_entries.insert(info.fileName(), Entry{info.size(), info.lastModified()});
        m_usedBytes += info.size();
    }
    evict({});
}

FileCache::~FileCache()
{
    // The transfers are our children: deleting them aborts the downloads and removes the parts.
    m_active.clear();
}

void FileCache::setMaxBytes(qint64 bytes)
{
    m_maxBytes = qMax<qint64>(0, bytes);
    evict({});
}

QString FileCache::pathOf(const QString &fileId) const
{
    return QDir(m_directory).filePath(fileId);
}

QString FileCache::cachedPath(const QString &fileId)
{
    const auto it = m_entries.find(fileId);
    if (it == m_entries.end())
        return {};
    const QString path = pathOf(fileId);
    QFile file(path);
    if (!file.exists()) { // removed behind our back
        m_usedBytes -= it->size;
        m_entries.erase(it);
        return {};
    }
    it->used = QDateTime::currentDateTimeUtc();
    // Remembered on disk, so the order of use survives a restart.
    if (file.open(QIODevice::ReadWrite))
        file.setFileTime(it->used, QFileDevice::FileModificationTime);
    return path;
}

bool FileCache::isFetching(const QString &fileId) const
{
    return m_active.contains(fileId) ||
           std::any_of(m_waiting.cbegin(), m_waiting.cend(),
                       [&fileId](const Waiting &w) { return w.fileId == fileId; });
}

QString FileCache::safeFileName(const QString &name)
{
    QString safe;
    safe.reserve(name.size());
    for (const QChar c : name) {
        if (c == u'/' || c == u'\\' || c == u':' || c.category() == QChar::Other_Control ||
            c.category() == QChar::Other_Format)
            safe.append(u'_');
        else
            safe.append(c);
    }
    while (safe.startsWith(u'.') || safe.startsWith(u' '))
        safe.remove(0, 1);
    safe = safe.trimmed().left(200);
    return safe.isEmpty() ? u"file"_s : safe;
}

QString FileCache::namedCopy(const QString &fileId, const QString &name, QString *error)
{
    const QString source = cachedPath(fileId);
    if (source.isEmpty()) {
        if (error)
            *error = tr("The file is not downloaded.");
        return {};
    }
    const QString folder = QDir(m_directory).filePath(u"opened/"_s + fileId);
    const QString target = QDir(folder).filePath(safeFileName(name));
    if (QFileInfo(target).size() == QFileInfo(source).size())
        return target; // opened before in this run
    QDir().mkpath(folder);
    QFile::remove(target);
    QFile file(source);
    if (!file.copy(target)) {
        if (error)
            *error = file.errorString();
        return {};
    }
    return target;
}

void FileCache::fetch(const QString &fileId, qint64 expectedSize)
{
    if (!protocol::isValidFileId(fileId)) {
        failLater(fileId, tr("This is not a file of Conversa."));
        return;
    }
    if (const QString path = cachedPath(fileId); !path.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, fileId, path] { emit ready(fileId, path); }, Qt::QueuedConnection);
        return;
    }
    if (m_active.contains(fileId))
        return;
    // Asked again while waiting: it moves to the front of the line.
    m_waiting.removeIf([&fileId](const Waiting &w) { return w.fileId == fileId; });
    m_waiting.append(Waiting{fileId, expectedSize});
    if (m_waiting.size() > kMaxWaiting) {
        failLater(m_waiting.takeFirst().fileId,
                  tr("Too many files are waiting to download; try again."));
    }
    startNext();
}

void FileCache::startNext()
{
    while (m_active.size() < m_maxConcurrent && !m_waiting.isEmpty())
        start(m_waiting.takeLast());
}

void FileCache::start(const Waiting &request)
{
    const QString fileId = request.fileId;
    if (request.expectedSize > m_maxBytes) {
        failLater(
            fileId,
            tr("This file is larger than the whole download cache (%1 MB).").arg(m_maxBytes >> 20));
        return;
    }
    const Connection connection = m_connection ? m_connection() : Connection{};
    if (connection.token.isEmpty() || !connection.options.url.isValid()) {
        failLater(fileId, tr("Not signed in: the file cannot be downloaded."));
        return;
    }
    auto *transfer = new FileTransfer(connection.options, connection.token, this);
    m_active.insert(fileId, transfer);
    ++m_downloadsStarted;
    const qint64 bound = request.expectedSize >= 0 ? request.expectedSize : m_maxBytes;
    connect(transfer, &FileTransfer::progress, this,
            [this, fileId, transfer, bound](qint64 received, qint64 total) {
                if (received > bound || total > bound) {
                    drop(fileId, transfer, tr("The server sent more than the file's size."));
                    return;
                }
                emit progress(fileId, received, total);
            });
    connect(transfer, &FileTransfer::finished, this,
            [this, fileId, transfer] { finish(fileId, transfer); });
    connect(transfer, &FileTransfer::failed, this, [this, fileId, transfer](const QString &reason) {
        if (m_active.value(fileId) == transfer)
            drop(fileId, transfer, reason);
    });
    transfer->download(fileId, pathOf(fileId));
}

void FileCache::finish(const QString &fileId, FileTransfer *transfer)
{
    if (m_active.value(fileId) != transfer)
        return;
    m_active.remove(fileId);
    transfer->deleteLater();
    const QString path = pathOf(fileId);
    const qint64 size = QFileInfo(path).size();
    if (const auto old = m_entries.constFind(fileId); old != m_entries.cend())
        m_usedBytes -= old->size;
    m_entries.insert(fileId, Entry{size, QDateTime::currentDateTimeUtc()});
    m_usedBytes += size;
    evict(fileId);
    emit ready(fileId, path);
    startNext();
}

void FileCache::failLater(const QString &fileId, const QString &reason)
{
    QMetaObject::invokeMethod(
        this, [this, fileId, reason] { emit failed(fileId, reason); }, Qt::QueuedConnection);
}

void FileCache::drop(const QString &fileId, FileTransfer *transfer, const QString &reason)
{
    m_active.remove(fileId);
    transfer->deleteLater(); // aborts, and removes what came
    emit failed(fileId, reason);
    startNext();
}

void FileCache::evict(const QString &keep)
{
    if (m_usedBytes <= m_maxBytes)
        return;
    QList<std::pair<QDateTime, QString>> byUse;
    byUse.reserve(m_entries.size());
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it)
        byUse.append({it->used, it.key()});
    std::sort(byUse.begin(), byUse.end());
    for (const auto &[used, fileId] : std::as_const(byUse)) {
        if (m_usedBytes <= m_maxBytes)
            break;
        if (fileId == keep)
            continue;
        QFile::remove(pathOf(fileId));
        m_usedBytes -= m_entries.take(fileId).size;
    }
}

} // namespace conversa::core
