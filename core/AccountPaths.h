// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace conversa::core {

// Where an account keeps its files: <base>/accounts/<user@host_port>/{cache,outbox}.sqlite.
// <base> is QStandardPaths::AppDataLocation unless a caller (conversa-cli --data) overrides it.
class AccountPaths
{
public:
    explicit AccountPaths(const QString &baseDirectory = {});

    QString baseDirectory() const { return m_base; }
    // A file-system-safe folder name for an account key such as "alice@chat.example.com:443".
    static QString folderName(const QString &accountKey);
    QString accountDirectory(const QString &accountKey) const;
    QString cachePath(const QString &accountKey) const;
    QString outboxPath(const QString &accountKey) const;
    // Downloaded files of messages (FileCache): <account>/files.
    QString filesDirectory(const QString &accountKey) const;

private:
    QString m_base;
};

} // namespace conversa::core
