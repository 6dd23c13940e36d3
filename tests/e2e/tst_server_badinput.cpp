// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: a real conversa-server facing hostile or broken input, one case per test. The bad
// frames themselves come from tests/protocol/cases/requests.json, shared with the codec tests.

#include "ConversaTest.h"
#include "ProtocolCases.h"

#include <QHash>
#include <QJsonArray>
#include <QStringDecoder>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

Q_DECLARE_METATYPE(conversa::test::ProtocolCase)

class tst_server_badinput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void badRequestCase_answeredWithItsCode_data();
    void badRequestCase_answeredWithItsCode();
    void badRequestCases_changedNothing();
    void binaryFrame_closes1003();
    void oversizedFrame_closes1009();
    void largeFrameUnderLimit_isAnsweredNotClosed();
    void bodySize_data();
    void bodySize();
    void longestValidRoomName_accepted();
    void requestBeforeAuth_unauthorized_data();
    void requestBeforeAuth_unauthorized();
    void typingBeforeAuth_notRelayed();
    void tenMalformedFramesInARow_closes1008();
    void malformedFramesNotInARow_staysOpen();
    void sqlLookingText_storedVerbatim();
    void sqlLookingCredentials_rejected();
    void revokedTokenViaCli_closes4001_andAuthFails();
    void disabledUserViaCli_closes4001_andLoginFails();

private:
    std::unique_ptr<TestClient> as(const QString &user);
    // A fresh authenticated alice; the test fails (returns nullptr) otherwise.
    std::unique_ptr<TestClient> alice() { return as(u"alice"_s); }
    static QString password(const QString &user) { return user + u"-Secret-4"_s; }

    std::unique_ptr<ServerProcess> m_server;
    QHash<QString, QString> m_tokens;
    // Signed in as alice, shared by the bad-request cases (opened again if one closes it).
    std::unique_ptr<TestClient> m_caseClient;
    QJsonObject m_roomsBeforeCases;
    QJsonObject m_labBeforeCases;
};

std::unique_ptr<TestClient> tst_server_badinput::as(const QString &user)
{
    QString why;
    auto client = openWithToken(m_server->url(), m_tokens.value(user), &why);
    if (!client)
        qWarning().noquote() << "cannot open a session for" << user << ":" << why;
    return client;
}

void tst_server_badinput::initTestCase()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->isValid(), qPrintable(m_server->errorString()));
    const QStringList users{u"alice"_s, u"bob"_s, u"revokee"_s, u"frank"_s};
    for (const QString &user : users)
        QVERIFY2(m_server->addUser(user, password(user)), qPrintable(m_server->lastAdminError()));
    // Several tests here fail a login or an auth on purpose; the login rate limit has its own
    // test (tst_server_limits) and must not make these depend on their order.
    QVERIFY2(m_server->start({u"--login-failures-per-minute"_s, u"1000"_s}),
             qPrintable(m_server->diagnostics()));
    for (const QString &user : {u"alice"_s, u"bob"_s}) {
        QString why;
        auto client = openWithLogin(m_server->url(), user, password(user), &why);
        QVERIFY2(client, qPrintable(why));
        m_tokens.insert(user, client->token());
    }
    auto client = alice();
    QVERIFY(client);
    VERIFY_OK(client->create(u"lab"_s, u"Lab"_s));
    auto bob = as(u"bob"_s);
    QVERIFY(bob);
    VERIFY_OK(bob->join(u"lab"_s));
    VERIFY_OK(client->send(u"lab"_s, u"before the bad frames"_s));
    m_roomsBeforeCases = client->rooms();
    m_labBeforeCases = client->history(u"lab"_s);
}

void tst_server_badinput::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << m_server->diagnostics();
    // Whatever a test did, the server must still serve others.
    QVERIFY2(m_server->isRunning(), "conversa-server died");
}

