// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>
#include <QStringView>

// Rules every frame's members obey; both server and client call these so they agree.
namespace conversa::protocol {

// [a-z0-9][a-z0-9_-]{0,63}
bool isValidRoomName(QStringView name);
// [a-z0-9][a-z0-9_.-]{0,31}
bool isValidUserName(QStringView name);
// A client message id: 1..64 printable ASCII characters (a UUID fits).
bool isValidCid(QStringView cid);
// A file id as POST /files hands it out: kFileIdLength characters of 0-9 and a-f.
bool isValidFileId(QStringView id);
// No unpaired surrogates (they cannot be encoded as UTF-8) and no NUL characters.
bool isWellFormedText(QStringView text);
enum class AllowLineBreaks { No, Yes };
// The first C0 control character, DEL or C1 control character in `text` (with `Yes`, newline and
// tab are allowed), or 0 when there is none. Clients may not send them: they reach other people's
// screens, terminals and logs.
char32_t firstControlCharacter(QStringView text, AllowLineBreaks lineBreaks);
// One emoji sequence (a reaction): one grapheme cluster of at most kMaxEmojiCodePoints code
// points, each an emoji character, a joiner (U+200D), a variation selector (U+FE0F), a skin-tone
// modifier, a keycap mark (U+20E3) or a tag character, starting with an emoji or (for keycaps)
// a digit, '#' or '*'.
inline constexpr int kMaxEmojiCodePoints = 10;
bool isSingleEmoji(QStringView text);
// The words a search looks for: runs of letters and digits, case folded and without accents
// ("Não" → "nao"), each cut to kMaxSearchTermLength characters, in the order given, without
// repeats. Both the server (what must match) and the client (what
// to emphasise in a result) split a query this way.
QStringList searchWords(QStringView query);
// Text that is not empty and not only white space.
bool hasVisibleText(QStringView text);
// Whether `text` mentions `user`: "@user" (any case) not inside a word and not followed by a
// letter, digit, '_' or '-'. The server counts `mentions` by it and clients badge by it.
bool mentionsUser(QStringView text, QStringView user);

} // namespace conversa::protocol
