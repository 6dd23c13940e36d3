// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "OutboxFile.h"

#include "FileSize.h"
#include "ServerLimits.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QMimeDatabase>

using namespace Qt::StringLiterals;

namespace conversa::core {

// A PNG named photo.jpg is still a PNG. Other files keep the type their name says (a .docx is a
// zip by content, but a document to its reader).
QString mediaTypeOf(const QString &path)
{
    const QMimeDatabase db;
    const QMimeType byContent = db.mimeTypeForFile(path, QMimeDatabase::MatchContent);
    if (byContent.name().startsWith("image/"_L1))
        return byContent.name();
    const QMimeType byName = db.mimeTypeForFile(path, QMimeDatabase::MatchExtension);
    if (byName.isValid() && !byName.isDefault() && !byName.name().startsWith("image/"_L1))
        return byName.name();
    if (byContent.isValid() && !byContent.isDefault())
        return byContent.name();
    return u"application/octet-stream"_s;
}

OutboxFile AttachmentLimits::describe(const QString &path, QString *error)
{
    const QFileInfo info(path);
    OutboxFile file;
    if (!info.exists() || !info.isFile() || !info.isReadable()) {
        if (error)
            *error = info.isDir()
                         ? QCoreApplication::translate("conversa::core::AttachmentLimits",
                                                       "“%1” is a folder; only files can be sent.")
                               .arg(info.fileName())
                         : QCoreApplication::translate("conversa::core::AttachmentLimits",
                                                       "“%1” cannot be read.")
                               .arg(info.fileName());
        return file;
    }
    file.source = info.absoluteFilePath();
    file.name = info.fileName();
    file.size = info.size();
    file.type = mediaTypeOf(file.source);
    return file;
}

QString AttachmentLimits::problem(const OutboxFile &file, const QList<OutboxFile> &attached,
                                  const ServerLimits &limits, qint64 outboxBytes)
{
    const ServerLimits untold; // protocol v1's, for a server that has not said
    const int maxFiles =
        limits.maxFilesPerMessage > 0 ? limits.maxFilesPerMessage : untold.maxFilesPerMessage;
    if (attached.size() >= maxFiles)
        return QCoreApplication::translate("conversa::core::AttachmentLimits",
                                           "A message carries at most %n file(s).", nullptr,
                                           maxFiles);
    const qint64 maxBytes = limits.maxFileBytes > 0 ? limits.maxFileBytes : untold.maxFileBytes;
    if (file.size > maxBytes)
        return QCoreApplication::translate("conversa::core::AttachmentLimits",
                                           "“%1” is %2; the server takes files of up to %3.")
            .arg(file.name, formatFileSize(file.size), formatFileSize(maxBytes));
    if (file.size == 0)
        return QCoreApplication::translate("conversa::core::AttachmentLimits", "“%1” is empty.")
            .arg(file.name);
    qint64 total = outboxBytes + file.size;
    for (const OutboxFile &other : attached)
        total += other.size;
    if (total > kMaxOutboxBytes)
        return QCoreApplication::translate(
                   "conversa::core::AttachmentLimits",
                   "“%1” does not fit: files waiting to be sent may take up to %2 together.")
            .arg(file.name, formatFileSize(kMaxOutboxBytes));
    return {};
}

} // namespace conversa::core
