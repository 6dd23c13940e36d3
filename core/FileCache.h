// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Transport.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace conversa::core {

class FileTransfer;

// The files of messages, downloaded once and kept on disk in the account's folder
// (<account>/files/<id>): what thumbnails are decoded from, Open opens and Save as copies.
//
// Bounded: the files together take at most maxBytes() (500 MiB by default); after each download
// the least recently used ones are removed until the rest fits (use survives a restart: it is
// the file's modification time). At most maxConcurrent() downloads run at once, the rest wait
// (newest request first: what the reader scrolled to last is on screen); a file already on its
// way is never fetched a second time. Downloads go through FileTransfer with the session's
// proxy, CAs and device token.
class FileCache : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kDefaultMaxBytes = 500LL << 20;
    static constexpr int kDefaultMaxConcurrent = 3;
    // Requests waiting beyond this many: the oldest is dropped (failed, "try again").
    static constexpr int kMaxWaiting = 256;

    struct Connection {
        TransportOptions options; // the server's URL, proxy and CAs
        QString token;            // the device token
    };
    using ConnectionSource = std::function<Connection()>;

    // `directory` is created when missing; leftovers of interrupted downloads are removed.
    explicit FileCache(const QString &directory, QObject *parent = nullptr);
    ~FileCache() override;

    // Asked at the start of each download (the token may change between sign-ins).
    void setConnectionSource(ConnectionSource source) { m_connection = std::move(source); }
    void setMaxBytes(qint64 bytes);
    qint64 maxBytes() const { return m_maxBytes; }
    void setMaxConcurrent(int downloads) { m_maxConcurrent = qMax(1, downloads); }
    int maxConcurrent() const { return m_maxConcurrent; }
    QString directory() const { return m_directory; }

    // The cached copy of `fileId` (and it counts as used now), or empty.
    QString cachedPath(const QString &fileId);
    // Starts downloading `fileId` unless it is cached or on its way; `ready` or `failed`
    // follows from the event loop (at once for a cached file). `expectedSize` (the message's
    // `size`, -1 when not known) is enforced: the server may not send more.
    void fetch(const QString &fileId, qint64 expectedSize = -1);
    bool isFetching(const QString &fileId) const;
    // A copy of the cached `fileId` under its own `name` (made safe for a file system), for a
    // desktop application to open: <directory>/opened/<id>/<name>. These copies are removed at
    // the next start. Empty, with the reason in words, when it is not cached or cannot be copied.
    QString namedCopy(const QString &fileId, const QString &name, QString *error = nullptr);
    // `name` as a file name: no folders, control characters or leading dots; "file" if nothing
    // is left.
    static QString safeFileName(const QString &name);
    // Bytes the cached files take.
    qint64 usedBytes() const { return m_usedBytes; }
    int cachedFiles() const { return int(m_entries.size()); }
    int activeDownloads() const { return int(m_active.size()); }
    // Downloads started since construction (each is one GET): for tests and diagnostics.
    int downloadsStarted() const { return m_downloadsStarted; }

signals:
    void ready(const QString &fileId, const QString &path);
    void failed(const QString &fileId, const QString &reason);
    void progress(const QString &fileId, qint64 received, qint64 total);

private:
    struct Entry {
        qint64 size = 0;
        QDateTime used;
    };
    struct Waiting {
        QString fileId;
        qint64 expectedSize = -1;
    };
    QString pathOf(const QString &fileId) const;
    void startNext();
    void start(const Waiting &request);
    void finish(const QString &fileId, FileTransfer *transfer);
    // `failed` from the event loop, as fetch() promises, never from inside it.
    void failLater(const QString &fileId, const QString &reason);
    // Ends the download of `fileId` by `transfer` (removing what came) with `failed`, and starts
    // the next one waiting.
    void drop(const QString &fileId, FileTransfer *transfer, const QString &reason);
    // Removes the least recently used files until the rest fits (never `keep`).
    void evict(const QString &keep);

    QString m_directory;
    ConnectionSource m_connection;
    qint64 m_maxBytes = kDefaultMaxBytes;
    int m_maxConcurrent = kDefaultMaxConcurrent;
    QHash<QString, Entry> m_entries;
    qint64 m_usedBytes = 0;
    QList<Waiting> m_waiting; // oldest first
    QHash<QString, FileTransfer *> m_active;
    int m_downloadsStarted = 0;
};

} // namespace conversa::core
