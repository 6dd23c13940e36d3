// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Unit tests for Codec.h / Codec.cpp: JSON encoding and decoding of every frame of protocol v1,
// the rejection of malformed frames with the right error code, and the payload helpers.

#include "Codec.h"
#include "ProtocolCases.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace conversa::protocol;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(conversa::protocol::Request)
Q_DECLARE_METATYPE(conversa::protocol::ServerFrame)
Q_DECLARE_METATYPE(conversa::protocol::ErrorCode)
Q_DECLARE_METATYPE(conversa::test::ProtocolCase)

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
    return a.id == b.id && a.room == b.room && a.title == b.title && a.isPrivate == b.isPrivate;
}
bool same(const DmRequest &a, const DmRequest &b)
{
    return a.id == b.id && a.user == b.user;
}
bool same(const InviteRequest &a, const InviteRequest &b)
{
    return a.id == b.id && a.room == b.room && a.user == b.user;
}
bool same(const DirectoryRequest &a, const DirectoryRequest &b)
{
    return a.id == b.id && a.query == b.query && a.after == b.after && a.limit == b.limit;
}
bool same(const RenameRequest &a, const RenameRequest &b)
{
    return a.id == b.id && a.room == b.room && a.title == b.title;
}
bool same(const RemoveRequest &a, const RemoveRequest &b)
{
    return a.id == b.id && a.room == b.room && a.user == b.user;
}
bool same(const RoomEvent &a, const RoomEvent &b)
{
    return a.room == b.room && a.title == b.title && a.kind == b.kind && a.peer == b.peer;
}
bool same(const RemovedEvent &a, const RemovedEvent &b)
{
    return a.room == b.room && a.by == b.by;
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
    return a.id == b.id && a.room == b.room && a.cid == b.cid && a.body == b.body &&
           a.replyTo == b.replyTo;
}
bool same(const EditRequest &a, const EditRequest &b)
{
    return a.id == b.id && a.room == b.room && a.target == b.target && a.cid == b.cid &&
           a.body == b.body;
}
bool same(const ReactRequest &a, const ReactRequest &b)
{
    return a.id == b.id && a.room == b.room && a.target == b.target && a.emoji == b.emoji &&
           a.on == b.on;
}
bool same(const SearchRequest &a, const SearchRequest &b)
{
    return a.id == b.id && a.query == b.query && a.room == b.room && a.before == b.before &&
           a.limit == b.limit;
}
bool same(const DeleteRequest &a, const DeleteRequest &b)
{
    return a.id == b.id && a.room == b.room && a.target == b.target && a.cid == b.cid;
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

MessageEvent sampleMessage(qint64 seq, const QString &body)
{
    return MessageEvent{u"general"_s,         seq, 1735689600000 + seq, u"alice"_s,
                        u"cid-%1"_s.arg(seq), body};
}

// Numbers compare by value: `1e3` in a case's text reads as the double 1000.
bool sameId(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble();
    return a == b;
}

void addCaseRows(conversa::test::CaseFile file, bool valid)
{
    QTest::addColumn<conversa::test::ProtocolCase>("testCase");
    QString error;
    const auto cases = conversa::test::loadProtocolCases(file, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!cases.isEmpty());
    for (const conversa::test::ProtocolCase &c : cases) {
        if (c.valid == valid)
            QTest::newRow(qPrintable(c.name)) << c;
    }
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
    void decodesValidServerFrames_data();
    void decodesValidServerFrames();

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
    // Every valid request of tests/protocol/cases/requests.json (edges included).
    addCaseRows(conversa::test::CaseFile::Requests, true);
}

void TestCodec::decodesEveryRequestType()
{
    QFETCH(conversa::test::ProtocolCase, testCase);

    const DecodedRequest decoded = decodeRequest(testCase.bytes);
    const auto *request = std::get_if<Request>(&decoded);
    QVERIFY2(request, qPrintable(describe(decoded)));
    const QJsonObject frame = parseObject(testCase.bytes);
    QCOMPARE(QString(requestType(*request)), frame.value("type"_L1).toString());
    const QJsonValue id = frame.contains("id"_L1) ? frame.value("id"_L1) : QJsonValue();
    QVERIFY2(sameId(requestId(*request), id), qPrintable(describe(decoded)));
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
    QTest::newRow("create private") << Request{CreateRequest{5, u"ops"_s, u"Ops"_s, true}};
    QTest::newRow("dm") << Request{DmRequest{20, u"bob"_s}};
    QTest::newRow("invite") << Request{InviteRequest{21, u"ops"_s, u"bob"_s}};
    QTest::newRow("directory") << Request{DirectoryRequest{22, u"dev"_s, u"design"_s, 20}};
    QTest::newRow("directory, all") << Request{DirectoryRequest{22, {}, {}, 200}};
    QTest::newRow("rename") << Request{RenameRequest{24, u"ops"_s, u"Operations"_s}};
    QTest::newRow("remove") << Request{RemoveRequest{25, u"ops"_s, u"carol"_s}};
    QTest::newRow("join") << Request{JoinRequest{6, u"general"_s}};
    QTest::newRow("leave") << Request{LeaveRequest{6, u"general"_s}};
    QTest::newRow("members") << Request{MembersRequest{7, u"general"_s}};
    QTest::newRow("send") << Request{SendRequest{8, u"general"_s, u"uuid-1"_s, u"hi"_s}};
    QTest::newRow("send a reply") << Request{
        SendRequest{8, u"general"_s, u"uuid-r"_s, u"yes"_s, 41}};
    QTest::newRow("edit") << Request{EditRequest{14, u"general"_s, 41, u"e-1"_s, u"fixed"_s}};
    QTest::newRow("delete") << Request{DeleteRequest{15, u"general"_s, 41, u"d-1"_s}};
    QTest::newRow("react") << Request{ReactRequest{16, u"general"_s, 41, u"👍"_s, false}};
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
    QTest::newRow("search everywhere") << Request{SearchRequest{17, u"Não, deploy!"_s, {}, 0, 20}};
    QTest::newRow("search one room, older")
        << Request{SearchRequest{17, u"plan"_s, u"general"_s, 900, 50}};
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
    addCaseRows(conversa::test::CaseFile::Requests, false);
}

void TestCodec::rejectsMalformedRequests()
{
    QFETCH(conversa::test::ProtocolCase, testCase);

    const DecodedRequest decoded = decodeRequest(testCase.bytes);
    const auto *error = std::get_if<DecodeError>(&decoded);
    QVERIFY2(error, qPrintable(u"accepted as "_s + describe(decoded)));
    QCOMPARE(QString(errorCodeName(error->code)), testCase.code);
    QCOMPARE(error->id, testCase.re);
    QVERIFY2(!error->message.isEmpty(), "a decode error must explain itself");
}

// --- requests: edges that must be accepted ----------------------------------------------

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
    QTest::newRow("room") << ServerFrame{RoomEvent{u"ops"_s, u"Ops"_s, u"private"_s}};
    QTest::newRow("room, dm") << ServerFrame{
        RoomEvent{u"dm-0123456789abcdef01234567"_s, u"alice"_s, u"dm"_s, u"alice"_s}};
    QTest::newRow("removed") << ServerFrame{RemovedEvent{u"ops"_s, u"alice"_s}};
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
             (QStringList{u"last_seq"_s, u"mentions"_s, u"read_seq"_s, u"room"_s, u"title"_s,
                          u"unread"_s}));
    RoomSummary dm{u"dm-1"_s, u"bob"_s, 2, 1};
    dm.kind = u"dm"_s;
    dm.peer = u"bob"_s;
    QCOMPARE(sortedKeys(toJson(roomSummaryToJson(dm))),
             (QStringList{u"kind"_s, u"last_seq"_s, u"mentions"_s, u"peer"_s, u"read_seq"_s,
                          u"room"_s, u"title"_s, u"unread"_s}));
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
    addCaseRows(conversa::test::CaseFile::ServerFrames, false);
}

void TestCodec::rejectsMalformedServerFrames()
{
    QFETCH(conversa::test::ProtocolCase, testCase);

    const DecodedFrame decoded = decodeServerFrame(testCase.bytes);
    const auto *error = std::get_if<DecodeError>(&decoded);
    QVERIFY2(error, qPrintable(u"accepted as "_s + describe(decoded)));
    QCOMPARE(QString(errorCodeName(error->code)), testCase.code);
    QVERIFY(!error->message.isEmpty());
}

void TestCodec::decodesValidServerFrames_data()
{
    addCaseRows(conversa::test::CaseFile::ServerFrames, true);
}

void TestCodec::decodesValidServerFrames()
{
    QFETCH(conversa::test::ProtocolCase, testCase);

    if (testCase.messageObject) {
        QVERIFY2(messageFromJson(parseObject(testCase.bytes)), testCase.bytes.constData());
        return;
    }
    const DecodedFrame decoded = decodeServerFrame(testCase.bytes);
    const auto *frame = std::get_if<ServerFrame>(&decoded);
    QVERIFY2(frame, qPrintable(describe(decoded)));
    // Re-encoded, the frame says the same (members in any order).
    QCOMPARE(parseObject(encodeFrame(*frame)), parseObject(testCase.bytes));
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
