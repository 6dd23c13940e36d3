// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The sign-in handlers without sockets: login, auth and logout on a real store, the request
// router's gate (nothing before sign-in, ten malformed frames close), answers read from a
// recording sink.

#include "HandlerHarness.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::server;
using namespace conversa::test;
namespace protocol = conversa::protocol;

class TestSignInHandlers : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        ServerConfig config;
        config.instanceName = u"ignored-by-harness"_s;
        config.limits.maxBodyBytes = 1234;
        config.messagesPerSecond = 7;
        config.messageBurst = 9;
        m_harness = std::make_unique<HandlerHarness>(config);
        QCOMPARE(m_harness->start({u"alice"_s, u"bob"_s}, {u"alice"_s}), QString());
    }
    void cleanup() { m_harness.reset(); }

    void loginAnswersTokenInstanceAndLimits()
    {
        Session &session = m_harness->connect();
        const QJsonObject reply = m_harness->request(
            session,
            {{"type"_L1, "login"_L1}, {"user"_L1, "alice"_L1}, {"password"_L1, "alice-pw"_L1}});
        QCOMPARE(reply.value("type"_L1).toString(), u"ok"_s);
        QCOMPARE(reply.value("user"_L1).toString(), u"alice"_s);
        QVERIFY(!reply.value("token"_L1).toString().isEmpty());
        QCOMPARE(reply.value("instance"_L1).toString(), u"test-instance"_s);
        const QJsonObject limits = reply.value("limits"_L1).toObject();
        QCOMPARE(limits.value("max_body_bytes"_L1).toInteger(), 1234);
        QCOMPARE(limits.value("messages_per_second"_L1).toDouble(), 7.0);
        QCOMPARE(limits.value("message_burst"_L1).toInteger(), 9);
        QCOMPARE(limits.value("max_files_per_message"_L1).toInteger(), 10);
        QVERIFY(session.authenticated());
        QVERIFY(m_harness->context().sessions.isOnline(session.userId));

        // The token it handed out signs in another connection.
        Session &other = m_harness->connect();
        const QJsonObject auth = m_harness->request(
            other, {{"type"_L1, "auth"_L1}, {"token"_L1, reply.value("token"_L1)}});
        QCOMPARE(auth.value("type"_L1).toString(), u"ok"_s);
        QCOMPARE(auth.value("user"_L1).toString(), u"alice"_s);
        QCOMPARE(auth.value("limits"_L1).toObject(), limits);
        QCOMPARE(m_harness->context().sessions.sessionsOf(session.userId).size(), 2);
    }

    void wrongPasswordIsUnauthorizedAndThreeFailuresClose()
    {
        Session &session = m_harness->connect();
        for (int attempt = 1; attempt <= 3; ++attempt) {
            const QJsonObject reply = m_harness->request(
                session,
                {{"type"_L1, "login"_L1}, {"user"_L1, "alice"_L1}, {"password"_L1, "guess"_L1}});
            QCOMPARE(reply.value("code"_L1).toString(), u"unauthorized"_s);
            QCOMPARE(reply.value("message"_L1).toString(), u"wrong user name or password"_s);
        }
        QVERIFY(!session.authenticated());
        QCOMPARE(m_harness->sink().closes.size(), 1);
        QCOMPARE(m_harness->sink().closes.first().session, session.id);
        QCOMPARE(m_harness->sink().closes.first().code, protocol::CloseCode::PolicyViolation);
    }

    void unknownTokenIsUnauthorized()
    {
        Session &session = m_harness->connect();
        const QJsonObject reply =
            m_harness->request(session, {{"type"_L1, "auth"_L1}, {"token"_L1, "nope"_L1}});
        QCOMPARE(reply.value("code"_L1).toString(), u"unauthorized"_s);
        QVERIFY(!session.authenticated());
    }

    void secondSignInOnOneConnectionIsConflict()
    {
        Session *session = m_harness->signedIn(u"bob"_s);
        QVERIFY(session);
        const QJsonObject reply = m_harness->request(
            *session, {{"type"_L1, "auth"_L1}, {"token"_L1, m_harness->tokenFor(u"bob"_s)}});
        QCOMPARE(reply.value("code"_L1).toString(), u"conflict"_s);
    }

    void nothingIsServedBeforeSignIn_data()
    {
        QTest::addColumn<QJsonObject>("frame");
        QTest::newRow("rooms") << QJsonObject{{"type"_L1, "rooms"_L1}};
        QTest::newRow("create") << QJsonObject{{"type"_L1, "create"_L1}, {"room"_L1, "x"_L1}};
        QTest::newRow("send") << QJsonObject{
            {"type"_L1, "send"_L1}, {"room"_L1, "x"_L1}, {"cid"_L1, "c"_L1}, {"body"_L1, "hi"_L1}};
        QTest::newRow("logout") << QJsonObject{{"type"_L1, "logout"_L1}};
    }
    void nothingIsServedBeforeSignIn()
    {
        QFETCH(QJsonObject, frame);
        Session &session = m_harness->connect();
        const QJsonObject reply = m_harness->request(session, frame);
        QCOMPARE(reply.value("code"_L1).toString(), u"unauthorized"_s);
        QVERIFY(!m_harness->context().rooms.contains(u"x"_s));
    }

    void typingBeforeSignInIsAnsweredWithNullRe()
    {
        Session &session = m_harness->connect();
        m_harness->sendText(session, uR"({"type":"typing","room":"x"})"_s);
        const QJsonObject reply = m_harness->sink().replyTo(session.id, QJsonValue::Null);
        QCOMPARE(reply.value("code"_L1).toString(), u"unauthorized"_s);
    }

    void logoutClosesThisAndOtherConnectionsOfTheToken()
    {
        const QString token = m_harness->tokenFor(u"bob"_s);
        Session &laptop = m_harness->connect();
        Session &sameToken = m_harness->connect();
        Session *otherDevice = m_harness->signedIn(u"bob"_s);
        QVERIFY(otherDevice);
        for (Session *s : {&laptop, &sameToken})
            QCOMPARE(m_harness->request(*s, {{"type"_L1, "auth"_L1}, {"token"_L1, token}})
                         .value("type"_L1)
                         .toString(),
                     u"ok"_s);
        const QJsonObject reply = m_harness->request(laptop, {{"type"_L1, "logout"_L1}});
        QCOMPARE(reply.value("type"_L1).toString(), u"ok"_s);
        QHash<quint64, quint16> codes;
        for (const auto &close : m_harness->sink().closes)
            codes.insert(close.session, close.code);
        QCOMPARE(codes.value(laptop.id), protocol::CloseCode::Normal);
        QCOMPARE(codes.value(sameToken.id), protocol::CloseCode::TokenRevoked);
        QVERIFY(!codes.contains(otherDevice->id));
        // The token is gone for good.
        Session &later = m_harness->connect();
        QCOMPARE(m_harness->request(later, {{"type"_L1, "auth"_L1}, {"token"_L1, token}})
                     .value("code"_L1)
                     .toString(),
                 u"unauthorized"_s);
    }

    void malformedFramesAreAnsweredAndTenInARowClose()
    {
        Session &session = m_harness->connect();
        m_harness->sendText(session, uR"({"type":"dance","id":7})"_s);
        const QJsonObject reply = m_harness->sink().replyTo(session.id, 7);
        QCOMPARE(reply.value("code"_L1).toString(), u"bad_request"_s);
        QVERIFY(!reply.value("message"_L1).toString().isEmpty());
        for (int i = 0; i < 8; ++i)
            m_harness->sendText(session, u"not json"_s);
        QVERIFY(m_harness->sink().closes.isEmpty());
        m_harness->sendText(session, u"not json"_s);
        QCOMPARE(m_harness->sink().closes.size(), 1);
        QCOMPARE(m_harness->sink().closes.first().code, protocol::CloseCode::PolicyViolation);
    }

    void aValidFrameResetsTheMalformedCount()
    {
        Session *session = m_harness->signedIn(u"bob"_s);
        QVERIFY(session);
        for (int round = 0; round < 3; ++round) {
            for (int i = 0; i < 9; ++i)
                m_harness->sendText(*session, u"{"_s);
            QCOMPARE(
                m_harness->request(*session, {{"type"_L1, "rooms"_L1}}).value("type"_L1).toString(),
                u"ok"_s);
        }
        QVERIFY(m_harness->sink().closes.isEmpty());
    }

private:
    std::unique_ptr<HandlerHarness> m_harness;
};

QTEST_GUILESS_MAIN(TestSignInHandlers)
#include "tst_handlers_signin.moc"
