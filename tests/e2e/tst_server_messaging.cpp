// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: messages against a real conversa-server.
// send, message events, cid de-duplication, history, sync, read markers and typing.

#include "ConversaTest.h"

#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

class tst_server_messaging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void send_okPayload();
    void send_seqsAreGaplessPerRoom();
    void message_twoUsersSeeEachOtherLive();
    void message_reachesSendersOtherSessionsNotTheSendingOne();
    void send_nonMember_forbidden();
    void send_unknownRoom_notFound();
    void send_repeatedCid_sameSeqOneMessage();
    void send_sameCidInOtherRoomOrByOtherUser_isNewMessage();
    void send_unicodeBodyVerbatim();
    void history_pagesBackwardsAscending();
    void history_limitClampedTo200();
    void sync_pagesForwardWithMore();
    void sync_limitClampedTo500();
    void read_markerMovesForwardOnlyAndIsCapped();
    void rooms_reportsLastSeqAndReadSeq();
    void typing_relayedToOthersOnly();
    void typing_burstIsThrottled();

private:
    std::unique_ptr<TestClient> as(const QString &user);
    static QString password(const QString &user) { return user + u"-Secret-2"_s; }
    // A room alice creates and bob joins.
    bool makeSharedRoom(TestClient &alice, TestClient &bob, const QString &room);
    // Fills `room` with `count` messages from `client`; false on any failure.
    bool fill(TestClient &client, const QString &room, int count);

    std::unique_ptr<ServerProcess> m_server;
    QHash<QString, QString> m_tokens;
};

std::unique_ptr<TestClient> tst_server_messaging::as(const QString &user)
{
    QString why;
    auto client = openWithToken(m_server->url(), m_tokens.value(user), &why);
    if (!client)
        qWarning().noquote() << "cannot open a session for" << user << ":" << why;
    return client;
}

bool tst_server_messaging::makeSharedRoom(TestClient &alice, TestClient &bob, const QString &room)
{
    const QJsonObject created = alice.create(room, room.toUpper());
    const QJsonObject joined = bob.join(room);
    if (TestClient::isOk(created) && TestClient::isOk(joined))
        return true;
    qWarning().noquote() << "create:" << TestClient::toText(created)
                         << "join:" << TestClient::toText(joined);
    return false;
}

bool tst_server_messaging::fill(TestClient &client, const QString &room, int count)
{
    QStringList bodies;
    for (int i = 1; i <= count; ++i)
        bodies << u"fill %1"_s.arg(i);
    const QList<QJsonObject> replies = client.sendBurst(room, bodies);
    for (const QJsonObject &reply : replies) {
        if (!TestClient::isOk(reply)) {
            qWarning().noquote() << "fill: " << TestClient::toText(reply);
            return false;
        }
    }
    return replies.size() == count;
}

void tst_server_messaging::initTestCase()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->isValid(), qPrintable(m_server->errorString()));
    const QStringList users{u"alice"_s, u"bob"_s, u"carol"_s};
    for (const QString &user : users)
        QVERIFY2(m_server->addUser(user, password(user)), qPrintable(m_server->lastAdminError()));
    // Bursts of hundreds of sends: lift the per-user message rate for this suite.
    QVERIFY2(m_server->start(
                 {u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s, u"100000"_s}),
             qPrintable(m_server->diagnostics()));
    for (const QString &user : users) {
        QString why;
        auto client = openWithLogin(m_server->url(), user, password(user), &why);
        QVERIFY2(client, qPrintable(why));
        m_tokens.insert(user, client->token());
    }
}

void tst_server_messaging::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << m_server->diagnostics();
}

