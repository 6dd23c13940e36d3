// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: sessions and rooms against a real conversa-server.
// login, auth, logout, rooms, create, join, leave, members and presence events.

#include "ConversaTest.h"

#include <QHash>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

class tst_server_session : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void handshake_selectsSubprotocol();
    void login_returnsUserAndToken();
    void login_echoesStringId();
    void login_wrongPassword_unauthorized();
    void login_unknownUser_unauthorized();
    void auth_withToken_returnsUser();
    void auth_unknownToken_unauthorized();
    void logout_revokesTokenAndClosesOtherSockets();
    void rooms_listsOnlyCallersRooms();
    void create_returnsRoomAndCreatorIsMember();
    void create_withoutTitle();
    void create_existing_conflict();
    void join_returnsRoomAndAddsMember();
    void join_unknownRoom_notFound();
    void join_roomCreatedByAdminCli();
    void leave_removesMembership();
    void members_nonMember_forbidden();
    void presence_onlineAndOffline();

private:
    // A new authenticated client for `user` (token from initTestCase's login).
    std::unique_ptr<TestClient> as(const QString &user);
    static QString password(const QString &user) { return user + u"-Secret-1"_s; }

    std::unique_ptr<ServerProcess> m_server;
    QHash<QString, QString> m_tokens;
};

std::unique_ptr<TestClient> tst_server_session::as(const QString &user)
{
    QString why;
    auto client = openWithToken(m_server->url(), m_tokens.value(user), &why);
    if (!client)
        qWarning().noquote() << "cannot open a session for" << user << ":" << why;
    return client;
}

void tst_server_session::initTestCase()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->isValid(), qPrintable(m_server->errorString()));
    const QStringList users{u"alice"_s, u"bob"_s, u"carol"_s, u"dave"_s, u"erin"_s, u"grace"_s};
    for (const QString &user : users)
        QVERIFY2(m_server->addUser(user, password(user)), qPrintable(m_server->lastAdminError()));
    QVERIFY2(m_server->start(), qPrintable(m_server->diagnostics()));
    QVERIFY(m_server->port() != 0);
    QCOMPARE(m_server->url().scheme(), u"ws"_s);
    QCOMPARE(m_server->url().path(), u"/ws"_s);

    for (const QString &user : users) {
        QString why;
        auto client = openWithLogin(m_server->url(), user, password(user), &why);
        QVERIFY2(client, qPrintable(why));
        QVERIFY(!client->token().isEmpty());
        m_tokens.insert(user, client->token());
    }
}

void tst_server_session::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << m_server->diagnostics();
}

void tst_server_session::handshake_selectsSubprotocol()
{
    TestClient client;
    QVERIFY2(client.open(m_server->url()), qPrintable(client.errorString()));
    QCOMPARE(client.subprotocol(), u"conversa.v1"_s);
}

void tst_server_session::login_returnsUserAndToken()
{
    TestClient client;
    QVERIFY2(client.open(m_server->url()), qPrintable(client.errorString()));
    const QJsonObject reply = client.login(u"alice"_s, password(u"alice"_s), u"laptop"_s);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"user"_s).toString(), u"alice"_s);
    QVERIFY2(reply.value(u"token"_s).isString(), TestClient::describe(reply));
    const QString token = reply.value(u"token"_s).toString();
    QVERIFY2(token.size() >= 16, "the token should be a long random secret");
    // Which instance took the session (HOST:PORT by default) and the limits clients must obey.
    QCOMPARE(reply.value(u"instance"_s).toString(), u"127.0.0.1:%1"_s.arg(m_server->port()));
    const QJsonObject limits = reply.value(u"limits"_s).toObject();
    QCOMPARE(limits.value(u"max_body_bytes"_s).toInteger(), 16 * 1024);
    QCOMPARE(limits.value(u"max_file_bytes"_s).toInteger(), 25 * 1024 * 1024);
    QCOMPARE(limits.value(u"max_files_per_message"_s).toInteger(), 10);
    QCOMPARE(limits.value(u"messages_per_second"_s).toDouble(), 10.0);
    QCOMPARE(limits.value(u"message_burst"_s).toInteger(), 20);

    // Every login is a new device token.
    TestClient other;
    QVERIFY(other.open(m_server->url()));
    const QJsonObject second = other.login(u"alice"_s, password(u"alice"_s), u"phone"_s);
    VERIFY_OK(second);
    QVERIFY(second.value(u"token"_s).toString() != token);
    QVERIFY(second.value(u"token"_s).toString() != m_tokens.value(u"alice"_s));

    // The session is authenticated: rooms is served.
    VERIFY_OK(client.rooms());
}

