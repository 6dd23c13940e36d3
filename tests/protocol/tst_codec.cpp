// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Unit tests for Codec.h / Codec.cpp: JSON encoding and decoding of every frame of protocol v1,
// the rejection of malformed frames with the right error code, and the payload helpers.

#include "Codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace conversa::protocol;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(conversa::protocol::Request)
Q_DECLARE_METATYPE(conversa::protocol::ServerFrame)
Q_DECLARE_METATYPE(conversa::protocol::ErrorCode)

// Lets QCOMPARE print JSON values when they differ (found by argument-dependent lookup).
char *toString(const QJsonValue &value)
{
    const QByteArray text =
        QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    return qstrdup(value.isUndefined() ? "undefined" : text.constData());
}

namespace {

using DecodedRequest = std::variant<Request, DecodeError>;
using DecodedFrame = std::variant<ServerFrame, DecodeError>;

constexpr qint64 kMaxSafeInteger = 9007199254740991; // 2^53 - 1

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject parseObject(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    return error.error == QJsonParseError::NoError ? doc.object() : QJsonObject{};
}

QStringList sortedKeys(const QByteArray &bytes)
{
    QStringList keys = parseObject(bytes).keys();
    keys.sort();
    return keys;
}

QString describe(const DecodeError &error)
{
    return u"DecodeError{%1, \"%2\"}"_s.arg(QString(errorCodeName(error.code)), error.message);
}

QString describe(const DecodedRequest &decoded)
{
    if (const auto *error = std::get_if<DecodeError>(&decoded))
        return describe(*error);
    return QString::fromUtf8(encodeRequest(std::get<Request>(decoded)));
}

QByteArray encodeFrame(const ServerFrame &frame)
{
    return std::visit(
        [](const auto &f) -> QByteArray {
            using T = std::decay_t<decltype(f)>;
            if constexpr (std::is_same_v<T, OkReply>)
                return encodeOk(f.re, f.payload);
            else if constexpr (std::is_same_v<T, ErrorReply>)
                return encodeError(f.re, f.code, f.message);
            else
                return encodeEvent(f);
        },
        frame);
}

QString describe(const DecodedFrame &decoded)
{
    if (const auto *error = std::get_if<DecodeError>(&decoded))
        return describe(*error);
    return QString::fromUtf8(encodeFrame(std::get<ServerFrame>(decoded)));
}

template <typename T> const T *requestAs(const DecodedRequest &decoded)
{
    const auto *request = std::get_if<Request>(&decoded);
    return request ? std::get_if<T>(request) : nullptr;
}

template <typename T> const T *frameAs(const DecodedFrame &decoded)
{
    const auto *frame = std::get_if<ServerFrame>(&decoded);
    return frame ? std::get_if<T>(frame) : nullptr;
}

// Member-wise equality of frames, spelled out so a member the codec drops is noticed.
bool same(const LoginRequest &a, const LoginRequest &b)
{
    return a.id == b.id && a.user == b.user && a.password == b.password && a.device == b.device;
}
bool same(const AuthRequest &a, const AuthRequest &b)
{
    return a.id == b.id && a.token == b.token;
}
bool same(const LogoutRequest &a, const LogoutRequest &b)
{
    return a.id == b.id;
}
bool same(const RoomsRequest &a, const RoomsRequest &b)
{
    return a.id == b.id;
}
bool same(const CreateRequest &a, const CreateRequest &b)
{
    return a.id == b.id && a.room == b.room && a.title == b.title;
}
bool same(const JoinRequest &a, const JoinRequest &b)
{
    return a.id == b.id && a.room == b.room;
}
bool same(const LeaveRequest &a, const LeaveRequest &b)
{
    return a.id == b.id && a.room == b.room;
}
bool same(const MembersRequest &a, const MembersRequest &b)
{
    return a.id == b.id && a.room == b.room;
}
bool same(const SendRequest &a, const SendRequest &b)
{
    return a.id == b.id && a.room == b.room && a.cid == b.cid && a.body == b.body;
}
bool same(const HistoryRequest &a, const HistoryRequest &b)
{
    return a.id == b.id && a.room == b.room && a.before == b.before && a.limit == b.limit;
}
bool same(const SyncRequest &a, const SyncRequest &b)
{
    return a.id == b.id && a.room == b.room && a.after == b.after && a.limit == b.limit;
}
bool same(const ReadRequest &a, const ReadRequest &b)
{
    return a.id == b.id && a.room == b.room && a.seq == b.seq;
}
bool same(const TypingRequest &a, const TypingRequest &b)
{
    return a.room == b.room;
}
bool same(const OkReply &a, const OkReply &b)
{
    return a.re == b.re && a.payload == b.payload;
}
bool same(const ErrorReply &a, const ErrorReply &b)
{
    return a.re == b.re && a.code == b.code && a.codeName == b.codeName && a.message == b.message;
}
bool same(const MessageEvent &a, const MessageEvent &b)
{
    return a.room == b.room && a.seq == b.seq && a.ts == b.ts && a.from == b.from &&
           a.cid == b.cid && a.body == b.body;
}
bool same(const TypingEvent &a, const TypingEvent &b)
{
    return a.room == b.room && a.user == b.user;
}
bool same(const PresenceEvent &a, const PresenceEvent &b)
{
    return a.user == b.user && a.online == b.online;
}
bool same(const RoomSummary &a, const RoomSummary &b)
{
    return a.room == b.room && a.title == b.title && a.lastSeq == b.lastSeq &&
           a.readSeq == b.readSeq;
}
bool same(const Member &a, const Member &b)
{
    return a.user == b.user && a.online == b.online;
}

template <typename... T> bool sameVariant(const std::variant<T...> &a, const std::variant<T...> &b)
{
    if (a.index() != b.index())
        return false;
    return std::visit(
        [&b](const auto &x) { return same(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
}

QString repeated(QStringView piece, int times)
{
    QString text;
    text.reserve(piece.size() * times);
    for (int i = 0; i < times; ++i)
        text.append(piece);
    return text;
}

QByteArray sendWithBody(const QString &body)
{
    return toJson({{"type"_L1, "send"_L1},
                   {"id"_L1, 8},
                   {"room"_L1, "general"_L1},
                   {"cid"_L1, "c-1"_L1},
                   {"body"_L1, body}});
}

QByteArray withMember(const char *type, const char *key, const QJsonValue &value)
{
    QJsonObject object{{"type"_L1, QLatin1StringView(type)}, {"id"_L1, 1}};
    if (std::string_view(type) != "rooms")
        object.insert("room"_L1, "general"_L1);
    object.insert(QLatin1StringView(key), value);
    return toJson(object);
}

MessageEvent sampleMessage(qint64 seq, const QString &body)
{
    return MessageEvent{u"general"_s,         seq, 1735689600000 + seq, u"alice"_s,
                        u"cid-%1"_s.arg(seq), body};
}

} // namespace

class TestCodec : public QObject
{
    Q_OBJECT

private slots:
    // Requests: decoding valid frames
    void decodesEveryRequestType_data();
    void decodesEveryRequestType();
    void decodesLogin();
    void decodesLoginWithoutDevice();
    void decodesAuth();
    void decodesLogoutAndRooms();
    void decodesCreate();
    void decodesCreateWithoutTitle();
    void decodesJoinLeaveMembers();
    void decodesSend();
    void decodesHistory();
    void decodesHistoryDefaults();
    void decodesSync();
    void decodesSyncDefaults();
    void decodesRead();
    void decodesTyping();
    void ignoresUnknownMembers();

    // Requests: encoding
    void roundTripsRequests_data();
    void roundTripsRequests();
    void encodesRequestMemberNames_data();
    void encodesRequestMemberNames();

    // Requests: malformed input
    void rejectsMalformedRequests_data();
    void rejectsMalformedRequests();

    // Requests: edges that must be accepted
    void acceptsEdgeCases_data();
    void acceptsEdgeCases();
    void roomNameLengthEdges_data();
    void roomNameLengthEdges();
    void bodyAtByteLimit_data();
    void bodyAtByteLimit();
    void decodesEscapedSurrogatePair();
    void clampsPageLimits_data();
    void clampsPageLimits();
    void honoursCustomLimits();

    // Server frames
    void roundTripsServerFrames_data();
    void roundTripsServerFrames();
    void encodesServerFrameMemberNames();
    void encodesErrorCodeNames_data();
    void encodesErrorCodeNames();
    void keepsUnknownErrorCodeName();
    void acceptsErrorWithoutMessage();
    void okPayloadExcludesTypeAndRe();
    void rejectsMalformedServerFrames_data();
    void rejectsMalformedServerFrames();

    // Payload helpers
    void messagesFromPayloadReadsMessages();
    void messagesFromPayloadRejects_data();
    void messagesFromPayloadRejects();
    void roomsFromPayloadReadsRooms();
    void roomsFromPayloadRejects_data();
    void roomsFromPayloadRejects();
    void membersFromPayloadReadsMembers();
    void membersFromPayloadRejects_data();
    void membersFromPayloadRejects();
    void syncReplyThroughServerFrame();
};

// --- requests: decoding valid frames ----------------------------------------------------

void TestCodec::decodesEveryRequestType_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonValue>("id");

    QTest::newRow("login")
        << R"({"type":"login","id":1,"user":"alice","password":"pw","device":"laptop"})"_ba
        << u"login"_s << QJsonValue(1);
    QTest::newRow("auth") << R"({"type":"auth","id":2,"token":"abc"})"_ba << u"auth"_s
                          << QJsonValue(2);
    QTest::newRow("logout") << R"({"type":"logout","id":3})"_ba << u"logout"_s << QJsonValue(3);
    QTest::newRow("rooms") << R"({"type":"rooms","id":4})"_ba << u"rooms"_s << QJsonValue(4);
    QTest::newRow("create") << R"({"type":"create","id":5,"room":"general","title":"General"})"_ba
                            << u"create"_s << QJsonValue(5);
    QTest::newRow("join") << R"({"type":"join","id":6,"room":"general"})"_ba << u"join"_s
                          << QJsonValue(6);
    QTest::newRow("leave") << R"({"type":"leave","id":6,"room":"general"})"_ba << u"leave"_s
                           << QJsonValue(6);
    QTest::newRow("members") << R"({"type":"members","id":7,"room":"general"})"_ba << u"members"_s
                             << QJsonValue(7);
    QTest::newRow("send") << R"({"type":"send","id":8,"room":"general","cid":"u1","body":"hi"})"_ba
                          << u"send"_s << QJsonValue(8);
    QTest::newRow("history")
        << R"({"type":"history","id":9,"room":"general","before":42,"limit":50})"_ba << u"history"_s
        << QJsonValue(9);
    QTest::newRow("sync") << R"({"type":"sync","id":10,"room":"general","after":40,"limit":500})"_ba
                          << u"sync"_s << QJsonValue(10);
    QTest::newRow("read") << R"({"type":"read","id":11,"room":"general","seq":42})"_ba << u"read"_s
                          << QJsonValue(11);
    QTest::newRow("typing") << R"({"type":"typing","room":"general"})"_ba << u"typing"_s
                            << QJsonValue();
    QTest::newRow("string id") << R"({"type":"rooms","id":"req-7"})"_ba << u"rooms"_s
                               << QJsonValue(u"req-7"_s);
    QTest::newRow("id zero") << R"({"type":"rooms","id":0})"_ba << u"rooms"_s << QJsonValue(0);
    QTest::newRow("large id") << R"({"type":"rooms","id":9007199254740991})"_ba << u"rooms"_s
                              << QJsonValue(kMaxSafeInteger);
    QTest::newRow("id in exponent form")
        << R"({"type":"rooms","id":1e3})"_ba << u"rooms"_s << QJsonValue(1000);
    QTest::newRow("white space around")
        << " \n {\"type\" : \"rooms\" , \"id\" : 4 } \n"_ba << u"rooms"_s << QJsonValue(4);
    QTest::newRow("members in any order")
        << R"({"id":4,"type":"rooms"})"_ba << u"rooms"_s << QJsonValue(4);
}

void TestCodec::decodesEveryRequestType()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, type);
    QFETCH(QJsonValue, id);

