// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: what a conversa-server keeps across crashes and shutdowns.
// kill -9 after and during bursts of sends, SIGTERM, restart on the same data and port.

#include "ConversaTest.h"

#include <QHash>
#include <QSet>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {

const QString kPassword = u"durable-Secret-3"_s;

// Bursts of hundreds of sends: lift the per-user message rate.
const QStringList kFastSends{u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s,
                             u"100000"_s};

struct Acked {
    qint64 seq = 0;
    qint64 ts = 0;
    QString cid;
    QString body;
};

} // namespace

class tst_server_durability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killAfterAckedBurst_keepsEveryAckedMessage();
    void killDuringBurst_noAckedMessageLostAndNoGaps();
    void sigterm_closesWith1001_exitsZero_keepsAckedMessages();
    void pausedServer_answersAfterContinue();

private:
    // A started server with user alice and her token; false on failure.
    bool setUp(ServerProcess &server, QString *token);
    // Every message of `room` via sync pages, checking `more` as it goes.
    QList<QJsonObject> syncAll(TestClient &client, const QString &room);
    // Compares what is stored with what was acknowledged: every acked message is there with its
    // seq, body and cid, and the seqs are exactly 1..N.
    void verifyStored(const QList<QJsonObject> &stored, const QHash<qint64, Acked> &acked);
};

bool tst_server_durability::setUp(ServerProcess &server, QString *token)
{
    if (!server.isValid() || !server.addUser(u"alice"_s, kPassword) || !server.start(kFastSends)) {
        qWarning().noquote() << server.diagnostics();
        return false;
    }
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
    if (!alice) {
        qWarning().noquote() << why;
        return false;
    }
    *token = alice->token();
    return TestClient::isOk(alice->create(u"durable"_s, u"Durable"_s));
}

QList<QJsonObject> tst_server_durability::syncAll(TestClient &client, const QString &room)
{
    QList<QJsonObject> all;
    qint64 after = 0;
    for (int guard = 0; guard < 100; ++guard) {
        const QJsonObject reply = client.sync(room, after, 500);
        if (!TestClient::isOk(reply)) {
            qWarning().noquote() << "sync failed:" << TestClient::toText(reply);
            return all;
        }
        const QList<QJsonObject> page = messagesOf(reply);
        all += page;
        if (!reply.value(u"more"_s).toBool() || page.isEmpty())
            break;
        after = page.constLast().value(u"seq"_s).toInteger();
    }
    return all;
}

void tst_server_durability::verifyStored(const QList<QJsonObject> &stored,
                                         const QHash<qint64, Acked> &acked)
{
    const QList<qint64> seqs = seqsOf(stored);
    QVERIFY2(!seqs.isEmpty(), "nothing stored");
    QCOMPARE(seqs, range(1, seqs.size()));
    QSet<QString> cids;
    for (const QJsonObject &message : stored) {
        const QString cid = message.value(u"cid"_s).toString();
        QVERIFY2(!cids.contains(cid), qPrintable(u"cid stored twice: "_s + cid));
        cids.insert(cid);
    }
    for (auto it = acked.cbegin(); it != acked.cend(); ++it) {
        QVERIFY2(
            it.key() >= 1 && it.key() <= seqs.size(),
            qPrintable(u"acked seq %1 is missing (stored 1..%2)"_s.arg(it.key()).arg(seqs.size())));
        const QJsonObject message = stored.at(it.key() - 1);
        QCOMPARE(message.value(u"body"_s).toString(), it->body);
        QCOMPARE(message.value(u"cid"_s).toString(), it->cid);
        QCOMPARE(message.value(u"ts"_s).toInteger(), it->ts);
        QCOMPARE(message.value(u"from"_s).toString(), u"alice"_s);
    }
}

