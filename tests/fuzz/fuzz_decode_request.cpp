// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the server's frame decoder, fed whatever a client could send as one text
// message. Besides crashes and sanitizer reports it checks what Codec.h promises: a rejection
// says why in words, and a request that decodes survives the client's encoder unchanged.
#include "Codec.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace proto = conversa::protocol;

namespace {

[[noreturn]] void fail(const char *what, const QByteArray &detail)
{
    std::fprintf(stderr, "fuzz_decode_request: %s: %s\n", what, detail.constData());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView frame(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto decoded = proto::decodeRequest(frame);
    if (const auto *error = std::get_if<proto::DecodeError>(&decoded)) {
        if (error->message.isEmpty())
            fail("rejected without a message", frame.toByteArray());
        return 0;
    }
    const QByteArray encoded = proto::encodeRequest(std::get<proto::Request>(decoded));
    const auto again = proto::decodeRequest(encoded);
    if (const auto *error = std::get_if<proto::DecodeError>(&again))
        fail("an accepted request, re-encoded, is rejected",
             encoded + " -> " + error->message.toUtf8());
    const QByteArray reencoded = proto::encodeRequest(std::get<proto::Request>(again));
    if (reencoded != encoded)
        fail("a request changes on a round trip", encoded + " -> " + reencoded);
    return 0;
}
