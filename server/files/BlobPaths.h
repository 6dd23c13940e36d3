// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDir>
#include <QString>

namespace conversa::server::files {

// With SQLite the bytes of uploads live under <data>/files, named by their SHA-256 (hex) in
// folders of its first two digits, so the same bytes uploaded twice are kept once. Uploads in
// progress are written to <data>/files/incoming first (same file system: the move is a rename).
inline QString blobPath(const QString &dataDir, const QString &sha256)
{
    return QDir(dataDir).filePath(QStringLiteral("files/%1/%2").arg(sha256.left(2), sha256));
}

inline QString incomingDir(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("files/incoming"));
}

} // namespace conversa::server::files
