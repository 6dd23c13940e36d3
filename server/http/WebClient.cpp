// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "http/WebClient.h"

#include <QDirIterator>
#include <QFile>
#include <QHostAddress>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
// Where web/ sits among the resources (server/CMakeLists.txt).
constexpr auto kResourceRoot = ":/web"_L1;
} // namespace

QByteArrayView WebClient::contentSecurityPolicy()
{
    // 'self' in connect-src covers ws: and wss: to the page's own host and port (CSP level 3;
    // tests/e2e/web checks that Chromium connects under it). Trusted Types make any assignment
    // of a string to innerHTML and its kin throw, so text can only ever become text. Pictures of
    // messages come through fetch() with the device token and show as blob: URLs, the only kind
    // of image besides the page's own (no data:, no other origin).
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
           "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
           "form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; "
           "trusted-types 'none'";
}

QByteArray WebClient::mimeType(QByteArrayView fileName)
{
    static const std::pair<QByteArrayView, QByteArrayView> types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
    };
    for (const auto &[suffix, type] : types) {
        if (fileName.endsWith(suffix))
            return type.toByteArray();
    }
    return "application/octet-stream";
}

bool WebClient::isOwnOrigin(QByteArrayView origin, QByteArrayView host, bool tls,
                            bool viaTrustedProxy)
{
    if (host.isEmpty())
        return false;
    QByteArrayView authority;
    bool https = false;
    if (origin.startsWith("https://")) {
        authority = origin.sliced(8);
        https = true;
    } else if (origin.startsWith("http://")) {
        authority = origin.sliced(7);
    } else {
        return false;
    }
    if (authority.compare(host, Qt::CaseInsensitive) != 0)
        return false;
    if (tls)
        return https;
    if (viaTrustedProxy)
        return true;
    // The host name without its port: "[::1]:8080" → "::1", "localhost:8080" → "localhost".
    QByteArrayView name = host;
    if (name.startsWith('[')) {
        const qsizetype close = name.indexOf(']');
        if (close < 0)
            return false;
        name = name.sliced(1, close - 1);
    } else if (const qsizetype colon = name.lastIndexOf(':'); colon >= 0) {
        name = name.first(colon);
    }
    if (name.compare("localhost", Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(QString::fromLatin1(name));
    return !address.isNull() && address.isLoopback();
}

WebClient::WebClient()
{
    // A few dozen small files: every response is built once, at start.
    QDirIterator files(kResourceRoot, QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString resource = files.next();
        QFile file(resource);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray body = file.readAll();
        const QByteArray path = resource.mid(kResourceRoot.size()).toUtf8();
        QByteArray response =
            "HTTP/1.1 200 OK\r\nContent-Type: " + mimeType(path) +
            "\r\nContent-Length: " + QByteArray::number(body.size()) +
            "\r\nContent-Security-Policy: " + contentSecurityPolicy().toByteArray() +
            "\r\nX-Content-Type-Options: nosniff"
            "\r\nX-Frame-Options: DENY"
            "\r\nReferrer-Policy: no-referrer"
            "\r\nCross-Origin-Opener-Policy: same-origin"
            "\r\nCross-Origin-Resource-Policy: same-origin"
            // Revalidated each time: an upgraded server serves its own page.
            "\r\nCache-Control: no-cache"
            "\r\nConnection: close\r\n\r\n" +
            body;
        if (path == "/index.html")
            m_responses.insert("/", response);
        m_responses.insert(path, std::move(response));
    }
}

QByteArray WebClient::response(QByteArrayView path) const
{
    return m_responses.value(path.toByteArray());
}

} // namespace conversa::server