void tst_server_session::login_echoesStringId()
{
    TestClient client;
    QVERIFY(client.open(m_server->url()));
    const QJsonObject reply = client.request({{u"type"_s, u"login"_s},
                                              {u"id"_s, u"req-7f"_s},
                                              {u"user"_s, u"bob"_s},
                                              {u"password"_s, password(u"bob"_s)},
                                              {u"device"_s, u"desk"_s}});
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"re"_s), QJsonValue(u"req-7f"_s));
    QCOMPARE(reply.value(u"user"_s).toString(), u"bob"_s);
}

void tst_server_session::login_wrongPassword_unauthorized()
{
    TestClient client;
    QVERIFY(client.open(m_server->url()));
    const QJsonObject reply = client.login(u"bob"_s, u"not-the-password"_s);
    VERIFY_ERROR(reply, u"unauthorized"_s);
    QVERIFY2(!reply.value(u"message"_s).toString().isEmpty(), TestClient::describe(reply));
    QVERIFY(!reply.contains(u"token"_s));
    // Still not authenticated, and the connection is still usable.
    VERIFY_ERROR(client.rooms(), u"unauthorized"_s);
    VERIFY_OK(client.login(u"bob"_s, password(u"bob"_s)));
    VERIFY_OK(client.rooms());
}

void tst_server_session::login_unknownUser_unauthorized()
{
    TestClient client;
    QVERIFY(client.open(m_server->url()));
    // Same code as a wrong password: the answer does not tell which names exist.
    VERIFY_ERROR(client.login(u"nobody"_s, u"whatever-password"_s), u"unauthorized"_s);
    QVERIFY(client.isConnected());
}

void tst_server_session::auth_withToken_returnsUser()
{
    TestClient client;
    QVERIFY(client.open(m_server->url()));
    const QJsonObject reply = client.auth(m_tokens.value(u"carol"_s));
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"user"_s).toString(), u"carol"_s);
    QCOMPARE(reply.value(u"instance"_s).toString(), u"127.0.0.1:%1"_s.arg(m_server->port()));
    QCOMPARE(reply.value(u"limits"_s).toObject().value(u"max_body_bytes"_s).toInteger(), 16 * 1024);
    VERIFY_OK(client.rooms());
}

void tst_server_session::auth_unknownToken_unauthorized()
{
    TestClient client;
    QVERIFY(client.open(m_server->url()));
    VERIFY_ERROR(client.auth(u"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"_s), u"unauthorized"_s);
    VERIFY_ERROR(client.rooms(), u"unauthorized"_s);
}

void tst_server_session::logout_revokesTokenAndClosesOtherSockets()
{
    TestClient first;
    QVERIFY(first.open(m_server->url()));
    VERIFY_OK(first.login(u"dave"_s, password(u"dave"_s), u"to-be-revoked"_s));
    const QString token = first.token();

    TestClient second;
    QVERIFY(second.open(m_server->url()));
    VERIFY_OK(second.auth(token));

    // Another device of the same user must not be affected.
    auto otherDevice = as(u"dave"_s);
    QVERIFY(otherDevice);

    const QJsonObject reply = first.logout();
    VERIFY_OK(reply);

    VERIFY_CLOSED(second, 4001, 5000);

    // The logged-out socket is no longer authenticated (or was closed).
    if (!first.wasDisconnected()) {
        const QJsonObject after = first.rooms();
        QVERIFY2(first.wasDisconnected() || TestClient::isError(after, u"unauthorized"_s),
                 TestClient::describe(after));
    }

    TestClient third;
    QVERIFY(third.open(m_server->url()));
    VERIFY_ERROR(third.auth(token), u"unauthorized"_s);

    QVERIFY(otherDevice->isConnected());
    VERIFY_OK(otherDevice->rooms());
}

void tst_server_session::rooms_listsOnlyCallersRooms()
{
    auto grace = as(u"grace"_s);
    QVERIFY(grace);
    const QJsonObject before = grace->rooms();
    VERIFY_OK(before);
    QVERIFY2(before.value(u"rooms"_s).isArray(), TestClient::describe(before));

    auto alice = as(u"alice"_s);
    QVERIFY(alice);
    VERIFY_OK(alice->create(u"alice-only"_s, u"Alice only"_s));

    const QJsonObject after = grace->rooms();
    VERIFY_OK(after);
    QVERIFY2(roomRow(after, u"alice-only"_s).isEmpty(), TestClient::describe(after));
    QCOMPARE(after.value(u"rooms"_s).toArray().size(), before.value(u"rooms"_s).toArray().size());
}

