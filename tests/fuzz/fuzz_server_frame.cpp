// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: what the client (conversa-core's SessionManager) does with a text message from
// the server: decode the frame, then read the payload of an `ok` reply as each request's answer
// (rooms, members, messages). A server, or whatever sits between it and the client, is not
// trusted to send well-formed frames.
#include "Codec.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace proto = conversa::protocol;

namespace {

[[noreturn]] void fail(const char *what, const QByteArray &detail)
{
    std::fprintf(stderr, "fuzz_server_frame: %s: %s\n", what, detail.constData());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView frame(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto decoded = proto::decodeServerFrame(frame);
    if (const auto *error = std::get_if<proto::DecodeError>(&decoded)) {
        if (error->message.isEmpty())
            fail("rejected without a message", frame.toByteArray());
        return 0;
    }
    const auto &serverFrame = std::get<proto::ServerFrame>(decoded);
    if (const auto *ok = std::get_if<proto::OkReply>(&serverFrame)) {
        (void)ok->re.toInteger(-1); // how SessionManager finds the pending request
        (void)proto::roomsFromPayload(ok->payload);
        (void)proto::membersFromPayload(ok->payload);
        (void)proto::messagesFromPayload(ok->payload);
    } else if (const auto *error = std::get_if<proto::ErrorReply>(&serverFrame)) {
        (void)error->re.toInteger(-1);
    } else if (const auto *message = std::get_if<proto::MessageEvent>(&serverFrame)) {
        // An event the client accepted reads back the same after the server's own encoder.
        const QByteArray encoded = proto::encodeEvent(*message);
        const auto again = proto::decodeServerFrame(encoded);
        const auto *frameAgain = std::get_if<proto::ServerFrame>(&again);
        const auto *messageAgain =
            frameAgain ? std::get_if<proto::MessageEvent>(frameAgain) : nullptr;
        if (!messageAgain || proto::encodeEvent(*messageAgain) != encoded)
            fail("a message event changes on a round trip", encoded);
    }
    return 0;
}
