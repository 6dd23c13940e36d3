// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace conversa::server {

// The request line and the few headers the listener routes on, read from the bytes a client
// sent before the WebSocket upgrade.
struct HttpRequest {
    QByteArray method;
    QByteArray path; // without the query string
    QByteArray origin;
    QByteArray host;
    // Every X-Forwarded-For header, joined with ',' in the order received (only believed from
    // a trusted proxy).
    QByteArray forwardedFor;
    bool wantsUpgrade = false;
    // For /files: the body's announced length (-1: none), the raw header values, and how many
    // bytes the request line and headers took (the body starts there).
    qint64 contentLength = -1;
    QByteArray contentType;
    QByteArray authorization;
    QByteArray fileName; // X-Filename, still percent-encoded
    QByteArray transferEncoding;
    bool expectsContinue = false;
    qsizetype headerBytes = 0;

    enum class ParseStatus { Complete, NeedMore, Malformed };
    static ParseStatus parse(QByteArrayView bytes, HttpRequest *out);
};

// The status line and headers of a response whose body of `contentLength` bytes follows, after
// which the connection closes. `extraHeaders`: more lines, each ended by "\r\n".
QByteArray httpHead(int status, QByteArrayView reason, QByteArrayView contentType,
                    qint64 contentLength, QByteArrayView extraHeaders = {});
// A whole response, which caches must not keep.
QByteArray httpResponse(int status, QByteArrayView reason, QByteArrayView contentType,
                        QByteArrayView body, QByteArrayView extraHeaders = {});

} // namespace conversa::server
