// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ServerProcess.h"

#include <QString>
#include <QStringList>

#include <memory>

// What the client suites share: the server they sign in to, and the private keychain of
// tests/core/run-with-keyring.sh.
namespace conversa::test {

inline const QString kAlicePassword = QStringLiteral("alice-password");
inline const QString kBobPassword = QStringLiteral("bob-password");

// A conversa-server with the users alice and bob and the room general ("General"), started with
// `extraArgs`; nullptr, with the reason logged, when it cannot be started.
std::unique_ptr<ServerProcess> startServerWithAliceAndBob(const QStringList &extraArgs = {});

// The suite runs inside run-with-keyring.sh's own D-Bus session and GNOME Keyring (ctest sets
// CONVERSA_TEST_PRIVATE_KEYRING=1), never the person's own keychain. Skip with
// kNeedsPrivateKeyring otherwise.
bool hasPrivateKeyring();
inline constexpr char kNeedsPrivateKeyring[] =
    "needs the private keyring of run-with-keyring.sh (CONVERSA_TEST_PRIVATE_KEYRING=1)";

// Every file under `folder` (hidden ones, SQLite's -wal and -shm included) whose bytes hold
// `secret`, as UTF-8 or UTF-16: a token must live only in the keychain.
QStringList filesHolding(const QString &folder, const QString &secret);

} // namespace conversa::test
