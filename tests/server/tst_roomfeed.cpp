// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// RoomFeed: each room's messages reach this instance's sessions exactly once and in order, when
// another instance writes to the same database (here: writes that go straight to the storage
// writer, with no fan-out, as another instance's would).
#include "HandlerHarness.h"
#include "storage/StorageWriter.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::server;
using namespace conversa::test;

namespace {
QJsonObject sendFrame(const QString &cid, const QString &body)
{
    return {{"type"_L1, "send"_L1}, {"room"_L1, "lab"_L1}, {"cid"_L1, cid}, {"body"_L1, body}};
}

QList<qint64> seqsOf(const QList<QJsonObject> &events)
{
    QList<qint64> seqs;
    for (const QJsonObject &event : events)
        seqs.append(event.value("seq"_L1).toInteger());
    return seqs;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> out;
    for (qint64 i = first; i <= last; ++i)
        out.append(i);
    return out;
}
} // namespace

class tst_roomfeed : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_harness = std::make_unique<HandlerHarness>();
        QCOMPARE(m_harness->start({u"alice"_s, u"bob"_s, u"carol"_s}), QString());
        m_alice = m_harness->signedIn(u"alice"_s);
        m_bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(m_alice && m_bob);
        QCOMPARE(m_harness->request(*m_alice, {{"type"_L1, "create"_L1}, {"room"_L1, "lab"_L1}})
                     .value("type"_L1),
                 "ok"_L1);
        QCOMPARE(m_harness->request(*m_bob, {{"type"_L1, "join"_L1}, {"room"_L1, "lab"_L1}})
                     .value("type"_L1),
                 "ok"_L1);
        m_roomId = context().rooms.find(u"lab"_s)->id;
        m_carolId = m_harness->context().store.userByName(u"carol"_s)->id;
    }
    void cleanup() { m_harness.reset(); }

    void ownCommits_takeTheFastPath()
    {
        for (int i = 1; i <= 3; ++i)
            QCOMPARE(m_harness->request(*m_alice, sendFrame(u"c%1"_s.arg(i), u"m"_s))
                         .value("seq"_L1)
                         .toInteger(),
                     i);
        QCOMPARE(seqsOf(bobEvents()), range(1, 3));
        QCOMPARE(seqsOf(aliceEvents()), QList<qint64>());
        QCOMPARE(feed().delivered(m_roomId), 3);
        QCOMPARE(feed().readDeliveries(), 0);
    }

    void anotherInstancesWrites_areReadOnNotification_once_inOrder()
    {
        writeElsewhere(5);
        QCOMPARE(bobEvents().size(), 0);
        feed().notified(m_roomId, 5);
        QCOMPARE(seqsOf(bobEvents()), range(1, 5));
        QCOMPARE(seqsOf(aliceEvents()), range(1, 5));
        QCOMPARE(bobEvents().first().value("from"_L1).toString(), u"carol"_s);
        // The same notification again, or an older one, delivers nothing twice.
        feed().notified(m_roomId, 5);
        feed().notified(m_roomId, 3);
        QCOMPARE(seqsOf(bobEvents()), range(1, 5));
    }

    void ownCommitAfterAGap_readsTheGapFirst_andSkipsTheSender()
    {
        writeElsewhere(3);
        const QJsonObject ok = m_harness->request(*m_alice, sendFrame(u"mine"_s, u"after a gap"_s));
        QCOMPARE(ok.value("seq"_L1).toInteger(), 4);
        QCOMPARE(seqsOf(bobEvents()), range(1, 4));
        // The sender got its own message as `ok`, the others' as events.
        QCOMPARE(seqsOf(aliceEvents()), range(1, 3));
        // Its notification, arriving later, changes nothing.
        feed().notified(m_roomId, 4);
        QCOMPARE(seqsOf(bobEvents()), range(1, 4));
        QCOMPARE(seqsOf(aliceEvents()), range(1, 3));
    }

    void lostNotification_theCheckFindsIt()
    {
        writeElsewhere(2);
        QVERIFY(feed().checkAll());
        QCOMPARE(seqsOf(bobEvents()), range(1, 2));
        QVERIFY(feed().checkAll());
        QCOMPARE(seqsOf(bobEvents()), range(1, 2));
    }

    void longGap_isReadPageByPage()
    {
        writeElsewhere(1203);
        feed().notified(m_roomId, 1203);
        QCOMPARE(seqsOf(bobEvents()), range(1, 1203));
    }

    void roomWithoutLiveMembers_isNotRead()
    {
        // Bob and Alice go away: their sessions leave the registry.
        for (Session *s : {m_alice, m_bob}) {
            std::unique_ptr<Session> gone = context().sessions.take(s->id);
            context().sessions.signOut(*gone);
        }
        writeElsewhere(4);
        feed().notified(m_roomId, 4);
        QCOMPARE(feed().delivered(m_roomId), 4);
        QCOMPARE(feed().readDeliveries(), 0);
    }

    void joinThroughAnotherInstance_isFoundInTheDatabase()
    {
        // Carol joins "lab" through another instance: stored, not in this directory yet.
        context().writer->submit(write::JoinRoom{m_roomId, m_carolId});
        context().writer->flush();
        QVERIFY(!context().rooms.find(u"lab"_s)->members.contains(m_carolId));
        const Room *room = feed().refreshFromDatabase(u"lab"_s, m_carolId, true);
        QVERIFY(room);
        QVERIFY(room->members.contains(m_carolId));
        // Someone who is not a member stays refused; an unknown room stays unknown.
        const qint64 stranger = m_carolId + 1000;
        QVERIFY(!feed().refreshFromDatabase(u"lab"_s, stranger, true));
        QVERIFY(!feed().refreshFromDatabase(u"nowhere"_s, m_carolId, false));
    }

    void parsePayload_data()
    {
        QTest::addColumn<QString>("payload");
        QTest::addColumn<QList<qint64>>("flat");
        QTest::newRow("one") << u"7:42"_s << QList<qint64>{7, 42};
        QTest::newRow("several") << u"1:2,3:4"_s << QList<qint64>{1, 2, 3, 4};
        QTest::newRow("garbage skipped")
            << u"x:1,2:y,:3,4:,-1:5,6:7, 8 : 9"_s << QList<qint64>{6, 7, 8, 9};
        QTest::newRow("empty") << QString() << QList<qint64>{};
    }

    void parsePayload()
    {
        QFETCH(QString, payload);
        QFETCH(QList<qint64>, flat);
        QList<qint64> got;
        for (const auto &[room, seq] : RoomFeed::parsePayload(payload))
            got << room << seq;
        QCOMPARE(got, flat);
    }

private:
    ServerContext &context() { return m_harness->context(); }
    RoomFeed &feed() { return context().roomFeed; }
    QList<QJsonObject> bobEvents() { return m_harness->sink().eventsOf(m_bob->id, u"message"_s); }
    QList<QJsonObject> aliceEvents()
    {
        return m_harness->sink().eventsOf(m_alice->id, u"message"_s);
    }
    // Carol, on "another instance", writes `count` messages: stored, no fan-out here.
    void writeElsewhere(int count)
    {
        for (int i = 0; i < count; ++i)
            context().writer->submit(
                write::InsertMessage{m_roomId, m_carolId, u"elsewhere-%1"_s.arg(m_next++), u"x"_s});
        context().writer->flush();
    }

    std::unique_ptr<HandlerHarness> m_harness;
    Session *m_alice = nullptr;
    Session *m_bob = nullptr;
    qint64 m_roomId = 0;
    qint64 m_carolId = 0;
    int m_next = 0;
};

QTEST_GUILESS_MAIN(tst_roomfeed)
#include "tst_roomfeed.moc"
