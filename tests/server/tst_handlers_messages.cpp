// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The message, typing and presence handlers without sockets: send (acknowledged after the
// commit, then fanned out), history, sync, read, typing and presence on a real store.

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
QJsonObject sendFrame(const QString &cid, const QString &body, const QString &room = u"lab"_s)
{
    return {{"type"_L1, "send"_L1}, {"room"_L1, room}, {"cid"_L1, cid}, {"body"_L1, body}};
}
} // namespace

class TestMessageHandlers : public QObject
{
    Q_OBJECT
private slots:
    void init() { start({}); }
    void cleanup() { m_harness.reset(); }

    void sendIsAcknowledgedAndFannedOut()
    {
        Session *laptop = m_harness->signedIn(u"alice"_s);
        Session *phone = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        Session *carol = m_harness->signedIn(u"carol"_s); // not in the room
        QVERIFY(laptop && phone && bob && carol);
        joinLab({laptop, bob});

        const QJsonObject first = m_harness->request(*laptop, sendFrame(u"c1"_s, u"hello"_s));
        QCOMPARE(typeOf(first), u"ok"_s);
        QCOMPARE(first.value("seq"_L1).toInteger(), 1);
        QCOMPARE(first.value("cid"_L1).toString(), u"c1"_s);
        QVERIFY(first.value("ts"_L1).toInteger() > 0);
        QCOMPARE(
            m_harness->request(*laptop, sendFrame(u"c2"_s, u"again"_s)).value("seq"_L1).toInteger(),
            2);

        // Every session of every member but the sender's own gets the event, once.
        QCOMPARE(m_harness->sink().eventsOf(laptop->id, u"message"_s).size(), 0);
        const auto onPhone = m_harness->sink().eventsOf(phone->id, u"message"_s);
        const auto onBob = m_harness->sink().eventsOf(bob->id, u"message"_s);
        QCOMPARE(onPhone.size(), 2);
        QCOMPARE(onBob.size(), 2);
        QCOMPARE(m_harness->sink().eventsOf(carol->id, u"message"_s).size(), 0);
        QCOMPARE(onBob.at(0).value("body"_L1).toString(), u"hello"_s);
        QCOMPARE(onBob.at(0).value("from"_L1).toString(), u"alice"_s);
        QCOMPARE(onBob.at(0).value("seq"_L1).toInteger(), 1);
        QCOMPARE(onBob.at(0), onPhone.at(0));
        QCOMPARE(m_harness->context().metrics.messagesStored, 2);
        QCOMPARE(m_harness->context().metrics.messagesDelivered, 4);
    }

