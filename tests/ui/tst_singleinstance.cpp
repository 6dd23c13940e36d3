// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// A second launch finds the first one, hands over its arguments so the first raises its window,
// and steps back; a socket left by a crashed instance does not block a new start.
#include <SingleInstance.h>

#include <QLocalServer>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

class TestSingleInstance : public QObject
{
    Q_OBJECT
private slots:
    void secondLaunchActivatesTheFirst();
    void staleSocketDoesNotBlock();
};

void TestSingleInstance::secondLaunchActivatesTheFirst()
{
    const QString key = u"test-"_s + QUuid::createUuid().toString();
    SingleInstance first(key);
    QVERIFY(first.claim({u"conversa"_s}));
    QSignalSpy activated(&first, &SingleInstance::activationRequested);

    SingleInstance second(key);
    QVERIFY(!second.claim({u"conversa"_s, u"--server"_s, u"x"_s}));
    QTRY_COMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toStringList(),
             (QStringList{u"conversa"_s, u"--server"_s, u"x"_s}));

    // Another data folder is another instance.
    SingleInstance other(key + u"-other"_s);
    QVERIFY(other.claim({}));
}

void TestSingleInstance::staleSocketDoesNotBlock()
{
    const QString key = u"stale-"_s + QUuid::createUuid().toString();
    {
        SingleInstance crashed(key);
        QVERIFY(crashed.claim({}));
    } // destroyed: nobody listens any more
    SingleInstance next(key);
    QVERIFY(next.claim({}));
}

QTEST_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