void tst_server_badinput::badRequestCase_answeredWithItsCode_data()
{
    QTest::addColumn<ProtocolCase>("testCase");
    QTest::addColumn<bool>("signedIn");
    QString error;
    const QList<ProtocolCase> cases = loadProtocolCases(CaseFile::Requests, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    int rows = 0;
    for (const ProtocolCase &c : cases) {
        // Text that is not UTF-8 never reaches the protocol: the WebSocket layer closes with
        // 1007 (RFC 6455), and QWebSocket cannot even send it.
        auto toUtf16 = QStringDecoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        (void)QString(toUtf16(c.bytes));
        if (c.valid || toUtf16.hasError())
            continue;
        QTest::addRow("signed in: %s", qPrintable(c.name)) << c << true;
        QTest::addRow("not signed in: %s", qPrintable(c.name)) << c << false;
        ++rows;
    }
    QVERIFY2(rows >= 100, "the bad request cases were not found");
}

void tst_server_badinput::badRequestCase_answeredWithItsCode()
{
    QFETCH(ProtocolCase, testCase);
    QFETCH(bool, signedIn);
    // Bad frames decode before anything else, so a connection that has not signed in gets the
    // same answer; it gets a fresh connection each time, well inside the sign-in time limit.
    std::unique_ptr<TestClient> anonymous;
    TestClient *client = nullptr;
    if (signedIn) {
        if (!m_caseClient || !m_caseClient->isConnected())
            m_caseClient = alice();
        client = m_caseClient.get();
    } else {
        anonymous = std::make_unique<TestClient>();
        QVERIFY(anonymous->open(m_server->url()));
        client = anonymous.get();
    }
    QVERIFY(client);
    client->sendText(QString::fromUtf8(testCase.bytes));
    if (testCase.bytes.size() > 64 * 1024) {
        // Over max_frame_bytes: closed before the protocol sees it.
        VERIFY_CLOSED(*client, 1009, 5000);
        return;
    }
    const QJsonObject reply = client->waitForReply(testCase.re);
    VERIFY_ERROR(reply, testCase.code);
    QCOMPARE(reply.value(u"re"_s), testCase.re);
    QVERIFY2(!reply.value(u"message"_s).toString().isEmpty(), TestClient::describe(reply));
    // Still served (and the count of malformed frames in a row starts again).
    QVERIFY(client->isConnected());
    if (signedIn)
        VERIFY_OK(client->rooms());
    else
        VERIFY_ERROR(client->rooms(), u"unauthorized"_s);
}

void tst_server_badinput::badRequestCases_changedNothing()
{
    auto client = alice();
    QVERIFY(client);
    QCOMPARE(client->rooms().value(u"rooms"_s), m_roomsBeforeCases.value(u"rooms"_s));
    QCOMPARE(client->history(u"lab"_s).value(u"messages"_s), m_labBeforeCases.value(u"messages"_s));
}

void tst_server_badinput::binaryFrame_closes1003()
{
    auto client = alice();
    QVERIFY(client);
    client->sendBinary(QByteArray("{\"type\":\"rooms\",\"id\":1}"));
    VERIFY_CLOSED(*client, 1003, 5000);
}

void tst_server_badinput::oversizedFrame_closes1009()
{
    auto client = alice();
    QVERIFY(client);
    // A well-formed send whose frame is 70 KiB (over the 64 KiB default).
    client->sendJson({{u"type"_s, u"send"_s},
                      {u"id"_s, 1},
                      {u"room"_s, u"lab"_s},
                      {u"cid"_s, u"huge"_s},
                      {u"body"_s, QString(70 * 1024, u'x')}});
    VERIFY_CLOSED(*client, 1009, 5000);
    // Nothing was stored.
    auto other = alice();
    QVERIFY(other);
    for (const QJsonObject &message : messagesOf(other->history(u"lab"_s)))
        QVERIFY(message.value(u"cid"_s).toString() != u"huge"_s);
}

void tst_server_badinput::largeFrameUnderLimit_isAnsweredNotClosed()
{
    auto client = alice();
    QVERIFY(client);
    // 60 KiB fits in a frame; the body is over 16 KiB, so the answer is too_large.
    VERIFY_ERROR(client->send(u"lab"_s, QString(60 * 1024, u'y')), u"too_large"_s);
    QVERIFY(client->isConnected());
    VERIFY_OK(client->rooms());
}

void tst_server_badinput::bodySize_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("expected"); // "ok" or an error code
    QTest::newRow("16384 ASCII bytes") << QString(16384, u'a') << u"ok"_s;
    QTest::newRow("16385 ASCII bytes") << QString(16385, u'a') << u"too_large"_s;
    // Bytes of UTF-8, not characters: 5462 x '€' is 16386 bytes in 5462 characters.
    QTest::newRow("5462 euro signs") << QString(5462, QChar(0x20AC)) << u"too_large"_s;
    QTest::newRow("5461 euro signs") << QString(5461, QChar(0x20AC)) << u"ok"_s;
    // 4096 emoji: 16384 bytes, 8192 UTF-16 units.
    QString emoji;
    for (int i = 0; i < 4096; ++i)
        emoji += u"😀"_s;
    QTest::newRow("4096 emoji") << emoji << u"ok"_s;
    QTest::newRow("4096 emoji and one byte") << emoji + u"!"_s << u"too_large"_s;
}

