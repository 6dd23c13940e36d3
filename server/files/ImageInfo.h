// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace conversa::server::files {

// What the first bytes of a file say about it, for the four image types the server knows
// (image/png, image/jpeg, image/gif, image/webp). Nothing is decoded: only signatures and the
// header fields that hold the size are read, every offset checked against the bytes given.
struct ImageInfo {
    QString type;  // one of the four; empty when the bytes are none of them
    int width = 0; // 0 when the header holding it was not within the bytes given
    int height = 0;
};

// Enough of the start of a file for every header readImageInfo looks for (a JPEG's size comes
// after its metadata segments, which may be long; past this it stays unknown).
inline constexpr qsizetype kImageHeadBytes = 256 * 1024;

ImageInfo readImageInfo(QByteArrayView head);
// Whether `type` is one of the four image types (served inline, sizes in messages).
bool isKnownImageType(QStringView type);

} // namespace conversa::server::files
