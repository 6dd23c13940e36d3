// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: `search` against a real conversa-server, on SQLite and on a real PostgreSQL.
// Every word must match, in any case and with or without accents; results are the messages in
// their current state, newest first, only from the caller's rooms (never another user's private
// room or dm, now that those exist); words edited away and
// deleted messages are never found; a room one is not in is refused; the query is bounded and
// searches are rate-limited.

#include "ConversaTest.h"
#include "PostgresServer.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
QString password(const QString &user)
{
    return user + u"-Secret-2"_s;
}
QJsonObject searchFrame(const QString &query, const QString &room = {}, qint64 before = 0,
                        int limit = 0)
{
    QJsonObject frame{{"type"_L1, "search"_L1}, {"query"_L1, query}};
    if (!room.isEmpty())
        frame.insert("room"_L1, room);
    if (before > 0)
        frame.insert("before"_L1, before);
    if (limit > 0)
        frame.insert("limit"_L1, limit);
    return frame;
}
QList<QJsonObject> resultsOf(const QJsonObject &reply)
{
    QList<QJsonObject> results;
    for (const QJsonValue &value : reply.value("results"_L1).toArray())
        results.append(value.toObject());
    return results;
}
// "room:seq" of each result, in order; the error code when the reply is not `ok`.
QStringList hitsOf(const QJsonObject &reply)
{
    if (!TestClient::isOk(reply))
        return {u"error:"_s + reply.value("code"_L1).toString()};
    QStringList hits;
    for (const QJsonObject &result : resultsOf(reply))
        hits.append(u"%1:%2"_s.arg(result.value("room"_L1).toString())
                        .arg(result.value("seq"_L1).toInteger()));
    return hits;
}
QJsonObject change(const QString &type, qint64 target, const QString &cid, const QString &body = {})
{
    QJsonObject frame{
        {"type"_L1, type}, {"room"_L1, "ops"_L1}, {"target"_L1, target}, {"cid"_L1, cid}};
    if (!body.isEmpty())
        frame.insert("body"_L1, body);
    return frame;
}
} // namespace

class tst_server_search : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sqlite_search();
    void postgresql_search();

private:
    void search(ServerProcess &server);
};

