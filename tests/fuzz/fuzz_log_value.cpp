// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the escaping that stands between client text (user and device names, room
// titles, the Origin header) and the server's log and the admin's terminal. It holds when no
// input can put a control character into either, or make a `key=value` log field end early
// and forge another.
#include "Log.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using conversa::server::logValue;
using conversa::server::terminalSafe;

namespace {

[[noreturn]] void fail(const char *what, const QString &input, const QString &output)
{
    std::fprintf(stderr, "fuzz_log_value: %s: input %s, output %s\n", what,
                 input.toUtf8().toHex().constData(), output.toUtf8().constData());
    std::abort();
}

bool hasControl(QStringView text)
{
    for (QChar c : text) {
        if (c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() <= 0x9f))
            return true;
    }
    return false;
}

// How a reader of the log splits fields: a value is either bare (no space, '=' or '"') or
// quoted, with '"' and '\' inside escaped by '\'.
bool readsAsOneValue(QStringView value)
{
    if (value.startsWith(u'"')) {
        if (value.size() < 2 || !value.endsWith(u'"'))
            return false;
        const QStringView inner = value.sliced(1, value.size() - 2);
        for (qsizetype i = 0; i < inner.size(); ++i) {
            if (inner[i] == u'\\') {
                if (++i == inner.size())
                    return false; // would escape the closing quote
            } else if (inner[i] == u'"') {
                return false;
            }
        }
        return true;
    }
    for (QChar c : value) {
        if (c.isSpace() || c == u'=' || c == u'"')
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString text =
        QString::fromUtf8(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const QString value = logValue(text);
    if (hasControl(value))
        fail("a control character in a log value", text, value);
    if (!readsAsOneValue(value))
        fail("a log value that does not read back as one field", text, value);
    const QString shown = terminalSafe(text);
    if (hasControl(shown))
        fail("a control character reaches the terminal", text, shown);
    return 0;
}
