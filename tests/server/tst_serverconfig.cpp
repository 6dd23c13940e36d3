// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ServerConfig.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::server::ServerConfig;

class TestServerConfig : public QObject
{
    Q_OBJECT
private slots:
    void defaultsMatchTheDesign()
    {
        const ServerConfig config;
        QCOMPARE(config.limits.maxFrameBytes, 64 * 1024);
        QCOMPARE(config.limits.maxBodyBytes, 16 * 1024);
        QCOMPARE(config.messagesPerSecond, 10.0);
        QCOMPARE(config.loginFailuresPerMinute, 5);
        QCOMPARE(config.maxConnectionsPerAddress, 50);
        QCOMPARE(config.authTimeoutSeconds, 10);
        QCOMPARE(config.idleTimeoutSeconds, 75);
        QCOMPARE(config.serverPingSeconds, 30);
        QVERIFY(!config.tlsEnabled());
    }

    void flagsWinOverEnvironmentOverFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"server.conf"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            "[server]\n# a comment = with an equals sign\n; another comment\n"
            "idle_timeout_seconds = 30\nauth_timeout_seconds = 7\n"
            "max_body_bytes = 1000\nallowed_origins = https://a.example, https://b.example\n");
        file.close();
        qputenv("CONVERSA_AUTH_TIMEOUT_SECONDS", "8");
        qputenv("CONVERSA_MAX_BODY_BYTES", "2000");
        ServerConfig config;
        const QString error = ServerConfig::load(
            config, {u"--config"_s, path, u"--max-body-bytes"_s, u"3000"_s, u"--data"_s, u"/d"_s});
        qunsetenv("CONVERSA_AUTH_TIMEOUT_SECONDS");
        qunsetenv("CONVERSA_MAX_BODY_BYTES");
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(config.idleTimeoutSeconds, 30);    // file only
        QCOMPARE(config.authTimeoutSeconds, 8);     // environment beats the file
        QCOMPARE(config.limits.maxBodyBytes, 3000); // flag beats both
        QCOMPARE(config.dataDir, u"/d"_s);
        QCOMPARE(config.allowedOrigins,
                 QStringList({u"https://a.example"_s, u"https://b.example"_s}));
    }

    void listenAddresses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<quint16>("port");
        QTest::newRow("v4") << u"127.0.0.1:8080"_s << true << quint16(8080);
        QTest::newRow("any port") << u"127.0.0.1:0"_s << true << quint16(0);
        QTest::newRow("v6") << u"[::1]:9000"_s << true << quint16(9000);
        QTest::newRow("localhost") << u"localhost:1"_s << true << quint16(1);
        QTest::newRow("no port") << u"127.0.0.1"_s << false << quint16(0);
        QTest::newRow("port too big") << u"127.0.0.1:70000"_s << false << quint16(0);
        QTest::newRow("hostname") << u"example.com:80"_s << false << quint16(0);
    }

    void listenAddresses()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(quint16, port);
        QString error;
        const auto address = conversa::server::parseListenAddress(text, &error);
        QCOMPARE(address.has_value(), valid);
        QCOMPARE(error.isEmpty(), valid);
        if (valid)
            QCOMPARE(address->port, port);
    }

    void serverPingCanBeSetOrTurnedOff()
    {
        ServerConfig config;
        QCOMPARE(ServerConfig::load(config, {u"--server-ping-seconds"_s, u"1"_s}), QString());
        QCOMPARE(config.serverPingSeconds, 1);
        QCOMPARE(ServerConfig::load(config, {u"--server-ping-seconds"_s, u"0"_s}), QString());
        QCOMPARE(config.serverPingSeconds, 0);
        QVERIFY(ServerConfig::keys().contains(u"server_ping_seconds"_s));
    }

    void badValuesAreExplained_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown key") << QStringList{u"--colour"_s, u"red"_s} << u"colour"_s;
        QTest::newRow("not a number")
            << QStringList{u"--idle-timeout-seconds"_s, u"soon"_s} << u"idle_timeout_seconds"_s;
        QTest::newRow("zero") << QStringList{u"--max-connections-per-address"_s, u"0"_s}
                              << u"max_connections_per_address"_s;
        QTest::newRow("missing value") << QStringList{u"--data"_s} << u"needs a value"_s;
        QTest::newRow("cert without key")
            << QStringList{u"--tls-cert"_s, u"c.pem"_s} << u"--tls-key"_s;
        QTest::newRow("body over frame")
            << QStringList{u"--max-body-bytes"_s, u"100000"_s} << u"max_frame_bytes"_s;
        QTest::newRow("negative ping interval")
            << QStringList{u"--server-ping-seconds"_s, u"-1"_s} << u"server_ping_seconds"_s;
        QTest::newRow("missing config file")
            << QStringList{u"--config"_s, u"/nonexistent/server.conf"_s} << u"cannot read"_s;
        QTest::newRow("redis url of another scheme")
            << QStringList{u"--redis-url"_s, u"http://10.0.0.5:6379"_s} << u"redis://HOST:PORT"_s;
        QTest::newRow("redis url with a password")
            << QStringList{u"--redis-url"_s, u"redis://:pw@10.0.0.5:6379"_s}
            << u"passwords are not supported"_s;
        QTest::newRow("presence ttl too short")
            << QStringList{u"--redis-presence-ttl-seconds"_s, u"1"_s}
            << u"redis_presence_ttl_seconds"_s;
    }

    void redisSettingsAreTaken()
    {
        ServerConfig config;
        QVERIFY(config.redisUrl.isEmpty()); // optional: without it everything stays local
        QCOMPARE(ServerConfig::load(config, {u"--redis-url"_s, u"redis://10.0.0.5:6380"_s,
                                             u"--redis-presence-ttl-seconds"_s, u"30"_s}),
                 QString());
        QCOMPARE(config.redisUrl, u"redis://10.0.0.5:6380"_s);
        QCOMPARE(config.redisPresenceTtlSeconds, 30);
    }

    void badValuesAreExplained()
    {
        QFETCH(QStringList, flags);
        QFETCH(QString, mentions);
        ServerConfig config;
        const QString error = ServerConfig::load(config, flags);
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestServerConfig)
#include "tst_serverconfig.moc"
