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
    void pendingAfterReadsInPages();
    void markSentInOneBatch();

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

void TestOutbox::pendingAfterReadsInPages()
{
    QTemporaryDir dir;
    Outbox outbox;
    QVERIFY(outbox.open(dir.filePath(u"o.sqlite"_s)));
    QStringList alpha;
    for (int i = 0; i < 10; ++i) {
        alpha.append(outbox.enqueue(u"alpha"_s, u"a%1"_s.arg(i)));
        outbox.enqueue(u"beta"_s, u"b%1"_s.arg(i));
    }
    const auto first = outbox.pendingAfter(u"alpha"_s, 0, 4);
    QCOMPARE(first.size(), 4);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(first.at(i).cid, alpha.at(i));
    const auto rest = outbox.pendingAfter(u"alpha"_s, first.constLast().position, 100);
    QCOMPARE(rest.size(), 6);
    QCOMPARE(rest.first().cid, alpha.at(4));
    QCOMPARE(rest.constLast().cid, alpha.at(9));
    // Only pending ones.
    QVERIFY(outbox.markSent(alpha.at(5), 1, 1));
    QVERIFY(outbox.markFailed(alpha.at(6), u"no"_s));
    QCOMPARE(outbox.pendingAfter(u"alpha"_s, first.constLast().position, 100).size(), 4);
    QVERIFY(outbox.pendingAfter(u"alpha"_s, 0, 0).isEmpty());
    QVERIFY(outbox.pendingAfter(u"gamma"_s, 0, 10).isEmpty());
}

void TestOutbox::markSentInOneBatch()
{
    QTemporaryDir dir;
    Outbox outbox;
    QVERIFY(outbox.open(dir.filePath(u"o.sqlite"_s)));
    for (int i = 0; i < 5; ++i)
        outbox.enqueue(u"alpha"_s, u"a%1"_s.arg(i));
    QList<OutboxEntry> batch = outbox.pendingAfter(u"alpha"_s, 0, 5);
    QCOMPARE(batch.size(), 5);
    for (int i = 0; i < batch.size(); ++i) {
        batch[i].seq = 100 + i;
        batch[i].ts = 5000 + i;
    }
    // Discarded meanwhile: not brought back, and not told as sent.
    QVERIFY(outbox.discard(batch.at(2).cid));
    QSignalSpy changed(&outbox, &Outbox::entryChanged);
    QVERIFY2(outbox.markSent(batch), qPrintable(outbox.lastError()));
    QCOMPARE(changed.size(), 4);
    for (const QList<QVariant> &signal : std::as_const(changed)) {
        const auto entry = signal.at(0).value<OutboxEntry>();
        QCOMPARE(entry.state, OutboxState::Sent);
        QVERIFY(entry.seq >= 100);
    }
    QCOMPARE(outbox.pendingCount(), 0);
    QCOMPARE(outbox.entry(batch.at(4).cid)->seq, 104);
    QCOMPARE(outbox.entry(batch.at(4).cid)->ts, 5004);
    QVERIFY(!outbox.entry(batch.at(2).cid));
    // The outbox's own commits still wait for the disk afterwards.
    QCOMPARE(outbox.database().pragma(u"synchronous"_s).toInt(), 2); // FULL
    // A disk that refuses: nothing is marked, nothing told.
    const QString late = outbox.enqueue(u"alpha"_s, u"late"_s);
    QVERIFY(outbox.database().exec(u"PRAGMA query_only = ON"_s));
    changed.clear();
    OutboxEntry entry = *outbox.entry(late);
    entry.seq = 200;
    QVERIFY(!outbox.markSent(QList<OutboxEntry>{entry}));
    QCOMPARE(changed.size(), 0);
    QVERIFY(outbox.database().exec(u"PRAGMA query_only = OFF"_s));
    QCOMPARE(outbox.entry(late)->state, OutboxState::Pending);
}

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
