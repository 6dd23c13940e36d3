// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

namespace conversa::server {

// `user ...`, `room ...`, `token ...`, `backup FILE` and `check`: admin work straight on the data
// folder, safe while a server runs on it; `restore FILE` replaces the database and refuses while
// a server runs on the folder. `args` start at the subcommand ("user", "add", "alice", "--data",
// ...). Returns the process exit code: 0 done, 1 failed, 2 usage error.
int runAdminCommand(const QStringList &args);

// A lock on `<data>/serve.lock`: `serve` holds it shared for as long as it runs (several servers
// may share a folder), `restore` exclusive, so a restore never replaces the database under a
// running server. An flock(2): the kernel drops it when the process ends, even on SIGKILL.
class DataFolderLock
{
public:
    enum class Mode { Shared, Exclusive };
    DataFolderLock() = default;
    ~DataFolderLock();
    DataFolderLock(const DataFolderLock &) = delete;
    DataFolderLock &operator=(const DataFolderLock &) = delete;

    // Takes the lock without waiting; returns an error in words, or an empty string.
    QString acquire(const QString &dataDir, Mode mode);

private:
    int m_fd = -1;
};

} // namespace conversa::server