    const DecodedRequest decoded = decodeRequest(json);
    const auto *request = std::get_if<Request>(&decoded);
    QVERIFY2(request, qPrintable(describe(decoded)));
    QCOMPARE(QString(requestType(*request)), type);
    QCOMPARE(requestId(*request), id);
}

void TestCodec::decodesLogin()
{
    const DecodedRequest decoded = decodeRequest(
        R"({"type":"login","id":1,"user":"alice","password":"p\u00e4ss w\"rd","device":"laptop"})"_ba);
    const auto *login = requestAs<LoginRequest>(decoded);
    QVERIFY2(login, qPrintable(describe(decoded)));
    QCOMPARE(login->id, QJsonValue(1));
    QCOMPARE(login->user, u"alice"_s);
    QCOMPARE(login->password, u"päss w\"rd"_s);
    QCOMPARE(login->device, u"laptop"_s);
}

void TestCodec::decodesLoginWithoutDevice()
{
    const DecodedRequest decoded =
        decodeRequest(R"({"type":"login","id":"l","user":"bob","password":"x"})"_ba);
    const auto *login = requestAs<LoginRequest>(decoded);
    QVERIFY2(login, qPrintable(describe(decoded)));
    QCOMPARE(login->id, QJsonValue(u"l"_s));
    QCOMPARE(login->user, u"bob"_s);
    QCOMPARE(login->password, u"x"_s);
    QVERIFY(login->device.isEmpty());
}

void TestCodec::decodesAuth()
{
    const DecodedRequest decoded =
        decodeRequest(R"({"type":"auth","id":2,"token":"q0pZ-3_xk.7"})"_ba);
    const auto *auth = requestAs<AuthRequest>(decoded);
    QVERIFY2(auth, qPrintable(describe(decoded)));
    QCOMPARE(auth->id, QJsonValue(2));
    QCOMPARE(auth->token, u"q0pZ-3_xk.7"_s);
}

void TestCodec::decodesLogoutAndRooms()
{
    const DecodedRequest logout = decodeRequest(R"({"type":"logout","id":3})"_ba);
    QVERIFY2(requestAs<LogoutRequest>(logout), qPrintable(describe(logout)));
    QCOMPARE(requestAs<LogoutRequest>(logout)->id, QJsonValue(3));

    const DecodedRequest rooms = decodeRequest(R"({"type":"rooms","id":"four"})"_ba);
    QVERIFY2(requestAs<RoomsRequest>(rooms), qPrintable(describe(rooms)));
    QCOMPARE(requestAs<RoomsRequest>(rooms)->id, QJsonValue(u"four"_s));
}

void TestCodec::decodesCreate()
{
    const DecodedRequest decoded =
        decodeRequest(R"({"type":"create","id":5,"room":"general","title":"Général 💬"})"_ba);
    const auto *create = requestAs<CreateRequest>(decoded);
    QVERIFY2(create, qPrintable(describe(decoded)));
    QCOMPARE(create->id, QJsonValue(5));
    QCOMPARE(create->room, u"general"_s);
    QCOMPARE(create->title, u"Général 💬"_s);
}

void TestCodec::decodesCreateWithoutTitle()
{
    const DecodedRequest decoded = decodeRequest(R"({"type":"create","id":5,"room":"x-1"})"_ba);
    const auto *create = requestAs<CreateRequest>(decoded);
    QVERIFY2(create, qPrintable(describe(decoded)));
    QCOMPARE(create->room, u"x-1"_s);
    QVERIFY(create->title.isEmpty());
}

void TestCodec::decodesJoinLeaveMembers()
{
    const DecodedRequest join = decodeRequest(R"({"type":"join","id":6,"room":"general"})"_ba);
    QVERIFY2(requestAs<JoinRequest>(join), qPrintable(describe(join)));
    QCOMPARE(requestAs<JoinRequest>(join)->id, QJsonValue(6));
    QCOMPARE(requestAs<JoinRequest>(join)->room, u"general"_s);

    const DecodedRequest leave = decodeRequest(R"({"type":"leave","id":16,"room":"random"})"_ba);
    QVERIFY2(requestAs<LeaveRequest>(leave), qPrintable(describe(leave)));
    QCOMPARE(requestAs<LeaveRequest>(leave)->id, QJsonValue(16));
    QCOMPARE(requestAs<LeaveRequest>(leave)->room, u"random"_s);

    const DecodedRequest members = decodeRequest(R"({"type":"members","id":7,"room":"team_1"})"_ba);
    QVERIFY2(requestAs<MembersRequest>(members), qPrintable(describe(members)));
    QCOMPARE(requestAs<MembersRequest>(members)->id, QJsonValue(7));
    QCOMPARE(requestAs<MembersRequest>(members)->room, u"team_1"_s);
}

void TestCodec::decodesSend()
{
    const DecodedRequest decoded = decodeRequest(
        R"({"type":"send","id":8,"room":"general","cid":"0b0c8a8e-54a8-4f2b-9f6c-2f6a3b9f1d2e","body":"hi\nthere 👋"})"_ba);
    const auto *send = requestAs<SendRequest>(decoded);
    QVERIFY2(send, qPrintable(describe(decoded)));
    QCOMPARE(send->id, QJsonValue(8));
    QCOMPARE(send->room, u"general"_s);
    QCOMPARE(send->cid, u"0b0c8a8e-54a8-4f2b-9f6c-2f6a3b9f1d2e"_s);
    QCOMPARE(send->body, u"hi\nthere 👋"_s);
}

void TestCodec::decodesHistory()
{
    const DecodedRequest decoded =
        decodeRequest(R"({"type":"history","id":9,"room":"general","before":42,"limit":20})"_ba);
    const auto *history = requestAs<HistoryRequest>(decoded);
    QVERIFY2(history, qPrintable(describe(decoded)));
    QCOMPARE(history->id, QJsonValue(9));
    QCOMPARE(history->room, u"general"_s);
    QCOMPARE(history->before, 42);
    QCOMPARE(history->limit, 20);
}

void TestCodec::decodesHistoryDefaults()
{
    const DecodedRequest decoded = decodeRequest(R"({"type":"history","id":9,"room":"g"})"_ba);
    const auto *history = requestAs<HistoryRequest>(decoded);
    QVERIFY2(history, qPrintable(describe(decoded)));
    QCOMPARE(history->before, 0); // from the newest message
    QCOMPARE(history->limit, Limits{}.defaultHistoryLimit);
    QCOMPARE(history->limit, 50);
}

void TestCodec::decodesSync()
{
    const DecodedRequest decoded =
        decodeRequest(R"({"type":"sync","id":10,"room":"general","after":40,"limit":100})"_ba);
    const auto *sync = requestAs<SyncRequest>(decoded);
    QVERIFY2(sync, qPrintable(describe(decoded)));
    QCOMPARE(sync->id, QJsonValue(10));
    QCOMPARE(sync->room, u"general"_s);
    QCOMPARE(sync->after, 40);
    QCOMPARE(sync->limit, 100);
}

void TestCodec::decodesSyncDefaults()
{
    const DecodedRequest decoded =
        decodeRequest(R"({"type":"sync","id":10,"room":"general","after":0})"_ba);
    const auto *sync = requestAs<SyncRequest>(decoded);
    QVERIFY2(sync, qPrintable(describe(decoded)));
    QCOMPARE(sync->after, 0);
    QCOMPARE(sync->limit, Limits{}.defaultSyncLimit);
    QCOMPARE(sync->limit, 500);
}

void TestCodec::decodesRead()
{
    const DecodedRequest decoded =
        decodeRequest(R"({"type":"read","id":11,"room":"general","seq":42})"_ba);
    const auto *read = requestAs<ReadRequest>(decoded);
    QVERIFY2(read, qPrintable(describe(decoded)));
    QCOMPARE(read->id, QJsonValue(11));
    QCOMPARE(read->room, u"general"_s);
    QCOMPARE(read->seq, 42);
}

void TestCodec::decodesTyping()
{
    const DecodedRequest decoded = decodeRequest(R"({"type":"typing","room":"general"})"_ba);
    const auto *typing = requestAs<TypingRequest>(decoded);
    QVERIFY2(typing, qPrintable(describe(decoded)));
    QCOMPARE(typing->room, u"general"_s);
    QVERIFY(requestId(std::get<Request>(decoded)).isNull());

    // An id is not needed, and one that is sent anyway is not an error.
    const DecodedRequest withId = decodeRequest(R"({"type":"typing","id":12,"room":"general"})"_ba);
    QVERIFY2(requestAs<TypingRequest>(withId), qPrintable(describe(withId)));
}

