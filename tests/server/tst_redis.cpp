// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The RESP2 parser on its own, and RedisClient against a real redis-server started by the test:
// replies in order, refusals while down, reconnecting after a crash, timing out on a Redis that
// stopped answering, the bounded queue, and subscriptions that survive a restart.
#include "RedisServer.h"
#include "ServerProcess.h"
#include "redis/RedisClient.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::server::redis;
using conversa::test::RedisServer;
using conversa::test::waitUntil;

class TestRedis : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<RedisServer> m_redis;

    std::unique_ptr<RedisClient> client(int commandTimeoutMs = 2000)
    {
        auto c = std::make_unique<RedisClient>(RedisAddress{u"127.0.0.1"_s, m_redis->port()});
        c->setTimeouts(commandTimeoutMs, 3000);
        c->setBackoff(50, 300);
        return c;
    }

    static RedisResult run(RedisClient &client, const QList<QByteArray> &arguments)
    {
        RedisResult out;
        bool done = false;
        client.command(arguments, [&](const RedisResult &result) {
            out = result;
            done = true;
        });
        waitUntil([&] { return done; }, 5000);
        return out;
    }

private slots:
    void parserReadsEveryKindInPieces()
    {
        const QByteArray stream = "+OK\r\n-ERR wrong\r\n:42\r\n$5\r\nhe\r\nl\r\n$-1\r\n"
                                  "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n*1\r\n:-7\r\n*0\r\n"_ba;
        // Byte by byte: nothing is lost or misread at any split.
        RespParser parser;
        QList<RespValue> values;
        QString error;
        for (char c : stream) {
            parser.feed(QByteArray(1, c));
            while (auto value = parser.next(&error))
                values.append(*value);
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        QCOMPARE(values.size(), 7);
        QCOMPARE(values[0].type, RespValue::Type::Status);
        QCOMPARE(values[0].text, "OK"_ba);
        QVERIFY(values[1].isError());
        QCOMPARE(values[1].text, "ERR wrong"_ba);
        QCOMPARE(values[2].integer, 42);
        QCOMPARE(values[3].text, "he\r\nl"_ba); // a bulk string may hold line ends
        QCOMPARE(values[4].type, RespValue::Type::Null);
        QCOMPARE(values[5].elements.size(), 3);
        QCOMPARE(values[5].textAt(0), "message"_ba);
        QCOMPARE(values[5].elements[2].elements[0].integer, -7);
        QCOMPARE(values[6].type, RespValue::Type::Array);
        QCOMPARE(values[6].elements.size(), 0);
        QCOMPARE(parser.buffered(), 0);
    }

    void parserRefusesWhatIsNotResp_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("unknown type") << "!oops\r\n"_ba;
        QTest::newRow("bad integer") << ":12a\r\n"_ba;
        QTest::newRow("negative bulk") << "$-2\r\n"_ba;
        QTest::newRow("huge bulk") << "$999999999999\r\n"_ba;
        QTest::newRow("huge array") << "*99999999\r\n"_ba;
        QTest::newRow("bulk without line end") << "$2\r\nabXY"_ba;
        QTest::newRow("too deep")
            << "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"_ba;
        QTest::newRow("endless line") << QByteArray(70 * 1024, '+');
    }

    void parserRefusesWhatIsNotResp()
    {
        QFETCH(QByteArray, bytes);
        RespParser parser;
        parser.feed(bytes);
        QString error;
        QVERIFY(!parser.next(&error));
        QVERIFY(!error.isEmpty());
    }

    void commandsAreEncodedAsBulkArrays()
    {
        QCOMPARE(encodeCommand({"SET"_ba, "k"_ba, "a b\r\n"_ba}),
                 "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na b\r\n\r\n"_ba);
    }

    void urlsAreCheckedInWords_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<quint16>("port");
        QTest::newRow("host and port") << u"redis://10.0.0.5:6380"_s << true << quint16(6380);
        QTest::newRow("default port") << u"redis://cache.internal"_s << true << quint16(6379);
        QTest::newRow("ipv6") << u"redis://[::1]:7000"_s << true << quint16(7000);
        QTest::newRow("other scheme") << u"http://host:6379"_s << false << quint16(0);
        QTest::newRow("no host") << u"redis://:6379"_s << false << quint16(0);
        QTest::newRow("password") << u"redis://:secret@host:6379"_s << false << quint16(0);
        QTest::newRow("database") << u"redis://host:6379/2"_s << false << quint16(0);
        QTest::newRow("garbage") << u"not a url"_s << false << quint16(0);
    }

    void urlsAreCheckedInWords()
    {
        QFETCH(QString, url);
        QFETCH(bool, valid);
        QFETCH(quint16, port);
        QString error;
        const auto address = parseRedisUrl(url, &error);
        QCOMPARE(bool(address), valid);
        if (valid)
            QCOMPARE(address->port, port);
        else
            QVERIFY(error.contains("redis"_L1));
    }

    void init()
    {
        if (QByteArray(QTest::currentTestFunction()).startsWith("parser") ||
            QByteArray(QTest::currentTestFunction()).startsWith("commands") ||
            QByteArray(QTest::currentTestFunction()).startsWith("urls"))
            return;
        if (!RedisServer::isInstalled()) {
            if (RedisServer::mustRun())
                QFAIL("redis-server is not installed (apt-get install redis-server)");
            QSKIP("redis-server is not installed (apt-get install redis-server)");
        }
        m_redis = std::make_unique<RedisServer>();
        QVERIFY2(m_redis->start(), qPrintable(m_redis->diagnostics()));
    }

    void cleanup() { m_redis.reset(); }

    void repliesComeBackInOrder()
    {
        auto redis = client();
        QSignalSpy ready(redis.get(), &RedisClient::ready);
        redis->start();
        QVERIFY(ready.wait(5000));
        QCOMPARE(run(*redis, {"SET"_ba, "k"_ba, "v"_ba}).value.text, "OK"_ba);
        QCOMPARE(run(*redis, {"GET"_ba, "k"_ba}).value.text, "v"_ba);
        const RedisResult error = run(*redis, {"INCR"_ba, "k"_ba});
        QVERIFY(!error.ok);
        QVERIFY2(error.error.contains("not an integer"_L1), qPrintable(error.error));
        // A thousand pipelined commands: each callback gets its own answer, in order.
        QList<qint64> seen;
        for (int i = 0; i < 1000; ++i)
            redis->command({"INCR"_ba, "counter"_ba},
                           [&seen](const RedisResult &r) { seen.append(r.value.integer); });
        QVERIFY(waitUntil([&] { return seen.size() == 1000; }, 5000));
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(seen[i], i + 1);
        QCOMPARE(redis->pendingCount(), 0);
    }

    void refusesAtOnceWhileDownAndConnectsWhenRedisComes()
    {
        m_redis->stop();
        auto redis = client();
        QSignalSpy ready(redis.get(), &RedisClient::ready);
        QSignalSpy lost(redis.get(), &RedisClient::lost);
        redis->start();
        QVERIFY(lost.wait(5000));
        QVERIFY(lost.first().first().toString().contains(QString::number(m_redis->port())));
        // Not queued for later: refused inside the call.
        bool refused = false;
        redis->command({"PING"_ba}, [&](const RedisResult &r) { refused = !r.ok; });
        QVERIFY(refused);
        QTest::qWait(700); // a few attempts fail meanwhile
        QVERIFY(lost.size() >= 2);
        QVERIFY(m_redis->start());
        QVERIFY(ready.wait(5000));
        QVERIFY(run(*redis, {"PING"_ba}).ok);
    }

    void aCrashFailsWhatIsInFlightAndItReconnects()
    {
        auto redis = client();
        QSignalSpy ready(redis.get(), &RedisClient::ready);
        redis->start();
        QVERIFY(ready.wait(5000));
        // BLPOP holds its answer back until Redis dies under it.
        QString failure;
        bool secondFailed = false;
        redis->command({"BLPOP"_ba, "nothing"_ba, "0"_ba},
                       [&](const RedisResult &r) { failure = r.ok ? u"ok"_s : r.error; });
        redis->command({"PING"_ba}, [&](const RedisResult &r) {
            // Failed in order, after the first, with the connection already gone.
            secondFailed = !r.ok && !failure.isEmpty() && !redis->isReady();
        });
        QTest::qWait(100);
        m_redis->stop();
        QVERIFY(waitUntil([&] { return secondFailed; }, 5000));
        QVERIFY(failure != "ok"_L1);
        QVERIFY(m_redis->start());
        QVERIFY(ready.wait(5000));
        QVERIFY(run(*redis, {"PING"_ba}).ok);
    }

    void aRedisThatStopsAnsweringTimesOut()
    {
        auto redis = client(500);
        QSignalSpy ready(redis.get(), &RedisClient::ready);
        QSignalSpy lost(redis.get(), &RedisClient::lost);
        redis->start();
        QVERIFY(ready.wait(5000));
        QVERIFY(m_redis->pause());
        QElapsedTimer timer;
        timer.start();
        RedisResult result;
        bool done = false;
        redis->command({"PING"_ba}, [&](const RedisResult &r) {
            result = r;
            done = true;
        });
        // Typing-like commands are refused once kDroppableLimit wait; others still queue.
        for (qsizetype i = 1; i < RedisClient::kDroppableLimit; ++i)
            redis->command({"PING"_ba});
        bool droppableRefused = false;
        redis->command(
            {"PUBLISH"_ba, "c"_ba, "typing"_ba},
            [&](const RedisResult &r) { droppableRefused = !r.ok; },
            RedisClient::Priority::Droppable);
        QVERIFY(droppableRefused);
        bool normalQueued = true;
        redis->command({"PING"_ba}, [&](const RedisResult &r) {
            normalQueued = r.ok || !r.error.contains("keeping up"_L1);
        });
        QVERIFY(waitUntil([&] { return done; }, 5000));
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains("did not answer"_L1), qPrintable(result.error));
        QVERIFY2(timer.elapsed() >= 400 && timer.elapsed() < 2000,
                 qPrintable(QString::number(timer.elapsed())));
        QVERIFY(normalQueued);
        QCOMPARE(redis->pendingCount(), 0);
        QVERIFY(m_redis->resume());
        QVERIFY(ready.wait(5000));
    }

    void theQueueIsBounded()
    {
        auto redis = client(10000);
        QSignalSpy ready(redis.get(), &RedisClient::ready);
        redis->start();
        QVERIFY(ready.wait(5000));
        QVERIFY(m_redis->pause());
        int refused = 0;
        for (qsizetype i = 0; i < RedisClient::kPendingLimit + 10; ++i)
            redis->command({"PING"_ba}, [&](const RedisResult &r) {
                if (!r.ok && r.error.contains("keeping up"_L1))
                    ++refused;
            });
        QCOMPARE(refused, 10);
        QCOMPARE(redis->pendingCount(), RedisClient::kPendingLimit);
        QVERIFY(m_redis->resume());
        QVERIFY(waitUntil([&] { return redis->pendingCount() == 0; }, 5000));
    }

    void aRedisThatWantsAPasswordIsReportedInWords()
    {
        m_redis->stop();
        m_redis->setExtraArguments({u"--requirepass"_s, u"secret"_s});
        QVERIFY2(m_redis->start(), qPrintable(m_redis->diagnostics()));
        for (bool subscriber : {false, true}) {
            auto redis = client();
            if (subscriber)
                redis->setSubscriptions({"news"_ba});
            QSignalSpy lost(redis.get(), &RedisClient::lost);
            redis->start();
            QVERIFY(lost.wait(5000));
            const QString reason = lost.first().first().toString();
            QVERIFY2(reason.contains("NOAUTH"_L1), qPrintable(reason));
            QVERIFY(!redis->isReady());
        }
    }

    void subscriptionsSurviveARestart()
    {
        auto subscriber = client();
        subscriber->setSubscriptions({"news"_ba, "other"_ba});
        QSignalSpy ready(subscriber.get(), &RedisClient::ready);
        QSignalSpy messages(subscriber.get(), &RedisClient::message);
        subscriber->start();
        QVERIFY(ready.wait(5000));
        auto publisher = client();
        QSignalSpy publisherReady(publisher.get(), &RedisClient::ready);
        publisher->start();
        QVERIFY(publisherReady.wait(5000));
        QCOMPARE(run(*publisher, {"PUBLISH"_ba, "news"_ba, "one"_ba}).value.integer, 1);
        QVERIFY(waitUntil([&] { return messages.size() == 1; }, 2000));
        QCOMPARE(messages.last().at(0).toByteArray(), "news"_ba);
        QCOMPARE(messages.last().at(1).toByteArray(), "one"_ba);

        m_redis->stop();
        QVERIFY(m_redis->start());
        QVERIFY(ready.wait(5000));
        QVERIFY(waitUntil([&] { return publisher->isReady(); }, 5000));
        QCOMPARE(run(*publisher, {"PUBLISH"_ba, "other"_ba, "two"_ba}).value.integer, 1);
        QVERIFY(waitUntil([&] { return messages.size() == 2; }, 2000));
        QCOMPARE(messages.last().at(1).toByteArray(), "two"_ba);
        // A quiet subscriber keeps its link checked with PING (answered as "pong" arrays).
        QTest::qWait(3500);
        QVERIFY(subscriber->isReady());
    }
};

QTEST_GUILESS_MAIN(TestRedis)
#include "tst_redis.moc"
