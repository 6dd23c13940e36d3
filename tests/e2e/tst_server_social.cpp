// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: direct messages, private rooms, invites, the directory, rename and remove against
// a real conversa-server, on SQLite and on a real PostgreSQL. Whoever is added is told live on
// every session; someone outside a private room or dm gets `forbidden` and sees none of it;
// after a restart the pair's dm is still the same room.

#include "ConversaTest.h"
#include "PostgresServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
QString password(const QString &user)
{
    return user + u"-Secret-5"_s;
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
bool anyFrameContains(const TestClient &client, const QByteArray &text)
{
    for (const QJsonObject &f : client.received()) {
        if (QJsonDocument(f).toJson(QJsonDocument::Compact).contains(text))
            return true;
    }
    return false;
}
} // namespace

class tst_server_social : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sqlite_dmsPrivateRoomsAndOwners();
    void postgresql_dmsPrivateRoomsAndOwners();

private:
    void converse(ServerProcess &server);
    bool addUsers(ServerProcess &server);
};

bool tst_server_social::addUsers(ServerProcess &server)
{
    for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s}) {
        if (!server.addUser(user, password(user)))
            return false;
    }
    return true;
}

void tst_server_social::converse(ServerProcess &server)
{
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, password(u"alice"_s), &why);
    QVERIFY2(alice, qPrintable(why));
    auto bob = openWithLogin(server.url(), u"bob"_s, password(u"bob"_s), &why);
    QVERIFY2(bob, qPrintable(why));
    auto bobPhone = openWithToken(server.url(), bob->token(), &why);
    QVERIFY2(bobPhone, qPrintable(why));
    auto carol = openWithLogin(server.url(), u"carol"_s, password(u"carol"_s), &why);
    QVERIFY2(carol, qPrintable(why));

    // A dm: one room for the pair, both told on every session.
    const QJsonObject nobody = alice->request(frame("dm", {{"user", u"nobody"_s}}));
    VERIFY_ERROR(nobody, u"not_found"_s);
    QCOMPARE(nobody.value("message"_L1).toString(), u"there is no user named 'nobody'"_s);
    const QJsonObject opened = alice->request(frame("dm", {{"user", u"bob"_s}}));
    VERIFY_OK(opened);
    const QString dm = opened.value("room"_L1).toString();
    QVERIFY2(dm.startsWith("dm-"_L1), qPrintable(dm));
    for (TestClient *session : {bob.get(), bobPhone.get()}) {
        const QJsonObject told = session->waitForEvent(u"room"_s);
        QCOMPARE(told.value("room"_L1).toString(), dm);
        QCOMPARE(told.value("kind"_L1).toString(), u"dm"_s);
        QCOMPARE(told.value("peer"_L1).toString(), u"alice"_s);
    }
    QCOMPARE(bob->request(frame("dm", {{"user", u"alice"_s}})).value("room"_L1).toString(), dm);

    VERIFY_OK(alice->send(dm, u"psst @bob, the plan is blue-heron"_s));
    QCOMPARE(bob->waitForEvent(u"message"_s).value("room"_L1).toString(), dm);
    const QJsonObject bobsEntry = roomEntry(bob->rooms(), dm);
    QCOMPARE(bobsEntry.value("kind"_L1).toString(), u"dm"_s);
    QCOMPARE(bobsEntry.value("peer"_L1).toString(), u"alice"_s);
    QCOMPARE(bobsEntry.value("unread"_L1).toInteger(), 1);
    QCOMPARE(bobsEntry.value("mentions"_L1).toInteger(), 1);

    // Carol, outside: every way in is forbidden and nothing of it reaches her.
    VERIFY_ERROR(carol->join(dm), u"forbidden"_s);
    VERIFY_ERROR(carol->history(dm), u"forbidden"_s);
    VERIFY_ERROR(carol->sync(dm, 0), u"forbidden"_s);
    VERIFY_ERROR(carol->members(dm), u"forbidden"_s);
    VERIFY_ERROR(carol->send(dm, u"let me in"_s), u"forbidden"_s);
    VERIFY_ERROR(alice->request(frame("invite", {{"room", dm}, {"user", u"carol"_s}})),
                 u"forbidden"_s);
    QVERIFY(roomEntry(carol->rooms(), dm).isEmpty());
    QVERIFY(!namesIn(carol->request(frame("directory", {}))).contains(dm));

    // A private room: not in the directory, joined only by invite.
    const QJsonObject made = alice->request(
        frame("create", {{"room", u"ops"_s}, {"title", u"Ops"_s}, {"private", true}}));
    VERIFY_OK(made);
    QCOMPARE(made.value("kind"_L1).toString(), u"private"_s);
    VERIFY_OK(alice->create(u"lobby"_s, u"Lobby"_s));
    VERIFY_OK(alice->send(u"ops"_s, u"rotate the keys at noon"_s));
    const QJsonObject directory = carol->request(frame("directory", {{"query", u"O"_s}}));
    QCOMPARE(namesIn(directory), QStringList{u"lobby"_s});
    VERIFY_ERROR(carol->join(u"ops"_s), u"forbidden"_s);
    VERIFY_ERROR(carol->history(u"ops"_s), u"forbidden"_s);
    VERIFY_ERROR(carol->request(frame("invite", {{"room", u"ops"_s}, {"user", u"carol"_s}})),
                 u"forbidden"_s);
    VERIFY_ERROR(alice->request(frame("invite", {{"room", u"ops"_s}, {"user", u"nobody"_s}})),
                 u"not_found"_s);
    QVERIFY(!anyFrameContains(*carol, "blue-heron"));
    QVERIFY(!anyFrameContains(*carol, "rotate the keys"));

    for (const QString &who : {u"carol"_s, u"bob"_s})
        VERIFY_OK(alice->request(frame("invite", {{"room", u"ops"_s}, {"user", who}})));
    const QJsonObject invited = carol->waitForEvent(u"room"_s);
    QCOMPARE(invited.value("room"_L1).toString(), u"ops"_s);
    QCOMPARE(invited.value("kind"_L1).toString(), u"private"_s);
    QCOMPARE(messagesOf(carol->history(u"ops"_s)).size(), 1);
    QCOMPARE(roomEntry(carol->rooms(), u"ops"_s).value("owner"_L1).toString(), u"alice"_s);

    // The owner renames and removes; nobody else may.
    VERIFY_ERROR(carol->request(frame("rename", {{"room", u"ops"_s}, {"title", u"Mine"_s}})),
                 u"forbidden"_s);
    VERIFY_ERROR(carol->request(frame("remove", {{"room", u"ops"_s}, {"user", u"bob"_s}})),
                 u"forbidden"_s);
    carol->clearEvents();
    VERIFY_OK(alice->request(frame("rename", {{"room", u"ops"_s}, {"title", u"Operations"_s}})));
    QCOMPARE(carol
                 ->waitForEvent(u"room"_s, 5000,
                                [](const QJsonObject &e) {
                                    return e.value("title"_L1).toString() == "Operations"_L1;
                                })
                 .value("room"_L1)
                 .toString(),
             u"ops"_s);
    VERIFY_OK(alice->request(frame("remove", {{"room", u"ops"_s}, {"user", u"carol"_s}})));
    // (With PostgreSQL the directory reload may tell her first, without `by`.)
    const QJsonObject removed = carol->waitForEvent(u"removed"_s, 5000, [](const QJsonObject &e) {
        return !e.value("by"_L1).toString().isEmpty();
    });
    QCOMPARE(removed.value("room"_L1).toString(), u"ops"_s);
    QCOMPARE(removed.value("by"_L1).toString(), u"alice"_s);
    VERIFY_ERROR(carol->history(u"ops"_s), u"forbidden"_s);
    VERIFY_ERROR(carol->join(u"ops"_s), u"forbidden"_s);
    bob->clearEvents();
    carol->clearEvents();
    VERIFY_OK(alice->send(u"ops"_s, u"after carol left"_s));
    QCOMPARE(bob->waitForEvent(u"message"_s).value("body"_L1).toString(), u"after carol left"_s);
    QVERIFY(carol->eventsOfType(u"message"_s).isEmpty());

    // After a restart the pair's dm is the same room, its history kept.
    const QString bobToken = bob->token();
    alice.reset();
    bob.reset();
    bobPhone.reset();
    carol.reset();
    QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
    bob = openWithToken(server.url(), bobToken, &why);
    QVERIFY2(bob, qPrintable(why));
    QCOMPARE(bob->request(frame("dm", {{"user", u"alice"_s}})).value("room"_L1).toString(), dm);
    QCOMPARE(messagesOf(bob->history(dm)).size(), 1);
    QCOMPARE(roomEntry(bob->rooms(), u"ops"_s).value("title"_L1).toString(), u"Operations"_s);
}

void tst_server_social::sqlite_dmsPrivateRoomsAndOwners()
{
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    QVERIFY2(addUsers(server), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    converse(server);
}

void tst_server_social::postgresql_dmsPrivateRoomsAndOwners()
{
    if (!PostgresServer::isInstalled()) {
        if (PostgresServer::mustRun())
            QFAIL(qPrintable(PostgresServer::whyUnavailable()));
        QSKIP(qPrintable(PostgresServer::whyUnavailable()));
    }
    PostgresServer postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    const QString url = postgres.createDatabase(u"social"_s);
    QVERIFY2(!url.isEmpty(), qPrintable(postgres.errorString()));
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    server.setDatabaseUrl(url);
    QVERIFY2(addUsers(server), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    converse(server);
}

QTEST_GUILESS_MAIN(tst_server_social)
#include "tst_server_social.moc"