void tst_server_badinput::bodySize()
{
    QFETCH(QString, body);
    QFETCH(QString, expected);
    auto client = alice();
    auto bob = as(u"bob"_s);
    QVERIFY(client && bob);
    const QJsonObject reply = client->send(u"lab"_s, body);
    if (expected == u"ok"_s) {
        VERIFY_OK(reply);
        // Delivered and stored whole.
        const QJsonObject event = bob->waitForEvent(u"message"_s);
        QCOMPARE(event.value(u"body"_s).toString(), body);
        const QJsonObject page = client->sync(u"lab"_s, reply.value(u"seq"_s).toInteger() - 1, 1);
        QCOMPARE(messagesOf(page).value(0).value(u"body"_s).toString(), body);
    } else {
        VERIFY_ERROR(reply, expected);
        QVERIFY(client->isConnected());
        VERIFY_OK(client->rooms());
        QVERIFY(bob->eventsOfType(u"message"_s).isEmpty());
    }
}

void tst_server_badinput::longestValidRoomName_accepted()
{
    auto client = alice();
    QVERIFY(client);
    const QString name = u"z"_s + QString(63, u'9');
    VERIFY_OK(client->create(name, u"Longest"_s));
    QVERIFY(!roomRow(client->rooms(), name).isEmpty());
    VERIFY_OK(client->create(u"0-_x"_s, u"Digits dash underscore"_s));
}

void tst_server_badinput::requestBeforeAuth_unauthorized_data()
{
    QTest::addColumn<QJsonObject>("frame");
    QTest::newRow("logout") << QJsonObject{{u"type"_s, u"logout"_s}};
    QTest::newRow("rooms") << QJsonObject{{u"type"_s, u"rooms"_s}};
    QTest::newRow("create") << QJsonObject{{u"type"_s, u"create"_s}, {u"room"_s, u"sneaky"_s}};
    QTest::newRow("join") << QJsonObject{{u"type"_s, u"join"_s}, {u"room"_s, u"lab"_s}};
    QTest::newRow("leave") << QJsonObject{{u"type"_s, u"leave"_s}, {u"room"_s, u"lab"_s}};
    QTest::newRow("members") << QJsonObject{{u"type"_s, u"members"_s}, {u"room"_s, u"lab"_s}};
    QTest::newRow("send") << QJsonObject{{u"type"_s, u"send"_s},
                                         {u"room"_s, u"lab"_s},
                                         {u"cid"_s, u"anon"_s},
                                         {u"body"_s, u"anonymous"_s}};
    QTest::newRow("history") << QJsonObject{{u"type"_s, u"history"_s}, {u"room"_s, u"lab"_s}};
    QTest::newRow("sync") << QJsonObject{
        {u"type"_s, u"sync"_s}, {u"room"_s, u"lab"_s}, {u"after"_s, 0}};
    QTest::newRow("read") << QJsonObject{
        {u"type"_s, u"read"_s}, {u"room"_s, u"lab"_s}, {u"seq"_s, 1}};
}