void tst_server_messaging::send_okPayload()
{
    auto alice = as(u"alice"_s);
    QVERIFY(alice);
    VERIFY_OK(alice->create(u"payload"_s, u"Payload"_s));

    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const QJsonObject reply = alice->send(u"payload"_s, u"hello"_s, u"cid-payload-1"_s);
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"room"_s).toString(), u"payload"_s);
    QCOMPARE(reply.value(u"seq"_s).toInteger(-1), 1);
    QCOMPARE(reply.value(u"cid"_s).toString(), u"cid-payload-1"_s);
    QVERIFY2(reply.value(u"ts"_s).isDouble(), TestClient::describe(reply));
    const qint64 ts = reply.value(u"ts"_s).toInteger(-1);
    // Server time in ms since the epoch, on the same machine: within the round trip (+ slack).
    QVERIFY2(ts >= before - 2000 && ts <= after + 2000,
             qPrintable(u"ts %1 not within [%2, %3]"_s.arg(ts).arg(before).arg(after)));

    // The stored message carries the same fields.
    const QList<QJsonObject> messages = messagesOf(alice->history(u"payload"_s));
    QCOMPARE(messages.size(), 1);
    const QJsonObject stored = messages.constFirst();
    QCOMPARE(stored.value(u"seq"_s).toInteger(), 1);
    QCOMPARE(stored.value(u"ts"_s).toInteger(), ts);
    QCOMPARE(stored.value(u"from"_s).toString(), u"alice"_s);
    QCOMPARE(stored.value(u"cid"_s).toString(), u"cid-payload-1"_s);
    QCOMPARE(stored.value(u"body"_s).toString(), u"hello"_s);
    QCOMPARE(stored.value(u"room"_s).toString(), u"payload"_s);
}

void tst_server_messaging::send_seqsAreGaplessPerRoom()
{
    auto alice = as(u"alice"_s);
    QVERIFY(alice);
    VERIFY_OK(alice->create(u"seq-a"_s, u"A"_s));
    VERIFY_OK(alice->create(u"seq-b"_s, u"B"_s));
    // Interleaved sends: each room counts on its own.
    for (qint64 i = 1; i <= 5; ++i) {
        const QJsonObject a = alice->send(u"seq-a"_s, u"a%1"_s.arg(i));
        VERIFY_OK(a);
        QCOMPARE(a.value(u"seq"_s).toInteger(), i);
        const QJsonObject b = alice->send(u"seq-b"_s, u"b%1"_s.arg(i));
        VERIFY_OK(b);
        QCOMPARE(b.value(u"seq"_s).toInteger(), i);
    }
    // Pipelined: the acks still carry 6..25 with no gap and no repeat.
    QStringList bodies;
    for (int i = 6; i <= 25; ++i)
        bodies << u"a%1"_s.arg(i);
    QSet<qint64> seqs;
    for (const QJsonObject &reply : alice->sendBurst(u"seq-a"_s, bodies)) {
        VERIFY_OK(reply);
        seqs.insert(reply.value(u"seq"_s).toInteger());
    }
    const QList<qint64> expected = range(6, 25);
    QCOMPARE(seqs, QSet<qint64>(expected.cbegin(), expected.cend()));
}

void tst_server_messaging::message_twoUsersSeeEachOtherLive()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    QVERIFY(makeSharedRoom(*alice, *bob, u"live"_s));

    const QJsonObject sent = alice->send(u"live"_s, u"hi bob"_s, u"cid-live-a"_s);
    VERIFY_OK(sent);
    QJsonObject event = bob->waitForEvent(u"message"_s);
    QVERIFY2(!event.isEmpty(), qPrintable(bob->diagnostics()));
    QVERIFY(!event.contains(u"re"_s));
    QCOMPARE(event.value(u"room"_s).toString(), u"live"_s);
    QCOMPARE(event.value(u"seq"_s).toInteger(), sent.value(u"seq"_s).toInteger());
    QCOMPARE(event.value(u"ts"_s).toInteger(), sent.value(u"ts"_s).toInteger());
    QCOMPARE(event.value(u"from"_s).toString(), u"alice"_s);
    QCOMPARE(event.value(u"cid"_s).toString(), u"cid-live-a"_s);
    QCOMPARE(event.value(u"body"_s).toString(), u"hi bob"_s);

    const QJsonObject reply = bob->send(u"live"_s, u"hi alice"_s, u"cid-live-b"_s);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"seq"_s).toInteger(), sent.value(u"seq"_s).toInteger() + 1);
    event = alice->waitForEvent(u"message"_s);
    QVERIFY2(!event.isEmpty(), qPrintable(alice->diagnostics()));
    QCOMPARE(event.value(u"from"_s).toString(), u"bob"_s);
    QCOMPARE(event.value(u"body"_s).toString(), u"hi alice"_s);
    QCOMPARE(event.value(u"seq"_s).toInteger(), reply.value(u"seq"_s).toInteger());

    // Ordered delivery of a burst.
    QStringList bodies;
    for (int i = 0; i < 30; ++i)
        bodies << u"burst %1"_s.arg(i);
    for (const QJsonObject &ack : alice->sendBurst(u"live"_s, bodies))
        VERIFY_OK(ack);
    QVERIFY2(waitUntil([&] { return bob->eventsOfType(u"message"_s).size() >= 30; }, 5000),
             qPrintable(bob->diagnostics()));
    const QList<QJsonObject> received = bob->eventsOfType(u"message"_s);
    for (int i = 0; i < 30; ++i)
        QCOMPARE(received.at(i).value(u"body"_s).toString(), bodies.at(i));
    const QList<qint64> seqs = seqsOf(received);
    QCOMPARE(seqs, range(seqs.constFirst(), seqs.constFirst() + 29));
}

