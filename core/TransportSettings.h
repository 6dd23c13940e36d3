// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Transport.h"

#include <QNetworkProxy>
#include <QSslConfiguration>

namespace conversa::core {

// How every connection to the server is set up, the session's WebSocket and the HTTP file
// transfers alike, so that a proxy or a trusted CA chosen once applies to all of them.

// The proxy for a connection to `options.url`: the system's (never for a loopback address, as
// browsers do), none, or the HTTP or SOCKS5 proxy chosen.
QNetworkProxy proxyFor(const TransportOptions &options);
// TLS for a connection to `options.url`: the system's CAs and `options.extraCas`.
QSslConfiguration sslFor(const TransportOptions &options);

} // namespace conversa::core
