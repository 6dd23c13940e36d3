// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMetaType>
#include <QtGlobal>

namespace conversa::core {

// What the server accepts, from its `login`/`auth` answer. Clients read these instead of
// hard-coding them; until a server has answered, the defaults are protocol v1's.
struct ServerLimits {
    qint64 maxBodyBytes = 16 * 1024;
    qint64 maxFileBytes = 25 * 1024 * 1024;
    int maxFilesPerMessage = 10;
    // Sends per second the server lets one user make (0: not told; pace by `rate_limited`).
    double messagesPerSecond = 0;
    int messageBurst = 0;

    bool operator==(const ServerLimits &) const = default;
};

} // namespace conversa::core

Q_DECLARE_METATYPE(conversa::core::ServerLimits)
