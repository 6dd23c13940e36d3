// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLoggingCategory>
#include <QString>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace conversa::server {
// One line per event on stderr: "2026-11-25T01:02:03.456Z info event=... key=value".
void installLogHandler();

// A value for a `key=value` log field that came from outside (a user name, an Origin header):
// quoted when it holds a space, '=' or '"', with control characters, quotes and backslashes
// escaped, so it can neither end the line nor forge another field. Long values are cut.
QString logValue(QStringView value, qsizetype maxLength = 200);

// Text for an admin's terminal (device names, room titles): control characters become visible
// escapes (\x1b, \n), so they cannot move the cursor, retitle the window or fake output lines.
QString terminalSafe(QStringView text);
} // namespace conversa::server
