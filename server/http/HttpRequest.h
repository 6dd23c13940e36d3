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

    enum class ParseStatus { Complete, NeedMore, Malformed };
    static ParseStatus parse(QByteArrayView bytes, HttpRequest *out);
};

QByteArray httpResponse(int status, QByteArrayView reason, QByteArrayView contentType,
                        QByteArrayView body);

} // namespace conversa::server