void tst_server_messaging::message_reachesSendersOtherSessionsNotTheSendingOne()
{
    auto alicePhone = as(u"alice"_s);
    auto aliceLaptop = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alicePhone && aliceLaptop && bob);
    QVERIFY(makeSharedRoom(*alicePhone, *bob, u"devices"_s));

    const QJsonObject sent = alicePhone->send(u"devices"_s, u"from my phone"_s);
    VERIFY_OK(sent);
    const QJsonObject onLaptop = aliceLaptop->waitForEvent(u"message"_s);
    QVERIFY2(!onLaptop.isEmpty(), qPrintable(aliceLaptop->diagnostics()));
    QCOMPARE(onLaptop.value(u"seq"_s).toInteger(), sent.value(u"seq"_s).toInteger());
    QCOMPARE(onLaptop.value(u"from"_s).toString(), u"alice"_s);
    QVERIFY(!bob->waitForEvent(u"message"_s).isEmpty());

    // The sending session got the ok instead of an event.
    VERIFY_OK(alicePhone->rooms());
    QVERIFY2(alicePhone->eventsOfType(u"message"_s).isEmpty(),
             TestClient::describe(alicePhone->eventsOfType(u"message"_s).value(0)));
}

void tst_server_messaging::send_nonMember_forbidden()
{
    auto alice = as(u"alice"_s);
    auto carol = as(u"carol"_s);
    QVERIFY(alice && carol);
    VERIFY_OK(alice->create(u"members-only"_s, u"Members only"_s));
    VERIFY_ERROR(carol->send(u"members-only"_s, u"let me in"_s), u"forbidden"_s);
    // Nothing was stored and no one was told.
    const QJsonObject history = alice->history(u"members-only"_s);
    VERIFY_OK(history);
    QVERIFY2(messagesOf(history).isEmpty(), TestClient::describe(history));
    QVERIFY(alice->eventsOfType(u"message"_s).isEmpty());
    QCOMPARE(roomRow(alice->rooms(), u"members-only"_s).value(u"last_seq"_s).toInteger(-1), 0);
}

void tst_server_messaging::send_unknownRoom_notFound()
{
    auto alice = as(u"alice"_s);
    QVERIFY(alice);
    VERIFY_ERROR(alice->send(u"nowhere"_s, u"hello?"_s), u"not_found"_s);
}

void tst_server_messaging::send_repeatedCid_sameSeqOneMessage()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    QVERIFY(makeSharedRoom(*alice, *bob, u"dedupe"_s));

    const QJsonObject first = alice->send(u"dedupe"_s, u"only once"_s, u"cid-dup-1"_s);
    VERIFY_OK(first);
    QVERIFY(!bob->waitForEvent(u"message"_s).isEmpty());

    // Retried (e.g. after a reconnect), even from another session of the same user.
    auto aliceAgain = as(u"alice"_s);
    QVERIFY(aliceAgain);
    for (TestClient *client : {alice.get(), aliceAgain.get()}) {
        const QJsonObject again = client->send(u"dedupe"_s, u"only once"_s, u"cid-dup-1"_s);
        VERIFY_OK(again);
        QCOMPARE(again.value(u"seq"_s).toInteger(), first.value(u"seq"_s).toInteger());
        QCOMPARE(again.value(u"ts"_s).toInteger(), first.value(u"ts"_s).toInteger());
        QCOMPARE(again.value(u"cid"_s).toString(), u"cid-dup-1"_s);
    }

    const QJsonObject next = alice->send(u"dedupe"_s, u"second"_s, u"cid-dup-2"_s);
    VERIFY_OK(next);
    QCOMPARE(next.value(u"seq"_s).toInteger(), first.value(u"seq"_s).toInteger() + 1);

    const QList<QJsonObject> messages = messagesOf(alice->history(u"dedupe"_s));
    QCOMPARE(seqsOf(messages), (QList<qint64>{1, 2}));
    QCOMPARE(messages.at(0).value(u"body"_s).toString(), u"only once"_s);
    QCOMPARE(roomRow(alice->rooms(), u"dedupe"_s).value(u"last_seq"_s).toInteger(), 2);
}

