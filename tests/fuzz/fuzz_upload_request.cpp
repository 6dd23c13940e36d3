// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the head of an upload (POST /files), as any client with a token (or none)
// can send it: HttpRequest::parse, then files::readUploadRequest (Content-Length, Content-Type,
// percent-encoded X-Filename) and the bearer token. What it accepts must be safe to store and
// show: a bounded length, a plain media type, a name without folders or control characters.
#include "files/UploadRequest.h"
#include "http/HttpRequest.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <variant>

using conversa::server::HttpRequest;
using namespace conversa::server::files;

namespace {
constexpr qint64 kLimit = 25 * 1024 * 1024;

[[noreturn]] void fail(const char *what, const QString &detail)
{
    std::fprintf(stderr, "fuzz_upload_request: %s: %s\n", what, qPrintable(detail));
    std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView head(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    HttpRequest request;
    if (HttpRequest::parse(head, &request) != HttpRequest::ParseStatus::Complete)
        return 0;
    if (request.headerBytes <= 0 || request.headerBytes > head.size())
        fail("the body starts outside the bytes", QString::number(request.headerBytes));
    const QByteArray token = bearerToken(request.authorization);
    if (token.contains(' ') && token.trimmed() != token)
        fail("a token with surrounding space", QString::fromLatin1(token));
    const auto parsed = readUploadRequest(request, kLimit);
    if (const auto *error = std::get_if<HttpError>(&parsed)) {
        if (error->status < 400 || error->status > 499 || error->message.isEmpty())
            fail("a refusal without a 4xx status and words", error->message);
        return 0;
    }
    const UploadRequest &upload = std::get<UploadRequest>(parsed);
    if (upload.size < 0 || upload.size > kLimit || upload.size != request.contentLength)
        fail("a length out of bounds", QString::number(upload.size));
    if (upload.name.isEmpty() || upload.name.size() > 255 || upload.name.contains(u'/') ||
        upload.name.contains(u'\\'))
        fail("a name that is empty, too long or a path", upload.name);
    for (QChar c : upload.name) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f ||
            (c.unicode() >= 0x202a && c.unicode() <= 0x202e))
            fail("a control character in the name", upload.name);
    }
    if (mediaType(upload.type.toLatin1()) != upload.type || upload.type.count(u'/') != 1)
        fail("a type that is not a plain media type", upload.type);
    return 0;
}
