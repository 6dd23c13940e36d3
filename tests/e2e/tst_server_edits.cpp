// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: edits, deletions, reactions and replies against a real conversa-server, on SQLite and
// on a real PostgreSQL. Another client sees them live and, after a reconnect, `sync{after}` replays
// them; a deletion leaves the text nowhere in the database (the SQLite files / the rows).

#include "ConversaTest.h"
#include "PostgresServer.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
QString password(const QString &user)
{
    return user + u"-Secret-2"_s;
}
QJsonObject change(const QString &type, qint64 target, const QString &cid, const QString &body = {})
{
    QJsonObject frame{
        {"type"_L1, type}, {"room"_L1, "ops"_L1}, {"target"_L1, target}, {"cid"_L1, cid}};
    if (!body.isEmpty())
        frame.insert("body"_L1, body);
    return frame;
}
const auto kOriginal = u"the launch code is swordfish-4711"_s;
const auto kEdited = u"the launch code is tunafish-0815"_s;
} // namespace

class tst_server_edits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sqlite_editDeleteLiveReplayedAndErased();
    void postgresql_editDeleteLiveReplayedAndErased();

private:
    // Runs the conversation on `server` (started, users added); returns through QVERIFY.
    void converse(ServerProcess &server);
};

void tst_server_edits::converse(ServerProcess &server)
{
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, password(u"alice"_s), &why);
    QVERIFY2(alice, qPrintable(why));
    auto bob = openWithLogin(server.url(), u"bob"_s, password(u"bob"_s), &why);
    QVERIFY2(bob, qPrintable(why));
    const QString bobToken = bob->token();
    VERIFY_OK(alice->create(u"ops"_s));
    VERIFY_OK(bob->join(u"ops"_s));

    const QJsonObject sent = alice->send(u"ops"_s, kOriginal);
    VERIFY_OK(sent);
    const qint64 target = sent.value("seq"_L1).toInteger();
    QCOMPARE(bob->waitForEvent(u"message"_s).value("body"_L1).toString(), kOriginal);

    QJsonObject reply = alice->send(u"ops"_s, u"see above"_s);
    VERIFY_OK(reply);
    QJsonObject answer{{"type"_L1, "send"_L1},
                       {"room"_L1, "ops"_L1},
                       {"cid"_L1, "bob-r1"_L1},
                       {"body"_L1, "ack"_L1},
                       {"reply_to"_L1, target}};
    VERIFY_OK(bob->request(answer));
    answer.insert("cid"_L1, u"bob-r2"_s);
    answer.insert("reply_to"_L1, 999);
    VERIFY_ERROR(bob->request(answer), u"not_found"_s);

    // The edit, live.
    VERIFY_ERROR(bob->request(change(u"edit"_s, target, u"bob-e1"_s, u"mine now"_s)),
                 u"forbidden"_s);
    VERIFY_OK(alice->request(change(u"edit"_s, target, u"alice-e1"_s, kEdited)));
    const QJsonObject edit = bob->waitForEvent(u"message"_s, 5000, [](const QJsonObject &e) {
        return e.value("kind"_L1).toString() == "edit"_L1;
    });
    QCOMPARE(edit.value("target"_L1).toInteger(), target);
    QCOMPARE(edit.value("body"_L1).toString(), kEdited);

    // A reaction, live, to alice's second message.
    const qint64 seeAbove = reply.value("seq"_L1).toInteger();
    const QJsonObject react{{"type"_L1, "react"_L1},
                            {"room"_L1, "ops"_L1},
                            {"target"_L1, seeAbove},
                            {"emoji"_L1, u"👍"_s},
                            {"on"_L1, true}};
    VERIFY_OK(bob->request(react));
    const QJsonObject reaction = alice->waitForEvent(u"message"_s, 5000, [](const QJsonObject &e) {
        return e.value("kind"_L1).toString() == "reaction"_L1;
    });
    QCOMPARE(reaction.value("emoji"_L1).toString(), u"👍"_s);
    QCOMPARE(reaction.value("from"_L1).toString(), u"bob"_s);
    const qint64 bobSaw = reaction.value("seq"_L1).toInteger();

    // Bob goes away; alice deletes; bob comes back and catches up with sync{after}.
    bob->close();
    const QJsonObject deleted = alice->request(change(u"delete"_s, target, u"alice-d1"_s));
    VERIFY_OK(deleted);
    VERIFY_ERROR(alice->request(change(u"edit"_s, target, u"alice-e2"_s, u"again"_s)),
                 u"not_found"_s);
    bob = openWithToken(server.url(), bobToken, &why);
    QVERIFY2(bob, qPrintable(why));
    const QList<QJsonObject> missed = messagesOf(bob->sync(u"ops"_s, bobSaw));
    QCOMPARE(missed.size(), 1);
    QCOMPARE(missed.at(0).value("kind"_L1).toString(), u"delete"_s);
    QCOMPARE(missed.at(0).value("target"_L1).toInteger(), target);
    QCOMPARE(missed.at(0).value("seq"_L1), deleted.value("seq"_L1));
    const QList<QJsonObject> all = messagesOf(bob->sync(u"ops"_s, 0));
    QCOMPARE(all.size(), 6);
    const QJsonArray reactions = all.at(1).value("reactions"_L1).toArray();
    QCOMPARE(reactions.size(), 1);
    QCOMPARE(reactions.at(0).toObject().value("users"_L1).toArray(), QJsonArray{u"bob"_s});
    QCOMPARE(all.at(0).value("deleted"_L1).toBool(), true);
    QCOMPARE(all.at(0).value("body"_L1).toString(), QString());
    QCOMPARE(all.at(2).value("reply_to"_L1).toInteger(), target);
    for (const QJsonObject &m : all) {
        QVERIFY(!m.value("body"_L1).toString().contains(u"swordfish"_s));
        QVERIFY(!m.value("body"_L1).toString().contains(u"tunafish"_s));
    }
}

