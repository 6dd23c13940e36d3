// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The room handlers without sockets: rooms, create, join, leave and members on a real store,
// and the in-memory room directory following each commit.

#include "HandlerHarness.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::server;
using namespace conversa::test;

namespace {
QString typeOf(const QJsonObject &reply)
{
    return reply.value("type"_L1).toString() == "ok"_L1 ? u"ok"_s
                                                        : reply.value("code"_L1).toString();
}
QJsonObject create(const QString &room, const QString &title = {})
{
    QJsonObject frame{{"type"_L1, "create"_L1}, {"room"_L1, room}};
    if (!title.isNull())
        frame.insert("title"_L1, title);
    return frame;
}
QJsonObject about(const char *type, const QString &room)
{
    return {{"type"_L1, QLatin1StringView(type)}, {"room"_L1, room}};
}
} // namespace

class TestRoomHandlers : public QObject
{
    Q_OBJECT
private slots:
    void init() { start({}); }
    void cleanup() { m_harness.reset(); }

    void createJoinMembersLeave()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(alice && bob);

        QJsonObject reply = m_harness->request(*alice, create(u"general"_s, u"General"_s));
        QCOMPARE(typeOf(reply), u"ok"_s);
        QCOMPARE(reply.value("title"_L1).toString(), u"General"_s);
        const Room *room = m_harness->context().rooms.find(u"general"_s);
        QVERIFY(room);
        QCOMPARE(room->members, QSet<qint64>{alice->userId});

        QCOMPARE(typeOf(m_harness->request(*bob, about("members", u"general"_s))), u"forbidden"_s);
        reply = m_harness->request(*bob, about("join", u"general"_s));
        QCOMPARE(typeOf(reply), u"ok"_s);
        QCOMPARE(reply.value("title"_L1).toString(), u"General"_s);
        QVERIFY(m_harness->context().rooms.find(u"general"_s)->members.contains(bob->userId));

        reply = m_harness->request(*bob, about("members", u"general"_s));
        const QJsonArray members = reply.value("members"_L1).toArray();
        QCOMPARE(members.size(), 2);
        QCOMPARE(members.at(0).toObject().value("user"_L1).toString(), u"alice"_s);
        QCOMPARE(members.at(0).toObject().value("online"_L1).toBool(), true);

        reply = m_harness->request(*bob, {{"type"_L1, "rooms"_L1}});
        QCOMPARE(reply.value("rooms"_L1).toArray().size(), 1);
        QCOMPARE(reply.value("rooms"_L1).toArray().at(0).toObject().value("room"_L1).toString(),
                 u"general"_s);
        QCOMPARE(reply.value("epoch"_L1).toInteger(), 0);

        QCOMPARE(typeOf(m_harness->request(*bob, about("leave", u"general"_s))), u"ok"_s);
        QVERIFY(!m_harness->context().rooms.find(u"general"_s)->members.contains(bob->userId));
        QCOMPARE(
            m_harness->request(*bob, {{"type"_L1, "rooms"_L1}}).value("rooms"_L1).toArray().size(),
            0);
    }

    void createWithoutTitleUsesTheName()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(alice);
        const QJsonObject reply = m_harness->request(*alice, create(u"random"_s, u"   "_s));
        QCOMPARE(reply.value("title"_L1).toString(), u"random"_s);
    }

    void existingRoomIsConflictUnknownIsNotFound()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(alice);
        QCOMPARE(typeOf(m_harness->request(*alice, create(u"dup"_s))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, create(u"dup"_s))), u"conflict"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, about("join", u"nowhere"_s))), u"not_found"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, about("leave", u"nowhere"_s))), u"not_found"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, about("members", u"nowhere"_s))),
                 u"not_found"_s);
    }

    void dmNamesAreKeptForDirectMessages()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(alice);
        const QJsonObject refused = m_harness->request(*alice, create(u"dm-0a1b"_s));
        QCOMPARE(typeOf(refused), u"forbidden"_s);
        QVERIFY(refused.value("message"_L1).toString().contains(u"'dm-'"_s));
        QCOMPARE(typeOf(m_harness->request(*alice, create(u"dmz"_s))), u"ok"_s);
    }

    void roomsPerUserAreLimited()
    {
        ServerConfig config;
        config.maxRoomsPerUser = 1;
        start(config);
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(alice && bob);
        QCOMPARE(typeOf(m_harness->request(*alice, create(u"one"_s))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, create(u"two"_s))), u"forbidden"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, create(u"three"_s))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, about("join", u"three"_s))), u"forbidden"_s);
        // Joining a room one is in already is no new room.
        QCOMPARE(typeOf(m_harness->request(*alice, about("join", u"one"_s))), u"ok"_s);
    }

    void roomCreationsPerHourAreLimited()
    {
        ServerConfig config;
        config.roomCreationsPerHour = 2;
        start(config);
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(alice);
        QCOMPARE(typeOf(m_harness->request(*alice, create(u"r1"_s))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, create(u"r2"_s))), u"ok"_s);
        const QJsonObject reply = m_harness->request(*alice, create(u"r3"_s));
        QCOMPARE(typeOf(reply), u"rate_limited"_s);
        QVERIFY(reply.value("message"_L1).toString().contains("min"_L1));
        QVERIFY(!m_harness->context().rooms.contains(u"r3"_s));
    }

    void directoryFollowsTheDatabase()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(alice);
        QCOMPARE(typeOf(m_harness->request(*alice, create(u"kept"_s, u"Kept"_s))), u"ok"_s);
        RoomDirectory reloaded;
        QVERIFY(reloaded.load(m_harness->context().store));
        const Room *room = reloaded.find(u"kept"_s);
        QVERIFY(room);
        QCOMPARE(room->title, u"Kept"_s);
        QCOMPARE(room->members, QSet<qint64>{alice->userId});
    }

private:
    void start(const ServerConfig &config)
    {
        m_harness = std::make_unique<HandlerHarness>(config);
        QCOMPARE(m_harness->start({u"alice"_s, u"bob"_s}), QString());
    }

    std::unique_ptr<HandlerHarness> m_harness;
};

QTEST_GUILESS_MAIN(TestRoomHandlers)
#include "tst_handlers_rooms.moc"
