// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// DrainPlan: how many sessions a draining instance closes per 100 ms step.
#include "cluster/DrainPlan.h"

#include <QTest>

using namespace conversa::server;

class tst_drainplan : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void manySessions_spreadOverTheFirstHalf()
    {
        // 10 s: 50 steps of 100 ms in the first 5 s; 10,000 sessions -> 200 a step.
        const DrainPlan plan = DrainPlan::make(1000, 10000, 10);
        QCOMPARE(plan.deadlineMs, 11000);
        QCOMPARE(plan.closesPerTick, 200);
        // Rounded up, so the last one closes within the first half.
        QCOMPARE(DrainPlan::make(0, 10001, 10).closesPerTick, 201);
    }

    void fewSessions_closeAtTheFloorRate()
    {
        QCOMPARE(DrainPlan::make(0, 3, 10).closesPerTick, DrainPlan::kMinClosesPerTick);
        QCOMPARE(DrainPlan::make(0, 0, 10).closesPerTick, DrainPlan::kMinClosesPerTick);
    }

    void zeroSeconds_closesEverythingAtOnce()
    {
        const DrainPlan plan = DrainPlan::make(500, 700, 0);
        QCOMPARE(plan.deadlineMs, 500);
        QCOMPARE(plan.closesPerTick, 700);
        QVERIFY(DrainPlan::make(0, 0, 0).closesPerTick >= 1);
    }

    void oneSecond_stillSpreads()
    {
        // 5 steps in the first half second.
        QCOMPARE(DrainPlan::make(0, 100, 1).closesPerTick, 20);
    }
};

QTEST_GUILESS_MAIN(tst_drainplan)
#include "tst_drainplan.moc"