void tst_server_badinput::requestBeforeAuth_unauthorized()
{
    QFETCH(QJsonObject, frame);
    TestClient client;
    QVERIFY(client.open(m_server->url()));
    const QJsonObject reply = client.request(frame);
    VERIFY_ERROR(reply, u"unauthorized"_s);
    QVERIFY(!reply.contains(u"messages"_s) && !reply.contains(u"rooms"_s));
    // Nothing happened on the server's side.
    auto check = alice();
    QVERIFY(check);
    QVERIFY(roomRow(check->rooms(), u"sneaky"_s).isEmpty());
    for (const QJsonObject &message : messagesOf(check->history(u"lab"_s)))
        QVERIFY(message.value(u"cid"_s).toString() != u"anon"_s);
    // The connection may still log in.
    VERIFY_OK(client.auth(m_tokens.value(u"bob"_s)));
    VERIFY_OK(client.rooms());
}

void tst_server_badinput::typingBeforeAuth_notRelayed()
{
    auto bob = as(u"bob"_s);
    QVERIFY(bob);
    TestClient anonymous;
    QVERIFY(anonymous.open(m_server->url()));
    anonymous.typing(u"lab"_s);
    // Whatever the answer, the next request is still answered and bob hears nothing.
    VERIFY_ERROR(anonymous.rooms(), u"unauthorized"_s);
    auto alice = this->alice();
    QVERIFY(alice);
    alice->typing(u"lab"_s); // a real one, to know when bob would have got the fake one
    QVERIFY(!bob->waitForEvent(u"typing"_s).isEmpty());
    const auto typing = bob->eventsOfType(u"typing"_s);
    QVERIFY2(typing.isEmpty(), TestClient::describe(typing.value(0)));
}

void tst_server_badinput::tenMalformedFramesInARow_closes1008()
{
    auto client = alice();
    QVERIFY(client);
    for (int i = 0; i < 10; ++i)
        client->sendText(u"this is not json %1"_s.arg(i));
    VERIFY_CLOSED(*client, 1008, 5000);
    // The errors before the close were still answered.
    QVERIFY2(!client->pendingReplies().isEmpty(), qPrintable(client->diagnostics()));
    VERIFY_ERROR(client->pendingReplies().constFirst(), u"bad_request"_s);
}

void tst_server_badinput::malformedFramesNotInARow_staysOpen()
{
    auto client = alice();
    QVERIFY(client);
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 5; ++i)
            client->sendText(u"{broken"_s);
        VERIFY_OK(client->rooms());
    }
    QVERIFY(client->isConnected());
}

void tst_server_badinput::revokedTokenViaCli_closes4001_andAuthFails()
{
    TestClient laptop;
    TestClient phone;
    QVERIFY(laptop.open(m_server->url()));
    QVERIFY(phone.open(m_server->url()));
    VERIFY_OK(laptop.login(u"revokee"_s, password(u"revokee"_s), u"laptop"_s));
    VERIFY_OK(phone.login(u"revokee"_s, password(u"revokee"_s), u"phone"_s));
    auto bystander = alice();
    QVERIFY(bystander);

    const AdminResult result =
        m_server->runAdmin({u"token"_s, u"revoke"_s, u"--user"_s, u"revokee"_s});
    QVERIFY2(result.ok(), qPrintable(result.describe()));

    VERIFY_CLOSED(laptop, 4001, 5000);
    VERIFY_CLOSED(phone, 4001, 5000);
    QVERIFY(bystander->isConnected());
    VERIFY_OK(bystander->rooms());

    TestClient later;
    QVERIFY(later.open(m_server->url()));
    VERIFY_ERROR(later.auth(laptop.token()), u"unauthorized"_s);
    VERIFY_ERROR(later.auth(phone.token()), u"unauthorized"_s);
    // The password still works: a new device token.
    VERIFY_OK(later.login(u"revokee"_s, password(u"revokee"_s)));
}