void tst_server_messaging::send_sameCidInOtherRoomOrByOtherUser_isNewMessage()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    QVERIFY(makeSharedRoom(*alice, *bob, u"cid-one"_s));
    QVERIFY(makeSharedRoom(*alice, *bob, u"cid-two"_s));

    const QJsonObject a1 = alice->send(u"cid-one"_s, u"alice in one"_s, u"shared-cid"_s);
    const QJsonObject a2 = alice->send(u"cid-two"_s, u"alice in two"_s, u"shared-cid"_s);
    const QJsonObject b1 = bob->send(u"cid-one"_s, u"bob in one"_s, u"shared-cid"_s);
    VERIFY_OK(a1);
    VERIFY_OK(a2);
    VERIFY_OK(b1);
    QCOMPARE(a1.value(u"seq"_s).toInteger(), 1);
    QCOMPARE(a2.value(u"seq"_s).toInteger(), 1);
    QCOMPARE(b1.value(u"seq"_s).toInteger(), 2);
    const QList<QJsonObject> one = messagesOf(alice->history(u"cid-one"_s));
    QCOMPARE(one.size(), 2);
    QCOMPARE(one.at(1).value(u"body"_s).toString(), u"bob in one"_s);
    QCOMPARE(one.at(1).value(u"from"_s).toString(), u"bob"_s);
}

void tst_server_messaging::send_unicodeBodyVerbatim()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    QVERIFY(makeSharedRoom(*alice, *bob, u"unicode"_s));
    const QString body =
        u"Olá, ação! 日本語 🎉👩‍💻 \"quotes\" \\ back\\slash\nsecond line\ttab <b>&amp;</b>"_s;
    VERIFY_OK(alice->send(u"unicode"_s, body));
    QCOMPARE(bob->waitForEvent(u"message"_s).value(u"body"_s).toString(), body);
    QCOMPARE(messagesOf(bob->history(u"unicode"_s)).value(0).value(u"body"_s).toString(), body);
}

void tst_server_messaging::history_pagesBackwardsAscending()
{
    auto alice = as(u"alice"_s);
    QVERIFY(alice);
    VERIFY_OK(alice->create(u"history"_s, u"History"_s));
    QVERIFY(fill(*alice, u"history"_s, 60));

    // Without `before`: the newest page, default limit 50, ascending.
    QJsonObject reply = alice->history(u"history"_s);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"room"_s).toString(), u"history"_s);
    QCOMPARE(seqsOf(messagesOf(reply)), range(11, 60));

    reply = alice->history(u"history"_s, std::nullopt, 10);
    QCOMPARE(seqsOf(messagesOf(reply)), range(51, 60));

    // `before` is exclusive.
    reply = alice->history(u"history"_s, 42, 5);
    VERIFY_OK(reply);
    QCOMPARE(seqsOf(messagesOf(reply)), range(37, 41));
    const QList<QJsonObject> page = messagesOf(reply);
    QCOMPARE(page.constFirst().value(u"body"_s).toString(), u"fill 37"_s);
    QCOMPARE(page.constFirst().value(u"from"_s).toString(), u"alice"_s);

    // The first page ends at seq 1.
    reply = alice->history(u"history"_s, 4, 50);
    QCOMPARE(seqsOf(messagesOf(reply)), range(1, 3));
    reply = alice->history(u"history"_s, 1, 50);
    VERIFY_OK(reply);
    QVERIFY(messagesOf(reply).isEmpty());

    // Walking back page by page sees every message once.
    QList<qint64> all;
    qint64 before = 0;
    for (int guard = 0; guard < 20; ++guard) {
        reply = before ? alice->history(u"history"_s, before, 25)
                       : alice->history(u"history"_s, std::nullopt, 25);
        const QList<qint64> seqs = seqsOf(messagesOf(reply));
        if (seqs.isEmpty())
            break;
        all = seqs + all;
        before = seqs.constFirst();
    }
    QCOMPARE(all, range(1, 60));
}