    void repeatedCidReturnsTheOriginalAndDeliversNothing()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(alice && bob);
        joinLab({alice, bob});
        const QJsonObject first = m_harness->request(*alice, sendFrame(u"same"_s, u"once"_s));
        const QJsonObject again = m_harness->request(*alice, sendFrame(u"same"_s, u"once"_s));
        QCOMPARE(typeOf(again), u"ok"_s);
        QCOMPARE(again.value("seq"_L1), first.value("seq"_L1));
        QCOMPARE(again.value("ts"_L1), first.value("ts"_L1));
        QCOMPARE(m_harness->sink().eventsOf(bob->id, u"message"_s).size(), 1);
    }

    void repliesNameAnEntryOfTheSameRoom()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(alice && bob);
        joinLab({alice, bob});
        QCOMPARE(typeOf(m_harness->request(*alice, sendFrame(u"c1"_s, u"question"_s))), u"ok"_s);

        QJsonObject reply = sendFrame(u"c2"_s, u"answer"_s);
        reply.insert("reply_to"_L1, 1);
        QCOMPARE(typeOf(m_harness->request(*bob, reply)), u"ok"_s);
        const auto live = m_harness->sink().eventsOf(alice->id, u"message"_s);
        QCOMPARE(live.size(), 1);
        QCOMPARE(live.at(0).value("reply_to"_L1).toInteger(), 1);

        QJsonObject missing = sendFrame(u"c3"_s, u"to nothing"_s);
        missing.insert("reply_to"_L1, 99);
        const QJsonObject refused = m_harness->request(*bob, missing);
        QCOMPARE(typeOf(refused), u"not_found"_s);
        QVERIFY(refused.value("message"_L1).toString().contains(u"99"_s));

        const QJsonArray messages =
            m_harness
                ->request(*alice, {{"type"_L1, "sync"_L1}, {"room"_L1, "lab"_L1}, {"after"_L1, 0}})
                .value("messages"_L1)
                .toArray();
        QCOMPARE(messages.size(), 2);
        QVERIFY(!messages.at(0).toObject().contains("reply_to"_L1));
        QCOMPARE(messages.at(1).toObject().value("reply_to"_L1).toInteger(), 1);

        // The creator owns the room; every member sees who.
        const QJsonArray rooms =
            m_harness->request(*bob, {{"type"_L1, "rooms"_L1}}).value("rooms"_L1).toArray();
        QCOMPARE(rooms.size(), 1);
        QCOMPARE(rooms.at(0).toObject().value("owner"_L1).toString(), u"alice"_s);
    }

    void editAndDeleteAreLogEntriesAndHistoryShowsTheCurrentState()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(alice && bob);
        joinLab({alice, bob}); // alice owns "lab"
        QCOMPARE(typeOf(m_harness->request(*bob, sendFrame(u"b1"_s, u"teh plan"_s))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, sendFrame(u"b2"_s, u"secret"_s))), u"ok"_s);
        const auto change = [](const QString &type, qint64 target, const QString &cid,
                               const QString &body = {}) {
            QJsonObject frame{
                {"type"_L1, type}, {"room"_L1, "lab"_L1}, {"target"_L1, target}, {"cid"_L1, cid}};
            if (!body.isEmpty())
                frame.insert("body"_L1, body);
            return frame;
        };

        // Only the author edits; a repeat of the cid answers the original.
        QCOMPARE(typeOf(m_harness->request(*alice, change(u"edit"_s, 1, u"a1"_s, u"x"_s))),
                 u"forbidden"_s);
        const QJsonObject edited =
            m_harness->request(*bob, change(u"edit"_s, 1, u"b3"_s, u"the plan"_s));
        QCOMPARE(typeOf(edited), u"ok"_s);
        QCOMPARE(edited.value("seq"_L1).toInteger(), 3);
        const QJsonObject again =
            m_harness->request(*bob, change(u"edit"_s, 1, u"b3"_s, u"the plan"_s));
        QCOMPARE(again.value("seq"_L1), edited.value("seq"_L1));
        QCOMPARE(again.value("ts"_L1), edited.value("ts"_L1));
        QCOMPARE(typeOf(m_harness->request(*bob, change(u"edit"_s, 99, u"b4"_s, u"x"_s))),
                 u"not_found"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, change(u"edit"_s, 3, u"b5"_s, u"x"_s))),
                 u"not_found"_s); // an edit entry is not a message

        // The owner deletes another's message; a deleted message cannot be edited nor deleted.
        QCOMPARE(typeOf(m_harness->request(*alice, change(u"delete"_s, 2, u"a2"_s))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, change(u"edit"_s, 2, u"b6"_s, u"x"_s))),
                 u"not_found"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, change(u"delete"_s, 2, u"b7"_s))), u"not_found"_s);
        // Bob (not the owner) may not delete alice's message.
        QCOMPARE(typeOf(m_harness->request(*alice, sendFrame(u"a3"_s, u"mine"_s))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, change(u"delete"_s, 5, u"b8"_s))), u"forbidden"_s);
        // Bob edits then deletes his first message: its text and its edit's go.
        QCOMPARE(typeOf(m_harness->request(*bob, change(u"delete"_s, 1, u"b9"_s))), u"ok"_s);

        const auto live = m_harness->sink().eventsOf(alice->id, u"message"_s);
        QCOMPARE(live.size(), 4); // b1, b2, the edit, b9's delete
        QCOMPARE(live.at(2).value("kind"_L1).toString(), u"edit"_s);
        QCOMPARE(live.at(2).value("target"_L1).toInteger(), 1);
        QCOMPARE(live.at(2).value("body"_L1).toString(), u"the plan"_s);
        QCOMPARE(live.at(3).value("kind"_L1).toString(), u"delete"_s);
        QCOMPARE(live.at(3).value("from"_L1).toString(), u"bob"_s);

        const QJsonArray messages =
            m_harness
                ->request(*alice, {{"type"_L1, "sync"_L1}, {"room"_L1, "lab"_L1}, {"after"_L1, 0}})
                .value("messages"_L1)
                .toArray();
        QCOMPARE(messages.size(), 6);
        const QJsonObject first = messages.at(0).toObject();
        QCOMPARE(first.value("deleted"_L1).toBool(), true);
        QCOMPARE(first.value("body"_L1).toString(), QString());
        QVERIFY(first.value("edited"_L1).toInteger() > 0);
        QCOMPARE(messages.at(2).toObject().value("kind"_L1).toString(), u"edit"_s);
        QCOMPARE(messages.at(2).toObject().value("body"_L1).toString(), QString()); // erased
        QCOMPARE(messages.at(3).toObject().value("kind"_L1).toString(), u"delete"_s);
        QCOMPARE(messages.at(4).toObject().value("body"_L1).toString(), u"mine"_s);
        QVERIFY(!messages.at(4).toObject().contains("deleted"_L1));
        const QJsonArray page =
            m_harness->request(*bob, {{"type"_L1, "history"_L1}, {"room"_L1, "lab"_L1}})
                .value("messages"_L1)
                .toArray();
        QCOMPARE(page, messages);
        for (const QJsonValue &m : messages) {
            QVERIFY(!m.toObject().value("body"_L1).toString().contains(u"plan"_s));
            QVERIFY(!m.toObject().value("body"_L1).toString().contains(u"secret"_s));
        }
    }

    void reactionsAreLogEntriesAndMessagesCarryWhoReacts()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(alice && bob);
        joinLab({alice, bob});
        QCOMPARE(typeOf(m_harness->request(*alice, sendFrame(u"a1"_s, u"ship it?"_s))), u"ok"_s);
        const auto react = [](qint64 target, const QString &emoji, bool on) {
            return QJsonObject{{"type"_L1, "react"_L1}, {"room"_L1, "lab"_L1},
                               {"target"_L1, target}, {"emoji"_L1, emoji}, {"on"_L1, on}};
        };
        QCOMPARE(typeOf(m_harness->request(*bob, react(1, u"👍"_s, true))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, react(1, u"👍"_s, true))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, react(1, u"🎉"_s, true))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, react(1, u"🎉"_s, false))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, react(99, u"👍"_s, true))), u"not_found"_s);
        QCOMPARE(typeOf(m_harness->request(*bob, react(2, u"👍"_s, true))), u"not_found"_s);

        const auto live = m_harness->sink().eventsOf(alice->id, u"message"_s);
        QCOMPARE(live.size(), 3); // bob's three
        QCOMPARE(live.at(0).value("kind"_L1).toString(), u"reaction"_s);
        QCOMPARE(live.at(0).value("emoji"_L1).toString(), u"👍"_s);
        QCOMPARE(live.at(0).value("on"_L1).toBool(), true);
        QCOMPARE(live.at(0).value("from"_L1).toString(), u"bob"_s);
        QCOMPARE(live.at(2).value("on"_L1).toBool(), false);

        const QJsonArray messages =
            m_harness->request(*bob, {{"type"_L1, "sync"_L1}, {"room"_L1, "lab"_L1}, {"after"_L1, 0}})
                .value("messages"_L1)
                .toArray();
        QCOMPARE(messages.size(), 5);
        const QJsonArray reactions = messages.at(0).toObject().value("reactions"_L1).toArray();
        QCOMPARE(reactions.size(), 1);
        QCOMPARE(reactions.at(0).toObject().value("emoji"_L1).toString(), u"👍"_s);
        QCOMPARE(reactions.at(0).toObject().value("users"_L1).toArray(),
                 (QJsonArray{u"bob"_s, u"alice"_s}));
        QCOMPARE(messages.at(4).toObject().value("kind"_L1).toString(), u"reaction"_s);
    }

    void historySyncAndRead()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(alice && bob);
        joinLab({alice, bob});
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(typeOf(m_harness->request(*alice,
                                               sendFrame(u"m%1"_s.arg(i), u"message %1"_s.arg(i)))),
                     u"ok"_s);

        QJsonObject reply = m_harness->request(
            *bob,
            {{"type"_L1, "history"_L1}, {"room"_L1, "lab"_L1}, {"before"_L1, 5}, {"limit"_L1, 2}});
        QJsonArray messages = reply.value("messages"_L1).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).toObject().value("seq"_L1).toInteger(), 3);
        QCOMPARE(messages.at(1).toObject().value("seq"_L1).toInteger(), 4);

        reply = m_harness->request(
            *bob,
            {{"type"_L1, "sync"_L1}, {"room"_L1, "lab"_L1}, {"after"_L1, 1}, {"limit"_L1, 3}});
        messages = reply.value("messages"_L1).toArray();
        QCOMPARE(messages.size(), 3);
        QCOMPARE(messages.at(0).toObject().value("seq"_L1).toInteger(), 2);
        QCOMPARE(reply.value("more"_L1).toBool(), true);
        reply = m_harness->request(
            *bob, {{"type"_L1, "sync"_L1}, {"room"_L1, "lab"_L1}, {"after"_L1, 4}});
        QCOMPARE(reply.value("messages"_L1).toArray().size(), 1);
        QCOMPARE(reply.value("more"_L1).toBool(), false);
        // Beyond the newest seq: the client's copy is from another history (a restore).
        reply = m_harness->request(
            *bob, {{"type"_L1, "sync"_L1}, {"room"_L1, "lab"_L1}, {"after"_L1, 9}});
        QCOMPARE(typeOf(reply), u"conflict"_s);

        reply = m_harness->request(*bob,
                                   {{"type"_L1, "read"_L1}, {"room"_L1, "lab"_L1}, {"seq"_L1, 3}});
        QCOMPARE(reply.value("seq"_L1).toInteger(), 3);
        // Never backwards, never past the newest.
        reply = m_harness->request(*bob,
                                   {{"type"_L1, "read"_L1}, {"room"_L1, "lab"_L1}, {"seq"_L1, 1}});
        QCOMPARE(reply.value("seq"_L1).toInteger(), 3);
        reply = m_harness->request(*bob,
                                   {{"type"_L1, "read"_L1}, {"room"_L1, "lab"_L1}, {"seq"_L1, 99}});
        QCOMPARE(reply.value("seq"_L1).toInteger(), 5);
    }

    void outsidersAreForbidden_data()
    {
        QTest::addColumn<QJsonObject>("frame");
        QTest::newRow("send") << sendFrame(u"x"_s, u"let me in"_s);
        QTest::newRow("history") << QJsonObject{{"type"_L1, "history"_L1}, {"room"_L1, "lab"_L1}};
        QTest::newRow("sync") << QJsonObject{
            {"type"_L1, "sync"_L1}, {"room"_L1, "lab"_L1}, {"after"_L1, 0}};
        QTest::newRow("read") << QJsonObject{
            {"type"_L1, "read"_L1}, {"room"_L1, "lab"_L1}, {"seq"_L1, 1}};
    }
    void outsidersAreForbidden()
    {
        QFETCH(QJsonObject, frame);
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *carol = m_harness->signedIn(u"carol"_s);
        QVERIFY(alice && carol);
        joinLab({alice});
        QCOMPARE(typeOf(m_harness->request(*carol, frame)), u"forbidden"_s);
        frame.insert("room"_L1, u"nowhere"_s);
        QCOMPARE(typeOf(m_harness->request(*carol, frame)), u"not_found"_s);
    }

    void sendingTooFastIsRateLimited()
    {
        ServerConfig config;
        config.messagesPerSecond = 0.01;
        config.messageBurst = 2;
        start(config);
        Session *alice = m_harness->signedIn(u"alice"_s);
        QVERIFY(alice);
        joinLab({alice});
        QCOMPARE(typeOf(m_harness->request(*alice, sendFrame(u"a"_s, u"1"_s))), u"ok"_s);
        QCOMPARE(typeOf(m_harness->request(*alice, sendFrame(u"b"_s, u"2"_s))), u"ok"_s);
        const QJsonObject reply = m_harness->request(*alice, sendFrame(u"c"_s, u"3"_s));
        QCOMPARE(typeOf(reply), u"rate_limited"_s);
        QVERIFY(reply.value("message"_L1).toString().contains("ms"_L1));
    }

    void typingIsRelayedToOthersOncePerSecond()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *phone = m_harness->signedIn(u"alice"_s);
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(alice && phone && bob);
        joinLab({alice, bob});
        const QJsonObject typing{{"type"_L1, "typing"_L1}, {"room"_L1, "lab"_L1}};
        m_harness->request(*alice, typing);
        m_harness->request(*alice, typing); // inside the second: dropped
        const auto atBob = m_harness->sink().eventsOf(bob->id, u"typing"_s);
        QCOMPARE(atBob.size(), 1);
        QCOMPARE(atBob.first().value("user"_L1).toString(), u"alice"_s);
        QCOMPARE(atBob.first().value("room"_L1).toString(), u"lab"_s);
        // Not to the typist's own devices.
        QCOMPARE(m_harness->sink().eventsOf(phone->id, u"typing"_s).size(), 0);
        QCOMPARE(m_harness->sink().eventsOf(alice->id, u"typing"_s).size(), 0);
        QTest::qWait(1100);
        m_harness->request(*alice, typing);
        QCOMPARE(m_harness->sink().eventsOf(bob->id, u"typing"_s).size(), 2);
    }

    void presenceGoesToRoomPeersOnFirstSignIn()
    {
        Session *alice = m_harness->signedIn(u"alice"_s);
        Session *carol = m_harness->signedIn(u"carol"_s); // shares no room with bob
        QVERIFY(alice && carol);
        joinLab({alice});
        Session *bob = m_harness->signedIn(u"bob"_s);
        QVERIFY(bob);
        QCOMPARE(m_harness->request(*bob, {{"type"_L1, "join"_L1}, {"room"_L1, "lab"_L1}})
                     .value("type"_L1)
                     .toString(),
                 u"ok"_s);
        // bob signed in before he joined: alice heard nothing then.
        QCOMPARE(m_harness->sink().eventsOf(alice->id, u"presence"_s).size(), 0);
        // bob's last session ends: his online state went out (to nobody) a moment ago, so the
        // change waits for the quiet interval, then reaches alice but not carol.
        auto &sessions = m_harness->context().sessions;
        QVERIFY(sessions.signOut(*bob));
        m_harness->router().presence().presenceChanged(bob->userId, bob->userName);
        QCOMPARE(m_harness->sink().eventsOf(alice->id, u"presence"_s).size(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_harness->sink().eventsOf(alice->id, u"presence"_s).size(), 1,
                                  5000);
        const auto events = m_harness->sink().eventsOf(alice->id, u"presence"_s);
        QCOMPARE(events.first().value("user"_L1).toString(), u"bob"_s);
        QCOMPARE(events.first().value("online"_L1).toBool(), false);
        QCOMPARE(m_harness->sink().eventsOf(carol->id, u"presence"_s).size(), 0);

        // Online again at once: held back for the quiet interval, then sent.
        Session *again = m_harness->signedIn(u"bob"_s);
        QVERIFY(again);
        QCOMPARE(m_harness->sink().eventsOf(alice->id, u"presence"_s).size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(m_harness->sink().eventsOf(alice->id, u"presence"_s).size(), 2,
                                  5000);
        QCOMPARE(m_harness->sink().eventsOf(alice->id, u"presence"_s).last().value("online"_L1),
                 QJsonValue(true));
    }

private:
    void start(const ServerConfig &config)
    {
        m_harness = std::make_unique<HandlerHarness>(config);
        QCOMPARE(m_harness->start({u"alice"_s, u"bob"_s, u"carol"_s}), QString());
    }
    // Creates "lab" as the first session's user; the others join it.
    void joinLab(const QList<Session *> &sessions)
    {
        QCOMPARE(typeOf(m_harness->request(*sessions.first(),
                                           {{"type"_L1, "create"_L1}, {"room"_L1, "lab"_L1}})),
                 u"ok"_s);
        for (Session *s : sessions.mid(1))
            QCOMPARE(
                typeOf(m_harness->request(*s, {{"type"_L1, "join"_L1}, {"room"_L1, "lab"_L1}})),
                u"ok"_s);
    }

    std::unique_ptr<HandlerHarness> m_harness;
};

QTEST_GUILESS_MAIN(TestMessageHandlers)
#include "tst_handlers_messages.moc"
