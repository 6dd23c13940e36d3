// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RateLimiter.h"

#include <QTest>

using namespace Qt::StringLiterals;
using conversa::server::FailureWindow;
using conversa::server::TokenBucket;

class TestRateLimiter : public QObject
{
    Q_OBJECT
private slots:
    void bucketAllowsBurstThenRate()
    {
        TokenBucket bucket;
        for (int i = 0; i < 20; ++i)
            QVERIFY(bucket.take(1000, 10.0, 20));
        QVERIFY(!bucket.take(1000, 10.0, 20));
        QCOMPARE(bucket.waitMs(10.0), 100);
        QVERIFY(!bucket.take(1050, 10.0, 20)); // half a token after 50 ms
        QVERIFY(bucket.take(1100, 10.0, 20));  // one token after 100 ms
        QVERIFY(!bucket.take(1100, 10.0, 20));
    }

    void bucketRefillsOnlyUpToBurst()
    {
        TokenBucket bucket;
        QVERIFY(bucket.take(0, 10.0, 3));
        // An hour idle still leaves only `burst` tokens.
        for (int i = 0; i < 3; ++i)
            QVERIFY(bucket.take(3'600'000, 10.0, 3));
        QVERIFY(!bucket.take(3'600'000, 10.0, 3));
    }

    void failuresSlideOutOfTheWindow()
    {
        FailureWindow window(60'000);
        for (int i = 0; i < 5; ++i)
            window.record(u"user:alice"_s, 1000 + i * 1000);
        QCOMPARE(window.count(u"user:alice"_s, 6000), 5);
        QCOMPARE(window.count(u"user:bob"_s, 6000), 0);
        QCOMPARE(window.retryAfterMs(u"user:alice"_s, 6000), 55'000);
        QCOMPARE(window.count(u"user:alice"_s, 61'000), 4); // the first one left
        QCOMPARE(window.count(u"user:alice"_s, 65'000), 0);
    }

    void pruneForgetsOldKeys()
    {
        FailureWindow window(60'000);
        window.record(u"addr:1"_s, 0);
        window.record(u"addr:2"_s, 50'000);
        window.prune(70'000);
        QCOMPARE(window.count(u"addr:1"_s, 70'000), 0);
        QCOMPARE(window.count(u"addr:2"_s, 70'000), 1);
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
