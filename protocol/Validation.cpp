// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Validation.h"

#include "Protocol.h"

namespace conversa::protocol {

namespace {
bool isLowerAlnum(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
}

bool matchesNamePattern(QStringView name, int maxLength, QStringView extraChars)
{
    if (name.isEmpty() || name.size() > maxLength || !isLowerAlnum(name.front()))
        return false;
    for (QChar c : name) {
        if (!isLowerAlnum(c) && !extraChars.contains(c))
            return false;
    }
    return true;
}
} // namespace

bool isValidRoomName(QStringView name)
{
    return matchesNamePattern(name, kMaxRoomNameLength, u"_-");
}

bool isValidUserName(QStringView name)
{
    return matchesNamePattern(name, kMaxUserNameLength, u"_.-");
}

bool isValidCid(QStringView cid)
{
    if (cid.isEmpty() || cid.size() > kMaxCidLength)
        return false;
    for (QChar c : cid) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

bool isWellFormedText(QStringView text)
{
    return text.isValidUtf16() && !text.contains(QChar(u'\0'));
}

char32_t firstControlCharacter(QStringView text, AllowLineBreaks lineBreaks)
{
    for (QChar c : text) {
        const char16_t u = c.unicode();
        if (lineBreaks == AllowLineBreaks::Yes && (u == u'\n' || u == u'\t'))
            continue;
        // C0, DEL and C1: C1 holds single-character terminal escapes such as CSI (U+009B).
        if (u < 0x20 || (u >= 0x7f && u <= 0x9f))
            return u;
    }
    return 0;
}

bool hasVisibleText(QStringView text)
{
    for (QChar c : text) {
        if (!c.isSpace())
            return true;
    }
    return false;
}

} // namespace conversa::protocol
