// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// TrustedProxies (X-Forwarded-For) and the PROXY protocol v2 header: which address a client is
// judged by.
#include "http/ClientAddress.h"

#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;
using namespace conversa::server;

namespace {
QByteArray proxyV2(quint8 command, quint8 family, const QByteArray &addresses)
{
    QByteArray out("\r\n\r\n\0\r\nQUIT\n", 12);
    out.append(char(0x20 | command));
    out.append(char(family));
    char length[2];
    qToBigEndian<quint16>(quint16(addresses.size()), length);
    out.append(length, 2);
    out.append(addresses);
    return out;
}

QByteArray ipv4Block(const char *source, const char *destination)
{
    QByteArray block(12, '\0');
    qToBigEndian<quint32>(QHostAddress(QString::fromLatin1(source)).toIPv4Address(), block.data());
    qToBigEndian<quint32>(QHostAddress(QString::fromLatin1(destination)).toIPv4Address(),
                          block.data() + 4);
    qToBigEndian<quint16>(51000, block.data() + 8);
    qToBigEndian<quint16>(8080, block.data() + 10);
    return block;
}
} // namespace

class tst_clientaddress : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_acceptsAddressesAndNetworks()
    {
        TrustedProxies proxies;
        QCOMPARE(proxies.parse(u" 127.0.0.1, 10.0.0.0/8 ,::1, fd00::/8"_s), QString());
        QVERIFY(proxies.contains(QHostAddress(u"127.0.0.1"_s)));
        QVERIFY(proxies.contains(QHostAddress(u"::ffff:127.0.0.1"_s)));
        QVERIFY(proxies.contains(QHostAddress(u"10.200.3.4"_s)));
        QVERIFY(proxies.contains(QHostAddress(u"::1"_s)));
        QVERIFY(proxies.contains(QHostAddress(u"fd12::5"_s)));
        QVERIFY(!proxies.contains(QHostAddress(u"127.0.0.2"_s)));
        QVERIFY(!proxies.contains(QHostAddress(u"11.0.0.1"_s)));
    }

    void parse_rejectsGarbageInWords()
    {
        TrustedProxies proxies;
        const QString error = proxies.parse(u"127.0.0.1, nginx.local"_s);
        QVERIFY(error.contains(u"'nginx.local'"_s));
        QVERIFY(!proxies.parse(u"10.0.0.0/99"_s).isEmpty());
        QCOMPARE(proxies.parse(QString()), QString());
        QVERIFY(proxies.isEmpty());
    }

    void forwardedFor_data()
    {
        QTest::addColumn<QString>("peer");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QString>("client");
        QTest::newRow("one hop") << u"127.0.0.1"_s << "203.0.113.7"_ba << u"203.0.113.7"_s;
        QTest::newRow("forged left entry ignored")
            << u"127.0.0.1"_s << "1.2.3.4, 203.0.113.7"_ba << u"203.0.113.7"_s;
        QTest::newRow("trusted hops walked past")
            << u"127.0.0.1"_s << "203.0.113.7, 10.0.0.5, 10.0.0.6"_ba << u"203.0.113.7"_s;
        QTest::newRow("all trusted: left-most")
            << u"127.0.0.1"_s << "10.0.0.9, 10.0.0.5"_ba << u"10.0.0.9"_s;
        QTest::newRow("with ports") << u"127.0.0.1"_s << "203.0.113.7:5123"_ba << u"203.0.113.7"_s;
        QTest::newRow("IPv6 with brackets")
            << u"127.0.0.1"_s << "[2001:db8::1]:443"_ba << u"2001:db8::1"_s;
        QTest::newRow("IPv6 bare") << u"127.0.0.1"_s << "2001:db8::2"_ba << u"2001:db8::2"_s;
        QTest::newRow("garbage: the proxy itself")
            << u"127.0.0.1"_s << "unknown"_ba << u"127.0.0.1"_s;
        QTest::newRow("garbage left of a real entry")
            << u"127.0.0.1"_s << "junk, 203.0.113.7"_ba << u"203.0.113.7"_s;
        QTest::newRow("garbage behind trusted hops")
            << u"127.0.0.1"_s << "junk, 10.0.0.5"_ba << u"10.0.0.5"_s;
        QTest::newRow("no header") << u"127.0.0.1"_s << QByteArray() << u"127.0.0.1"_s;
        QTest::newRow("untrusted peer: header ignored")
            << u"198.51.100.1"_s << "203.0.113.7"_ba << u"198.51.100.1"_s;
        QTest::newRow("mapped IPv4 result")
            << u"127.0.0.1"_s << "::ffff:203.0.113.7"_ba << u"203.0.113.7"_s;
    }

    void forwardedFor()
    {
        QFETCH(QString, peer);
        QFETCH(QByteArray, header);
        QFETCH(QString, client);
        TrustedProxies proxies;
        QCOMPARE(proxies.parse(u"127.0.0.1, 10.0.0.0/8"_s), QString());
        QCOMPARE(normalizedAddress(proxies.clientFromForwardedFor(QHostAddress(peer), header)),
                 client);
    }

    void proxyHeader_ipv4()
    {
        const QByteArray bytes = proxyV2(1, 0x11, ipv4Block("203.0.113.7", "127.0.0.1")) + "GET /";
        const ProxyHeader header = ProxyHeader::parse(bytes);
        QCOMPARE(header.status, ProxyHeader::Status::Complete);
        QCOMPARE(header.length, 28);
        QCOMPARE(header.source.toString(), u"203.0.113.7"_s);
    }

    void proxyHeader_ipv6()
    {
        QByteArray block(36, '\0');
        const Q_IPV6ADDR source = QHostAddress(u"2001:db8::7"_s).toIPv6Address();
        memcpy(block.data(), source.c, 16);
        const ProxyHeader header = ProxyHeader::parse(proxyV2(1, 0x21, block));
        QCOMPARE(header.status, ProxyHeader::Status::Complete);
        QCOMPARE(header.source.toString(), u"2001:db8::7"_s);
    }

    void proxyHeader_localCommandHasNoAddress()
    {
        const ProxyHeader header = ProxyHeader::parse(proxyV2(0, 0x00, {}));
        QCOMPARE(header.status, ProxyHeader::Status::Complete);
        QCOMPARE(header.length, 16);
        QVERIFY(header.source.isNull());
    }

    void proxyHeader_partialNeedsMore()
    {
        const QByteArray full = proxyV2(1, 0x11, ipv4Block("203.0.113.7", "127.0.0.1"));
        for (qsizetype n = 1; n < full.size(); ++n)
            QCOMPARE(ProxyHeader::parse(full.first(n)).status, ProxyHeader::Status::NeedMore);
    }

    void proxyHeader_plainHttpIsNotProxy()
    {
        QCOMPARE(ProxyHeader::parse("GET /ws HTTP/1.1\r\n").status, ProxyHeader::Status::NotProxy);
        QCOMPARE(ProxyHeader::parse("\r\nX").status, ProxyHeader::Status::NotProxy);
        QCOMPARE(ProxyHeader::parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n").status,
                 ProxyHeader::Status::NotProxy);
    }

    void proxyHeader_malformed()
    {
        QByteArray wrongVersion = proxyV2(1, 0x11, ipv4Block("203.0.113.7", "127.0.0.1"));
        wrongVersion[12] = char(0x11);
        QCOMPARE(ProxyHeader::parse(wrongVersion).status, ProxyHeader::Status::Malformed);
        QCOMPARE(ProxyHeader::parse(proxyV2(1, 0x11, QByteArray(4, '\0'))).status,
                 ProxyHeader::Status::Malformed);
        QCOMPARE(ProxyHeader::parse(proxyV2(1, 0x21, QByteArray(12, '\0'))).status,
                 ProxyHeader::Status::Malformed);
        QByteArray huge = proxyV2(1, 0x11, {});
        qToBigEndian<quint16>(60000, huge.data() + 14);
        QCOMPARE(ProxyHeader::parse(huge).status, ProxyHeader::Status::Malformed);
    }
};

QTEST_GUILESS_MAIN(tst_clientaddress)
#include "tst_clientaddress.moc"