void tst_server_durability::killAfterAckedBurst_keepsEveryAckedMessage()
{
    ServerProcess server;
    QString token;
    QVERIFY(setUp(server, &token));
    const quint16 port = server.port();

    auto alice = openWithToken(server.url(), token, nullptr);
    QVERIFY(alice);
    const int count = 300;
    QHash<qint64, Acked> acked;
    QList<QJsonValue> ids;
    QHash<QString, QString> bodyOfId;
    for (int i = 1; i <= count; ++i) {
        const QString cid = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString body = u"burst message %1 of %2"_s.arg(i).arg(count);
        ids << alice->post({{u"type"_s, u"send"_s},
                            {u"room"_s, u"durable"_s},
                            {u"cid"_s, cid},
                            {u"body"_s, body}});
        bodyOfId.insert(cid, body);
    }
    for (const QJsonValue &id : std::as_const(ids)) {
        const QJsonObject reply = alice->waitForReply(id, 20000);
        VERIFY_OK(reply);
        const QString cid = reply.value(u"cid"_s).toString();
        const qint64 seq = reply.value(u"seq"_s).toInteger();
        QVERIFY2(!acked.contains(seq), qPrintable(u"seq %1 acked twice"_s.arg(seq)));
        QVERIFY2(bodyOfId.contains(cid), TestClient::describe(reply));
        acked.insert(seq, {seq, reply.value(u"ts"_s).toInteger(), cid, bodyOfId.value(cid)});
    }
    QCOMPARE(acked.size(), count);
    // Read markers and memberships are kept too.
    VERIFY_OK(alice->read(u"durable"_s, 150));
    VERIFY_OK(alice->create(u"second"_s, u"Second room"_s));

    // Right after the last ack: no chance to flush anything that was not already durable.
    server.kill();
    QCOMPARE(server.exitStatus(), QProcess::CrashExit);
    VERIFY_CLOSED(*alice, 1006, 5000);

    QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
    QCOMPARE(server.port(), port);

    // The device token survived too.
    QString why;
    auto again = openWithToken(server.url(), token, &why);
    QVERIFY2(again, qPrintable(why));

    const QList<QJsonObject> stored = syncAll(*again, u"durable"_s);
    QCOMPARE(stored.size(), count);
    verifyStored(stored, acked);
    if (QTest::currentTestFailed())
        return;

    // A client that saw up to 250 asks for the rest: exactly 251..300.
    QJsonObject reply = again->sync(u"durable"_s, 250);
    VERIFY_OK(reply);
    QCOMPARE(seqsOf(messagesOf(reply)), range(251, 300));
    QCOMPARE(reply.value(u"more"_s), QJsonValue(false));

    reply = again->history(u"durable"_s, std::nullopt, 100);
    QCOMPARE(seqsOf(messagesOf(reply)), range(201, 300));
    const QJsonObject rooms = again->rooms();
    QCOMPARE(roomRow(rooms, u"durable"_s).value(u"last_seq"_s).toInteger(), count);
    // alice wrote every message, so her read marker stands at the last one.
    QCOMPARE(roomRow(rooms, u"durable"_s).value(u"read_seq"_s).toInteger(), count);
    QCOMPARE(roomRow(rooms, u"second"_s).value(u"title"_s).toString(), u"Second room"_s);

    // De-duplication survives the crash: a retried cid gets its original seq.
    const Acked &old = acked.value(123);
    reply = again->send(u"durable"_s, old.body, old.cid);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"seq"_s).toInteger(), 123);
    // And numbering continues without a gap.
    reply = again->send(u"durable"_s, u"after the crash"_s);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"seq"_s).toInteger(), count + 1);
}

void tst_server_durability::killDuringBurst_noAckedMessageLostAndNoGaps()
{
    ServerProcess server;
    QString token;
    QVERIFY(setUp(server, &token));
    auto alice = openWithToken(server.url(), token, nullptr);
    QVERIFY(alice);

    const int count = 400;
    QHash<QString, QString> bodyOfCid;
    for (int i = 1; i <= count; ++i) {
        const QString cid = u"inflight-%1"_s.arg(i);
        const QString body = u"in flight %1"_s.arg(i);
        alice->post({{u"type"_s, u"send"_s},
                     {u"room"_s, u"durable"_s},
                     {u"cid"_s, cid},
                     {u"body"_s, body}});
        bodyOfCid.insert(cid, body);
    }
    // Kill while the rest is still being written.
    QVERIFY2(waitUntil([&] { return alice->pendingReplies().size() >= 100; }, 20000),
             qPrintable(alice->diagnostics()));
    server.kill();
    QVERIFY(alice->waitForDisconnected(5000));

    QHash<qint64, Acked> acked;
    for (const QJsonObject &reply : alice->pendingReplies()) {
        VERIFY_OK(reply);
        const QString cid = reply.value(u"cid"_s).toString();
        const qint64 seq = reply.value(u"seq"_s).toInteger();
        acked.insert(seq, {seq, reply.value(u"ts"_s).toInteger(), cid, bodyOfCid.value(cid)});
    }
    QVERIFY(acked.size() >= 100);

    QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
    auto again = openWithToken(server.url(), token, nullptr);
    QVERIFY(again);
    const QList<QJsonObject> stored = syncAll(*again, u"durable"_s);
    QVERIFY2(stored.size() >= acked.size(),
             qPrintable(u"%1 acked but %2 stored"_s.arg(acked.size()).arg(stored.size())));
    QVERIFY(stored.size() <= count);
    verifyStored(stored, acked);
    if (QTest::currentTestFailed())
        return;
    // Whatever is stored beyond the acks is a message that was really sent, in order.
    for (const QJsonObject &message : stored)
        QCOMPARE(message.value(u"body"_s).toString(),
                 bodyOfCid.value(message.value(u"cid"_s).toString()));
}

