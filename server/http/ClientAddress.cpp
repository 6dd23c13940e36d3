// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "http/ClientAddress.h"

#include <QtEndian>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
QHostAddress unmapped(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

constexpr char kProxySignature[] = "\r\n\r\n\0\r\nQUIT\n";
constexpr qsizetype kProxySignatureLength = 12;
} // namespace

QString normalizedAddress(const QHostAddress &address)
{
    return unmapped(address).toString();
}

QString TrustedProxies::parse(const QString &commaSeparated)
{
    m_networks.clear();
    for (const QString &rawEntry : commaSeparated.split(u',', Qt::SkipEmptyParts)) {
        const QString entry = rawEntry.trimmed();
        if (entry.isEmpty())
            continue;
        if (entry.contains(u'/')) {
            const auto subnet = QHostAddress::parseSubnet(entry);
            if (subnet.first.isNull())
                return u"'%1' in trusted_proxies is not an address or a CIDR network"_s.arg(entry);
            m_networks.append({unmapped(subnet.first), subnet.second});
            continue;
        }
        QHostAddress address;
        if (!address.setAddress(entry))
            return u"'%1' in trusted_proxies is not an address or a CIDR network"_s.arg(entry);
        address = unmapped(address);
        m_networks.append(
            {address, address.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128});
    }
    return {};
}

bool TrustedProxies::contains(const QHostAddress &address) const
{
    const QHostAddress plain = unmapped(address);
    for (const auto &[network, prefix] : m_networks) {
        if (plain.isInSubnet(network, prefix))
            return true;
    }
    return false;
}

QHostAddress TrustedProxies::clientFromForwardedFor(const QHostAddress &peer,
                                                    QByteArrayView forwardedFor) const
{
    if (forwardedFor.isEmpty() || !contains(peer))
        return peer;
    const QList<QByteArray> entries = forwardedFor.toByteArray().split(',');
    QHostAddress leftMost;
    for (qsizetype i = entries.size() - 1; i >= 0; --i) {
        QByteArray entry = entries.at(i).trimmed();
        // "[2001:db8::1]:443" and "1.2.3.4:5678" carry a port some proxies add.
        if (entry.startsWith('[') && entry.contains(']'))
            entry = entry.mid(1, entry.indexOf(']') - 1);
        else if (entry.count(':') == 1)
            entry.truncate(entry.indexOf(':'));
        QHostAddress address;
        if (!address.setAddress(QString::fromLatin1(entry)))
            return leftMost.isNull() ? peer : leftMost; // unreadable: trust nothing beyond it
        if (!contains(address))
            return unmapped(address);
        leftMost = address;
    }
    return leftMost.isNull() ? peer : unmapped(leftMost);
}

ProxyHeader ProxyHeader::parse(QByteArrayView bytes)
{
    ProxyHeader header;
    const qsizetype compared = qMin(bytes.size(), kProxySignatureLength);
    if (QByteArrayView(kProxySignature, compared) != bytes.first(compared))
        return header; // NotProxy
    if (bytes.size() < 16) {
        header.status = Status::NeedMore;
        return header;
    }
    const auto versionCommand = static_cast<quint8>(bytes[12]);
    const auto family = static_cast<quint8>(bytes[13]);
    const quint16 addressLength = qFromBigEndian<quint16>(bytes.data() + 14);
    if ((versionCommand >> 4) != 2 || (versionCommand & 0x0f) > 1 ||
        16 + addressLength > kMaxLength) {
        header.status = Status::Malformed;
        return header;
    }
    if (bytes.size() < 16 + addressLength) {
        header.status = Status::NeedMore;
        return header;
    }
    header.length = 16 + addressLength;
    header.status = Status::Complete;
    if ((versionCommand & 0x0f) == 0) // LOCAL: the proxy speaks for itself
        return header;
    const char *block = bytes.data() + 16;
    switch (family >> 4) {
    case 0x1: // AF_INET: source, destination, source port, destination port
        if (addressLength < 12) {
            header.status = Status::Malformed;
            return header;
        }
        header.source = QHostAddress(qFromBigEndian<quint32>(block));
        break;
    case 0x2: // AF_INET6
        if (addressLength < 36) {
            header.status = Status::Malformed;
            return header;
        }
        header.source = unmapped(QHostAddress(reinterpret_cast<const quint8 *>(block)));
        break;
    default: // AF_UNSPEC or AF_UNIX: no address to take
        break;
    }
    return header;
}

} // namespace conversa::server
