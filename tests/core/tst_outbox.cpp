// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <Outbox.h>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

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
    void enqueueDoesNotWaitForTheDisk();
    void refusedSaveLeavesNothingBehind();
    void queuedMessagesAreSavedOnClose();

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
    QSignalSpy saved(&outbox, &Outbox::saved);
    outbox.flush();
    QCOMPARE(saved.size(), 3);
    QCOMPARE(saved.at(0).at(0).value<OutboxEntry>().cid, a1);
    QCOMPARE(saved.at(2).at(0).value<OutboxEntry>().cid, a2);
    QCOMPARE(outbox.pendingCount(), 3);
    QCOMPARE(outbox.savingCount(), 0);
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
    outbox.flush();
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
    outbox.flush();
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
        outbox.flush();
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
    one.flush();
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
    outbox.flush();
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
    outbox.flush();
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
    // This connection only changes rows already on the disk: it never waits for the disk (new
    // messages are the writer's, with FULL).
    QCOMPARE(outbox.database().pragma(u"synchronous"_s).toInt(), 1); // NORMAL
    // A disk that refuses: nothing is marked, nothing told.
    const QString late = outbox.enqueue(u"alpha"_s, u"late"_s);
    outbox.flush();
    QVERIFY(outbox.database().exec(u"PRAGMA query_only = ON"_s));
    changed.clear();
    OutboxEntry entry = *outbox.entry(late);
    entry.seq = 200;
    QVERIFY(!outbox.markSent(QList<OutboxEntry>{entry}));
    QCOMPARE(changed.size(), 0);
    QVERIFY(outbox.database().exec(u"PRAGMA query_only = OFF"_s));
    QCOMPARE(outbox.entry(late)->state, OutboxState::Pending);
}

void TestOutbox::enqueueDoesNotWaitForTheDisk()
{
    QTemporaryDir dir;
    Outbox outbox;
    QVERIFY(outbox.open(dir.filePath(u"o.sqlite"_s)));
    // A disk that takes a second per commit (far beyond a loaded machine's scheduling delays).
    outbox.setWriteHook([](QString *) {
        QThread::msleep(1000);
        return true;
    });
    QSignalSpy saved(&outbox, &Outbox::saved);
    QElapsedTimer clock;
    clock.start();
    const QString cid = outbox.enqueue(u"alpha"_s, u"typed"_s);
    QVERIFY2(clock.elapsed() < 500, qPrintable(u"enqueue took %1 ms"_s.arg(clock.elapsed())));
    // Shown and counted at once, but not on the disk yet: the pump's reads do not see it.
    QCOMPARE(outbox.entry(cid)->saved, false);
    QCOMPARE(outbox.entry(cid)->state, OutboxState::Pending);
    QCOMPARE(outbox.pendingCount(u"alpha"_s), 1);
    QCOMPARE(outbox.unsent(u"alpha"_s).size(), 1);
    QVERIFY(!outbox.nextPending(u"alpha"_s));
    QVERIFY(outbox.pendingAfter(u"alpha"_s, 0, 10).isEmpty());
    QVERIFY(outbox.roomsWithPending().isEmpty());
    QCOMPARE(saved.size(), 0);

    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 5000);
    QVERIFY2(clock.elapsed() >= 1000, "saved before the commit returned");
    const auto entry = saved.first().first().value<OutboxEntry>();
    QCOMPARE(entry.cid, cid);
    QVERIFY(entry.saved);
    QVERIFY(entry.position > 0);
    QCOMPARE(outbox.nextPending(u"alpha"_s)->cid, cid);
    QCOMPARE(outbox.pendingCount(u"alpha"_s), 1);
    QCOMPARE(outbox.savingCount(), 0);
}

void TestOutbox::refusedSaveLeavesNothingBehind()
{
    QTemporaryDir dir;
    Outbox outbox;
    QVERIFY(outbox.open(dir.filePath(u"o.sqlite"_s)));
    outbox.setWriteHook([](QString *error) {
        *error = u"the disk is full"_s;
        return false;
    });
    QSignalSpy notSaved(&outbox, &Outbox::notSaved);
    QSignalSpy removed(&outbox, &Outbox::entryRemoved);
    const QString cid = outbox.enqueue(u"alpha"_s, u"do not lose me"_s);
    QVERIFY(!cid.isEmpty());
    QTRY_COMPARE(notSaved.size(), 1);
    QCOMPARE(notSaved.first().at(0).value<OutboxEntry>().body, u"do not lose me"_s);
    QCOMPARE(notSaved.first().at(1).toString(), u"the disk is full"_s);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.first().first().toString(), cid);
    QCOMPARE(outbox.pendingCount(), 0);
    QVERIFY(!outbox.entry(cid));

    // The disk takes writes again: the next message is saved.
    outbox.setWriteHook({});
    QSignalSpy saved(&outbox, &Outbox::saved);
    outbox.enqueue(u"alpha"_s, u"again"_s);
    QTRY_COMPARE(saved.size(), 1);
    QCOMPARE(outbox.pendingCount(), 1);
}

void TestOutbox::queuedMessagesAreSavedOnClose()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"o.sqlite"_s);
    QString cid;
    {
        Outbox outbox;
        QVERIFY(outbox.open(path));
        outbox.setWriteHook([](QString *) {
            QThread::msleep(100);
            return true;
        });
        cid = outbox.enqueue(u"alpha"_s, u"typed just before quitting"_s);
    }
    Outbox reopened;
    QVERIFY(reopened.open(path));
    QCOMPARE(reopened.nextPending(u"alpha"_s)->cid, cid);
}

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
