// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Validation.h"

#include <QList>
#include <QSet>
#include <QTextBoundaryFinder>

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

namespace {
bool isEmojiBase(char32_t c)
{
    return (c >= 0x1F000 && c <= 0x1FAFF) || // pictographs, emoticons, flags' regional letters
           (c >= 0x2600 && c <= 0x27BF) ||   // miscellaneous symbols, dingbats
           (c >= 0x2190 && c <= 0x21FF) || (c >= 0x2300 && c <= 0x23FF) ||
           (c >= 0x2B00 && c <= 0x2BFF) || (c >= 0x2900 && c <= 0x297F) || c == 0x00A9 ||
           c == 0x00AE || c == 0x203C || c == 0x2049 || c == 0x2122 || c == 0x2139 || c == 0x24C2 ||
           (c >= 0x25AA && c <= 0x25FE) || c == 0x3030 || c == 0x303D || c == 0x3297 || c == 0x3299;
}
bool isEmojiPart(char32_t c)
{
    return isEmojiBase(c) || c == 0x200D || c == 0xFE0F || c == 0x20E3 ||
           (c >= 0xE0020 && c <= 0xE007F);
}
} // namespace

bool isSingleEmoji(QStringView text)
{
    const QList<uint> codePoints = text.toUcs4();
    if (codePoints.isEmpty() || codePoints.size() > kMaxEmojiCodePoints)
        return false;
    const char32_t first = codePoints.first();
    const bool keycap = (first >= u'0' && first <= u'9') || first == u'#' || first == u'*';
    if (keycap ? !codePoints.contains(0x20E3) : !isEmojiBase(first))
        return false;
    for (qsizetype i = 1; i < codePoints.size(); ++i) {
        if (!isEmojiPart(codePoints.at(i)))
            return false;
    }
    // One user-perceived character: "👍👍" is two.
    QTextBoundaryFinder graphemes(QTextBoundaryFinder::Grapheme, text.toString());
    return graphemes.toNextBoundary() == text.size();
}

bool isValidFileId(QStringView id)
{
    if (id.size() != kFileIdLength)
        return false;
    for (QChar c : id) {
        const char16_t u = c.unicode();
        if (!((u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f')))
            return false;
    }
    return true;
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

QStringList searchWords(QStringView query)
{
    QStringList words;
    QSet<QString> seen;
    QString word;
    const auto endWord = [&] {
        if (word.isEmpty())
            return;
        QString folded = word.toCaseFolded();
        if (folded.size() > kMaxSearchTermLength) // never between the halves of a surrogate pair
            folded.truncate(kMaxSearchTermLength -
                            (folded.at(kMaxSearchTermLength - 1).isHighSurrogate() ? 1 : 0));
        if (!seen.contains(folded)) {
            seen.insert(folded);
            words.append(folded);
        }
        word.clear();
    };
    // Decomposed, an accented letter is its base letter and combining marks, which are dropped.
    const QString decomposed = query.toString().normalized(QString::NormalizationForm_KD);
    for (const char32_t c : decomposed.toUcs4()) {
        if (QChar::isMark(c))
            continue;
        if (QChar::isLetterOrNumber(c))
            word.append(QChar::fromUcs4(c));
        else
            endWord();
    }
    endWord();
    return words;
}

bool hasVisibleText(QStringView text)
{
    for (QChar c : text) {
        if (!c.isSpace())
            return true;
    }
    return false;
}

bool mentionsUser(QStringView text, QStringView user)
{
    if (user.isEmpty())
        return false;
    qsizetype from = 0;
    while ((from = text.indexOf(u'@', from)) >= 0) {
        const qsizetype end = from + 1 + user.size();
        const bool startOk = from == 0 || !text.at(from - 1).isLetterOrNumber();
        const bool nameOk = end <= text.size() &&
                            text.mid(from + 1, user.size()).compare(user, Qt::CaseInsensitive) == 0;
        const bool endOk = end >= text.size() || !(text.at(end).isLetterOrNumber() ||
                                                   text.at(end) == u'_' || text.at(end) == u'-');
        if (startOk && nameOk && endOk)
            return true;
        from += 1;
    }
    return false;
}

} // namespace conversa::protocol
