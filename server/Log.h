// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace conversa::server {
// One line per event on stderr: "2026-11-25T01:02:03.456Z info event=... key=value".
void installLogHandler();
} // namespace conversa::server