void tst_server_session::create_returnsRoomAndCreatorIsMember()
{
    auto alice = as(u"alice"_s);
    QVERIFY(alice);
    const QJsonObject reply = alice->create(u"general"_s, u"General"_s);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"room"_s).toString(), u"general"_s);

    const QJsonObject rooms = alice->rooms();
    VERIFY_OK(rooms);
    const QJsonObject row = roomRow(rooms, u"general"_s);
    QVERIFY2(!row.isEmpty(), TestClient::describe(rooms));
    QCOMPARE(row.value(u"title"_s).toString(), u"General"_s);
    QVERIFY2(row.value(u"last_seq"_s).isDouble(), TestClient::describe(row));
    QCOMPARE(row.value(u"last_seq"_s).toInteger(-1), 0);
    QVERIFY2(row.value(u"read_seq"_s).isDouble(), TestClient::describe(row));
    QCOMPARE(row.value(u"read_seq"_s).toInteger(-1), 0);

    const QJsonObject members = alice->members(u"general"_s);
    VERIFY_OK(members);
    QCOMPARE(members.value(u"room"_s).toString(), u"general"_s);
    QCOMPARE(members.value(u"members"_s).toArray().size(), 1);
    const QJsonObject me = memberRow(members, u"alice"_s);
    QVERIFY2(!me.isEmpty(), TestClient::describe(members));
    QCOMPARE(me.value(u"online"_s), QJsonValue(true));
}

void tst_server_session::create_withoutTitle()
{
    auto bob = as(u"bob"_s);
    QVERIFY(bob);
    const QJsonObject reply = bob->request({{u"type"_s, u"create"_s}, {u"room"_s, u"no-title"_s}});
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"room"_s).toString(), u"no-title"_s);
    const QJsonObject row = roomRow(bob->rooms(), u"no-title"_s);
    QVERIFY(!row.isEmpty());
    QVERIFY2(row.value(u"title"_s).isString(), TestClient::describe(row));
}

void tst_server_session::create_existing_conflict()
{
    auto alice = as(u"alice"_s);
    QVERIFY(alice);
    VERIFY_OK(alice->create(u"taken"_s, u"First"_s));
    VERIFY_ERROR(alice->create(u"taken"_s, u"Second"_s), u"conflict"_s);

    auto bob = as(u"bob"_s);
    QVERIFY(bob);
    VERIFY_ERROR(bob->create(u"taken"_s, u"Mine now"_s), u"conflict"_s);
    // Neither attempt changed the room: bob is no member and the title is the first one.
    QVERIFY(roomRow(bob->rooms(), u"taken"_s).isEmpty());
    QCOMPARE(roomRow(alice->rooms(), u"taken"_s).value(u"title"_s).toString(), u"First"_s);
}

void tst_server_session::join_returnsRoomAndAddsMember()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    VERIFY_OK(alice->create(u"join-me"_s, u"Join me"_s));

    const QJsonObject reply = bob->join(u"join-me"_s);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"room"_s).toString(), u"join-me"_s);

    const QJsonObject row = roomRow(bob->rooms(), u"join-me"_s);
    QVERIFY(!row.isEmpty());
    QCOMPARE(row.value(u"title"_s).toString(), u"Join me"_s);

    const QJsonObject members = alice->members(u"join-me"_s);
    VERIFY_OK(members);
    QCOMPARE(members.value(u"members"_s).toArray().size(), 2);
    QCOMPARE(memberRow(members, u"bob"_s).value(u"online"_s), QJsonValue(true));
    QCOMPARE(memberRow(members, u"alice"_s).value(u"online"_s), QJsonValue(true));

    // Joining twice is harmless and does not duplicate the member.
    VERIFY_OK(bob->join(u"join-me"_s));
    QCOMPARE(alice->members(u"join-me"_s).value(u"members"_s).toArray().size(), 2);
}

void tst_server_session::join_unknownRoom_notFound()
{
    auto bob = as(u"bob"_s);
    QVERIFY(bob);
    VERIFY_ERROR(bob->join(u"does-not-exist"_s), u"not_found"_s);
    QVERIFY(roomRow(bob->rooms(), u"does-not-exist"_s).isEmpty());
}

void tst_server_session::join_roomCreatedByAdminCli()
{
    // The admin CLI writes to the data folder of a running server.
    QVERIFY2(m_server->createRoom(u"announcements"_s, u"Announcements"_s),
             qPrintable(m_server->lastAdminError()));
    auto bob = as(u"bob"_s);
    QVERIFY(bob);
    // Like a revocation, it may take the running server a moment (~1 s) to notice.
    QJsonObject joined;
    QVERIFY(waitUntil(
        [&] {
            joined = bob->join(u"announcements"_s);
            return !TestClient::isError(joined, u"not_found"_s);
        },
        3000));
    VERIFY_OK(joined);
    const QJsonObject row = roomRow(bob->rooms(), u"announcements"_s);
    QVERIFY(!row.isEmpty());
    QCOMPARE(row.value(u"title"_s).toString(), u"Announcements"_s);
    // Creating it again over the wire conflicts.
    VERIFY_ERROR(bob->create(u"announcements"_s, u"Again"_s), u"conflict"_s);
}

