// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>

namespace conversa::server {

// `user ...`, `room ...`, `token ...` and `backup FILE`: admin work straight on the data folder,
// safe while a server runs on it. `args` start at the subcommand ("user", "add", "alice", "--data",
// ...). Returns the process exit code: 0 done, 1 failed, 2 usage error.
int runAdminCommand(const QStringList &args);

} // namespace conversa::server
