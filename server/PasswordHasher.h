// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

namespace conversa::server {

// Argon2id through libsodium. Hashing is deliberately slow (~50-100 ms, 64 MiB), so callers on
// the serving thread run it on a thread pool.
namespace PasswordHasher {
bool initialize();
QByteArray hash(const QString &password);
bool verify(const QByteArray &storedHash, const QString &password);
// A valid hash of a random password, verified against when a user does not exist so that the
// answer takes as long as for a real account.
const QByteArray &decoyHash();
} // namespace PasswordHasher

// 256-bit random secrets handed to devices; only their SHA-256 is stored.
namespace TokenSecrets {
QString generate();
QByteArray hashOf(const QString &token);
} // namespace TokenSecrets

} // namespace conversa::server
