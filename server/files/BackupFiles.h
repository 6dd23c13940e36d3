// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSqlDatabase>
#include <QString>

namespace conversa::server::files {

// A backup stays one file: the bytes of every upload its rows name go into it (table
// backup_blobs, one row per SHA-256), and a restore puts them back under <data>/files.

// Adds the bytes under `dataDir` to the backup database `backup` (just written by VACUUM INTO).
// Bytes the server removed meanwhile (a message deleted during the backup) take their file rows
// with them. Returns an error in words, or an empty string; `*count` gets the files copied.
QString addFilesToBackup(QSqlDatabase &backup, const QString &dataDir, int *count);

// Writes the bytes kept in `restored` (a copy of a backup) to `dataDir`'s files folder, checking
// each one's SHA-256, and drops the table. Returns an error in words, or an empty string.
QString restoreFilesFromBackup(QSqlDatabase &restored, const QString &dataDir, int *count);

} // namespace conversa::server::files
