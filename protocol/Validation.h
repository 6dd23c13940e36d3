// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringView>

// Rules every frame's members obey; both server and client call these so they agree.
namespace conversa::protocol {

// [a-z0-9][a-z0-9_-]{0,63}
bool isValidRoomName(QStringView name);
// [a-z0-9][a-z0-9_.-]{0,31}
bool isValidUserName(QStringView name);
// A client message id: 1..64 printable ASCII characters (a UUID fits).
bool isValidCid(QStringView cid);
// No unpaired surrogates (they cannot be encoded as UTF-8) and no NUL characters.
bool isWellFormedText(QStringView text);
// Text that is not empty and not only white space.
bool hasVisibleText(QStringView text);

} // namespace conversa::protocol
