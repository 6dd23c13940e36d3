// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Unit tests for Protocol.h / Protocol.cpp: constants, limits, error and close codes.
// docs/protocol.md quotes these values; a change here must change the document too.

#include "Protocol.h"

#include <QSet>
#include <QTest>

using namespace conversa::protocol;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(conversa::protocol::ErrorCode)

class TestProtocol : public QObject
{
    Q_OBJECT

private slots:
    void transportConstants();
    void defaultLimits();
    void lengthLimits();
    void closeCodes();

    void errorCodeNames_data();
    void errorCodeNames();
    void errorCodeNamesAreDistinct();
    void unknownErrorCodeNames_data();
    void unknownErrorCodeNames();
};

void TestProtocol::transportConstants()
{
    QCOMPARE(QString(kSubprotocol), u"conversa.v1"_s);
    QCOMPARE(QString(kWebSocketPath), u"/ws"_s);
}

void TestProtocol::defaultLimits()
{
    const Limits limits;
    QCOMPARE(limits.maxFrameBytes, qsizetype(65536));
    QCOMPARE(limits.maxBodyBytes, qsizetype(16384));
    QCOMPARE(limits.maxHistoryLimit, 200);
    QCOMPARE(limits.maxSyncLimit, 500);
    QCOMPARE(limits.defaultHistoryLimit, 50);
    QCOMPARE(limits.defaultSyncLimit, 500);
    QVERIFY(limits.defaultHistoryLimit <= limits.maxHistoryLimit);
    QVERIFY(limits.defaultSyncLimit <= limits.maxSyncLimit);
    QVERIFY(limits.maxBodyBytes < limits.maxFrameBytes);
}

void TestProtocol::lengthLimits()
{
    QCOMPARE(kMaxRoomNameLength, 64);
    QCOMPARE(kMaxUserNameLength, 32);
    QCOMPARE(kMaxTitleLength, 128);
    QCOMPARE(kMaxCidLength, 64);
    QCOMPARE(kMaxDeviceLength, 64);
    QCOMPARE(kMaxTokenLength, 128);
    QCOMPARE(kMaxPasswordBytes, 1024);
    QCOMPARE(kMaxIdLength, 64);
}

void TestProtocol::closeCodes()
{
    QCOMPARE(CloseCode::Normal, quint16(1000));
    QCOMPARE(CloseCode::GoingAway, quint16(1001));
    QCOMPARE(CloseCode::UnsupportedData, quint16(1003));
    QCOMPARE(CloseCode::PolicyViolation, quint16(1008));
    QCOMPARE(CloseCode::TooLarge, quint16(1009));
    QCOMPARE(CloseCode::TokenRevoked, quint16(4001));
    QCOMPARE(CloseCode::AuthTimeout, quint16(4002));
    QCOMPARE(CloseCode::IdleTimeout, quint16(4003));
}

void TestProtocol::errorCodeNames_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("name");

    QTest::newRow("bad_request") << ErrorCode::BadRequest << u"bad_request"_s;
    QTest::newRow("unauthorized") << ErrorCode::Unauthorized << u"unauthorized"_s;
    QTest::newRow("forbidden") << ErrorCode::Forbidden << u"forbidden"_s;
    QTest::newRow("not_found") << ErrorCode::NotFound << u"not_found"_s;
    QTest::newRow("conflict") << ErrorCode::Conflict << u"conflict"_s;
    QTest::newRow("rate_limited") << ErrorCode::RateLimited << u"rate_limited"_s;
    QTest::newRow("too_large") << ErrorCode::TooLarge << u"too_large"_s;
    QTest::newRow("internal") << ErrorCode::Internal << u"internal"_s;
}

void TestProtocol::errorCodeNames()
{
    QFETCH(ErrorCode, code);
    QFETCH(QString, name);

    QCOMPARE(QString(errorCodeName(code)), name);
    const std::optional<ErrorCode> parsed = errorCodeFromName(name);
    QVERIFY(parsed.has_value());
    QCOMPARE(*parsed, code);
}

void TestProtocol::errorCodeNamesAreDistinct()
{
    const ErrorCode all[] = {ErrorCode::BadRequest, ErrorCode::Unauthorized, ErrorCode::Forbidden,
                             ErrorCode::NotFound,   ErrorCode::Conflict,     ErrorCode::RateLimited,
                             ErrorCode::TooLarge,   ErrorCode::Internal};
    QSet<QString> names;
    for (ErrorCode code : all)
        names.insert(QString(errorCodeName(code)));
    QCOMPARE(names.size(), qsizetype(std::size(all)));
}

void TestProtocol::unknownErrorCodeNames_data()
{
    QTest::addColumn<QString>("name");

    QTest::newRow("empty") << QString();
    QTest::newRow("upper case") << u"BAD_REQUEST"_s;
    QTest::newRow("dash instead of underscore") << u"not-found"_s;
    QTest::newRow("trailing space") << u"internal "_s;
    QTest::newRow("newer server's code") << u"payment_required"_s;
}

void TestProtocol::unknownErrorCodeNames()
{
    QFETCH(QString, name);
    QVERIFY(!errorCodeFromName(name).has_value());
}

QTEST_APPLESS_MAIN(TestProtocol)

#include "tst_protocol.moc"
