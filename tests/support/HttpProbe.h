// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

#include <optional>

namespace conversa::test {

struct HttpResponse {
    // 0 when no status line arrived.
    int status = 0;
    QByteArray statusLine;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QString error;

    QByteArray header(const QByteArray &name) const;
};

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// One HTTP/1.1 GET over a raw socket (TLS for https://), with `Connection: close`. Small and
// predictable, so it also shows what the server answers to a refused WebSocket handshake.
HttpResponse httpGet(const QUrl &url, const HttpHeaders &headers = {}, int timeoutMs = 5000,
                     const std::optional<QSslConfiguration> &ssl = std::nullopt);

// Any method, with `body` after the headers (and a Content-Length for it unless `headers` has
// one; none for an empty body), e.g. POST /files.
HttpResponse httpRequest(const QUrl &url, const QByteArray &method, const HttpHeaders &headers,
                         const QByteArray &body, int timeoutMs = 5000,
                         const std::optional<QSslConfiguration> &ssl = std::nullopt);
// The headers of a WebSocket upgrade request (random key, version 13, conversa.v1 offered).
HttpHeaders webSocketUpgradeHeaders();

} // namespace conversa::test