void TestCodec::ignoresUnknownMembers()
{
    const DecodedRequest decoded = decodeRequest(
        R"({"type":"join","id":6,"room":"general","future":{"a":[1,2]},"flag":true})"_ba);
    const auto *join = requestAs<JoinRequest>(decoded);
    QVERIFY2(join, qPrintable(describe(decoded)));
    QCOMPARE(join->room, u"general"_s);
}

// --- requests: encoding -----------------------------------------------------------------

void TestCodec::roundTripsRequests_data()
{
    QTest::addColumn<Request>("request");

    QTest::newRow("login") << Request{LoginRequest{1, u"alice"_s, u"correct horse"_s, u"laptop"_s}};
    QTest::newRow("login, unicode password, string id")
        << Request{LoginRequest{u"a1"_s, u"bob.b"_s, u"pässwörd 😀 \"q\""_s, u"Bob's Mac"_s}};
    QTest::newRow("login without device")
        << Request{LoginRequest{2, u"carol"_s, u"pw"_s, QString()}};
    QTest::newRow("auth") << Request{AuthRequest{2, u"t0k3n-abc_DEF"_s}};
    QTest::newRow("logout") << Request{LogoutRequest{3}};
    QTest::newRow("rooms") << Request{RoomsRequest{4}};
    QTest::newRow("create") << Request{CreateRequest{5, u"general"_s, u"General"_s}};
    QTest::newRow("create without title") << Request{CreateRequest{5, u"general"_s, QString()}};
    QTest::newRow("join") << Request{JoinRequest{6, u"general"_s}};
    QTest::newRow("leave") << Request{LeaveRequest{6, u"general"_s}};
    QTest::newRow("members") << Request{MembersRequest{7, u"general"_s}};
    QTest::newRow("send") << Request{SendRequest{8, u"general"_s, u"uuid-1"_s, u"hi"_s}};
    QTest::newRow("send, unicode and control characters") << Request{
        SendRequest{u"s"_s, u"general"_s, u"uuid-2"_s, u"línea 1\nline 2\t\"quoted\" \\ 😀"_s}};
    QTest::newRow("send, body at the byte limit")
        << Request{SendRequest{8, u"general"_s, u"uuid-3"_s, repeated(u"€", 5461) + u"x"_s}};
    QTest::newRow("history") << Request{HistoryRequest{9, u"general"_s, 42, 50}};
    QTest::newRow("history from newest") << Request{HistoryRequest{9, u"general"_s, 0, 200}};
    QTest::newRow("sync") << Request{SyncRequest{10, u"general"_s, 40, 500}};
    QTest::newRow("sync from start") << Request{SyncRequest{10, u"general"_s, 0, 1}};
    QTest::newRow("read") << Request{ReadRequest{11, u"general"_s, 42}};
    QTest::newRow("read, largest seq") << Request{ReadRequest{11, u"general"_s, kMaxSafeInteger}};
    QTest::newRow("typing") << Request{TypingRequest{u"general"_s}};
}

void TestCodec::roundTripsRequests()
{
    QFETCH(Request, request);

    const QByteArray encoded = encodeRequest(request);
    QVERIFY(!encoded.contains('\n')); // one compact JSON text per frame
    QCOMPARE(parseObject(encoded).value("type"_L1).toString(), QString(requestType(request)));

    const DecodedRequest decoded = decodeRequest(encoded);
    const auto *back = std::get_if<Request>(&decoded);
    QVERIFY2(back, qPrintable(u"%1 -> %2"_s.arg(QString::fromUtf8(encoded), describe(decoded))));
    QVERIFY2(sameVariant(*back, request),
             qPrintable(u"%1 -> %2"_s.arg(QString::fromUtf8(encoded), describe(decoded))));
    QCOMPARE(requestId(*back), requestId(request));
}

void TestCodec::encodesRequestMemberNames_data()
{
    QTest::addColumn<Request>("request");
    QTest::addColumn<QStringList>("keys"); // sorted

    QTest::newRow("login") << Request{LoginRequest{1, u"a"_s, u"p"_s, u"d"_s}}
                           << QStringList{u"device"_s, u"id"_s, u"password"_s, u"type"_s,
                                          u"user"_s};
    QTest::newRow("auth") << Request{AuthRequest{2, u"t"_s}}
                          << QStringList{u"id"_s, u"token"_s, u"type"_s};
    QTest::newRow("logout") << Request{LogoutRequest{3}} << QStringList{u"id"_s, u"type"_s};
    QTest::newRow("rooms") << Request{RoomsRequest{4}} << QStringList{u"id"_s, u"type"_s};
    QTest::newRow("create") << Request{CreateRequest{5, u"r"_s, u"T"_s}}
                            << QStringList{u"id"_s, u"room"_s, u"title"_s, u"type"_s};
    QTest::newRow("join") << Request{JoinRequest{6, u"r"_s}}
                          << QStringList{u"id"_s, u"room"_s, u"type"_s};
    QTest::newRow("leave") << Request{LeaveRequest{6, u"r"_s}}
                           << QStringList{u"id"_s, u"room"_s, u"type"_s};
    QTest::newRow("members") << Request{MembersRequest{7, u"r"_s}}
                             << QStringList{u"id"_s, u"room"_s, u"type"_s};
    QTest::newRow("send") << Request{SendRequest{8, u"r"_s, u"c"_s, u"b"_s}}
                          << QStringList{u"body"_s, u"cid"_s, u"id"_s, u"room"_s, u"type"_s};
    QTest::newRow("history") << Request{HistoryRequest{9, u"r"_s, 42, 50}}
                             << QStringList{u"before"_s, u"id"_s, u"limit"_s, u"room"_s, u"type"_s};
    QTest::newRow("sync") << Request{SyncRequest{10, u"r"_s, 40, 500}}
                          << QStringList{u"after"_s, u"id"_s, u"limit"_s, u"room"_s, u"type"_s};
    QTest::newRow("read") << Request{ReadRequest{11, u"r"_s, 42}}
                          << QStringList{u"id"_s, u"room"_s, u"seq"_s, u"type"_s};
    QTest::newRow("typing") << Request{TypingRequest{u"r"_s}} << QStringList{u"room"_s, u"type"_s};
}

void TestCodec::encodesRequestMemberNames()
{
    QFETCH(Request, request);
    QFETCH(QStringList, keys);
    QCOMPARE(sortedKeys(encodeRequest(request)), keys);
}

// --- requests: malformed input ----------------------------------------------------------

