// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "files/ImageInfo.h"

namespace conversa::server::files {

using namespace Qt::StringLiterals;

namespace {
// Images wider or taller than this are not believed (every format here allows far less except
// JPEG and WebP's extended header; real pictures stay far below).
constexpr int kMaxDimension = 1 << 16;

quint32 byteAt(QByteArrayView b, qsizetype i)
{
    return static_cast<quint8>(b[i]);
}
quint32 bigEndian16(QByteArrayView b, qsizetype i)
{
    return byteAt(b, i) << 8 | byteAt(b, i + 1);
}
quint32 bigEndian32(QByteArrayView b, qsizetype i)
{
    return bigEndian16(b, i) << 16 | bigEndian16(b, i + 2);
}
quint32 littleEndian16(QByteArrayView b, qsizetype i)
{
    return byteAt(b, i) | byteAt(b, i + 1) << 8;
}
quint32 littleEndian24(QByteArrayView b, qsizetype i)
{
    return littleEndian16(b, i) | byteAt(b, i + 2) << 16;
}

void setSize(ImageInfo &info, quint32 width, quint32 height)
{
    if (width == 0 || height == 0 || width > kMaxDimension || height > kMaxDimension)
        return;
    info.width = static_cast<int>(width);
    info.height = static_cast<int>(height);
}

void readPng(QByteArrayView b, ImageInfo &info)
{
    // Signature, then the IHDR chunk: length 13, "IHDR", width, height.
    if (b.size() >= 24 && b.sliced(12, 4) == QByteArrayView("IHDR"))
        setSize(info, bigEndian32(b, 16), bigEndian32(b, 20));
}

void readGif(QByteArrayView b, ImageInfo &info)
{
    if (b.size() >= 10)
        setSize(info, littleEndian16(b, 6), littleEndian16(b, 8));
}

void readWebp(QByteArrayView b, ImageInfo &info)
{
    if (b.size() < 30)
        return;
    const QByteArrayView chunk = b.sliced(12, 4);
    if (chunk == QByteArrayView("VP8 ")) {
        // Lossy: a frame tag (3 bytes) and the start code 9d 01 2a, then 14-bit sizes.
        if (byteAt(b, 23) == 0x9d && byteAt(b, 24) == 0x01 && byteAt(b, 25) == 0x2a)
            setSize(info, littleEndian16(b, 26) & 0x3fff, littleEndian16(b, 28) & 0x3fff);
    } else if (chunk == QByteArrayView("VP8L")) {
        // Lossless: signature 0x2f, then width-1 and height-1 in 14 bits each.
        if (byteAt(b, 20) == 0x2f) {
            const quint32 bits = littleEndian16(b, 21) | littleEndian16(b, 23) << 16;
            setSize(info, (bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
        }
    } else if (chunk == QByteArrayView("VP8X")) {
        // Extended: flags (4 bytes), then canvas width-1 and height-1 in 24 bits each.
        setSize(info, littleEndian24(b, 24) + 1, littleEndian24(b, 27) + 1);
    }
}

void readJpeg(QByteArrayView b, ImageInfo &info)
{
    qsizetype i = 2;
    while (i + 4 <= b.size()) {
        if (byteAt(b, i) != 0xff)
            return; // not a marker where one must be: give up rather than guess
        const quint32 marker = byteAt(b, i + 1);
        if (marker == 0xff) {
            ++i; // fill byte
            continue;
        }
        if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
            i += 2; // markers without a length
            continue;
        }
        if (marker == 0xd9 || marker == 0xda)
            return; // end of image, or the scan began without a frame header
        const quint32 length = bigEndian16(b, i + 2);
        if (length < 2)
            return;
        const bool frameHeader =
            marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
        if (frameHeader) {
            // length, precision, height, width
            if (i + 9 <= b.size())
                setSize(info, bigEndian16(b, i + 7), bigEndian16(b, i + 5));
            return;
        }
        i += 2 + length;
    }
}
} // namespace

bool isKnownImageType(QStringView type)
{
    return type == "image/png"_L1 || type == "image/jpeg"_L1 || type == "image/gif"_L1 ||
           type == "image/webp"_L1;
}

ImageInfo readImageInfo(QByteArrayView head)
{
    ImageInfo info;
    if (head.startsWith(QByteArrayView("\x89PNG\r\n\x1a\n"))) {
        info.type = u"image/png"_s;
        readPng(head, info);
    } else if (head.size() >= 3 && byteAt(head, 0) == 0xff && byteAt(head, 1) == 0xd8 &&
               byteAt(head, 2) == 0xff) {
        info.type = u"image/jpeg"_s;
        readJpeg(head, info);
    } else if (head.startsWith(QByteArrayView("GIF87a")) ||
               head.startsWith(QByteArrayView("GIF89a"))) {
        info.type = u"image/gif"_s;
        readGif(head, info);
    } else if (head.size() >= 16 && head.startsWith(QByteArrayView("RIFF")) &&
               head.sliced(8, 4) == QByteArrayView("WEBP")) {
        info.type = u"image/webp"_s;
        readWebp(head, info);
    }
    return info;
}

} // namespace conversa::server::files