void tst_server_session::leave_removesMembership()
{
    auto alice = as(u"alice"_s);
    auto bob = as(u"bob"_s);
    QVERIFY(alice && bob);
    VERIFY_OK(alice->create(u"leavers"_s, u"Leavers"_s));
    VERIFY_OK(bob->join(u"leavers"_s));
    VERIFY_OK(bob->send(u"leavers"_s, u"bye all"_s));

    const QJsonObject reply = bob->leave(u"leavers"_s);
    VERIFY_OK(reply);
    QCOMPARE(reply.value(u"room"_s).toString(), u"leavers"_s);

    QVERIFY(roomRow(bob->rooms(), u"leavers"_s).isEmpty());
    QVERIFY(memberRow(alice->members(u"leavers"_s), u"bob"_s).isEmpty());
    VERIFY_ERROR(bob->members(u"leavers"_s), u"forbidden"_s);
    VERIFY_ERROR(bob->send(u"leavers"_s, u"still here?"_s), u"forbidden"_s);

    // bob no longer receives the room's messages.
    VERIFY_OK(alice->send(u"leavers"_s, u"after bob left"_s));
    VERIFY_OK(bob->rooms()); // a round trip after alice's send was delivered
    QVERIFY2(bob->eventsOfType(u"message"_s).isEmpty(),
             TestClient::describe(bob->eventsOfType(u"message"_s).value(0)));
}

void tst_server_session::members_nonMember_forbidden()
{
    auto alice = as(u"alice"_s);
    auto carol = as(u"carol"_s);
    QVERIFY(alice && carol);
    VERIFY_OK(alice->create(u"private-ish"_s, u"Members only list"_s));
    VERIFY_ERROR(carol->members(u"private-ish"_s), u"forbidden"_s);
    VERIFY_ERROR(carol->members(u"no-such-room"_s), u"not_found"_s);
}

void tst_server_session::presence_onlineAndOffline()
{
    // erin is used by no other test, so her sessions are exactly the ones opened here.
    auto alice = as(u"alice"_s);
    auto carol = as(u"carol"_s); // shares no room with erin
    QVERIFY(alice && carol);
    VERIFY_OK(alice->create(u"presence"_s, u"Presence"_s));

    auto erin1 = as(u"erin"_s);
    QVERIFY(erin1);
    VERIFY_OK(erin1->join(u"presence"_s));
    QCOMPARE(memberRow(alice->members(u"presence"_s), u"erin"_s).value(u"online"_s),
             QJsonValue(true));

    auto isErin = [](const QJsonObject &e) { return e.value(u"user"_s).toString() == u"erin"_s; };

    // Last session closes: offline.
    erin1->close();
    erin1.reset();
    QJsonObject offline = alice->waitForEvent(u"presence"_s, 5000, isErin);
    QVERIFY2(!offline.isEmpty(), qPrintable(alice->diagnostics()));
    QCOMPARE(offline.value(u"online"_s), QJsonValue(false));
    QVERIFY(!offline.contains(u"re"_s));
    QCOMPARE(memberRow(alice->members(u"presence"_s), u"erin"_s).value(u"online"_s),
             QJsonValue(false));

    // First session authenticates: online.
    auto erin2 = as(u"erin"_s);
    QVERIFY(erin2);
    QJsonObject online = alice->waitForEvent(u"presence"_s, 5000, isErin);
    QVERIFY2(!online.isEmpty(), qPrintable(alice->diagnostics()));
    QCOMPARE(online.value(u"online"_s), QJsonValue(true));

    // A second session neither announces her again nor, when it closes, takes her offline.
    auto erin3 = as(u"erin"_s);
    QVERIFY(erin3);
    erin3->close();
    erin3.reset();
    VERIFY_OK(alice->rooms());
    QVERIFY(erin2->isConnected());
    const auto more = alice->eventsOfType(u"presence"_s);
    for (const QJsonObject &event : more)
        QVERIFY2(!isErin(event), TestClient::describe(event));
    QCOMPARE(memberRow(alice->members(u"presence"_s), u"erin"_s).value(u"online"_s),
             QJsonValue(true));

    erin2->close();
    erin2.reset();
    offline = alice->waitForEvent(u"presence"_s, 5000, isErin);
    QCOMPARE(offline.value(u"online"_s), QJsonValue(false));

    // carol shares no room with erin and hears nothing about her.
    VERIFY_OK(carol->rooms());
    for (const QJsonObject &event : carol->eventsOfType(u"presence"_s))
        QVERIFY2(!isErin(event), TestClient::describe(event));
}

QTEST_GUILESS_MAIN(tst_server_session)
#include "tst_server_session.moc"