void TestCodec::rejectsMalformedRequests_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QJsonValue>("id"); // null when the id cannot be read

    const QString bad = u"bad_request"_s;
    const QString tooLarge = u"too_large"_s;
    const QJsonValue none;

    // Not JSON, or not an object
    QTest::newRow("invalid JSON: truncated") << R"({"type":"rooms","id":1)"_ba << bad << none;
    QTest::newRow("invalid JSON: garbage") << "hello"_ba << bad << none;
    QTest::newRow("invalid JSON: trailing comma")
        << R"({"type":"rooms","id":1,})"_ba << bad << none;
    QTest::newRow("invalid JSON: single quotes") << "{'type':'rooms','id':1}"_ba << bad << none;
    QTest::newRow("invalid JSON: bad UTF-8")
        << "{\"type\":\"send\",\"id\":1,\"room\":\"general\",\"cid\":\"c\",\"body\":\"\xff\"}"_ba
        << bad << none;
    QTest::newRow("empty input") << QByteArray() << bad << none;
    QTest::newRow("white space only input") << " \r\n\t"_ba << bad << none;
    QTest::newRow("array") << R"([{"type":"rooms","id":1}])"_ba << bad << none;
    QTest::newRow("empty array") << "[]"_ba << bad << none;
    QTest::newRow("string") << R"("rooms")"_ba << bad << none;
    QTest::newRow("number") << "42"_ba << bad << none;
    QTest::newRow("null") << "null"_ba << bad << none;
    QTest::newRow("true") << "true"_ba << bad << none;

    // type
    QTest::newRow("missing type") << R"({"id":1})"_ba << bad << QJsonValue(1);
    QTest::newRow("missing type, string id") << R"({"id":"q"})"_ba << bad << QJsonValue(u"q"_s);
    QTest::newRow("missing type and id") << "{}"_ba << bad << none;
    QTest::newRow("type null") << R"({"type":null,"id":2})"_ba << bad << QJsonValue(2);
    QTest::newRow("type number") << R"({"type":5,"id":2})"_ba << bad << QJsonValue(2);
    QTest::newRow("type object") << R"({"type":{"name":"rooms"},"id":2})"_ba << bad
                                 << QJsonValue(2);
    QTest::newRow("unknown type") << R"({"type":"dance","id":3})"_ba << bad << QJsonValue(3);
    QTest::newRow("unknown type, string id")
        << R"({"type":"dance","id":"d"})"_ba << bad << QJsonValue(u"d"_s);
    QTest::newRow("type in upper case")
        << R"({"type":"LOGIN","id":3,"user":"a","password":"b"})"_ba << bad << QJsonValue(3);
    QTest::newRow("empty type") << R"({"type":"","id":3})"_ba << bad << QJsonValue(3);
    QTest::newRow("server frame type") << R"({"type":"ok","id":3})"_ba << bad << QJsonValue(3);
    QTest::newRow("event type") << R"({"type":"presence","id":3})"_ba << bad << QJsonValue(3);

    // id
    QTest::newRow("missing id") << R"({"type":"rooms"})"_ba << bad << none;
    QTest::newRow("missing id, bad member") << R"({"type":"join","room":"BAD"})"_ba << bad << none;
    QTest::newRow("id null") << R"({"type":"rooms","id":null})"_ba << bad << none;
    QTest::newRow("id true") << R"({"type":"rooms","id":true})"_ba << bad << none;
    QTest::newRow("id object") << R"({"type":"rooms","id":{"n":1}})"_ba << bad << none;
    QTest::newRow("id array") << R"({"type":"rooms","id":[1]})"_ba << bad << none;
    QTest::newRow("id fractional") << R"({"type":"rooms","id":1.5})"_ba << bad << none;
    QTest::newRow("id beyond 2^53") << R"({"type":"rooms","id":1e20})"_ba << bad << none;
    QTest::newRow("id string of 65 characters")
        << toJson({{"type"_L1, "rooms"_L1}, {"id"_L1, QString(65, u'i')}}) << bad << none;
    QTest::newRow("id lone surrogate") << R"({"type":"rooms","id":"\udc00"})"_ba << bad << none;
    QTest::newRow("id NUL") << R"({"type":"rooms","id":"a\u0000"})"_ba << bad << none;

    // missing members
    QTest::newRow("login without user")
        << R"({"type":"login","id":1,"password":"pw"})"_ba << bad << QJsonValue(1);
    QTest::newRow("login without password")
        << R"({"type":"login","id":1,"user":"alice"})"_ba << bad << QJsonValue(1);
    QTest::newRow("auth without token") << R"({"type":"auth","id":2})"_ba << bad << QJsonValue(2);
    QTest::newRow("create without room")
        << R"({"type":"create","id":5,"title":"T"})"_ba << bad << QJsonValue(5);
    QTest::newRow("join without room") << R"({"type":"join","id":6})"_ba << bad << QJsonValue(6);
    QTest::newRow("leave without room") << R"({"type":"leave","id":6})"_ba << bad << QJsonValue(6);
    QTest::newRow("members without room")
        << R"({"type":"members","id":7})"_ba << bad << QJsonValue(7);
    QTest::newRow("send without room")
        << R"({"type":"send","id":8,"cid":"c","body":"b"})"_ba << bad << QJsonValue(8);
    QTest::newRow("send without cid")
        << R"({"type":"send","id":8,"room":"r","body":"b"})"_ba << bad << QJsonValue(8);
    QTest::newRow("send without body")
        << R"({"type":"send","id":8,"room":"r","cid":"c"})"_ba << bad << QJsonValue(8);
    QTest::newRow("history without room")
        << R"({"type":"history","id":9})"_ba << bad << QJsonValue(9);
    QTest::newRow("sync without room")
        << R"({"type":"sync","id":10,"after":1})"_ba << bad << QJsonValue(10);
    QTest::newRow("sync without after")
        << R"({"type":"sync","id":10,"room":"r"})"_ba << bad << QJsonValue(10);
    QTest::newRow("read without room")
        << R"({"type":"read","id":11,"seq":1})"_ba << bad << QJsonValue(11);
    QTest::newRow("read without seq")
        << R"({"type":"read","id":11,"room":"r"})"_ba << bad << QJsonValue(11);
    QTest::newRow("typing without room") << R"({"type":"typing"})"_ba << bad << none;
    QTest::newRow("room null") << R"({"type":"join","id":6,"room":null})"_ba << bad
                               << QJsonValue(6);
    QTest::newRow("seq null") << R"({"type":"read","id":11,"room":"r","seq":null})"_ba << bad
                              << QJsonValue(11);

    // wrong types: number where a string is expected
    QTest::newRow("room number") << withMember("join", "room", 5) << bad << QJsonValue(1);
    QTest::newRow("room array") << withMember("join", "room", QJsonArray{u"general"_s}) << bad
                                << QJsonValue(1);
    QTest::newRow("room object") << withMember("join", "room", QJsonObject{}) << bad
                                 << QJsonValue(1);
    QTest::newRow("room bool") << withMember("members", "room", true) << bad << QJsonValue(1);
    QTest::newRow("user number") << R"({"type":"login","id":1,"user":7,"password":"pw"})"_ba << bad
                                 << QJsonValue(1);
    QTest::newRow("password number")
        << R"({"type":"login","id":1,"user":"alice","password":1234})"_ba << bad << QJsonValue(1);
    QTest::newRow("password object")
        << R"({"type":"login","id":1,"user":"alice","password":{}})"_ba << bad << QJsonValue(1);
    QTest::newRow("device number")
        << R"({"type":"login","id":1,"user":"alice","password":"pw","device":3})"_ba << bad
        << QJsonValue(1);
    QTest::newRow("token number") << R"({"type":"auth","id":2,"token":12345})"_ba << bad
                                  << QJsonValue(2);
    QTest::newRow("title number") << withMember("create", "title", 9) << bad << QJsonValue(1);
    QTest::newRow("cid number") << R"({"type":"send","id":8,"room":"r","cid":1,"body":"b"})"_ba
                                << bad << QJsonValue(8);
    QTest::newRow("body number") << R"({"type":"send","id":8,"room":"r","cid":"c","body":42})"_ba
                                 << bad << QJsonValue(8);
    QTest::newRow("body array") << R"({"type":"send","id":8,"room":"r","cid":"c","body":["hi"]})"_ba
                                << bad << QJsonValue(8);
    QTest::newRow("typing room number") << R"({"type":"typing","room":1})"_ba << bad << none;

    // wrong types: string where a number is expected
    QTest::newRow("seq string") << withMember("read", "seq", u"42"_s) << bad << QJsonValue(1);
    QTest::newRow("seq bool") << withMember("read", "seq", true) << bad << QJsonValue(1);
    QTest::newRow("after string") << withMember("sync", "after", u"40"_s) << bad << QJsonValue(1);
    QTest::newRow("after array") << withMember("sync", "after", QJsonArray{40}) << bad
                                 << QJsonValue(1);
    QTest::newRow("before string")
        << withMember("history", "before", u"42"_s) << bad << QJsonValue(1);
    QTest::newRow("history limit string")
        << withMember("history", "limit", u"50"_s) << bad << QJsonValue(1);
    QTest::newRow("sync limit string")
        << R"({"type":"sync","id":1,"room":"r","after":0,"limit":"500"})"_ba << bad
        << QJsonValue(1);

    // integers: negative, fractional, beyond 2^53 - 1, zero limit
    QTest::newRow("seq negative") << withMember("read", "seq", -1) << bad << QJsonValue(1);
    QTest::newRow("after negative") << withMember("sync", "after", -1) << bad << QJsonValue(1);
    QTest::newRow("before negative") << withMember("history", "before", -5) << bad << QJsonValue(1);
    QTest::newRow("history limit negative")
        << withMember("history", "limit", -1) << bad << QJsonValue(1);
    QTest::newRow("sync limit negative")
        << R"({"type":"sync","id":1,"room":"r","after":0,"limit":-10})"_ba << bad << QJsonValue(1);
    QTest::newRow("seq fractional") << withMember("read", "seq", 1.5) << bad << QJsonValue(1);
    QTest::newRow("after fractional") << withMember("sync", "after", 0.5) << bad << QJsonValue(1);
    QTest::newRow("before fractional")
        << withMember("history", "before", 2.25) << bad << QJsonValue(1);
    QTest::newRow("limit fractional")
        << withMember("history", "limit", 10.5) << bad << QJsonValue(1);
    QTest::newRow("seq 2^53") << R"({"type":"read","id":1,"room":"r","seq":9007199254740992})"_ba
                              << bad << QJsonValue(1);
    QTest::newRow("seq 1e300") << R"({"type":"read","id":1,"room":"r","seq":1e300})"_ba << bad
                               << QJsonValue(1);
    QTest::newRow("history limit 0") << withMember("history", "limit", 0) << bad << QJsonValue(1);
    QTest::newRow("sync limit 0") << R"({"type":"sync","id":1,"room":"r","after":0,"limit":0})"_ba
                                  << bad << QJsonValue(1);

    // body: empty, white space only, too large (in UTF-8 bytes, not characters)
    QTest::newRow("body empty") << sendWithBody(QString()) << bad << QJsonValue(8);
    QTest::newRow("body spaces") << sendWithBody(u"   "_s) << bad << QJsonValue(8);
    QTest::newRow("body tabs and newlines") << sendWithBody(u"\t\n\r\n"_s) << bad << QJsonValue(8);
    QTest::newRow("body unicode spaces")
        << R"({"type":"send","id":8,"room":"r","cid":"c","body":"\u00a0\u2003\u3000"})"_ba << bad
        << QJsonValue(8);
    QTest::newRow("body 16385 ASCII bytes")
        << sendWithBody(QString(16385, u'a')) << tooLarge << QJsonValue(8);
    QTest::newRow("body 8193 x 2-byte = 16386 bytes")
        << sendWithBody(repeated(u"é", 8193)) << tooLarge << QJsonValue(8);
    QTest::newRow("body 5462 x 3-byte = 16386 bytes")
        << sendWithBody(repeated(u"€", 5462)) << tooLarge << QJsonValue(8);
    QTest::newRow("body 4097 x 4-byte = 16388 bytes")
        << sendWithBody(repeated(u"😀", 4097)) << tooLarge << QJsonValue(8);
    QTest::newRow("body 16384 bytes + 1 multibyte")
        << sendWithBody(QString(16383, u'a') + u"é"_s) << tooLarge << QJsonValue(8);
    QTest::newRow("body of 70000 characters")
        << sendWithBody(QString(70000, u'a')) << tooLarge << QJsonValue(8);

    // room names
    QTest::newRow("room upper case")
        << withMember("join", "room", u"General"_s) << bad << QJsonValue(1);
    QTest::newRow("room leading dash")
        << withMember("join", "room", u"-general"_s) << bad << QJsonValue(1);
    QTest::newRow("room leading underscore")
        << withMember("create", "room", u"_general"_s) << bad << QJsonValue(1);
    QTest::newRow("room 65 characters")
        << withMember("join", "room", QString(65, u'r')) << bad << QJsonValue(1);
    QTest::newRow("room empty") << withMember("join", "room", QString()) << bad << QJsonValue(1);
    QTest::newRow("room unicode") << withMember("join", "room", u"café"_s) << bad << QJsonValue(1);
    QTest::newRow("room emoji") << withMember("members", "room", u"😀"_s) << bad << QJsonValue(1);
    QTest::newRow("room with space")
        << withMember("leave", "room", u"a b"_s) << bad << QJsonValue(1);
    QTest::newRow("room with dot")
        << withMember("history", "room", u"a.b"_s) << bad << QJsonValue(1);
    QTest::newRow("send room upper case")
        << R"({"type":"send","id":8,"room":"Gen","cid":"c","body":"b"})"_ba << bad << QJsonValue(8);
    QTest::newRow("typing room upper case")
        << R"({"type":"typing","room":"Gen"})"_ba << bad << none;

    // text that is not valid Unicode
    QTest::newRow("body lone high surrogate")
        << R"({"type":"send","id":8,"room":"r","cid":"c","body":"a\ud800b"})"_ba << bad
        << QJsonValue(8);
    QTest::newRow("body lone low surrogate")
        << R"({"type":"send","id":8,"room":"r","cid":"c","body":"\udc00"})"_ba << bad
        << QJsonValue(8);
    QTest::newRow("body reversed surrogates")
        << R"({"type":"send","id":8,"room":"r","cid":"c","body":"\ude00\ud83d"})"_ba << bad
        << QJsonValue(8);
    QTest::newRow("body NUL")
        << R"({"type":"send","id":8,"room":"r","cid":"c","body":"a\u0000b"})"_ba << bad
        << QJsonValue(8);
    QTest::newRow("room NUL") << R"({"type":"join","id":6,"room":"r\u0000"})"_ba << bad
                              << QJsonValue(6);
    QTest::newRow("user NUL") << R"({"type":"login","id":1,"user":"al\u0000ice","password":"p"})"_ba
                              << bad << QJsonValue(1);
    QTest::newRow("password lone surrogate")
        << R"({"type":"login","id":1,"user":"alice","password":"\ud800"})"_ba << bad
        << QJsonValue(1);
    QTest::newRow("device lone surrogate")
        << R"({"type":"login","id":1,"user":"alice","password":"p","device":"\udbff"})"_ba << bad
        << QJsonValue(1);
    QTest::newRow("token NUL") << R"({"type":"auth","id":2,"token":"\u0000"})"_ba << bad
                               << QJsonValue(2);
    QTest::newRow("title NUL") << R"({"type":"create","id":5,"room":"r","title":"T\u0000"})"_ba
                               << bad << QJsonValue(5);
    QTest::newRow("cid lone surrogate")
        << R"({"type":"send","id":8,"room":"r","cid":"\ud800","body":"b"})"_ba << bad
        << QJsonValue(8);

    // other member rules
    QTest::newRow("cid empty") << R"({"type":"send","id":8,"room":"r","cid":"","body":"b"})"_ba
                               << bad << QJsonValue(8);
    QTest::newRow("cid with space")
        << R"({"type":"send","id":8,"room":"r","cid":"a b","body":"b"})"_ba << bad << QJsonValue(8);
    QTest::newRow("cid non-ASCII")
        << R"({"type":"send","id":8,"room":"r","cid":"é","body":"b"})"_ba << bad << QJsonValue(8);
    QTest::newRow("cid 65 characters") << toJson({{"type"_L1, "send"_L1},
                                                  {"id"_L1, 8},
                                                  {"room"_L1, "r"_L1},
                                                  {"cid"_L1, QString(65, u'c')},
                                                  {"body"_L1, "b"_L1}})
                                       << bad << QJsonValue(8);
    QTest::newRow("user upper case")
        << R"({"type":"login","id":1,"user":"Alice","password":"p"})"_ba << bad << QJsonValue(1);
    QTest::newRow("user empty") << R"({"type":"login","id":1,"user":"","password":"p"})"_ba << bad
                                << QJsonValue(1);
    QTest::newRow("user 33 characters") << toJson({{"type"_L1, "login"_L1},
                                                   {"id"_L1, 1},
                                                   {"user"_L1, QString(33, u'u')},
                                                   {"password"_L1, "p"_L1}})
                                        << bad << QJsonValue(1);
    QTest::newRow("password empty")
        << R"({"type":"login","id":1,"user":"alice","password":""})"_ba << bad << QJsonValue(1);
    QTest::newRow("password over 1024 bytes")
        << toJson({{"type"_L1, "login"_L1},
                   {"id"_L1, 1},
                   {"user"_L1, "alice"_L1},
                   {"password"_L1, repeated(u"€", 342)}}) // 342 characters, 1026 bytes
        << bad << QJsonValue(1);
    QTest::newRow("device 65 characters") << toJson({{"type"_L1, "login"_L1},
                                                     {"id"_L1, 1},
                                                     {"user"_L1, "alice"_L1},
                                                     {"password"_L1, "p"_L1},
                                                     {"device"_L1, QString(65, u'd')}})
                                          << bad << QJsonValue(1);
    QTest::newRow("token empty") << R"({"type":"auth","id":2,"token":""})"_ba << bad
                                 << QJsonValue(2);
    QTest::newRow("token 129 characters")
        << toJson({{"type"_L1, "auth"_L1}, {"id"_L1, 2}, {"token"_L1, QString(129, u't')}}) << bad
        << QJsonValue(2);
    QTest::newRow("title 129 characters")
        << withMember("create", "title", QString(129, u'T')) << bad << QJsonValue(1);

    // Control characters: they would reach other people's screens, terminals and logs.
    const QJsonObject sendWithBody{
        {"type"_L1, "send"_L1}, {"id"_L1, 1}, {"room"_L1, "general"_L1}, {"cid"_L1, "c1"_L1}};
    auto loginWithDevice = [](const QString &device) {
        return toJson({{"type"_L1, "login"_L1},
                       {"id"_L1, 1},
                       {"user"_L1, "alice"_L1},
                       {"password"_L1, "p"_L1},
                       {"device"_L1, device}});
    };
    QTest::newRow("device with an escape sequence")
        << loginWithDevice(u"laptop\u001b]0;pwned\u0007"_s) << bad << QJsonValue(1);
    QTest::newRow("device with a newline")
        << loginWithDevice(u"laptop\nevent=forged"_s) << bad << QJsonValue(1);
    QTest::newRow("device with C1 CSI")
        << loginWithDevice(u"laptop\u009b31m"_s) << bad << QJsonValue(1);
    QTest::newRow("device with DEL") << loginWithDevice(u"lap\u007ftop"_s) << bad << QJsonValue(1);
    QTest::newRow("title with a carriage return")
        << withMember("create", "title", u"General\rforged"_s) << bad << QJsonValue(1);
    QTest::newRow("title with a tab")
        << withMember("create", "title", u"Gen\teral"_s) << bad << QJsonValue(1);
    QJsonObject bodyWithEscape = sendWithBody;
    bodyWithEscape.insert("body"_L1, u"hi \u001b[2J"_s);
    QTest::newRow("body with an escape sequence") << toJson(bodyWithEscape) << bad << QJsonValue(1);
    QJsonObject bodyWithBell = sendWithBody;
    bodyWithBell.insert("body"_L1, u"ring\u0007"_s);
    QTest::newRow("body with a bell") << toJson(bodyWithBell) << bad << QJsonValue(1);
    QTest::newRow("string id with a newline")
        << toJson({{"type"_L1, "rooms"_L1}, {"id"_L1, u"a\nb"_s}}) << bad << none;
}