void tst_server_messaging::history_limitClampedTo200()
{
    auto alice = as(u"alice"_s);
    QVERIFY(alice);
    VERIFY_OK(alice->create(u"history-big"_s, u"Big"_s));
    QVERIFY(fill(*alice, u"history-big"_s, 230));
    const QJsonObject reply = alice->history(u"history-big"_s, std::nullopt, 1000);
    VERIFY_OK(reply);
    QCOMPARE(seqsOf(messagesOf(reply)), range(31, 230));
}

void tst_server_messaging::sync_pagesForwardWithMore()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    QVERIFY(makeSharedRoom(*alice, *bob, u"sync"_s));
    QVERIFY(fill(*alice, u"sync"_s, 40));

    QJsonObject reply = bob->sync(u"sync"_s, 0, 15);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"room"_s).toString(), u"sync"_s);
    QCOMPARE(seqsOf(messagesOf(reply)), range(1, 15));
    QCOMPARE(reply.value(u"more"_s), QJsonValue(true));

    reply = bob->sync(u"sync"_s, 15, 15);
    QCOMPARE(seqsOf(messagesOf(reply)), range(16, 30));
    QCOMPARE(reply.value(u"more"_s), QJsonValue(true));

    reply = bob->sync(u"sync"_s, 30, 15);
    QCOMPARE(seqsOf(messagesOf(reply)), range(31, 40));
    QCOMPARE(reply.value(u"more"_s), QJsonValue(false));

    // Exactly the missing ones, default limit.
    reply = bob->sync(u"sync"_s, 37);
    QCOMPARE(seqsOf(messagesOf(reply)), range(38, 40));
    QCOMPARE(messagesOf(reply).constLast().value(u"body"_s).toString(), u"fill 40"_s);
    QCOMPARE(reply.value(u"more"_s), QJsonValue(false));

    // Up to date: nothing, no more.
    reply = bob->sync(u"sync"_s, 40);
    VERIFY_OK(reply);
    QVERIFY(messagesOf(reply).isEmpty());
    QCOMPARE(reply.value(u"more"_s), QJsonValue(false));
    // Beyond the last seq: only a client of a server restored from a backup can ask that.
    reply = bob->sync(u"sync"_s, 1000);
    VERIFY_ERROR(reply, u"conflict"_s);

    // A page that ends exactly at the last message.
    reply = bob->sync(u"sync"_s, 30, 10);
    QCOMPARE(seqsOf(messagesOf(reply)), range(31, 40));
    QCOMPARE(reply.value(u"more"_s), QJsonValue(false));
}

void tst_server_messaging::sync_limitClampedTo500()
{
    auto alice = as(u"alice"_s);
    QVERIFY(alice);
    VERIFY_OK(alice->create(u"sync-big"_s, u"Big"_s));
    QVERIFY(fill(*alice, u"sync-big"_s, 510));
    QJsonObject reply = alice->sync(u"sync-big"_s, 0, 5000);
    VERIFY_OK(reply);
    QCOMPARE(seqsOf(messagesOf(reply)), range(1, 500));
    QCOMPARE(reply.value(u"more"_s), QJsonValue(true));
    reply = alice->sync(u"sync-big"_s, 500, 5000);
    QCOMPARE(seqsOf(messagesOf(reply)), range(501, 510));
    QCOMPARE(reply.value(u"more"_s), QJsonValue(false));
}

