// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/Store.h"

#include <QHash>
#include <QSqlError>

namespace conversa::server {

using namespace Qt::StringLiterals;

void Store::prepareFiles()
{
    m_readableFile = prepared(
        u"SELECT f.uploader_id, f.sha256, f.name, f.type, f.size, f.width, f.height FROM files f "
        "WHERE f.id = ? AND (f.uploader_id = ? OR EXISTS (SELECT 1 FROM message_files mf JOIN "
        "members m ON m.room_id = mf.room_id WHERE mf.file_id = f.id AND m.user_id = ?))"_s);
    m_storedFileBytes =
        prepared(u"SELECT COALESCE(SUM(size), 0) FROM files WHERE uploader_id = ?"_s);
    if (m_database.isPostgres())
        m_fileChunk = prepared(u"SELECT data FROM file_chunks WHERE file_id = ? AND n = ?"_s);
    m_filesBetween = prepared(
        u"SELECT mf.seq, f.id, f.name, f.type, f.size, f.width, f.height FROM message_files mf "
        "JOIN files f ON f.id = mf.file_id WHERE mf.room_id = ? AND mf.seq >= ? AND mf.seq <= ? "
        "ORDER BY mf.seq, mf.position"_s);
}

std::optional<FileRecord> Store::readableFile(const QString &id, qint64 userId, QString *error)
{
    if (!ready(error))
        return std::nullopt;
    m_readableFile.bindValue(0, id);
    m_readableFile.bindValue(1, userId);
    m_readableFile.bindValue(2, userId);
    if (!m_readableFile.exec()) {
        readFailed(m_readableFile, error);
        return std::nullopt;
    }
    std::optional<FileRecord> file;
    if (m_readableFile.next()) {
        const QSqlQuery &q = m_readableFile;
        file = FileRecord{q.value(0).toLongLong(), q.value(1).toString(),
                          protocol::FileRef{id, q.value(2).toString(), q.value(3).toString(),
                                            q.value(4).toLongLong(), q.value(5).toInt(),
                                            q.value(6).toInt()}};
    }
    if (!endedCleanly(m_readableFile, error))
        return std::nullopt;
    return file;
}

qint64 Store::storedFileBytes(qint64 userId, QString *error)
{
    if (!ready(error))
        return -1;
    m_storedFileBytes.bindValue(0, userId);
    if (!m_storedFileBytes.exec()) {
        readFailed(m_storedFileBytes, error);
        return -1;
    }
    const qint64 bytes = m_storedFileBytes.next() ? m_storedFileBytes.value(0).toLongLong() : 0;
    if (!endedCleanly(m_storedFileBytes, error))
        return -1;
    return bytes;
}

QByteArray Store::fileChunk(const QString &id, int n, QString *error)
{
    if (!ready(error))
        return {};
    m_fileChunk.bindValue(0, id);
    m_fileChunk.bindValue(1, n);
    if (!m_fileChunk.exec()) {
        readFailed(m_fileChunk, error);
        return {};
    }
    QByteArray chunk = m_fileChunk.next() ? m_fileChunk.value(0).toByteArray() : QByteArray();
    if (!endedCleanly(m_fileChunk, error))
        return {};
    return chunk;
}

void Store::attachFiles(qint64 roomId, QList<protocol::MessageEvent> &messages, QString *error)
{
    if (messages.isEmpty())
        return;
    qint64 low = messages.first().seq, high = low;
    QHash<qint64, protocol::MessageEvent *> bySeq;
    for (protocol::MessageEvent &m : messages) {
        low = qMin(low, m.seq);
        high = qMax(high, m.seq);
        if (m.kind.isEmpty() && !m.deleted)
            bySeq.insert(m.seq, &m);
    }
    if (bySeq.isEmpty())
        return;
    m_filesBetween.bindValue(0, roomId);
    m_filesBetween.bindValue(1, low);
    m_filesBetween.bindValue(2, high);
    if (!m_filesBetween.exec()) {
        readFailed(m_filesBetween, error);
        messages.clear();
        return;
    }
    while (m_filesBetween.next()) {
        const QSqlQuery &q = m_filesBetween;
        if (protocol::MessageEvent *message = bySeq.value(q.value(0).toLongLong()))
            message->files.append({q.value(1).toString(), q.value(2).toString(),
                                   q.value(3).toString(), q.value(4).toLongLong(),
                                   q.value(5).toInt(), q.value(6).toInt()});
    }
    if (!endedCleanly(m_filesBetween, error))
        messages.clear();
}

} // namespace conversa::server