void TestCodec::rejectsMalformedRequests()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, code);
    QFETCH(QJsonValue, id);

    const DecodedRequest decoded = decodeRequest(json);
    const auto *error = std::get_if<DecodeError>(&decoded);
    QVERIFY2(error, qPrintable(u"accepted as "_s + describe(decoded)));
    QCOMPARE(QString(errorCodeName(error->code)), code);
    QCOMPARE(error->id, id);
    QVERIFY2(!error->message.isEmpty(), "a decode error must explain itself");
}

// --- requests: edges that must be accepted ----------------------------------------------

void TestCodec::acceptsEdgeCases_data()
{
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("room of 1 letter") << withMember("join", "room", u"a"_s);
    QTest::newRow("room of 1 digit") << withMember("join", "room", u"0"_s);
    QTest::newRow("room of 64 characters") << withMember("join", "room", QString(64, u'r'));
    QTest::newRow("room with dash and underscore") << withMember("join", "room", u"a-_9"_s);
    QTest::newRow("user of 32 characters") << toJson({{"type"_L1, "login"_L1},
                                                      {"id"_L1, 1},
                                                      {"user"_L1, QString(32, u'u')},
                                                      {"password"_L1, "p"_L1}});
    QTest::newRow("user with dot")
        << R"({"type":"login","id":1,"user":"a.b-c_d","password":"p"})"_ba;
    QTest::newRow("password of 1024 bytes")
        << toJson({{"type"_L1, "login"_L1},
                   {"id"_L1, 1},
                   {"user"_L1, "alice"_L1},
                   {"password"_L1, repeated(u"€", 341) + u"x"_s}});
    QTest::newRow("device of 64 characters") << toJson({{"type"_L1, "login"_L1},
                                                        {"id"_L1, 1},
                                                        {"user"_L1, "alice"_L1},
                                                        {"password"_L1, "p"_L1},
                                                        {"device"_L1, QString(64, u'd')}});
    QTest::newRow("device empty")
        << R"({"type":"login","id":1,"user":"a","password":"p","device":""})"_ba;
    QTest::newRow("token of 128 characters")
        << toJson({{"type"_L1, "auth"_L1}, {"id"_L1, 2}, {"token"_L1, QString(128, u't')}});
    QTest::newRow("title of 128 characters") << withMember("create", "title", QString(128, u'T'));
    QTest::newRow("title null") << withMember("create", "title", QJsonValue());
    QTest::newRow("cid of 64 characters") << toJson({{"type"_L1, "send"_L1},
                                                     {"id"_L1, 8},
                                                     {"room"_L1, "r"_L1},
                                                     {"cid"_L1, QString(64, u'c')},
                                                     {"body"_L1, "b"_L1}});
    QTest::newRow("body of 1 character") << sendWithBody(u"x"_s);
    QTest::newRow("body with surrounding spaces") << sendWithBody(u"  x  "_s);
    QTest::newRow("body of 8192 x 2-byte = 16384 bytes") << sendWithBody(repeated(u"é", 8192));
    QTest::newRow("body of 4096 x 4-byte = 16384 bytes") << sendWithBody(repeated(u"😀", 4096));
    QTest::newRow("seq 0") << withMember("read", "seq", 0);
    QTest::newRow("seq 2^53 - 1")
        << R"({"type":"read","id":1,"room":"r","seq":9007199254740991})"_ba;
    QTest::newRow("seq written as 42.0") << R"({"type":"read","id":1,"room":"r","seq":42.0})"_ba;
    QTest::newRow("before 0") << withMember("history", "before", 0);
    QTest::newRow("limit 1") << withMember("history", "limit", 1);
    QTest::newRow("negative id") << R"({"type":"rooms","id":-7})"_ba;
    QTest::newRow("id string of 64 characters")
        << toJson({{"type"_L1, "rooms"_L1}, {"id"_L1, QString(64, u'i')}});
    QTest::newRow("body with newlines and tabs")
        << toJson({{"type"_L1, "send"_L1},
                   {"id"_L1, 1},
                   {"room"_L1, "general"_L1},
                   {"cid"_L1, "c1"_L1},
                   {"body"_L1, u"line one\n\tindented\nline three"_s}});
    QTest::newRow("password with control characters (never shown or logged)")
        << toJson({{"type"_L1, "login"_L1},
                   {"id"_L1, 1},
                   {"user"_L1, "alice"_L1},
                   {"password"_L1, u"p\u0001\tw"_s}});
    QTest::newRow("title with emoji and accents")
        << withMember("create", "title", u"Café ☕ equipa"_s);
}

