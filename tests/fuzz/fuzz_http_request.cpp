// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the HTTP request head the server reads before any WebSocket upgrade, from
// any client that can open a TCP connection, then, as from a trusted reverse proxy, the client
// address its X-Forwarded-For names. FrontDoor (server/http) peeks at most kMaxHttpHeaderBytes + 1
// bytes, so run.sh keeps -max_len there.
#include "http/ClientAddress.h"
#include "http/HttpRequest.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using conversa::server::HttpRequest;
using conversa::server::TrustedProxies;

namespace {

[[noreturn]] void fail(const char *what, const QByteArray &detail)
{
    std::fprintf(stderr, "fuzz_http_request: %s: %s\n", what, detail.constData());
    std::abort();
}

const TrustedProxies &trustedProxies()
{
    static const TrustedProxies proxies = [] {
        TrustedProxies p;
        if (!p.parse(QStringLiteral("127.0.0.1, 10.0.0.0/8, ::1, fd00::/8")).isEmpty())
            std::abort();
        return p;
    }();
    return proxies;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView head(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    HttpRequest request;
    const auto status = HttpRequest::parse(head, &request);
    const bool complete = head.contains(QByteArrayView("\r\n\r\n"));
    if ((status == HttpRequest::ParseStatus::NeedMore) == complete)
        fail("NeedMore does not match a missing blank line", head.toByteArray());
    if (status == HttpRequest::ParseStatus::Complete) {
        // FrontDoor routes on the path without its query string.
        if (request.path.contains('?'))
            fail("the path keeps its query string", request.path);
        if (request.method.isEmpty())
            fail("a complete request without a method", head.toByteArray());
        const QHostAddress client = trustedProxies().clientFromForwardedFor(
            QHostAddress(QHostAddress::LocalHost), request.forwardedFor);
        if (conversa::server::normalizedAddress(client).isEmpty())
            fail("X-Forwarded-For gives no client address", request.forwardedFor);
    }
    return 0;
}
