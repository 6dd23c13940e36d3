// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace conversa::server {

// Addresses and networks (CIDR) of reverse proxies whose word about the real client is taken:
// their X-Forwarded-For header or PROXY protocol header names the address that per-address
// limits and logs use. Everyone else is judged by the address of the TCP connection.
class TrustedProxies
{
public:
    // "127.0.0.1, 10.0.0.0/8, ::1". Returns an error in words, or an empty string.
    QString parse(const QString &commaSeparated);
    bool isEmpty() const { return m_networks.isEmpty(); }
    bool contains(const QHostAddress &address) const;

    // The client behind a trusted `peer`: walking X-Forwarded-For from the right (the entry the
    // nearest proxy appended), the first address that is not a trusted proxy. Entries further
    // left were written by the client itself and prove nothing. Falls back to `peer` when the
    // header is missing or unreadable, and to the left-most entry when every entry is trusted.
    QHostAddress clientFromForwardedFor(const QHostAddress &peer,
                                        QByteArrayView forwardedFor) const;

private:
    QList<std::pair<QHostAddress, int>> m_networks;
};

// The PROXY protocol version 2 header (binary) that HAProxy's `send-proxy-v2` puts before the
// client's bytes.
struct ProxyHeader {
    enum class Status { NotProxy, NeedMore, Malformed, Complete };
    Status status = Status::NotProxy;
    qsizetype length = 0; // bytes to drop from the stream when Complete
    QHostAddress source;  // null for a LOCAL command (the proxy's own health check)
    static ProxyHeader parse(QByteArrayView bytes);
    static constexpr qsizetype kMaxLength = 16 + 536; // header + the largest address block
};

// "::ffff:1.2.3.4" and "1.2.3.4" are the same client: always the IPv4 form where there is one.
QString normalizedAddress(const QHostAddress &address);

} // namespace conversa::server