void TestCodec::acceptsEdgeCases()
{
    QFETCH(QByteArray, json);
    const DecodedRequest decoded = decodeRequest(json);
    QVERIFY2(std::holds_alternative<Request>(decoded), qPrintable(describe(decoded)));
    QCOMPARE(QString(requestType(std::get<Request>(decoded))),
             parseObject(json).value("type"_L1).toString());
}

void TestCodec::roomNameLengthEdges_data()
{
    QTest::addColumn<QString>("room");
    QTest::addColumn<bool>("valid");

    QTest::newRow("1") << u"a"_s << true;
    QTest::newRow("63") << QString(63, u'b') << true;
    QTest::newRow("64") << (u"0"_s + QString(63, u'-')) << true;
    QTest::newRow("65") << QString(65, u'c') << false;
    QTest::newRow("0") << QString() << false;
}

void TestCodec::roomNameLengthEdges()
{
    QFETCH(QString, room);
    QFETCH(bool, valid);

    const DecodedRequest decoded =
        decodeRequest(toJson({{"type"_L1, "create"_L1}, {"id"_L1, 5}, {"room"_L1, room}}));
    const auto *create = requestAs<CreateRequest>(decoded);
    QCOMPARE(create != nullptr, valid);
    if (valid)
        QCOMPARE(create->room, room);
    else
        QCOMPARE(std::get<DecodeError>(decoded).code, ErrorCode::BadRequest);
}

void TestCodec::bodyAtByteLimit_data()
{
    QTest::addColumn<QString>("body");

    QTest::newRow("16384 ASCII") << QString(16384, u'a');
    QTest::newRow("5461 x 3-byte + 1 ASCII") << repeated(u"€", 5461) + u"x"_s;
    QTest::newRow("4096 x 4-byte") << repeated(u"😀", 4096);
}

void TestCodec::bodyAtByteLimit()
{
    QFETCH(QString, body);
    QCOMPARE(body.toUtf8().size(), qsizetype(16384));

    const DecodedRequest decoded = decodeRequest(sendWithBody(body));
    const auto *send = requestAs<SendRequest>(decoded);
    QVERIFY2(send, qPrintable(describe(decoded)));
    QCOMPARE(send->body, body);

    const DecodedRequest oneMore = decodeRequest(sendWithBody(body + u"a"_s));
    const auto *error = std::get_if<DecodeError>(&oneMore);
    QVERIFY2(error, "one byte over the limit must be refused");
    QCOMPARE(error->code, ErrorCode::TooLarge);
    QCOMPARE(error->id, QJsonValue(8));
}

void TestCodec::decodesEscapedSurrogatePair()
{
    const DecodedRequest decoded = decodeRequest(
        R"({"type":"send","id":8,"room":"r","cid":"c","body":"\ud83d\ude00 \u00e9\u20ac"})"_ba);
    const auto *send = requestAs<SendRequest>(decoded);
    QVERIFY2(send, qPrintable(describe(decoded)));
    QCOMPARE(send->body, u"😀 é€"_s);
}

void TestCodec::clampsPageLimits_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("limit");

    QTest::newRow("history default") << R"({"type":"history","id":1,"room":"r"})"_ba << 50;
    QTest::newRow("history 1") << R"({"type":"history","id":1,"room":"r","limit":1})"_ba << 1;
    QTest::newRow("history 200") << R"({"type":"history","id":1,"room":"r","limit":200})"_ba << 200;
    QTest::newRow("history 201 clamped")
        << R"({"type":"history","id":1,"room":"r","limit":201})"_ba << 200;
    QTest::newRow("history 1000 clamped")
        << R"({"type":"history","id":1,"room":"r","limit":1000})"_ba << 200;
    QTest::newRow("history 2^53-1 clamped")
        << R"({"type":"history","id":1,"room":"r","limit":9007199254740991})"_ba << 200;
    QTest::newRow("history limit null is default")
        << R"({"type":"history","id":1,"room":"r","limit":null})"_ba << 50;
    QTest::newRow("sync default") << R"({"type":"sync","id":1,"room":"r","after":0})"_ba << 500;
    QTest::newRow("sync 1") << R"({"type":"sync","id":1,"room":"r","after":0,"limit":1})"_ba << 1;
    QTest::newRow("sync 500") << R"({"type":"sync","id":1,"room":"r","after":0,"limit":500})"_ba
                              << 500;
    QTest::newRow("sync 501 clamped")
        << R"({"type":"sync","id":1,"room":"r","after":0,"limit":501})"_ba << 500;
    QTest::newRow("sync 100000 clamped")
        << R"({"type":"sync","id":1,"room":"r","after":0,"limit":100000})"_ba << 500;
}

void TestCodec::clampsPageLimits()
{
    QFETCH(QByteArray, json);
    QFETCH(int, limit);

    const DecodedRequest decoded = decodeRequest(json);
    QVERIFY2(std::holds_alternative<Request>(decoded), qPrintable(describe(decoded)));
    const Request &request = std::get<Request>(decoded);
    if (const auto *history = std::get_if<HistoryRequest>(&request))
        QCOMPARE(history->limit, limit);
    else if (const auto *sync = std::get_if<SyncRequest>(&request))
        QCOMPARE(sync->limit, limit);
    else
        QFAIL("decoded as neither history nor sync");
}

void TestCodec::honoursCustomLimits()
{
    Limits limits;
    limits.maxBodyBytes = 8;
    limits.maxHistoryLimit = 10;
    limits.defaultHistoryLimit = 5;
    limits.maxSyncLimit = 20;
    limits.defaultSyncLimit = 15;

    // 4 x 2-byte = 8 bytes: at the limit.
    const DecodedRequest atLimit = decodeRequest(sendWithBody(u"éééé"_s), limits);
    QVERIFY2(requestAs<SendRequest>(atLimit), qPrintable(describe(atLimit)));
    const DecodedRequest overLimit = decodeRequest(sendWithBody(u"ééééx"_s), limits);
    QVERIFY(std::holds_alternative<DecodeError>(overLimit));
    QCOMPARE(std::get<DecodeError>(overLimit).code, ErrorCode::TooLarge);

    const DecodedRequest history =
        decodeRequest(R"({"type":"history","id":1,"room":"r","limit":50})"_ba, limits);
    QVERIFY2(requestAs<HistoryRequest>(history), qPrintable(describe(history)));
    QCOMPARE(requestAs<HistoryRequest>(history)->limit, 10);
    const DecodedRequest historyDefault =
        decodeRequest(R"({"type":"history","id":1,"room":"r"})"_ba, limits);
    QVERIFY2(requestAs<HistoryRequest>(historyDefault), qPrintable(describe(historyDefault)));
    QCOMPARE(requestAs<HistoryRequest>(historyDefault)->limit, 5);

    const DecodedRequest sync =
        decodeRequest(R"({"type":"sync","id":1,"room":"r","after":3,"limit":50})"_ba, limits);
    QVERIFY2(requestAs<SyncRequest>(sync), qPrintable(describe(sync)));
    QCOMPARE(requestAs<SyncRequest>(sync)->limit, 20);
    const DecodedRequest syncDefault =
        decodeRequest(R"({"type":"sync","id":1,"room":"r","after":3})"_ba, limits);
    QVERIFY2(requestAs<SyncRequest>(syncDefault), qPrintable(describe(syncDefault)));
    QCOMPARE(requestAs<SyncRequest>(syncDefault)->limit, 15);
}

// --- server frames ----------------------------------------------------------------------

void TestCodec::roundTripsServerFrames_data()
{
    QTest::addColumn<ServerFrame>("frame");

    const MessageEvent m1 = sampleMessage(41, u"first"_s);
    const MessageEvent m2 = sampleMessage(42, u"second 😀\nline"_s);

    QTest::newRow("ok login") << ServerFrame{
        OkReply{1, {{"user"_L1, "alice"_L1}, {"token"_L1, "s3cr3t-t0k3n"_L1}}}};
    QTest::newRow("ok auth") << ServerFrame{OkReply{2, {{"user"_L1, "alice"_L1}}}};
    QTest::newRow("ok logout, empty payload") << ServerFrame{OkReply{3, {}}};
    QTest::newRow("ok with string re") << ServerFrame{OkReply{u"req-3"_s, {}}};
    QTest::newRow("ok rooms") << ServerFrame{
        OkReply{4,
                {{"rooms"_L1, QJsonArray{roomSummaryToJson({u"general"_s, u"General"_s, 42, 40}),
                                         roomSummaryToJson({u"random"_s, QString(), 0, 0})}}}}};
    QTest::newRow("ok create") << ServerFrame{OkReply{5, {{"room"_L1, "general"_L1}}}};
    QTest::newRow("ok members") << ServerFrame{
        OkReply{7,
                {{"room"_L1, "general"_L1},
                 {"members"_L1,
                  QJsonArray{memberToJson({u"alice"_s, true}), memberToJson({u"bob"_s, false})}}}}};
    QTest::newRow("ok send") << ServerFrame{OkReply{8,
                                                    {{"room"_L1, "general"_L1},
                                                     {"seq"_L1, 42},
                                                     {"ts"_L1, qint64(1735689600123)},
                                                     {"cid"_L1, "uuid"_L1}}}};
    QTest::newRow("ok history") << ServerFrame{
        OkReply{9,
                {{"room"_L1, "general"_L1},
                 {"messages"_L1, QJsonArray{messageToJson(m1), messageToJson(m2)}}}}};
    QTest::newRow("ok sync") << ServerFrame{
        OkReply{10,
                {{"room"_L1, "general"_L1},
                 {"messages"_L1, QJsonArray{messageToJson(m1), messageToJson(m2)}},
                 {"more"_L1, true}}}};
    QTest::newRow("ok read") << ServerFrame{
        OkReply{11, {{"room"_L1, "general"_L1}, {"seq"_L1, 42}}}};

    const ErrorCode codes[] = {
        ErrorCode::BadRequest, ErrorCode::Unauthorized, ErrorCode::Forbidden, ErrorCode::NotFound,
        ErrorCode::Conflict,   ErrorCode::RateLimited,  ErrorCode::TooLarge,  ErrorCode::Internal};
    for (ErrorCode code : codes) {
        const QString name(errorCodeName(code));
        QTest::addRow("error %s", qPrintable(name))
            << ServerFrame{ErrorReply{12, code, name, u"what went wrong: %1"_s.arg(name)}};
    }
    QTest::newRow("error with null re") << ServerFrame{ErrorReply{
        QJsonValue(), ErrorCode::BadRequest, u"bad_request"_s, u"invalid JSON at offset 3"_s}};
    QTest::newRow("error with string re")
        << ServerFrame{ErrorReply{u"x"_s, ErrorCode::NotFound, u"not_found"_s, u"no room"_s}};

    QTest::newRow("message event") << ServerFrame{m2};
    QTest::newRow("message event, largest seq and ts") << ServerFrame{MessageEvent{
        u"r"_s, kMaxSafeInteger, kMaxSafeInteger, u"bob.b"_s, QString(64, u'c'), u"x"_s}};
    QTest::newRow("typing event") << ServerFrame{TypingEvent{u"general"_s, u"bob"_s}};
    QTest::newRow("presence online") << ServerFrame{PresenceEvent{u"carol"_s, true}};
    QTest::newRow("presence offline") << ServerFrame{PresenceEvent{u"carol"_s, false}};
}

