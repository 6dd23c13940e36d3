// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: what the server reads first from a trusted proxy with proxy_protocol on: a
// binary PROXY protocol v2 header (FrontDoor (server/http) peeks ProxyHeader::kMaxLength bytes),
// then the HTTP request head after it. The proxy is trusted, but a client can reach it with any
// bytes.
#include "http/ClientAddress.h"
#include "http/HttpRequest.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using conversa::server::HttpRequest;
using conversa::server::ProxyHeader;

namespace {

[[noreturn]] void fail(const char *what, QByteArrayView input)
{
    std::fprintf(stderr, "fuzz_proxy_header: %s: %s\n", what,
                 input.toByteArray().toHex().constData());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const QByteArrayView peeked = bytes.first(std::min(bytes.size(), ProxyHeader::kMaxLength));
    const ProxyHeader header = ProxyHeader::parse(peeked);
    QByteArrayView rest = bytes;
    switch (header.status) {
    case ProxyHeader::Status::Complete:
        if (header.length < 16 || header.length > ProxyHeader::kMaxLength ||
            header.length > peeked.size())
            fail("a complete header with an impossible length", peeked);
        if (!header.source.isNull() && conversa::server::normalizedAddress(header.source).isEmpty())
            fail("a source address that prints as nothing", peeked);
        rest = bytes.sliced(header.length);
        break;
    case ProxyHeader::Status::NeedMore:
        if (peeked.size() >= ProxyHeader::kMaxLength)
            fail("asks for more than its maximum length", peeked);
        return 0;
    case ProxyHeader::Status::Malformed:
        return 0;
    case ProxyHeader::Status::NotProxy:
        break;
    }
    HttpRequest request;
    (void)HttpRequest::parse(rest, &request);
    return 0;
}
