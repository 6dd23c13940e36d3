// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "http/WebClient.h"

#include <QTest>

using conversa::server::WebClient;

class TestWebClient : public QObject
{
    Q_OBJECT
private slots:
    void servesThePageWithItsHeaders()
    {
        const WebClient web;
        const QByteArray page = web.response("/");
        QVERIFY(page.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(page.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"));
        QVERIFY(page.contains("\r\nX-Content-Type-Options: nosniff\r\n"));
        QVERIFY(page.contains("frame-ancestors 'none'"));
        QVERIFY(page.contains("<script type=\"module\" src=\"/app.js\">"));
        QCOMPARE(web.response("/index.html"), page);
        QVERIFY(web.response("/engine/client.js").contains("text/javascript; charset=utf-8"));
    }

    void servesOnlyWhatWasCompiledIn()
    {
        const WebClient web;
        for (const char *path : {"/package.json", "/files.cmake", "/engine", "/engine/", "//app.js",
                                 "/./app.js", "/../app.js", "/APP.JS", "", "app.js"})
            QVERIFY2(web.response(path).isEmpty(), path);
    }

    void policyHasNoInlineScriptOrStyle()
    {
        const QByteArrayView csp = WebClient::contentSecurityPolicy();
        QVERIFY(csp.contains("default-src 'none'"));
        QVERIFY(csp.contains("connect-src 'self'"));
        QVERIFY(!csp.contains("unsafe"));
        // Pictures of messages are blob: URLs made from authenticated fetches; nothing else.
        QVERIFY(csp.contains("img-src 'self' blob:;"));
        QVERIFY(!csp.contains("data:"));
    }

    void mimeTypes()
    {
        QCOMPARE(WebClient::mimeType("/a/b.js"), QByteArray("text/javascript; charset=utf-8"));
        QCOMPARE(WebClient::mimeType("/s.css"), QByteArray("text/css; charset=utf-8"));
        QCOMPARE(WebClient::mimeType("/i.svg"), QByteArray("image/svg+xml"));
        QCOMPARE(WebClient::mimeType("/x.bin"), QByteArray("application/octet-stream"));
        QCOMPARE(WebClient::mimeType("/js"), QByteArray("application/octet-stream"));
    }

    void ownOrigin_data()
    {
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<bool>("tls");
        QTest::addColumn<bool>("viaProxy");
        QTest::addColumn<bool>("own");
        QTest::newRow("loopback") << QByteArray("http://127.0.0.1:8080")
                                  << QByteArray("127.0.0.1:8080") << false << false << true;
        QTest::newRow("localhost") << QByteArray("http://localhost:8080")
                                   << QByteArray("LocalHost:8080") << false << false << true;
        QTest::newRow("v6 loopback") << QByteArray("http://[::1]:8080") << QByteArray("[::1]:8080")
                                     << false << false << true;
        QTest::newRow("other port") << QByteArray("http://127.0.0.1:9090")
                                    << QByteArray("127.0.0.1:8080") << false << false << false;
        QTest::newRow("rebound name") << QByteArray("http://evil.example:8080")
                                      << QByteArray("evil.example:8080") << false << false << false;
        QTest::newRow("lan address, no tls")
            << QByteArray("http://10.0.0.5:8080") << QByteArray("10.0.0.5:8080") << false << false
            << false;
        QTest::newRow("behind a proxy") << QByteArray("https://chat.example.com")
                                        << QByteArray("chat.example.com") << false << true << true;
        QTest::newRow("tls, https") << QByteArray("https://chat.example.com")
                                    << QByteArray("chat.example.com") << true << false << true;
        QTest::newRow("tls, http") << QByteArray("http://chat.example.com")
                                   << QByteArray("chat.example.com") << true << false << false;
        QTest::newRow("suffix") << QByteArray("https://chat.example.com.evil")
                                << QByteArray("chat.example.com") << true << false << false;
        QTest::newRow("path") << QByteArray("https://chat.example.com/")
                              << QByteArray("chat.example.com") << true << false << false;
        QTest::newRow("null") << QByteArray("null") << QByteArray("127.0.0.1:8080") << false
                              << false << false;
        QTest::newRow("no host") << QByteArray("http://127.0.0.1:8080") << QByteArray() << false
                                 << false << false;
        QTest::newRow("other scheme") << QByteArray("ws://127.0.0.1:8080")
                                      << QByteArray("127.0.0.1:8080") << false << false << false;
    }

    void ownOrigin()
    {
        QFETCH(QByteArray, origin);
        QFETCH(QByteArray, host);
        QFETCH(bool, tls);
        QFETCH(bool, viaProxy);
        QFETCH(bool, own);
        QCOMPARE(WebClient::isOwnOrigin(origin, host, tls, viaProxy), own);
    }
};

QTEST_GUILESS_MAIN(TestWebClient)
#include "tst_webclient.moc"