void TestCodec::roundTripsServerFrames()
{
    QFETCH(ServerFrame, frame);

    const QByteArray encoded = encodeFrame(frame);
    QVERIFY(!encoded.contains('\n'));
    const DecodedFrame decoded = decodeServerFrame(encoded);
    const auto *back = std::get_if<ServerFrame>(&decoded);
    QVERIFY2(back, qPrintable(u"%1 -> %2"_s.arg(QString::fromUtf8(encoded), describe(decoded))));
    QVERIFY2(sameVariant(*back, frame),
             qPrintable(u"%1 -> %2"_s.arg(QString::fromUtf8(encoded), describe(decoded))));
}

void TestCodec::encodesServerFrameMemberNames()
{
    const QStringList ok = sortedKeys(encodeOk(8, {{"room"_L1, "r"_L1}, {"seq"_L1, 1}}));
    QCOMPARE(ok, (QStringList{u"re"_s, u"room"_s, u"seq"_s, u"type"_s}));
    QCOMPARE(parseObject(encodeOk(8)).value("type"_L1).toString(), u"ok"_s);
    QCOMPARE(parseObject(encodeOk(8)).value("re"_L1), QJsonValue(8));

    const QByteArray error = encodeError(9, ErrorCode::Forbidden, u"not a member"_s);
    QCOMPARE(sortedKeys(error), (QStringList{u"code"_s, u"message"_s, u"re"_s, u"type"_s}));
    QCOMPARE(parseObject(error).value("type"_L1).toString(), u"error"_s);
    QCOMPARE(parseObject(error).value("code"_L1).toString(), u"forbidden"_s);

    // A decode error with no readable id is answered with "re": null, which must be present.
    const QJsonObject nullRe = parseObject(encodeError({}, ErrorCode::BadRequest, u"x"_s));
    QVERIFY(nullRe.contains("re"_L1));
    QVERIFY(nullRe.value("re"_L1).isNull());

    const QByteArray message = encodeEvent(sampleMessage(1, u"b"_s));
    QCOMPARE(sortedKeys(message), (QStringList{u"body"_s, u"cid"_s, u"from"_s, u"room"_s, u"seq"_s,
                                               u"ts"_s, u"type"_s}));
    QCOMPARE(parseObject(message).value("type"_L1).toString(), u"message"_s);
    QVERIFY(!parseObject(message).contains("re"_L1)); // events carry no re

    const QByteArray typing = encodeEvent(TypingEvent{u"r"_s, u"u"_s});
    QCOMPARE(sortedKeys(typing), (QStringList{u"room"_s, u"type"_s, u"user"_s}));
    QCOMPARE(parseObject(typing).value("type"_L1).toString(), u"typing"_s);

    const QByteArray presence = encodeEvent(PresenceEvent{u"u"_s, true});
    QCOMPARE(sortedKeys(presence), (QStringList{u"online"_s, u"type"_s, u"user"_s}));
    QCOMPARE(parseObject(presence).value("type"_L1).toString(), u"presence"_s);
    QCOMPARE(parseObject(presence).value("online"_L1), QJsonValue(true));

    QCOMPARE(sortedKeys(toJson(roomSummaryToJson({u"r"_s, u"T"_s, 2, 1}))),
             (QStringList{u"last_seq"_s, u"read_seq"_s, u"room"_s, u"title"_s}));
    QCOMPARE(sortedKeys(toJson(memberToJson({u"u"_s, false}))),
             (QStringList{u"online"_s, u"user"_s}));
}

void TestCodec::encodesErrorCodeNames_data()
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

void TestCodec::encodesErrorCodeNames()
{
    QFETCH(ErrorCode, code);
    QFETCH(QString, name);

    const QByteArray encoded = encodeError(5, code, u"m"_s);
    QCOMPARE(parseObject(encoded).value("code"_L1).toString(), name);

    const DecodedFrame decoded = decodeServerFrame(encoded);
    const auto *error = frameAs<ErrorReply>(decoded);
    QVERIFY2(error, qPrintable(describe(decoded)));
    QCOMPARE(error->code, code);
    QCOMPARE(error->codeName, name);
    QCOMPARE(error->re, QJsonValue(5));
    QCOMPARE(error->message, u"m"_s);
}

void TestCodec::keepsUnknownErrorCodeName()
{
    const DecodedFrame decoded = decodeServerFrame(
        R"({"type":"error","re":4,"code":"payment_required","message":"pay up"})"_ba);
    const auto *error = frameAs<ErrorReply>(decoded);
    QVERIFY2(error, qPrintable(describe(decoded)));
    QCOMPARE(error->code, ErrorCode::Internal);
    QCOMPARE(error->codeName, u"payment_required"_s);
    QCOMPARE(error->message, u"pay up"_s);
    QCOMPARE(error->re, QJsonValue(4));
}

void TestCodec::acceptsErrorWithoutMessage()
{
    const DecodedFrame decoded =
        decodeServerFrame(R"({"type":"error","re":"a","code":"conflict"})"_ba);
    const auto *error = frameAs<ErrorReply>(decoded);
    QVERIFY2(error, qPrintable(describe(decoded)));
    QCOMPARE(error->code, ErrorCode::Conflict);
    QVERIFY(error->message.isEmpty());
}

void TestCodec::okPayloadExcludesTypeAndRe()
{
    const DecodedFrame decoded =
        decodeServerFrame(R"({"type":"ok","re":1,"user":"alice","token":"t","future":[1]})"_ba);
    const auto *ok = frameAs<OkReply>(decoded);
    QVERIFY2(ok, qPrintable(describe(decoded)));
    QCOMPARE(ok->re, QJsonValue(1));
    QVERIFY(!ok->payload.contains("type"_L1));
    QVERIFY(!ok->payload.contains("re"_L1));
    QCOMPARE(ok->payload.value("user"_L1).toString(), u"alice"_s);
    QCOMPARE(ok->payload.value("token"_L1).toString(), u"t"_s);
    QCOMPARE(ok->payload.value("future"_L1), QJsonValue(QJsonArray{1}));
    QCOMPARE(ok->payload.size(), qsizetype(3));
}

void TestCodec::rejectsMalformedServerFrames_data()
{
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("invalid JSON") << R"({"type":"ok","re":1)"_ba;
    QTest::newRow("empty input") << QByteArray();
    QTest::newRow("array") << R"([{"type":"ok","re":1}])"_ba;
    QTest::newRow("number") << "1"_ba;
    QTest::newRow("missing type") << R"({"re":1})"_ba;
    QTest::newRow("type number") << R"({"type":1,"re":1})"_ba;
    QTest::newRow("unknown type") << R"({"type":"dance"})"_ba;
    QTest::newRow("request type") << R"({"type":"login","id":1,"user":"a","password":"p"})"_ba;
    QTest::newRow("error without code") << R"({"type":"error","re":1,"message":"x"})"_ba;
    QTest::newRow("error code number") << R"({"type":"error","re":1,"code":400})"_ba;
    QTest::newRow("error message number")
        << R"({"type":"error","re":1,"code":"internal","message":5})"_ba;
    QTest::newRow("message without seq")
        << R"({"type":"message","room":"r","ts":1,"from":"a","cid":"c","body":"b"})"_ba;
    QTest::newRow("message seq string")
        << R"({"type":"message","room":"r","seq":"1","ts":1,"from":"a","cid":"c","body":"b"})"_ba;
    QTest::newRow("message seq negative")
        << R"({"type":"message","room":"r","seq":-1,"ts":1,"from":"a","cid":"c","body":"b"})"_ba;
    QTest::newRow("message ts fractional")
        << R"({"type":"message","room":"r","seq":1,"ts":1.5,"from":"a","cid":"c","body":"b"})"_ba;
    QTest::newRow("message without ts")
        << R"({"type":"message","room":"r","seq":1,"from":"a","cid":"c","body":"b"})"_ba;
    QTest::newRow("message bad room")
        << R"({"type":"message","room":"R!","seq":1,"ts":1,"from":"a","cid":"c","body":"b"})"_ba;
    QTest::newRow("message without room")
        << R"({"type":"message","seq":1,"ts":1,"from":"a","cid":"c","body":"b"})"_ba;
    QTest::newRow("message without from")
        << R"({"type":"message","room":"r","seq":1,"ts":1,"cid":"c","body":"b"})"_ba;
    QTest::newRow("message without cid")
        << R"({"type":"message","room":"r","seq":1,"ts":1,"from":"a","body":"b"})"_ba;
    QTest::newRow("message without body")
        << R"({"type":"message","room":"r","seq":1,"ts":1,"from":"a","cid":"c"})"_ba;
    QTest::newRow("message body number")
        << R"({"type":"message","room":"r","seq":1,"ts":1,"from":"a","cid":"c","body":7})"_ba;
    QTest::newRow("message body lone surrogate")
        << R"({"type":"message","room":"r","seq":1,"ts":1,"from":"a","cid":"c","body":"\ud800"})"_ba;
    QTest::newRow("typing without user") << R"({"type":"typing","room":"r"})"_ba;
    QTest::newRow("typing without room") << R"({"type":"typing","user":"u"})"_ba;
    QTest::newRow("typing bad room") << R"({"type":"typing","room":"-r","user":"u"})"_ba;
    QTest::newRow("presence without online") << R"({"type":"presence","user":"u"})"_ba;
    QTest::newRow("presence online string")
        << R"({"type":"presence","user":"u","online":"true"})"_ba;
    QTest::newRow("presence online number") << R"({"type":"presence","user":"u","online":1})"_ba;
    QTest::newRow("presence without user") << R"({"type":"presence","online":true})"_ba;
    QTest::newRow("presence user number") << R"({"type":"presence","user":5,"online":true})"_ba;
}

