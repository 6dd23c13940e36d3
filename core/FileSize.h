// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace conversa::core {

// A file's size for a person, the same wherever a size shows (the composer's strip, a file card,
// what a screen reader says): SI units with one decimal in the default locale, "2.4 MB",
// "1.5 kB", "999 bytes".
QString formatFileSize(qint64 bytes);

} // namespace conversa::core
