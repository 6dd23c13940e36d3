// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "http/HttpRequest.h"

#include <QTest>

using conversa::server::HttpRequest;
using Status = HttpRequest::ParseStatus;

class TestHttpRequest : public QObject
{
    Q_OBJECT
private slots:
    void upgradeRequest()
    {
        HttpRequest request;
        const QByteArray bytes = "GET /ws?x=1 HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\n"
                                 "Connection: Upgrade\r\nOrigin: https://chat.example\r\n\r\n";
        QCOMPARE(HttpRequest::parse(bytes, &request), Status::Complete);
        QCOMPARE(request.method, QByteArray("GET"));
        QCOMPARE(request.path, QByteArray("/ws"));
        QVERIFY(request.wantsUpgrade);
        QCOMPARE(request.origin, QByteArray("https://chat.example"));
    }

    void plainRequestWithoutOrigin()
    {
        HttpRequest request;
        QCOMPARE(HttpRequest::parse("GET /healthz HTTP/1.0\r\n\r\n", &request), Status::Complete);
        QCOMPARE(request.path, QByteArray("/healthz"));
        QVERIFY(!request.wantsUpgrade);
        QVERIFY(request.origin.isEmpty());
    }

    void incompleteAndMalformed()
    {
        HttpRequest request;
        QCOMPARE(HttpRequest::parse("GET /ws HTTP/1.1\r\nHost: a\r\n", &request), Status::NeedMore);
        QCOMPARE(HttpRequest::parse("hello\r\n\r\n", &request), Status::Malformed);
        QCOMPARE(HttpRequest::parse("GET /ws SPDY/3\r\n\r\n", &request), Status::Malformed);
    }

    void responseHasLengthAndCloses()
    {
        const QByteArray response =
            conversa::server::httpResponse(429, "Too Many Requests", "text/plain", "slow down\n");
        QVERIFY(response.startsWith("HTTP/1.1 429 Too Many Requests\r\n"));
        QVERIFY(response.contains("Content-Length: 10\r\n"));
        QVERIFY(response.contains("Connection: close\r\n"));
        QVERIFY(response.endsWith("\r\n\r\nslow down\n"));
    }

    void extraHeadersAreAmongTheHeaders()
    {
        const QByteArray response = conversa::server::httpResponse(
            401, "Unauthorized", "application/json", "{}", "WWW-Authenticate: Bearer\r\n");
        const qsizetype headEnd = response.indexOf("\r\n\r\n");
        const qsizetype at = response.indexOf("\r\nWWW-Authenticate: Bearer\r\n");
        QVERIFY(at > 0 && at < headEnd);
        QVERIFY(response.contains("\r\nCache-Control: no-store\r\n"));
        QVERIFY(response.endsWith("\r\n\r\n{}"));
    }

    void headPromisesTheBodyThatFollows()
    {
        const QByteArray head = conversa::server::httpHead(200, "OK", "image/png", 123456,
                                                           "Cache-Control: private\r\n");
        QVERIFY(head.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(head.contains("\r\nContent-Length: 123456\r\n"));
        QVERIFY(head.contains("\r\nCache-Control: private\r\n"));
        QVERIFY(!head.contains("no-store"));
        QVERIFY(head.endsWith("Connection: close\r\n\r\n"));
    }
};

QTEST_GUILESS_MAIN(TestHttpRequest)
#include "tst_httprequest.moc"
