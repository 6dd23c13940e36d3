// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "FileSize.h"

#include <Frames.h>

#include <QList>
#include <QMetaType>
#include <QString>

namespace conversa::core {

struct ServerLimits;

// One file a message in the outbox carries. The outbox keeps its own copy (`path`), so the person
// may move or delete the file they chose while the message waits to go out.
struct OutboxFile {
    QString path;   // the outbox's copy (empty until the message is saved)
    QString source; // the file the person chose; only while the message is being saved
    QString name;   // as the receivers see it
    QString type;   // media type, by content
    qint64 size = 0;
    int width = 0; // images only (read from the header by whoever attached it)
    int height = 0;
    QString fileId; // the server's id once uploaded (empty before)

    // The file on the disk right now: the copy once there is one, else the original.
    QString localPath() const { return path.isEmpty() ? source : path; }
    bool uploaded() const { return !fileId.isEmpty(); }
    // As a message names it (the id is empty until uploaded).
    protocol::FileRef ref() const { return {fileId, name, type, size, width, height}; }
    bool operator==(const OutboxFile &) const = default;
};

// The media type a file is sent as: by its content for images (the server refuses a file sent as
// an image type its bytes are not), else by its name; application/octet-stream if unknown.
QString mediaTypeOf(const QString &path);

// Bounds on what may be attached; docs/security.md lists them.
struct AttachmentLimits {
    // Everything the outbox holds in copies at once, all rooms.
    static constexpr qint64 kMaxOutboxBytes = qint64(1) << 30;

    // A file the person chose, described for the outbox: name, size, media type by content.
    // Empty `name` (and `error` in words) when it cannot be read.
    static OutboxFile describe(const QString &path, QString *error);
    // Why `file` cannot join `attached` (files already chosen for the same message) under the
    // server's `limits`, with `outboxBytes` already held by the outbox; empty when it can.
    static QString problem(const OutboxFile &file, const QList<OutboxFile> &attached,
                           const ServerLimits &limits, qint64 outboxBytes);
    // formatFileSize(), for callers that know sizes from here.
    static QString formatSize(qint64 bytes) { return formatFileSize(bytes); }
};

} // namespace conversa::core

Q_DECLARE_METATYPE(conversa::core::OutboxFile)