void tst_server_messaging::read_markerMovesForwardOnlyAndIsCapped()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    // bob writes, alice reads (a sender's own messages count as read for the sender).
    QVERIFY(makeSharedRoom(*bob, *alice, u"read"_s));
    QVERIFY(fill(*bob, u"read"_s, 3));

    QJsonObject reply = alice->read(u"read"_s, 2);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"room"_s).toString(), u"read"_s);
    QCOMPARE(reply.value(u"seq"_s).toInteger(), 2);
    QCOMPARE(roomRow(alice->rooms(), u"read"_s).value(u"read_seq"_s).toInteger(), 2);

    // Backwards: ignored.
    reply = alice->read(u"read"_s, 1);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"seq"_s).toInteger(), 2);
    QCOMPARE(roomRow(alice->rooms(), u"read"_s).value(u"read_seq"_s).toInteger(), 2);

    // Past the end: capped at last_seq.
    reply = alice->read(u"read"_s, 99);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"seq"_s).toInteger(), 3);
    const QJsonObject row = roomRow(alice->rooms(), u"read"_s);
    QCOMPARE(row.value(u"read_seq"_s).toInteger(), 3);
    QCOMPARE(row.value(u"last_seq"_s).toInteger(), 3);

    // Markers are per user and per room, and survive a new session.
    auto again = as(u"alice"_s);
    QVERIFY(again);
    QCOMPARE(roomRow(again->rooms(), u"read"_s).value(u"read_seq"_s).toInteger(), 3);

    auto carol = as(u"carol"_s);
    QVERIFY(carol);
    VERIFY_ERROR(carol->read(u"read"_s, 1), u"forbidden"_s);
    VERIFY_ERROR(carol->read(u"no-such-room"_s, 1), u"not_found"_s);
}

void tst_server_messaging::rooms_reportsLastSeqAndReadSeq()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    QVERIFY(makeSharedRoom(*alice, *bob, u"counters"_s));
    QVERIFY(fill(*alice, u"counters"_s, 7));
    VERIFY_OK(bob->read(u"counters"_s, 4));

    QJsonObject row = roomRow(bob->rooms(), u"counters"_s);
    QCOMPARE(row.value(u"room"_s).toString(), u"counters"_s);
    QCOMPARE(row.value(u"title"_s).toString(), u"COUNTERS"_s);
    QCOMPARE(row.value(u"last_seq"_s).toInteger(), 7);
    QCOMPARE(row.value(u"read_seq"_s).toInteger(), 4);

    // alice's marker is her own, and she has read what she wrote herself.
    row = roomRow(alice->rooms(), u"counters"_s);
    QCOMPARE(row.value(u"last_seq"_s).toInteger(), 7);
    QCOMPARE(row.value(u"read_seq"_s).toInteger(), 7);
}

void tst_server_messaging::typing_relayedToOthersOnly()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    auto carol = as(u"carol"_s); // not in the room
    QVERIFY(alice && bob && carol);
    QVERIFY(makeSharedRoom(*alice, *bob, u"typing"_s));

    alice->typing(u"typing"_s);
    const QJsonObject event = bob->waitForEvent(u"typing"_s);
    QVERIFY2(!event.isEmpty(), qPrintable(bob->diagnostics()));
    QCOMPARE(event.value(u"room"_s).toString(), u"typing"_s);
    QCOMPARE(event.value(u"user"_s).toString(), u"alice"_s);
    QVERIFY(!event.contains(u"re"_s));

    // No reply to the typist, no echo, nothing to non-members, nothing stored.
    VERIFY_OK(alice->rooms());
    VERIFY_OK(carol->rooms());
    QVERIFY2(alice->pendingReplies().isEmpty(),
             TestClient::describe(alice->pendingReplies().value(0)));
    QVERIFY(alice->eventsOfType(u"typing"_s).isEmpty());
    QVERIFY(carol->eventsOfType(u"typing"_s).isEmpty());
    QVERIFY(messagesOf(alice->history(u"typing"_s)).isEmpty());
    QCOMPARE(roomRow(alice->rooms(), u"typing"_s).value(u"last_seq"_s).toInteger(-1), 0);
}

void tst_server_messaging::typing_burstIsThrottled()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    QVERIFY(makeSharedRoom(*alice, *bob, u"typing-burst"_s));
    for (int i = 0; i < 20; ++i)
        alice->typing(u"typing-burst"_s);
    // A message sent after the burst arrives after every relayed typing event.
    VERIFY_OK(alice->send(u"typing-burst"_s, u"done typing"_s));
    QVERIFY(!bob->waitForEvent(u"message"_s).isEmpty());
    const qsizetype relayed = bob->eventsOfType(u"typing"_s).size();
    QVERIFY2(relayed >= 1, "no typing event was relayed");
    QVERIFY2(relayed <= 5, qPrintable(u"%1 of 20 typing frames relayed"_s.arg(relayed)));
    QVERIFY(alice->isConnected());
}

QTEST_GUILESS_MAIN(tst_server_messaging)
#include "tst_server_messaging.moc"