void TestCodec::rejectsMalformedServerFrames()
{
    QFETCH(QByteArray, json);

    const DecodedFrame decoded = decodeServerFrame(json);
    const auto *error = std::get_if<DecodeError>(&decoded);
    QVERIFY2(error, qPrintable(u"accepted as "_s + describe(decoded)));
    QCOMPARE(error->code, ErrorCode::BadRequest);
    QVERIFY(!error->message.isEmpty());
}

// --- payload helpers --------------------------------------------------------------------

void TestCodec::messagesFromPayloadReadsMessages()
{
    const QList<MessageEvent> sent{sampleMessage(7, u"seven"_s), sampleMessage(8, u"eight 😀"_s),
                                   sampleMessage(9, u"nine"_s)};
    QJsonArray array;
    for (const MessageEvent &m : sent)
        array.append(messageToJson(m));

    const std::optional<QList<MessageEvent>> read =
        messagesFromPayload({{"room"_L1, "general"_L1}, {"messages"_L1, array}});
    QVERIFY(read.has_value());
    QCOMPARE(read->size(), sent.size());
    for (qsizetype i = 0; i < sent.size(); ++i)
        QVERIFY2(same(read->at(i), sent.at(i)), qPrintable(u"message %1 differs"_s.arg(i)));

    const std::optional<QList<MessageEvent>> empty =
        messagesFromPayload({{"messages"_L1, QJsonArray{}}});
    QVERIFY(empty.has_value());
    QVERIFY(empty->isEmpty());

    const std::optional<MessageEvent> one = messageFromJson(messageToJson(sent.first()));
    QVERIFY(one.has_value());
    QVERIFY(same(*one, sent.first()));
}

void TestCodec::messagesFromPayloadRejects_data()
{
    QTest::addColumn<QJsonObject>("payload");

    const QJsonObject good = messageToJson(sampleMessage(1, u"b"_s));
    auto with = [&good](const char *key, const QJsonValue &value) {
        QJsonObject o = good;
        if (value.isUndefined())
            o.remove(QLatin1StringView(key));
        else
            o.insert(QLatin1StringView(key), value);
        return QJsonObject{{"messages"_L1, QJsonArray{good, o}}};
    };

    QTest::newRow("no messages member") << QJsonObject{{"room"_L1, "r"_L1}};
    QTest::newRow("messages is an object") << QJsonObject{{"messages"_L1, good}};
    QTest::newRow("messages is a string") << QJsonObject{{"messages"_L1, "[]"_L1}};
    QTest::newRow("messages is null") << QJsonObject{{"messages"_L1, QJsonValue()}};
    QTest::newRow("item is a number") << QJsonObject{{"messages"_L1, QJsonArray{good, 5}}};
    QTest::newRow("item without seq") << with("seq", QJsonValue(QJsonValue::Undefined));
    QTest::newRow("item seq string") << with("seq", u"1"_s);
    QTest::newRow("item seq negative") << with("seq", -1);
    QTest::newRow("item ts fractional") << with("ts", 1.5);
    QTest::newRow("item without ts") << with("ts", QJsonValue(QJsonValue::Undefined));
    QTest::newRow("item room invalid") << with("room", u"General"_s);
    QTest::newRow("item without body") << with("body", QJsonValue(QJsonValue::Undefined));
    QTest::newRow("item from number") << with("from", 3);
    QTest::newRow("item without cid") << with("cid", QJsonValue(QJsonValue::Undefined));
}

void TestCodec::messagesFromPayloadRejects()
{
    QFETCH(QJsonObject, payload);
    QVERIFY(!messagesFromPayload(payload).has_value());
}

void TestCodec::roomsFromPayloadReadsRooms()
{
    const QJsonArray array{
        roomSummaryToJson({u"general"_s, u"General"_s, 42, 40}),
        QJsonObject{{"room"_L1, "random"_L1}, {"last_seq"_L1, 3}}, // no title, no read_seq
        roomSummaryToJson({u"empty"_s, u"Nothing yet"_s, 0, 0}),
    };
    const std::optional<QList<RoomSummary>> rooms = roomsFromPayload({{"rooms"_L1, array}});
    QVERIFY(rooms.has_value());
    QCOMPARE(rooms->size(), qsizetype(3));
    QVERIFY(same(rooms->at(0), RoomSummary{u"general"_s, u"General"_s, 42, 40}));
    QCOMPARE(rooms->at(1).room, u"random"_s);
    QVERIFY(rooms->at(1).title.isEmpty());
    QCOMPARE(rooms->at(1).lastSeq, 3);
    QCOMPARE(rooms->at(1).readSeq, 0);
    QVERIFY(same(rooms->at(2), RoomSummary{u"empty"_s, u"Nothing yet"_s, 0, 0}));

    const std::optional<QList<RoomSummary>> none = roomsFromPayload({{"rooms"_L1, QJsonArray{}}});
    QVERIFY(none.has_value());
    QVERIFY(none->isEmpty());
}

void TestCodec::roomsFromPayloadRejects_data()
{
    QTest::addColumn<QJsonObject>("payload");

    const QJsonObject good = roomSummaryToJson({u"general"_s, u"General"_s, 42, 40});
    auto with = [&good](const char *key, const QJsonValue &value) {
        QJsonObject o = good;
        if (value.isUndefined())
            o.remove(QLatin1StringView(key));
        else
            o.insert(QLatin1StringView(key), value);
        return QJsonObject{{"rooms"_L1, QJsonArray{good, o}}};
    };

    QTest::newRow("no rooms member") << QJsonObject{};
    QTest::newRow("rooms is an object") << QJsonObject{{"rooms"_L1, good}};
    QTest::newRow("rooms is a number") << QJsonObject{{"rooms"_L1, 1}};
    QTest::newRow("item is a string") << QJsonObject{{"rooms"_L1, QJsonArray{u"general"_s}}};
    QTest::newRow("item without room") << with("room", QJsonValue(QJsonValue::Undefined));
    QTest::newRow("item room invalid") << with("room", u"-general"_s);
    QTest::newRow("item without last_seq") << with("last_seq", QJsonValue(QJsonValue::Undefined));
    QTest::newRow("item last_seq string") << with("last_seq", u"42"_s);
    QTest::newRow("item read_seq negative") << with("read_seq", -1);
    QTest::newRow("item title number") << with("title", 1);
}

void TestCodec::roomsFromPayloadRejects()
{
    QFETCH(QJsonObject, payload);
    QVERIFY(!roomsFromPayload(payload).has_value());
}

void TestCodec::membersFromPayloadReadsMembers()
{
    const QJsonArray array{memberToJson({u"alice"_s, true}), memberToJson({u"bob"_s, false})};
    const std::optional<QList<Member>> members =
        membersFromPayload({{"room"_L1, "general"_L1}, {"members"_L1, array}});
    QVERIFY(members.has_value());
    QCOMPARE(members->size(), qsizetype(2));
    QVERIFY(same(members->at(0), Member{u"alice"_s, true}));
    QVERIFY(same(members->at(1), Member{u"bob"_s, false}));

    const std::optional<QList<Member>> none = membersFromPayload({{"members"_L1, QJsonArray{}}});
    QVERIFY(none.has_value());
    QVERIFY(none->isEmpty());
}

void TestCodec::membersFromPayloadRejects_data()
{
    QTest::addColumn<QJsonObject>("payload");

    QTest::newRow("no members member") << QJsonObject{{"room"_L1, "r"_L1}};
    QTest::newRow("members is an object")
        << QJsonObject{{"members"_L1, memberToJson({u"alice"_s, true})}};
    QTest::newRow("item is a string") << QJsonObject{{"members"_L1, QJsonArray{u"alice"_s}}};
    QTest::newRow("item without user")
        << QJsonObject{{"members"_L1, QJsonArray{QJsonObject{{"online"_L1, true}}}}};
    QTest::newRow("item user number") << QJsonObject{
        {"members"_L1, QJsonArray{QJsonObject{{"user"_L1, 1}, {"online"_L1, true}}}}};
    QTest::newRow("item without online")
        << QJsonObject{{"members"_L1, QJsonArray{QJsonObject{{"user"_L1, "alice"_L1}}}}};
    QTest::newRow("item online string") << QJsonObject{
        {"members"_L1, QJsonArray{QJsonObject{{"user"_L1, "alice"_L1}, {"online"_L1, "true"_L1}}}}};
    QTest::newRow("item online number") << QJsonObject{
        {"members"_L1, QJsonArray{QJsonObject{{"user"_L1, "alice"_L1}, {"online"_L1, 1}}}}};
    QTest::newRow("second item bad")
        << QJsonObject{{"members"_L1, QJsonArray{memberToJson({u"alice"_s, true}), QJsonObject{}}}};
}

void TestCodec::membersFromPayloadRejects()
{
    QFETCH(QJsonObject, payload);
    QVERIFY(!membersFromPayload(payload).has_value());
}

void TestCodec::syncReplyThroughServerFrame()
{
    // What a client does with a sync answer: decode the frame, then read its payload.
    const QByteArray wire =
        R"({"type":"ok","re":10,"room":"general","more":true,"messages":[)"
        R"({"room":"general","seq":41,"ts":1735689600041,"from":"alice","cid":"a","body":"one"},)"
        R"({"room":"general","seq":42,"ts":1735689600042,"from":"bob","cid":"b","body":"two"}]})"_ba;
    const DecodedFrame decoded = decodeServerFrame(wire);
    const auto *ok = frameAs<OkReply>(decoded);
    QVERIFY2(ok, qPrintable(describe(decoded)));
    QCOMPARE(ok->re, QJsonValue(10));
    QCOMPARE(ok->payload.value("more"_L1), QJsonValue(true));
    const std::optional<QList<MessageEvent>> messages = messagesFromPayload(ok->payload);
    QVERIFY(messages.has_value());
    QCOMPARE(messages->size(), qsizetype(2));
    QCOMPARE(messages->at(0).seq, 41);
    QCOMPARE(messages->at(0).from, u"alice"_s);
    QCOMPARE(messages->at(1).seq, 42);
    QCOMPARE(messages->at(1).body, u"two"_s);
    QCOMPARE(messages->at(1).ts, qint64(1735689600042));
}

QTEST_APPLESS_MAIN(TestCodec)

#include "tst_codec.moc"