void tst_server_edits::sqlite_editDeleteLiveReplayedAndErased()
{
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    for (const QString &user : {u"alice"_s, u"bob"_s})
        QVERIFY2(server.addUser(user, password(user)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    converse(server);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(server.terminate(), 0);
    // Every file the server keeps (database, WAL, anything else): neither text is left.
    QDirIterator files(server.dataDir(), QDir::Files, QDirIterator::Subdirectories);
    int scanned = 0;
    bool keptTextFound = false; // the scan does see stored text
    while (files.hasNext()) {
        QFile file(files.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        keptTextFound = keptTextFound || bytes.contains("see above");
        QVERIFY2(!bytes.contains("swordfish"), qPrintable(file.fileName()));
        QVERIFY2(!bytes.contains("tunafish"), qPrintable(file.fileName()));
        ++scanned;
    }
    QVERIFY(scanned > 0);
    QVERIFY(keptTextFound);
}

void tst_server_edits::postgresql_editDeleteLiveReplayedAndErased()
{
    if (!PostgresServer::isInstalled()) {
        if (PostgresServer::mustRun())
            QFAIL(qPrintable(PostgresServer::whyUnavailable()));
        QSKIP(qPrintable(PostgresServer::whyUnavailable()));
    }
    PostgresServer postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    const QString url = postgres.createDatabase(u"edits"_s);
    QVERIFY2(!url.isEmpty(), qPrintable(postgres.errorString()));
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    server.setDatabaseUrl(url);
    for (const QString &user : {u"alice"_s, u"bob"_s})
        QVERIFY2(server.addUser(user, password(user)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    converse(server);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(server.terminate(), 0);
    const QUrl parsed(url);
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, u"edits-check"_s);
    db.setHostName(parsed.host());
    db.setPort(parsed.port());
    db.setUserName(parsed.userName());
    db.setDatabaseName(parsed.path().mid(1));
    QVERIFY2(db.open(), qPrintable(db.lastError().text()));
    {
        QSqlQuery query(db);
        QVERIFY(query.exec(u"SELECT count(*) FROM messages WHERE body LIKE '%swordfish%' OR "
                           "body LIKE '%tunafish%'"_s) &&
                query.next());
        QCOMPARE(query.value(0).toInt(), 0);
        QVERIFY(query.exec(u"SELECT count(*) FROM messages"_s) && query.next());
        QCOMPARE(query.value(0).toInt(), 6);
    }
    db.close();
}

QTEST_GUILESS_MAIN(tst_server_edits)
#include "tst_server_edits.moc"