void tst_server_search::search(ServerProcess &server)
{
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, password(u"alice"_s), &why);
    QVERIFY2(alice, qPrintable(why));
    auto bob = openWithLogin(server.url(), u"bob"_s, password(u"bob"_s), &why);
    QVERIFY2(bob, qPrintable(why));
    VERIFY_OK(alice->create(u"ops"_s));
    VERIFY_OK(alice->create(u"dev"_s));
    VERIFY_OK(bob->create(u"secret"_s)); // alice never joins it
    // Bob's private room and his dm with carol: alice is in neither.
    VERIFY_OK(
        bob->request({{"type"_L1, "create"_L1}, {"room"_L1, "hidden"_L1}, {"private"_L1, true}}));
    const QJsonObject dm = bob->request({{"type"_L1, "dm"_L1}, {"user"_L1, "carol"_L1}});
    VERIFY_OK(dm);
    const QString dmRoom = dm.value("room"_L1).toString();
    VERIFY_OK(bob->send(u"hidden"_s, u"private deploy plan, do not share"_s));
    VERIFY_OK(bob->send(dmRoom, u"carol, the deploy plan between us"_s));
    VERIFY_OK(bob->join(u"ops"_s));

    // The checks search more often than the budget allows: a refused search waits and asks again.
    const auto ask = [](TestClient &client, const QJsonObject &frame) {
        QJsonObject reply = client.request(frame);
        for (int i = 0; i < 5 && TestClient::isError(reply, u"rate_limited"_s); ++i) {
            QTest::qWait(600);
            reply = client.request(frame);
        }
        return reply;
    };
    auto seqOf = [](const QJsonObject &reply) { return reply.value("seq"_L1).toInteger(); };
    const qint64 plan = seqOf(alice->send(u"ops"_s, u"The deploy PLAN for Friday"_s));
    const qint64 other = seqOf(bob->send(u"ops"_s, u"lunch plan: pizza"_s));
    const qint64 devPlan = seqOf(alice->send(u"dev"_s, u"deploy plan, second draft"_s));
    VERIFY_OK(bob->send(u"secret"_s, u"the deploy plan nobody else may read"_s));
    const qint64 accents = seqOf(bob->send(u"ops"_s, u"Não há café amanhã"_s));
    const qint64 typo = seqOf(alice->send(u"ops"_s, u"the password is hunter2"_s));
    const qint64 doomed = seqOf(bob->send(u"ops"_s, u"rollback the deploy at midnight"_s));
    QVERIFY(plan > 0 && other > 0 && devPlan > 0 && accents > 0 && typo > 0 && doomed > 0);

    // Every word, any case, newest first, only the caller's rooms; each result names its room.
    VERIFY_OK(bob->request({{"type"_L1, "react"_L1},
                            {"room"_L1, "ops"_L1},
                            {"target"_L1, plan},
                            {"emoji"_L1, u"👍"_s},
                            {"on"_L1, true}}));
    const QJsonObject found = ask(*alice, searchFrame(u"DEPLOY plan"_s));
    VERIFY_OK(found);
    QCOMPARE(hitsOf(found), (QStringList{u"dev:%1"_s.arg(devPlan), u"ops:%1"_s.arg(plan)}));
    const QJsonObject first = resultsOf(found).constLast();
    QCOMPARE(first.value("body"_L1).toString(), u"The deploy PLAN for Friday"_s);
    QCOMPARE(first.value("from"_L1).toString(), u"alice"_s);
    QVERIFY(first.value("ts"_L1).toInteger() > 0);
    QCOMPARE(first.value("reactions"_L1).toArray().size(), 1); // in its current state
    QCOMPARE(first.value("reactions"_L1).toArray().at(0).toObject().value("users"_L1).toArray(),
             QJsonArray{u"bob"_s});
    const QJsonObject bobs = ask(*bob, searchFrame(u"deploy plan"_s));
    VERIFY_OK(bobs);
    // Bob is in ops, secret, hidden and his dm, not in dev; newest first.
    QCOMPARE(hitsOf(bobs), (QStringList{u"secret:1"_s, u"ops:%1"_s.arg(plan), u"%1:1"_s.arg(dmRoom),
                                        u"hidden:1"_s}));
    // Accents and case do not matter; a part of a word is not a word.
    QCOMPARE(hitsOf(ask(*alice, searchFrame(u"nao cafe"_s))),
             QStringList{u"ops:%1"_s.arg(accents)});
    QCOMPARE(hitsOf(ask(*alice, searchFrame(u"CAFÉ"_s))), QStringList{u"ops:%1"_s.arg(accents)});
    QCOMPARE(hitsOf(ask(*alice, searchFrame(u"depl"_s))), QStringList{});
    // One room, then older than a seq there.
    QCOMPARE(hitsOf(ask(*alice, searchFrame(u"plan"_s, u"ops"_s))),
             (QStringList{u"ops:%1"_s.arg(other), u"ops:%1"_s.arg(plan)}));
    QCOMPARE(hitsOf(ask(*alice, searchFrame(u"plan"_s, u"ops"_s, other))),
             QStringList{u"ops:%1"_s.arg(plan)});
    QCOMPARE(hitsOf(ask(*alice, searchFrame(u"plan"_s, {}, 0, 1))).size(), 1);

    // Edited away: the old words are not found, the new ones are, and the body is the new one.
    VERIFY_OK(alice->request(change(u"edit"_s, typo, u"e1"_s, u"the password is in the vault"_s)));
    QCOMPARE(hitsOf(ask(*alice, searchFrame(u"hunter2"_s))), QStringList{});
    const QJsonObject vault = ask(*alice, searchFrame(u"password vault"_s));
    QCOMPARE(hitsOf(vault), QStringList{u"ops:%1"_s.arg(typo)});
    QCOMPARE(resultsOf(vault).at(0).value("body"_L1).toString(), u"the password is in the vault"_s);
    QVERIFY(resultsOf(vault).at(0).value("edited"_L1).toInteger() > 0);
    // Deleted (by its author): not found by any of its words.
    VERIFY_OK(bob->request(change(u"delete"_s, doomed, u"d1"_s)));
    QCOMPARE(hitsOf(ask(*alice, searchFrame(u"rollback"_s))), QStringList{});
    QCOMPARE(hitsOf(ask(*alice, searchFrame(u"deploy"_s, u"ops"_s))),
             QStringList{u"ops:%1"_s.arg(plan)});

    // Another user's private room and dm: never in the results, refused when named.
    for (const QString &hit : hitsOf(ask(*alice, searchFrame(u"deploy plan"_s)))) {
        QVERIFY2(!hit.startsWith("hidden:"_L1) && !hit.startsWith(dmRoom + u':'), qPrintable(hit));
    }
    VERIFY_ERROR(ask(*alice, searchFrame(u"deploy"_s, u"hidden"_s)), u"forbidden"_s);
    VERIFY_ERROR(ask(*alice, searchFrame(u"deploy"_s, dmRoom)), u"forbidden"_s);
    QVERIFY(hitsOf(ask(*bob, searchFrame(u"deploy plan"_s))).contains(u"%1:1"_s.arg(dmRoom)));

    // A room one is not in, or that does not exist.
    VERIFY_ERROR(ask(*alice, searchFrame(u"deploy"_s, u"secret"_s)), u"forbidden"_s);
    VERIFY_ERROR(ask(*alice, searchFrame(u"deploy"_s, u"nowhere"_s)), u"not_found"_s);
    // After leaving a room its messages are no longer found.
    VERIFY_OK(bob->leave(u"secret"_s));
    QCOMPARE(hitsOf(ask(*bob, searchFrame(u"nobody"_s))), QStringList{});

    // Bad queries, in words.
    VERIFY_ERROR(ask(*alice, searchFrame(u"x"_s.repeated(201))), u"bad_request"_s);
    VERIFY_ERROR(ask(*alice, searchFrame(u"a b c d e f g h i j k"_s)), u"bad_request"_s);
    VERIFY_ERROR(ask(*alice, searchFrame(u" -- !? "_s)), u"bad_request"_s);
    QJsonObject beforeWithoutRoom = searchFrame(u"plan"_s);
    beforeWithoutRoom.insert("before"_L1, 5);
    const QJsonObject refused = ask(*alice, beforeWithoutRoom);
    VERIFY_ERROR(refused, u"bad_request"_s);
    QVERIFY(refused.value("message"_L1).toString().contains("room"_L1));

    // The budget: a burst, then refused in words, until time gives more.
    int refusedCount = 0;
    QString refusal;
    for (int i = 0; i < 15; ++i) {
        const QJsonObject reply = bob->request(searchFrame(u"plan"_s));
        if (TestClient::isError(reply, u"rate_limited"_s)) {
            ++refusedCount;
            refusal = reply.value("message"_L1).toString();
        }
    }
    QVERIFY2(refusedCount >= 3, qPrintable(QString::number(refusedCount)));
    QVERIFY2(refusal.contains("try again"_L1), qPrintable(refusal));
    QTest::qWait(1100);
    VERIFY_OK(bob->request(searchFrame(u"plan"_s)));
}

void tst_server_search::sqlite_search()
{
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s})
        QVERIFY2(server.addUser(user, password(user)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    search(server);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(server.terminate(), 0);
}

void tst_server_search::postgresql_search()
{
    if (!PostgresServer::isInstalled()) {
        if (PostgresServer::mustRun())
            QFAIL(qPrintable(PostgresServer::whyUnavailable()));
        QSKIP(qPrintable(PostgresServer::whyUnavailable()));
    }
    PostgresServer postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    const QString url = postgres.createDatabase(u"search"_s);
    QVERIFY2(!url.isEmpty(), qPrintable(postgres.errorString()));
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    server.setDatabaseUrl(url);
    for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s})
        QVERIFY2(server.addUser(user, password(user)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    search(server);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(server.terminate(), 0);
}

QTEST_GUILESS_MAIN(tst_server_search)
#include "tst_server_search.moc"