void tst_server_durability::sigterm_closesWith1001_exitsZero_keepsAckedMessages()
{
    ServerProcess server;
    QString token;
    QVERIFY(setUp(server, &token));
    QVERIFY(server.addUser(u"bob"_s, kPassword));
    auto alice = openWithToken(server.url(), token, nullptr);
    QString why;
    auto bob = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
    QVERIFY2(alice && bob, qPrintable(why));
    VERIFY_OK(bob->join(u"durable"_s));
    TestClient unauthenticated;
    QVERIFY(unauthenticated.open(server.url()));

    const int count = 200;
    QHash<QString, QString> bodyOfCid;
    for (int i = 1; i <= count; ++i) {
        const QString cid = u"term-%1"_s.arg(i);
        const QString body = u"before shutdown %1"_s.arg(i);
        alice->post({{u"type"_s, u"send"_s},
                     {u"room"_s, u"durable"_s},
                     {u"cid"_s, cid},
                     {u"body"_s, body}});
        bodyOfCid.insert(cid, body);
    }
    QVERIFY2(waitUntil([&] { return alice->pendingReplies().size() >= 20; }, 20000),
             qPrintable(alice->diagnostics()));

    const int exitCode = server.terminate(10000);
    QCOMPARE(exitCode, 0);
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    VERIFY_CLOSED(*alice, 1001, 5000);
    VERIFY_CLOSED(*bob, 1001, 5000);
    VERIFY_CLOSED(unauthenticated, 1001, 5000);

    QHash<qint64, Acked> acked;
    for (const QJsonObject &reply : alice->pendingReplies()) {
        VERIFY_OK(reply);
        const QString cid = reply.value(u"cid"_s).toString();
        const qint64 seq = reply.value(u"seq"_s).toInteger();
        acked.insert(seq, {seq, reply.value(u"ts"_s).toInteger(), cid, bodyOfCid.value(cid)});
    }
    // Every message event bob saw was also stored.
    const QList<QJsonObject> seenByBob = bob->eventsOfType(u"message"_s);

    QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
    auto again = openWithToken(server.url(), token, nullptr);
    QVERIFY(again);
    const QList<QJsonObject> stored = syncAll(*again, u"durable"_s);
    QVERIFY2(stored.size() >= acked.size(),
             qPrintable(u"%1 acked but %2 stored"_s.arg(acked.size()).arg(stored.size())));
    verifyStored(stored, acked);
    if (QTest::currentTestFailed())
        return;
    for (const QJsonObject &event : seenByBob) {
        const qint64 seq = event.value(u"seq"_s).toInteger();
        QVERIFY(seq >= 1 && seq <= stored.size());
        QCOMPARE(stored.at(seq - 1).value(u"cid"_s).toString(), event.value(u"cid"_s).toString());
    }
}

void tst_server_durability::pausedServer_answersAfterContinue()
{
    // A stalled server (SIGSTOP) keeps its connections; requests queue up and are answered in
    // order once it runs again.
    ServerProcess server;
    QString token;
    QVERIFY(setUp(server, &token));
    auto alice = openWithToken(server.url(), token, nullptr);
    QVERIFY(alice);

    QVERIFY(server.pause());
    const QJsonValue first = alice->post({{u"type"_s, u"send"_s},
                                          {u"room"_s, u"durable"_s},
                                          {u"cid"_s, u"while-stopped"_s},
                                          {u"body"_s, u"sent while the server was stopped"_s}});
    const QJsonValue second = alice->post({{u"type"_s, u"rooms"_s}});
    // Nothing can answer while it is stopped.
    QVERIFY(alice->waitForReply(first, 300).isEmpty());
    QVERIFY(server.resume());

    const QJsonObject sent = alice->waitForReply(first);
    VERIFY_OK(sent);
    QCOMPARE(sent.value(u"seq"_s).toInteger(), 1);
    VERIFY_OK(alice->waitForReply(second));
    // (The queued `rooms` may have been answered before the send committed; a new one must
    // see it.)
    QCOMPARE(roomRow(alice->rooms(), u"durable"_s).value(u"last_seq"_s).toInteger(), 1);
    QVERIFY(alice->isConnected());
}

QTEST_GUILESS_MAIN(tst_server_durability)
#include "tst_server_durability.moc"