void tst_server_badinput::disabledUserViaCli_closes4001_andLoginFails()
{
    TestClient frank;
    QVERIFY(frank.open(m_server->url()));
    VERIFY_OK(frank.login(u"frank"_s, password(u"frank"_s)));
    const QString token = frank.token();

    QVERIFY2(m_server->disableUser(u"frank"_s), qPrintable(m_server->lastAdminError()));
    VERIFY_CLOSED(frank, 4001, 5000);

    TestClient again;
    QVERIFY(again.open(m_server->url()));
    const QJsonObject login = again.login(u"frank"_s, password(u"frank"_s));
    QVERIFY2(TestClient::isError(login, u"unauthorized"_s) ||
                 TestClient::isError(login, u"forbidden"_s),
             TestClient::describe(login));
    VERIFY_ERROR(again.auth(token), u"unauthorized"_s);

    QVERIFY2(m_server->enableUser(u"frank"_s), qPrintable(m_server->lastAdminError()));
    VERIFY_OK(again.login(u"frank"_s, password(u"frank"_s)));
}

void tst_server_badinput::sqlLookingText_storedVerbatim()
{
    auto client = alice();
    auto bob = as(u"bob"_s);
    QVERIFY(client && bob);
    const QString body = u"'); DROP TABLE messages; --"_s;
    const QString cid = u"x');DELETE/**/FROM/**/users;--"_s;
    const QJsonObject sent = client->send(u"lab"_s, body, cid);
    VERIFY_OK(sent);
    QCOMPARE(sent.value(u"cid"_s).toString(), cid);
    QCOMPARE(bob->waitForEvent(u"message"_s).value(u"body"_s).toString(), body);

    const qint64 seq = sent.value(u"seq"_s).toInteger();
    const QJsonObject page = client->sync(u"lab"_s, seq - 1, 1);
    const QJsonObject stored = messagesOf(page).value(0);
    QCOMPARE(stored.value(u"body"_s).toString(), body);
    QCOMPARE(stored.value(u"cid"_s).toString(), cid);

    // The tables are all still there.
    const QJsonObject next = client->send(u"lab"_s, u"Robert'); DROP TABLE students;--"_s);
    VERIFY_OK(next);
    QCOMPARE(next.value(u"seq"_s).toInteger(), seq + 1);
    QVERIFY(messagesOf(client->history(u"lab"_s)).size() >= 2);

    const QString title = u"Title\" OR 1=1; -- ' \\"_s;
    VERIFY_OK(client->create(u"sql-title"_s, title));
    QCOMPARE(roomRow(client->rooms(), u"sql-title"_s).value(u"title"_s).toString(), title);
    // The users table too.
    TestClient fresh;
    QVERIFY(fresh.open(m_server->url()));
    VERIFY_OK(fresh.login(u"alice"_s, password(u"alice"_s)));
}

void tst_server_badinput::sqlLookingCredentials_rejected()
{
    TestClient client;
    QVERIFY(client.open(m_server->url()));
    // Not a valid user name at all.
    const QJsonObject user = client.login(u"alice' OR '1'='1"_s, u"x"_s);
    QVERIFY2(TestClient::isError(user, u"bad_request"_s) ||
                 TestClient::isError(user, u"unauthorized"_s),
             TestClient::describe(user));
    // A real user with an injection as the password.
    VERIFY_ERROR(client.login(u"alice"_s, u"' OR '1'='1' --"_s), u"unauthorized"_s);
    VERIFY_ERROR(client.auth(u"' OR '1'='1"_s), u"unauthorized"_s);
    VERIFY_ERROR(client.rooms(), u"unauthorized"_s);
}

QTEST_GUILESS_MAIN(tst_server_badinput)
#include "tst_server_badinput.moc"
