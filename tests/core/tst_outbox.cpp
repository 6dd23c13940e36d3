// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <Outbox.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::core::Outbox;
using conversa::core::OutboxEntry;
using conversa::core::OutboxState;

class TestOutbox : public QObject
{
    Q_OBJECT
private slots:
    void init() { QVERIFY(m_dir.isValid()); }
    void enqueueKeepsOrderPerRoom();
    void sentAndFailedStates();
    void retryGoesToTheEnd();
    void survivesReopen();
    void twoHandlesOnOneFile();

private:
    QString path() const { return m_dir.filePath(u"outbox.sqlite"_s); }
    QTemporaryDir m_dir;
};

void TestOutbox::enqueueKeepsOrderPerRoom()
{
    QTemporaryDir dir;
    Outbox outbox;
    QVERIFY2(outbox.open(dir.filePath(u"o.sqlite"_s)), qPrintable(outbox.lastError()));
    QSignalSpy changed(&outbox, &Outbox::entryChanged);
    const QString a1 = outbox.enqueue(u"alpha"_s, u"one"_s);
    const QString b1 = outbox.enqueue(u"beta"_s, u"uno"_s);
    const QString a2 = outbox.enqueue(u"alpha"_s, u"two"_s);
    QCOMPARE(changed.size(), 3);
    QVERIFY(!a1.isEmpty() && a1 != a2 && a1 != b1);
    QCOMPARE(a1.size(), 36); // a UUID
    QCOMPARE(outbox.pendingCount(), 3);
    QCOMPARE(outbox.pendingCount(u"alpha"_s), 2);
    QCOMPARE(outbox.roomsWithPending(), (QStringList{u"alpha"_s, u"beta"_s}));
    QCOMPARE(outbox.nextPending(u"alpha"_s)->cid, a1);
    QCOMPARE(outbox.nextPending(u"beta"_s)->body, u"uno"_s);
    QVERIFY(!outbox.nextPending(u"gamma"_s));
    const auto alpha = outbox.unsent(u"alpha"_s);
    QCOMPARE(alpha.size(), 2);
    QCOMPARE(alpha.at(0).cid, a1);
    QCOMPARE(alpha.at(1).cid, a2);
}

void TestOutbox::sentAndFailedStates()
{
    QTemporaryDir dir;
    Outbox outbox;
    QVERIFY(outbox.open(dir.filePath(u"o.sqlite"_s)));
    const QString a1 = outbox.enqueue(u"alpha"_s, u"one"_s);
    const QString a2 = outbox.enqueue(u"alpha"_s, u"two"_s);
    QVERIFY(outbox.markSent(a1, 41, 1700000000000));
    QCOMPARE(outbox.entry(a1)->state, OutboxState::Sent);
    QCOMPARE(outbox.entry(a1)->seq, 41);
    QCOMPARE(outbox.nextPending(u"alpha"_s)->cid, a2);
    QVERIFY(outbox.markFailed(a2, u"message body is too large"_s));
    QCOMPARE(outbox.entry(a2)->state, OutboxState::Failed);
    QCOMPARE(outbox.entry(a2)->reason, u"message body is too large"_s);
    QVERIFY(!outbox.nextPending(u"alpha"_s));
    QCOMPARE(outbox.pendingCount(), 0);
    QCOMPARE(outbox.failedCount(), 1);
    QCOMPARE(outbox.unsent().size(), 1); // the failed one; sent ones are not "unsent"
    QCOMPARE(outbox.purgeSent(), 1);
    QVERIFY(!outbox.entry(a1));
    QSignalSpy removed(&outbox, &Outbox::entryRemoved);
    QVERIFY(outbox.discard(a2));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(outbox.unsent().size(), 0);
    QVERIFY(!outbox.markSent(u"no-such-cid"_s, 1, 1));
}

void TestOutbox::retryGoesToTheEnd()
{
    QTemporaryDir dir;
    Outbox outbox;
    QVERIFY(outbox.open(dir.filePath(u"o.sqlite"_s)));
    const QString a1 = outbox.enqueue(u"alpha"_s, u"one"_s);
    const QString a2 = outbox.enqueue(u"alpha"_s, u"two"_s);
    QVERIFY(outbox.markFailed(a1, u"forbidden"_s));
    QVERIFY(outbox.retry(a1));
    QVERIFY(!outbox.retry(a2)); // only failed messages can be retried
    const auto pending = outbox.unsent(u"alpha"_s);
    QCOMPARE(pending.size(), 2);
    QCOMPARE(pending.at(0).cid, a2);
    QCOMPARE(pending.at(1).cid, a1);
    QCOMPARE(pending.at(1).state, OutboxState::Pending);
    QVERIFY(pending.at(1).reason.isEmpty());
}

void TestOutbox::survivesReopen()
{
    QString a1, a2;
    {
        Outbox outbox;
        QVERIFY(outbox.open(path()));
        a1 = outbox.enqueue(u"alpha"_s, u"before the crash"_s);
        a2 = outbox.enqueue(u"alpha"_s, u"also"_s);
        QVERIFY(outbox.markSent(a1, 7, 1));
    }
    Outbox reopened;
    QVERIFY(reopened.open(path()));
    QCOMPARE(reopened.pendingCount(), 1);
    QCOMPARE(reopened.nextPending(u"alpha"_s)->cid, a2);
    QCOMPARE(reopened.nextPending(u"alpha"_s)->body, u"also"_s);
    QCOMPARE(reopened.entry(a1)->seq, 7);
}

void TestOutbox::twoHandlesOnOneFile()
{
    Outbox one, two;
    QVERIFY(one.open(path()));
    QVERIFY(two.open(path()));
    const QString cid = one.enqueue(u"alpha"_s, u"shared"_s);
    QVERIFY(two.entry(cid));
    QVERIFY(two.markSent(cid, 3, 3));
    QCOMPARE(one.entry(cid)->state, OutboxState::Sent);
}

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
