// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// dm, private rooms, invite, directory, rename and remove on a real store (SQLite, or PostgreSQL
// with CONVERSA_TEST_STORAGE=postgresql): who may do what, what each side is told, and that
// someone outside a private room sees nothing of it.

#include "HandlerHarness.h"

#include <QJsonArray>
#include <QJsonDocument>
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
QJsonObject frame(const char *type, std::initializer_list<std::pair<const char *, QJsonValue>> m)
{
    QJsonObject o{{"type"_L1, QLatin1StringView(type)}};
    for (const auto &[key, value] : m)
        o.insert(QLatin1StringView(key), value);
    return o;
}
QJsonObject roomEntry(const QJsonObject &roomsReply, const QString &room)
{
    for (const QJsonValue &entry : roomsReply.value("rooms"_L1).toArray()) {
        if (entry.toObject().value("room"_L1).toString() == room)
            return entry.toObject();
    }
    return {};
}
QStringList namesIn(const QJsonObject &reply)
{
    QStringList names;
    for (const QJsonValue &entry : reply.value("rooms"_L1).toArray())
        names.append(entry.toObject().value("room"_L1).toString());
    return names;
}
} // namespace

class TestSocialHandlers : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_harness = std::make_unique<HandlerHarness>();
        QCOMPARE(m_harness->start({u"alice"_s, u"bob"_s, u"carol"_s}), QString());
        alice = m_harness->signedIn(u"alice"_s);
        bob = m_harness->signedIn(u"bob"_s);
        carol = m_harness->signedIn(u"carol"_s);
        QVERIFY(alice && bob && carol);
    }
    void cleanup() { m_harness.reset(); }

    void dmIsOneRoomPerPairAndBothAreTold()
    {
        const QJsonObject first = m_harness->request(*alice, frame("dm", {{"user", u"bob"_s}}));
        QCOMPARE(typeOf(first), u"ok"_s);
        const QString room = first.value("room"_L1).toString();
        QVERIFY2(room.startsWith("dm-"_L1) && room.size() == 27, qPrintable(room));
        QCOMPARE(first.value("kind"_L1).toString(), u"dm"_s);
        QCOMPARE(first.value("peer"_L1).toString(), u"bob"_s);

        const QList<QJsonObject> bobTold = m_harness->sink().eventsOf(bob->id, u"room"_s);
        QCOMPARE(bobTold.size(), 1);
        QCOMPARE(bobTold.at(0).value("room"_L1).toString(), room);
        QCOMPARE(bobTold.at(0).value("kind"_L1).toString(), u"dm"_s);
        QCOMPARE(bobTold.at(0).value("peer"_L1).toString(), u"alice"_s);
        QCOMPARE(bobTold.at(0).value("title"_L1).toString(), u"alice"_s);
        QCOMPARE(m_harness->sink().eventsOf(alice->id, u"room"_s).size(), 1);
        QCOMPARE(m_harness->sink().eventsOf(carol->id, u"room"_s).size(), 0);

        // Either of them, again: the same room.
        QCOMPARE(m_harness->request(*bob, frame("dm", {{"user", u"alice"_s}}))
                     .value("room"_L1)
                     .toString(),
                 room);
        QCOMPARE(m_harness->request(*alice, frame("dm", {{"user", u"bob"_s}}))
                     .value("room"_L1)
                     .toString(),
                 room);
        // Leaving and being written to again brings one back into the same room.
        QCOMPARE(typeOf(m_harness->request(*bob, frame("leave", {{"room", room}}))), u"ok"_s);
        QCOMPARE(m_harness->request(*alice, frame("dm", {{"user", u"bob"_s}}))
                     .value("room"_L1)
                     .toString(),
                 room);
        QVERIFY(m_harness->context().rooms.find(room)->members.contains(bob->userId));

        const QJsonObject entry = roomEntry(m_harness->request(*bob, frame("rooms", {})), room);
        QCOMPARE(entry.value("kind"_L1).toString(), u"dm"_s);
        QCOMPARE(entry.value("peer"_L1).toString(), u"alice"_s);
        QCOMPARE(entry.value("title"_L1).toString(), u"alice"_s);
        QVERIFY(!entry.contains("owner"_L1));

        // The directory of the database read again (a restart) still knows the pair.
        QVERIFY(m_harness->context().rooms.load(m_harness->context().store));
        QCOMPARE(m_harness->request(*bob, frame("dm", {{"user", u"alice"_s}}))
                     .value("room"_L1)
                     .toString(),
                 room);
    }

    void dmRefusals()
    {
        const QJsonObject nobody = m_harness->request(*alice, frame("dm", {{"user", u"zed"_s}}));
        QCOMPARE(typeOf(nobody), u"not_found"_s);
        QCOMPARE(nobody.value("message"_L1).toString(), u"there is no user named 'zed'"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, frame("dm", {{"user", u"alice"_s}}))),
                 u"bad_request"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, frame("dm", {{"user", u"Not Valid"_s}}))),
                 u"bad_request"_s);
        const QString room = m_harness->request(*alice, frame("dm", {{"user", u"bob"_s}}))
                                 .value("room"_L1)
                                 .toString();
        // A third person cannot get in, read or write, and cannot invite anyone in.
        for (const char *type : {"join", "members", "history"}) {
            const QJsonObject reply = m_harness->request(*carol, frame(type, {{"room", room}}));
            QCOMPARE(typeOf(reply), u"forbidden"_s);
            QVERIFY(!reply.contains("messages"_L1) && !reply.contains("members"_L1));
        }
        QCOMPARE(typeOf(m_harness->request(*carol, frame("sync", {{"room", room}, {"after", 0}}))),
                 u"forbidden"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *carol, frame("send", {{"room", room}, {"cid", u"c1"_s}, {"body", u"hi"_s}}))),
                 u"forbidden"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("invite", {{"room", room}, {"user", u"carol"_s}}))),
                 u"forbidden"_s);
        QCOMPARE(typeOf(m_harness->request(*alice,
                                           frame("rename", {{"room", room}, {"title", u"Us"_s}}))),
                 u"forbidden"_s);
        QVERIFY(!m_harness->context().rooms.find(room)->members.contains(carol->userId));
    }

    void privateRoomsAreSeenOnlyByMembers()
    {
        QJsonObject reply = m_harness->request(
            *alice, frame("create", {{"room", u"ops"_s}, {"title", u"Ops"_s}, {"private", true}}));
        QCOMPARE(typeOf(reply), u"ok"_s);
        QCOMPARE(reply.value("kind"_L1).toString(), u"private"_s);
        QVERIFY(m_harness
                    ->request(*alice, frame("send", {{"room", u"ops"_s},
                                                     {"cid", u"a1"_s},
                                                     {"body", u"secret plan"_s}}))
                    .value("seq"_L1)
                    .toInteger() == 1);

        for (const char *type : {"join", "members", "history"})
            QCOMPARE(typeOf(m_harness->request(*bob, frame(type, {{"room", u"ops"_s}}))),
                     u"forbidden"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *bob, frame("invite", {{"room", u"ops"_s}, {"user", u"carol"_s}}))),
                 u"forbidden"_s);
        QVERIFY(!namesIn(m_harness->request(*bob, frame("directory", {}))).contains(u"ops"_s));
        QVERIFY(!namesIn(m_harness->request(*bob, frame("directory", {{"query", u"op"_s}})))
                     .contains(u"ops"_s));
        for (const QJsonObject &f : m_harness->sink().framesOf(bob->id))
            QVERIFY(!QJsonDocument(f).toJson().contains("secret plan"));

        // An invite from a member lets bob in, and tells him.
        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("invite", {{"room", u"ops"_s}, {"user", u"zed"_s}}))),
                 u"not_found"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("invite", {{"room", u"ops"_s}, {"user", u"bob"_s}}))),
                 u"ok"_s);
        const QList<QJsonObject> told = m_harness->sink().eventsOf(bob->id, u"room"_s);
        QCOMPARE(told.size(), 1);
        QCOMPARE(told.at(0).value("room"_L1).toString(), u"ops"_s);
        QCOMPARE(told.at(0).value("title"_L1).toString(), u"Ops"_s);
        QCOMPARE(told.at(0).value("kind"_L1).toString(), u"private"_s);
        const QJsonObject history =
            m_harness->request(*bob, frame("history", {{"room", u"ops"_s}}));
        QCOMPARE(history.value("messages"_L1).toArray().size(), 1);
        const QJsonObject entry = roomEntry(m_harness->request(*bob, frame("rooms", {})), u"ops"_s);
        QCOMPARE(entry.value("kind"_L1).toString(), u"private"_s);
        QCOMPARE(entry.value("owner"_L1).toString(), u"alice"_s);
        QCOMPARE(entry.value("unread"_L1).toInteger(), 1);
        // Now bob may invite carol: any member of a private room may.
        QCOMPARE(typeOf(m_harness->request(
                     *bob, frame("invite", {{"room", u"ops"_s}, {"user", u"carol"_s}}))),
                 u"ok"_s);
    }

    void anyoneMayInviteToAPublicRoom()
    {
        QCOMPARE(typeOf(m_harness->request(*alice, frame("create", {{"room", u"lobby"_s}}))),
                 u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *bob, frame("invite", {{"room", u"lobby"_s}, {"user", u"carol"_s}}))),
                 u"ok"_s);
        QCOMPARE(m_harness->sink().eventsOf(carol->id, u"room"_s).size(), 1);
        QCOMPARE(typeOf(m_harness->request(
                     *bob, frame("invite", {{"room", u"nowhere"_s}, {"user", u"carol"_s}}))),
                 u"not_found"_s);
    }

    void directoryListsPublicRoomsPagedAndSearched()
    {
        for (const QString &name : {u"dev"_s, u"design"_s, u"random"_s, u"zoo"_s})
            QCOMPARE(typeOf(m_harness->request(
                         *alice, frame("create", {{"room", name}, {"title", name.toUpper()}}))),
                     u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, frame("join", {{"room", u"dev"_s}}))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("create", {{"room", u"devops"_s}, {"private", true}}))),
                 u"ok"_s);

        QJsonObject reply = m_harness->request(*carol, frame("directory", {{"limit", 2}}));
        QCOMPARE(namesIn(reply), (QStringList{u"design"_s, u"dev"_s}));
        QCOMPARE(reply.value("more"_L1).toBool(), true);
        QCOMPARE(reply.value("rooms"_L1).toArray().at(1).toObject().value("members"_L1).toInteger(),
                 2);
        reply = m_harness->request(*carol, frame("directory", {{"limit", 2}, {"after", u"dev"_s}}));
        QCOMPARE(namesIn(reply), (QStringList{u"random"_s, u"zoo"_s}));
        QCOMPARE(reply.value("more"_L1).toBool(), false);
        // The query matches name or title, in any case.
        reply = m_harness->request(*carol, frame("directory", {{"query", u"DE"_s}}));
        QCOMPARE(namesIn(reply), (QStringList{u"design"_s, u"dev"_s}));
        reply = m_harness->request(*carol, frame("directory", {{"query", u"ZOO"_s}}));
        QCOMPARE(namesIn(reply), QStringList{u"zoo"_s});
        QCOMPARE(typeOf(m_harness->request(*carol, frame("directory", {{"limit", 0}}))),
                 u"bad_request"_s);
    }

    void ownerRenamesAndRemoves()
    {
        QCOMPARE(typeOf(m_harness->request(*alice, frame("create", {{"room", u"team"_s},
                                                                    {"title", u"Team"_s},
                                                                    {"private", true}}))),
                 u"ok"_s);
        for (Session *who : {bob, carol})
            QCOMPARE(typeOf(m_harness->request(
                         *alice, frame("invite", {{"room", u"team"_s}, {"user", who->userName}}))),
                     u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *bob, frame("rename", {{"room", u"team"_s}, {"title", u"Mine"_s}}))),
                 u"forbidden"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *bob, frame("remove", {{"room", u"team"_s}, {"user", u"carol"_s}}))),
                 u"forbidden"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("rename", {{"room", u"team"_s}, {"title", u"  "_s}}))),
                 u"bad_request"_s);

        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("rename", {{"room", u"team"_s}, {"title", u"The Team"_s}}))),
                 u"ok"_s);
        const QList<QJsonObject> renamed = m_harness->sink().eventsOf(carol->id, u"room"_s);
        QCOMPARE(renamed.last().value("title"_L1).toString(), u"The Team"_s);
        QCOMPARE(roomEntry(m_harness->request(*bob, frame("rooms", {})), u"team"_s)
                     .value("title"_L1)
                     .toString(),
                 u"The Team"_s);

        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("remove", {{"room", u"team"_s}, {"user", u"zed"_s}}))),
                 u"not_found"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("remove", {{"room", u"team"_s}, {"user", u"alice"_s}}))),
                 u"bad_request"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("remove", {{"room", u"team"_s}, {"user", u"carol"_s}}))),
                 u"ok"_s);
        const QList<QJsonObject> removed = m_harness->sink().eventsOf(carol->id, u"removed"_s);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.at(0).value("room"_L1).toString(), u"team"_s);
        QCOMPARE(removed.at(0).value("by"_L1).toString(), u"alice"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *alice, frame("remove", {{"room", u"team"_s}, {"user", u"carol"_s}}))),
                 u"not_found"_s);
        // Carol lost access: no history, no way back in by herself, no more messages.
        QCOMPARE(typeOf(m_harness->request(*carol, frame("history", {{"room", u"team"_s}}))),
                 u"forbidden"_s);
        QCOMPARE(typeOf(m_harness->request(*carol, frame("join", {{"room", u"team"_s}}))),
                 u"forbidden"_s);
        QVERIFY(roomEntry(m_harness->request(*carol, frame("rooms", {})), u"team"_s).isEmpty());
        const qsizetype carolMessages = m_harness->sink().eventsOf(carol->id, u"message"_s).size();
        QCOMPARE(typeOf(m_harness->request(*alice, frame("send", {{"room", u"team"_s},
                                                                  {"cid", u"t1"_s},
                                                                  {"body", u"after carol"_s}}))),
                 u"ok"_s);
        QTRY_COMPARE(m_harness->sink().eventsOf(bob->id, u"message"_s).size(), 1);
        QCOMPARE(m_harness->sink().eventsOf(carol->id, u"message"_s).size(), carolMessages);
    }

    void unreadAndMentionsCountPlainMessagesFromOthers()
    {
        QCOMPARE(typeOf(m_harness->request(*alice, frame("create", {{"room", u"chat"_s}}))),
                 u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, frame("join", {{"room", u"chat"_s}}))), u"ok"_s);
        int cid = 0;
        const auto send = [&](Session *who, const QString &body) {
            return m_harness
                ->request(*who, frame("send", {{"room", u"chat"_s},
                                               {"cid", QString::number(++cid)},
                                               {"body", body}}))
                .value("seq"_L1)
                .toInteger();
        };
        // Bob's own message (before the others: sending moves his own read marker).
        send(bob, u"my own @bob"_s);
        const qint64 first = send(alice, u"hello @bob"_s);
        send(alice, u"mail@bobcat.example and @bobby are not bob"_s);
        send(alice, u"plain"_s);
        send(alice, u"@BOB, look"_s);
        // An edit and a reaction are log entries, never unread; a deleted message is no longer.
        QCOMPARE(typeOf(m_harness->request(*alice, frame("edit", {{"room", u"chat"_s},
                                                                  {"target", first},
                                                                  {"cid", u"e1"_s},
                                                                  {"body", u"hello @bob!"_s}}))),
                 u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, frame("react", {{"room", u"chat"_s},
                                                                   {"target", first},
                                                                   {"emoji", u"👍"_s},
                                                                   {"on", true}}))),
                 u"ok"_s);
        const qint64 doomed = send(alice, u"oops @bob"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *alice,
                     frame("delete", {{"room", u"chat"_s}, {"target", doomed}, {"cid", u"d1"_s}}))),
                 u"ok"_s);

        QJsonObject entry = roomEntry(m_harness->request(*bob, frame("rooms", {})), u"chat"_s);
        QCOMPARE(entry.value("unread"_L1).toInteger(), 4);
        QCOMPARE(entry.value("mentions"_L1).toInteger(), 2);
        QCOMPARE(entry.value("kind"_L1).toString(), u"public"_s);
        QCOMPARE(typeOf(m_harness->request(
                     *bob, frame("read", {{"room", u"chat"_s}, {"seq", first + 1}}))),
                 u"ok"_s);
        entry = roomEntry(m_harness->request(*bob, frame("rooms", {})), u"chat"_s);
        QCOMPARE(entry.value("unread"_L1).toInteger(), 2);
        QCOMPARE(entry.value("mentions"_L1).toInteger(), 1);
    }

private:
    std::unique_ptr<HandlerHarness> m_harness;
    Session *alice = nullptr;
    Session *bob = nullptr;
    Session *carol = nullptr;
};

QTEST_GUILESS_MAIN(TestSocialHandlers)
#include "tst_handlers_social.moc"
