// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <Backoff.h>

#include <QTest>

using conversa::core::Backoff;

class TestBackoff : public QObject
{
    Q_OBJECT
private slots:
    void ceilingDoublesToCap();
    void fullJitterStaysWithinBounds();
    void extremesOfTheRandomSource();
    void resetsOnlyAfterAuthAndAStableMinute();
    void noResetWithoutAuth();
    void explicitReset();
};

void TestBackoff::ceilingDoublesToCap()
{
    Backoff backoff(
        {500, 30'000, 60'000}, [] { return 0.999999; }, [] { return qint64(0); });
    const QList<qint64> expected{500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (qint64 ceiling : expected) {
        QCOMPARE(backoff.currentCeilingMs(), ceiling);
        backoff.nextDelayMs();
    }
    // Far beyond: no overflow, still the cap.
    for (int i = 0; i < 100; ++i)
        backoff.nextDelayMs();
    QCOMPARE(backoff.currentCeilingMs(), 30'000);
}

void TestBackoff::fullJitterStaysWithinBounds()
{
    Backoff backoff; // real random source
    for (int attempt = 0; attempt < 40; ++attempt) {
        const qint64 ceiling = backoff.currentCeilingMs();
        const qint64 delay = backoff.nextDelayMs();
        QVERIFY2(delay >= 0 && delay <= ceiling,
                 qPrintable(QStringLiteral("attempt %1: %2 not in [0, %3]")
                                .arg(attempt)
                                .arg(delay)
                                .arg(ceiling)));
    }
    // Over many draws at the cap, the delays spread over the whole range (full jitter).
    qint64 low = 30'000, high = 0;
    for (int i = 0; i < 2000; ++i) {
        const qint64 d = backoff.nextDelayMs();
        low = qMin(low, d);
        high = qMax(high, d);
    }
    QVERIFY2(low < 3000, qPrintable(QString::number(low)));
    QVERIFY2(high > 27'000, qPrintable(QString::number(high)));
}

void TestBackoff::extremesOfTheRandomSource()
{
    double r = 0.0;
    Backoff backoff(
        {500, 30'000, 60'000}, [&r] { return r; }, [] { return qint64(0); });
    QCOMPARE(backoff.nextDelayMs(), 0);
    r = 0.5;
    QCOMPARE(backoff.nextDelayMs(), 500); // ceiling 1000
    r = 1.0;                              // out of contract: clamped to the ceiling
    QCOMPARE(backoff.nextDelayMs(), 2000);
    r = -3.0;
    QCOMPARE(backoff.nextDelayMs(), 0);
}

void TestBackoff::resetsOnlyAfterAuthAndAStableMinute()
{
    qint64 now = 1'000'000;
    Backoff backoff(
        {500, 30'000, 60'000}, [] { return 0.5; }, [&now] { return now; });
    for (int i = 0; i < 5; ++i)
        backoff.nextDelayMs();
    QCOMPARE(backoff.attempts(), 5);

    // Accepted, but dropped after 59 s: still backing off.
    backoff.sessionEstablished();
    now += 59'000;
    backoff.sessionLost();
    QCOMPARE(backoff.attempts(), 5);
    QCOMPARE(backoff.currentCeilingMs(), 16'000);

    // Accepted and up for a full minute: back to the start.
    backoff.sessionEstablished();
    now += 60'000;
    backoff.sessionLost();
    QCOMPARE(backoff.attempts(), 0);
    QCOMPARE(backoff.currentCeilingMs(), 500);
}

void TestBackoff::noResetWithoutAuth()
{
    qint64 now = 0;
    Backoff backoff(
        {500, 30'000, 60'000}, [] { return 0.5; }, [&now] { return now; });
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    // A TCP connection that never authenticated does not count, however long it lasted.
    now += 10 * 60'000;
    backoff.sessionLost();
    QCOMPARE(backoff.attempts(), 2);
    // And an old establishment does not leak into the next loss.
    backoff.sessionEstablished();
    now += 1000;
    backoff.sessionLost();
    now += 120'000;
    backoff.sessionLost();
    QCOMPARE(backoff.attempts(), 2);
}

void TestBackoff::explicitReset()
{
    Backoff backoff(
        {500, 30'000, 60'000}, [] { return 0.5; }, [] { return qint64(0); });
    backoff.nextDelayMs();
    backoff.reset();
    QCOMPARE(backoff.attempts(), 0);
    QCOMPARE(backoff.currentCeilingMs(), 500);
}

QTEST_GUILESS_MAIN(TestBackoff)
#include "tst_backoff.moc"
