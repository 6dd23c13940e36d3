// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the image metadata reader the server runs over the first 256 KiB of every
// upload (files::readImageInfo): signatures and the header fields that hold width and height of
// PNG, JPEG, GIF and WebP. It must never read past the bytes it is given (ASan) and must only
// report a size it can believe.
#include "files/ImageInfo.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using conversa::server::files::ImageInfo;

namespace {
[[noreturn]] void fail(const char *what, const ImageInfo &info)
{
    std::fprintf(stderr, "fuzz_image_info: %s: %s %dx%d\n", what, qPrintable(info.type), info.width,
                 info.height);
    std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView head(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const ImageInfo info = conversa::server::files::readImageInfo(head);
    if (!info.type.isEmpty() && !conversa::server::files::isKnownImageType(info.type))
        fail("an unknown type", info);
    if (info.type.isEmpty() && (info.width != 0 || info.height != 0))
        fail("a size without a type", info);
    if ((info.width == 0) != (info.height == 0))
        fail("one side without the other", info);
    if (info.width < 0 || info.height < 0 || info.width > 65536 || info.height > 65536)
        fail("a size out of bounds", info);
    return 0;
}
