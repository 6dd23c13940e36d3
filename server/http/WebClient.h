// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>

namespace conversa::server {

// The browser client (web/ in the source tree), compiled into the binary as Qt resources and
// served at `/` from the same origin as `/ws`. Only the files that were compiled in are served,
// looked up by exact path, each with its MIME type and headers that keep the page to itself: a
// Content-Security-Policy without inline script or style whose connect-src is the page's own
// origin, nosniff, and no framing.
class WebClient
{
public:
    WebClient();

    // The whole HTTP response for `path` (without its query), or an empty array when the web
    // client has no such file.
    QByteArray response(QByteArrayView path) const;

    // The policy every web client response carries (docs/security.md explains each part).
    static QByteArrayView contentSecurityPolicy();
    // "text/javascript; charset=utf-8" for "app.js"; application/octet-stream when unknown.
    static QByteArray mimeType(QByteArrayView fileName);

    // True when a handshake's `origin` is the address the browser reached this server by (its
    // `host` header): a page this server served. Over TLS only https counts. Without TLS, http
    // or https (a TLS proxy in front) counts only for a loopback host or through a trusted
    // proxy: a DNS-rebound name cannot pass for the server's own.
    static bool isOwnOrigin(QByteArrayView origin, QByteArrayView host, bool tls,
                            bool viaTrustedProxy);

private:
    QHash<QByteArray, QByteArray> m_responses; // request path → the complete response
};

} // namespace conversa::server
