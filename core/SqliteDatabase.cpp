// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SqliteDatabase.h"

namespace conversa::core {

bool SqliteDatabase::open(const QString &path, const QStringList &statements,
                          Synchronous synchronous)
{
    if (!sqlite::Connection::open(path, synchronous))
        return false;
    for (const QString &statement : statements) {
        if (!exec(statement)) {
            close();
            return false;
        }
    }
    return true;
}

} // namespace conversa::core
