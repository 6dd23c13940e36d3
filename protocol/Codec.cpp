// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Codec.h"

#include "Validation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>
#include <limits>

namespace conversa::protocol {

namespace {

using namespace Qt::StringLiterals;

constexpr double kMaxSafeInteger = 9007199254740991.0; // 2^53 - 1: exact in every JSON parser

QByteArray toCompactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Reads members of one JSON object, remembering the first problem in words.
// What control characters a text member may hold. Requests from clients are strict: their text
// reaches other people's screens, admin terminals and logs. Frames from the server are read
// leniently, so an old stored title cannot make a client drop a whole frame.
enum class Controls { Rejected, LineBreaksAndTabs, Allowed };

class MemberReader
{
public:
    explicit MemberReader(const QJsonObject &object, bool strictControls = false)
        : m_object(object)
        , m_strictControls(strictControls)
    {}

    bool ok() const { return !m_error.has_value(); }
    DecodeError error(const RequestId &id) const
    {
        DecodeError e = *m_error;
        e.id = id;
        return e;
    }
    void fail(ErrorCode code, const QString &message)
    {
        if (!m_error)
            m_error = DecodeError{code, message, {}};
    }

    QString string(QLatin1StringView key, int maxLength, bool required = true,
                   Controls controls = Controls::Rejected)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull()) {
            if (required)
                fail(ErrorCode::BadRequest, u"member '%1' is missing"_s.arg(key));
            return {};
        }
        if (!value.isString()) {
            fail(ErrorCode::BadRequest, u"member '%1' must be a string"_s.arg(key));
            return {};
        }
        QString text = value.toString();
        if (!isWellFormedText(text)) {
            fail(ErrorCode::BadRequest,
                 u"member '%1' is not valid Unicode text (unpaired surrogate or NUL)"_s.arg(key));
            return {};
        }
        if (text.size() > maxLength) {
            fail(ErrorCode::BadRequest,
                 u"member '%1' is longer than %2 characters"_s.arg(key).arg(maxLength));
            return {};
        }
        if (m_strictControls && controls != Controls::Allowed) {
            const char32_t control = firstControlCharacter(
                text, controls == Controls::LineBreaksAndTabs ? AllowLineBreaks::Yes
                                                              : AllowLineBreaks::No);
            if (control != 0) {
                fail(ErrorCode::BadRequest,
                     u"member '%1' contains the control character U+%2; remove it"_s.arg(key).arg(
                         QString::number(control, 16).toUpper().rightJustified(4, u'0')));
                return {};
            }
        }
        return text;
    }

    // Integers are JSON numbers without a fraction, 0 ≤ n ≤ 2^53 - 1.
    qint64 integer(QLatin1StringView key, bool required, qint64 fallback = 0)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull()) {
            if (required)
                fail(ErrorCode::BadRequest, u"member '%1' is missing"_s.arg(key));
            return fallback;
        }
        const double number = value.toDouble(-1.0);
        if (!value.isDouble() || number < 0 || number > kMaxSafeInteger ||
            std::trunc(number) != number) {
            fail(ErrorCode::BadRequest,
                 u"member '%1' must be a whole number of at least 0"_s.arg(key));
            return fallback;
        }
        return static_cast<qint64>(number);
    }

    bool boolean(QLatin1StringView key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isBool()) {
            fail(ErrorCode::BadRequest, u"member '%1' must be true or false"_s.arg(key));
            return false;
        }
        return value.toBool();
    }

    QString roomName(QLatin1StringView key = "room"_L1)
    {
        QString name = string(key, 1024);
        if (ok() && !isValidRoomName(name))
            fail(ErrorCode::BadRequest,
                 u"'%1' is not a valid room name: use 1 to 64 of a-z, 0-9, '_' and '-', "
                 "starting with a letter or digit"_s.arg(name.left(80)));
        return name;
    }

    QString userName(QLatin1StringView key = "user"_L1)
    {
        QString name = string(key, 1024);
        if (ok() && !isValidUserName(name))
            fail(ErrorCode::BadRequest,
                 u"'%1' is not a valid user name: use 1 to 32 of a-z, 0-9, '_', '.' and '-', "
                 "starting with a letter or digit"_s.arg(name.left(80)));
        return name;
    }

    int pageLimit(int fallback, int maximum)
    {
        const qint64 limit = integer("limit"_L1, false, fallback);
        if (ok() && limit < 1)
            fail(ErrorCode::BadRequest, u"member 'limit' must be at least 1"_s);
        return static_cast<int>(qMin<qint64>(limit, maximum));
    }

private:
    const QJsonObject &m_object;
    bool m_strictControls;
    std::optional<DecodeError> m_error;
};

std::optional<RequestId> readRequestId(const QJsonObject &object, DecodeError &error)
{
    const QJsonValue id = object.value("id"_L1);
    if (id.isUndefined() || id.isNull()) {
        error = {ErrorCode::BadRequest, u"member 'id' is missing"_s, {}};
        return std::nullopt;
    }
    if (id.isDouble()) {
        const double n = id.toDouble();
        if (std::trunc(n) == n && std::fabs(n) <= kMaxSafeInteger)
            return id;
    } else if (id.isString() && id.toString().size() <= kMaxIdLength &&
               isWellFormedText(id.toString()) &&
               firstControlCharacter(id.toString(), AllowLineBreaks::No) == 0) {
        return id;
    }
    error = {ErrorCode::BadRequest,
             u"member 'id' must be a whole number or a string of up to 64 characters"_s,
             {}};
    return std::nullopt;
}

// `files` of a send: ids as POST /files hands them out, none twice, within the limit.
QStringList readFileIds(const QJsonObject &object, const Limits &limits, MemberReader &in)
{
    const QJsonValue value = object.value("files"_L1);
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isArray()) {
        in.fail(ErrorCode::BadRequest, u"member 'files' must be a list of file ids"_s);
        return {};
    }
    const QJsonArray array = value.toArray();
    if (array.size() > limits.maxFilesPerMessage) {
        in.fail(ErrorCode::TooLarge,
                u"a message carries at most %1 files, not %2"_s.arg(limits.maxFilesPerMessage)
                    .arg(array.size()));
        return {};
    }
    QStringList ids;
    for (const QJsonValue &item : array) {
        const QString id = item.toString();
        if (!item.isString() || !isValidFileId(id)) {
            in.fail(ErrorCode::BadRequest,
                    u"member 'files' must hold file ids from POST /files (32 characters of "
                    "0-9 and a-f)"_s);
            return {};
        }
        if (ids.contains(id)) {
            in.fail(ErrorCode::BadRequest, u"file %1 is listed twice in 'files'"_s.arg(id));
            return {};
        }
        ids.append(id);
    }
    return ids;
}

std::variant<Request, DecodeError> decodeRequestObject(const QJsonObject &object,
                                                       const QString &type, const Limits &limits)
{
    MemberReader in(object, true);
    if (type == "typing"_L1) {
        TypingRequest typing{in.roomName()};
        if (!in.ok())
            return in.error({});
        return Request{typing};
    }

    DecodeError idError;
    const std::optional<RequestId> maybeId = readRequestId(object, idError);
    if (!maybeId)
        return idError;
    const RequestId &id = *maybeId;

    auto finish = [&](Request &&request) -> std::variant<Request, DecodeError> {
        if (!in.ok())
            return in.error(id);
        return std::move(request);
    };

    if (type == "login"_L1) {
        LoginRequest r{id, in.userName(),
                       in.string("password"_L1, kMaxPasswordBytes, true, Controls::Allowed),
                       in.string("device"_L1, kMaxDeviceLength, false)};
        if (in.ok() && r.password.isEmpty())
            in.fail(ErrorCode::BadRequest, u"member 'password' is empty"_s);
        else if (in.ok() && r.password.toUtf8().size() > kMaxPasswordBytes)
            in.fail(ErrorCode::BadRequest,
                    u"member 'password' is longer than %1 bytes"_s.arg(kMaxPasswordBytes));
        return finish(std::move(r));
    }
    if (type == "auth"_L1) {
        AuthRequest r{id, in.string("token"_L1, kMaxTokenLength)};
        if (in.ok() && r.token.isEmpty())
            in.fail(ErrorCode::BadRequest, u"member 'token' is empty"_s);
        return finish(std::move(r));
    }
    if (type == "logout"_L1)
        return finish(LogoutRequest{id});
    if (type == "rooms"_L1)
        return finish(RoomsRequest{id});
    if (type == "create"_L1) {
        CreateRequest r{id, in.roomName(), in.string("title"_L1, kMaxTitleLength, false)};
        if (object.contains("private"_L1))
            r.isPrivate = in.boolean("private"_L1);
        return finish(std::move(r));
    }
    if (type == "dm"_L1)
        return finish(DmRequest{id, in.userName()});
    if (type == "invite"_L1)
        return finish(InviteRequest{id, in.roomName(), in.userName()});
    if (type == "remove"_L1)
        return finish(RemoveRequest{id, in.roomName(), in.userName()});
    if (type == "rename"_L1) {
        RenameRequest r{id, in.roomName(), in.string("title"_L1, kMaxTitleLength)};
        if (in.ok() && r.title.trimmed().isEmpty())
            in.fail(ErrorCode::BadRequest, u"member 'title' is empty"_s);
        return finish(std::move(r));
    }
    if (type == "directory"_L1) {
        DirectoryRequest r;
        r.id = id;
        r.query = in.string("query"_L1, kMaxTitleLength, false);
        if (object.contains("after"_L1))
            r.after = in.roomName("after"_L1);
        r.limit = in.pageLimit(50, kMaxDirectoryLimit);
        return finish(std::move(r));
    }
    if (type == "join"_L1)
        return finish(JoinRequest{id, in.roomName()});
    if (type == "leave"_L1)
        return finish(LeaveRequest{id, in.roomName()});
    if (type == "members"_L1)
        return finish(MembersRequest{id, in.roomName()});
    const auto readCid = [&in] {
        QString cid = in.string("cid"_L1, kMaxCidLength);
        if (in.ok() && !isValidCid(cid))
            in.fail(ErrorCode::BadRequest,
                    u"member 'cid' must be 1 to 64 printable ASCII characters"_s);
        return cid;
    };
    const auto readBody = [&in, &limits](bool mayBeEmpty = false) {
        // Length is checked in UTF-8 bytes below (too_large), so no character bound here.
        QString body = in.string("body"_L1, std::numeric_limits<int>::max(), !mayBeEmpty,
                                 Controls::LineBreaksAndTabs);
        if (in.ok()) {
            const qsizetype bytes = body.toUtf8().size();
            if (!mayBeEmpty && !hasVisibleText(body))
                in.fail(ErrorCode::BadRequest, u"member 'body' is empty"_s);
            else if (bytes > limits.maxBodyBytes)
                in.fail(ErrorCode::TooLarge,
                        u"message body is %1 bytes; the limit is %2 bytes"_s.arg(bytes).arg(
                            limits.maxBodyBytes));
        }
        return body;
    };
    const auto readTarget = [&in] {
        const qint64 target = in.integer("target"_L1, true);
        if (in.ok() && target < 1)
            in.fail(ErrorCode::BadRequest, u"member 'target' must be a seq of at least 1"_s);
        return target;
    };
    if (type == "send"_L1) {
        SendRequest r;
        r.id = id;
        r.room = in.roomName();
        r.cid = readCid();
        if (in.ok())
            r.files = readFileIds(object, limits, in);
        r.body = readBody(!r.files.isEmpty());
        if (r.body.isNull())
            r.body = QString::fromLatin1(""); // stored as '', never NULL
        r.replyTo = in.integer("reply_to"_L1, false, 0);
        if (in.ok() && object.contains("reply_to"_L1) && r.replyTo < 1)
            in.fail(ErrorCode::BadRequest, u"member 'reply_to' must be a seq of at least 1"_s);
        return finish(std::move(r));
    }
    if (type == "edit"_L1) {
        EditRequest r;
        r.id = id;
        r.room = in.roomName();
        r.target = readTarget();
        r.cid = readCid();
        r.body = readBody();
        return finish(std::move(r));
    }
    if (type == "delete"_L1) {
        DeleteRequest r;
        r.id = id;
        r.room = in.roomName();
        r.target = readTarget();
        r.cid = readCid();
        return finish(std::move(r));
    }
    if (type == "react"_L1) {
        ReactRequest r;
        r.id = id;
        r.room = in.roomName();
        r.target = readTarget();
        r.emoji = in.string("emoji"_L1, 64);
        if (in.ok() && !isSingleEmoji(r.emoji))
            in.fail(ErrorCode::BadRequest,
                    u"member 'emoji' must be one emoji (at most %1 code points, such as 👍 or "
                    "👩🏽‍💻), not '%2'"_s.arg(kMaxEmojiCodePoints)
                        .arg(r.emoji.left(20)));
        r.on = in.boolean("on"_L1);
        return finish(std::move(r));
    }
    if (type == "history"_L1) {
        HistoryRequest r;
        r.id = id;
        r.room = in.roomName();
        r.before = in.integer("before"_L1, false, 0);
        r.limit = in.pageLimit(limits.defaultHistoryLimit, limits.maxHistoryLimit);
        return finish(std::move(r));
    }
    if (type == "sync"_L1) {
        SyncRequest r;
        r.id = id;
        r.room = in.roomName();
        r.after = in.integer("after"_L1, true);
        r.limit = in.pageLimit(limits.defaultSyncLimit, limits.maxSyncLimit);
        return finish(std::move(r));
    }
    if (type == "search"_L1) {
        SearchRequest r;
        r.id = id;
        r.query = in.string("query"_L1, kMaxSearchQueryLength);
        if (in.ok()) {
            const qsizetype words = searchWords(r.query).size();
            if (words == 0)
                in.fail(ErrorCode::BadRequest,
                        u"member 'query' has no words to search for (letters or digits)"_s);
            else if (words > kMaxSearchWords)
                in.fail(ErrorCode::BadRequest,
                        u"member 'query' has %1 words; search for at most %2"_s.arg(words).arg(
                            kMaxSearchWords));
        }
        if (in.ok() && object.contains("room"_L1))
            r.room = in.roomName();
        r.before = in.integer("before"_L1, false, 0);
        if (in.ok() && object.contains("before"_L1) && r.room.isEmpty())
            in.fail(ErrorCode::BadRequest,
                    u"member 'before' needs 'room': a seq only means something in one room"_s);
        else if (in.ok() && object.contains("before"_L1) && r.before < 1)
            in.fail(ErrorCode::BadRequest, u"member 'before' must be a seq of at least 1"_s);
        r.limit = in.pageLimit(limits.defaultSearchLimit, limits.maxSearchLimit);
        return finish(std::move(r));
    }
    if (type == "read"_L1) {
        ReadRequest r;
        r.id = id;
        r.room = in.roomName();
        r.seq = in.integer("seq"_L1, true);
        return finish(std::move(r));
    }
    return DecodeError{ErrorCode::BadRequest, u"unknown frame type '%1'"_s.arg(type.left(40)), id};
}

QJsonObject parseObject(QByteArrayView utf8Json, DecodeError &error)
{
    QJsonParseError parseError;
    // Every incoming frame passes here: parse the caller's bytes in place instead of copying.
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(utf8Json.data(), utf8Json.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        error = {
            ErrorCode::BadRequest,
            u"invalid JSON at offset %1: %2"_s.arg(parseError.offset).arg(parseError.errorString()),
            {}};
        return {};
    }
    if (!doc.isObject()) {
        error = {ErrorCode::BadRequest, u"a frame must be a JSON object"_s, {}};
        return {};
    }
    return doc.object();
}

} // namespace

std::variant<Request, DecodeError> decodeRequest(QByteArrayView utf8Json, const Limits &limits)
{
    DecodeError error;
    const QJsonObject object = parseObject(utf8Json, error);
    if (!error.message.isEmpty())
        return error;
    const QJsonValue type = object.value("type"_L1);
    if (!type.isString()) {
        DecodeError missingType{ErrorCode::BadRequest, u"member 'type' must be a string"_s, {}};
        DecodeError ignored;
        if (auto id = readRequestId(object, ignored))
            missingType.id = *id;
        return missingType;
    }
    return decodeRequestObject(object, type.toString(), limits);
}

QLatin1StringView requestType(const Request &request)
{
    struct Visitor {
        QLatin1StringView operator()(const LoginRequest &) const { return "login"_L1; }
        QLatin1StringView operator()(const AuthRequest &) const { return "auth"_L1; }
        QLatin1StringView operator()(const LogoutRequest &) const { return "logout"_L1; }
        QLatin1StringView operator()(const RoomsRequest &) const { return "rooms"_L1; }
        QLatin1StringView operator()(const CreateRequest &) const { return "create"_L1; }
        QLatin1StringView operator()(const JoinRequest &) const { return "join"_L1; }
        QLatin1StringView operator()(const LeaveRequest &) const { return "leave"_L1; }
        QLatin1StringView operator()(const MembersRequest &) const { return "members"_L1; }
        QLatin1StringView operator()(const SendRequest &) const { return "send"_L1; }
        QLatin1StringView operator()(const HistoryRequest &) const { return "history"_L1; }
        QLatin1StringView operator()(const SyncRequest &) const { return "sync"_L1; }
        QLatin1StringView operator()(const ReadRequest &) const { return "read"_L1; }
        QLatin1StringView operator()(const TypingRequest &) const { return "typing"_L1; }
        QLatin1StringView operator()(const EditRequest &) const { return "edit"_L1; }
        QLatin1StringView operator()(const DeleteRequest &) const { return "delete"_L1; }
        QLatin1StringView operator()(const ReactRequest &) const { return "react"_L1; }
        QLatin1StringView operator()(const SearchRequest &) const { return "search"_L1; }
        QLatin1StringView operator()(const DmRequest &) const { return "dm"_L1; }
        QLatin1StringView operator()(const InviteRequest &) const { return "invite"_L1; }
        QLatin1StringView operator()(const DirectoryRequest &) const { return "directory"_L1; }
        QLatin1StringView operator()(const RenameRequest &) const { return "rename"_L1; }
        QLatin1StringView operator()(const RemoveRequest &) const { return "remove"_L1; }
    };
    return std::visit(Visitor{}, request);
}

RequestId requestId(const Request &request)
{
    return std::visit(
        [](const auto &r) -> RequestId {
            if constexpr (requires { r.id; })
                return r.id;
            else
                return {};
        },
        request);
}

QByteArray encodeRequest(const Request &request)
{
    QJsonObject o{{"type"_L1, requestType(request)}};
    std::visit(
        [&o](const auto &r) {
            using T = std::decay_t<decltype(r)>;
            if constexpr (requires { r.id; })
                o.insert("id"_L1, r.id);
            if constexpr (requires { r.room; }) {
                if (!std::is_same_v<T, SearchRequest> || !r.room.isEmpty())
                    o.insert("room"_L1, r.room);
            }
            if constexpr (std::is_same_v<T, LoginRequest>) {
                o.insert("user"_L1, r.user);
                o.insert("password"_L1, r.password);
                o.insert("device"_L1, r.device);
            } else if constexpr (std::is_same_v<T, AuthRequest>) {
                o.insert("token"_L1, r.token);
            } else if constexpr (std::is_same_v<T, CreateRequest>) {
                if (!r.title.isEmpty())
                    o.insert("title"_L1, r.title);
                if (r.isPrivate)
                    o.insert("private"_L1, true);
            } else if constexpr (std::is_same_v<T, DmRequest> || std::is_same_v<T, InviteRequest> ||
                                 std::is_same_v<T, RemoveRequest>) {
                o.insert("user"_L1, r.user);
            } else if constexpr (std::is_same_v<T, RenameRequest>) {
                o.insert("title"_L1, r.title);
            } else if constexpr (std::is_same_v<T, DirectoryRequest>) {
                if (!r.query.isEmpty())
                    o.insert("query"_L1, r.query);
                if (!r.after.isEmpty())
                    o.insert("after"_L1, r.after);
                o.insert("limit"_L1, r.limit);
            } else if constexpr (std::is_same_v<T, SendRequest>) {
                o.insert("cid"_L1, r.cid);
                o.insert("body"_L1, r.body);
                if (r.replyTo > 0)
                    o.insert("reply_to"_L1, r.replyTo);
                if (!r.files.isEmpty())
                    o.insert("files"_L1, QJsonArray::fromStringList(r.files));
            } else if constexpr (std::is_same_v<T, EditRequest>) {
                o.insert("target"_L1, r.target);
                o.insert("cid"_L1, r.cid);
                o.insert("body"_L1, r.body);
            } else if constexpr (std::is_same_v<T, ReactRequest>) {
                o.insert("target"_L1, r.target);
                o.insert("emoji"_L1, r.emoji);
                o.insert("on"_L1, r.on);
            } else if constexpr (std::is_same_v<T, DeleteRequest>) {
                o.insert("target"_L1, r.target);
                o.insert("cid"_L1, r.cid);
            } else if constexpr (std::is_same_v<T, HistoryRequest>) {
                if (r.before > 0)
                    o.insert("before"_L1, r.before);
                o.insert("limit"_L1, r.limit);
            } else if constexpr (std::is_same_v<T, SyncRequest>) {
                o.insert("after"_L1, r.after);
                o.insert("limit"_L1, r.limit);
            } else if constexpr (std::is_same_v<T, ReadRequest>) {
                o.insert("seq"_L1, r.seq);
            } else if constexpr (std::is_same_v<T, SearchRequest>) {
                o.insert("query"_L1, r.query);
                if (r.before > 0)
                    o.insert("before"_L1, r.before);
                o.insert("limit"_L1, r.limit);
            }
        },
        request);
    return toCompactJson(o);
}

QJsonObject messageToJson(const MessageEvent &m)
{
    QJsonObject o{{"room"_L1, m.room}, {"seq"_L1, m.seq}, {"ts"_L1, m.ts},
                  {"from"_L1, m.from}, {"cid"_L1, m.cid}, {"body"_L1, m.body}};
    if (m.replyTo > 0)
        o.insert("reply_to"_L1, m.replyTo);
    if (!m.kind.isEmpty()) {
        o.insert("kind"_L1, m.kind);
        o.insert("target"_L1, m.target);
    }
    if (m.edited > 0)
        o.insert("edited"_L1, m.edited);
    if (m.deleted)
        o.insert("deleted"_L1, true);
    if (m.kind == "reaction"_L1) {
        o.insert("emoji"_L1, m.emoji);
        o.insert("on"_L1, m.on);
    }
    if (!m.reactions.isEmpty()) {
        QJsonArray reactions;
        for (const Reaction &r : m.reactions)
            reactions.append(QJsonObject{{"emoji"_L1, r.emoji},
                                         {"users"_L1, QJsonArray::fromStringList(r.users)}});
        o.insert("reactions"_L1, reactions);
    }
    if (!m.files.isEmpty()) {
        QJsonArray files;
        for (const FileRef &f : m.files)
            files.append(fileRefToJson(f));
        o.insert("files"_L1, files);
    }
    return o;
}

QJsonObject fileRefToJson(const FileRef &f)
{
    QJsonObject o{
        {"file"_L1, f.file}, {"name"_L1, f.name}, {"type"_L1, f.type}, {"size"_L1, f.size}};
    if (f.width > 0 && f.height > 0) {
        o.insert("width"_L1, f.width);
        o.insert("height"_L1, f.height);
    }
    return o;
}

std::optional<FileRef> fileRefFromJson(const QJsonObject &f)
{
    FileRef ref{f.value("file"_L1).toString(),
                f.value("name"_L1).toString().left(kMaxFileNameLength),
                f.value("type"_L1).toString().left(kMaxFileTypeLength),
                qMax<qint64>(0, f.value("size"_L1).toInteger()),
                qMax(0, f.value("width"_L1).toInt()),
                qMax(0, f.value("height"_L1).toInt())};
    if (!isValidFileId(ref.file))
        return std::nullopt;
    return ref;
}

QJsonObject roomSummaryToJson(const RoomSummary &r)
{
    QJsonObject o{{"room"_L1, r.room},
                  {"title"_L1, r.title},
                  {"last_seq"_L1, r.lastSeq},
                  {"read_seq"_L1, r.readSeq}};
    if (!r.owner.isEmpty())
        o.insert("owner"_L1, r.owner);
    if (!r.kind.isEmpty())
        o.insert("kind"_L1, r.kind);
    if (!r.peer.isEmpty())
        o.insert("peer"_L1, r.peer);
    o.insert("unread"_L1, r.unread);
    o.insert("mentions"_L1, r.mentions);
    return o;
}

QJsonObject directoryEntryToJson(const DirectoryEntry &e)
{
    return QJsonObject{{"room"_L1, e.room}, {"title"_L1, e.title}, {"members"_L1, e.members}};
}

QJsonObject memberToJson(const Member &m)
{
    return QJsonObject{{"user"_L1, m.user}, {"online"_L1, m.online}};
}

QByteArray encodeOk(const RequestId &re, const QJsonObject &payload)
{
    QJsonObject o = payload;
    o.insert("type"_L1, "ok"_L1);
    o.insert("re"_L1, re);
    return toCompactJson(o);
}

QByteArray encodeError(const RequestId &re, ErrorCode code, const QString &message)
{
    return toCompactJson(QJsonObject{{"type"_L1, "error"_L1},
                                     {"re"_L1, re},
                                     {"code"_L1, errorCodeName(code)},
                                     {"message"_L1, message}});
}

QByteArray encodeEvent(const MessageEvent &event)
{
    QJsonObject o = messageToJson(event);
    o.insert("type"_L1, "message"_L1);
    return toCompactJson(o);
}

QByteArray encodeEvent(const TypingEvent &event)
{
    return toCompactJson(
        QJsonObject{{"type"_L1, "typing"_L1}, {"room"_L1, event.room}, {"user"_L1, event.user}});
}

QByteArray encodeEvent(const PresenceEvent &event)
{
    return toCompactJson(QJsonObject{
        {"type"_L1, "presence"_L1}, {"user"_L1, event.user}, {"online"_L1, event.online}});
}

QByteArray encodeEvent(const RoomEvent &event)
{
    QJsonObject o{{"type"_L1, "room"_L1},
                  {"room"_L1, event.room},
                  {"title"_L1, event.title},
                  {"kind"_L1, event.kind}};
    if (!event.peer.isEmpty())
        o.insert("peer"_L1, event.peer);
    return toCompactJson(o);
}

QByteArray encodeEvent(const RemovedEvent &event)
{
    return toCompactJson(
        QJsonObject{{"type"_L1, "removed"_L1}, {"room"_L1, event.room}, {"by"_L1, event.by}});
}

std::optional<MessageEvent> messageFromJson(const QJsonObject &object)
{
    MemberReader in(object);
    MessageEvent m;
    m.room = in.roomName();
    m.seq = in.integer("seq"_L1, true);
    m.ts = in.integer("ts"_L1, true);
    m.from = in.string("from"_L1, kMaxUserNameLength);
    m.cid = in.string("cid"_L1, kMaxCidLength);
    m.body = in.string("body"_L1, 1 << 20);
    m.replyTo = in.integer("reply_to"_L1, false, 0);
    // Entries of kinds this client does not know still decode (it ignores them by `kind`).
    m.kind = in.string("kind"_L1, 64, false);
    m.target = in.integer("target"_L1, false, 0);
    m.edited = in.integer("edited"_L1, false, 0);
    m.deleted = object.value("deleted"_L1).toBool(false);
    m.emoji = in.string("emoji"_L1, 64, false);
    m.on = object.value("on"_L1).toBool(false);
    for (const QJsonValue &item : object.value("reactions"_L1).toArray()) {
        const QJsonObject reaction = item.toObject();
        QStringList users;
        for (const QJsonValue &user : reaction.value("users"_L1).toArray())
            users.append(user.toString());
        m.reactions.append({reaction.value("emoji"_L1).toString(), users});
    }
    const QJsonArray files = object.value("files"_L1).toArray();
    for (qsizetype i = 0; i < files.size() && i < kMaxFilesInEvent; ++i) {
        if (auto ref = fileRefFromJson(files.at(i).toObject()))
            m.files.append(std::move(*ref));
    }
    if (!in.ok())
        return std::nullopt;
    return m;
}

namespace {
std::optional<QList<MessageEvent>> messageListFrom(const QJsonValue &value)
{
    if (!value.isArray())
        return std::nullopt;
    QList<MessageEvent> messages;
    const QJsonArray array = value.toArray();
    messages.reserve(array.size());
    for (const QJsonValue &item : array) {
        auto message = messageFromJson(item.toObject());
        if (!message)
            return std::nullopt;
        messages.append(std::move(*message));
    }
    return messages;
}
} // namespace

std::optional<QList<MessageEvent>> messagesFromPayload(const QJsonObject &payload)
{
    return messageListFrom(payload.value("messages"_L1));
}

std::optional<QList<MessageEvent>> searchResultsFromPayload(const QJsonObject &payload)
{
    return messageListFrom(payload.value("results"_L1));
}

std::optional<QList<RoomSummary>> roomsFromPayload(const QJsonObject &payload)
{
    const QJsonValue value = payload.value("rooms"_L1);
    if (!value.isArray())
        return std::nullopt;
    QList<RoomSummary> rooms;
    for (const QJsonValue &item : value.toArray()) {
        const QJsonObject object = item.toObject();
        MemberReader in(object);
        RoomSummary r{in.roomName(), in.string("title"_L1, kMaxTitleLength, false),
                      in.integer("last_seq"_L1, true), in.integer("read_seq"_L1, false),
                      in.string("owner"_L1, kMaxUserNameLength, false)};
        r.kind = in.string("kind"_L1, 16, false);
        r.peer = in.string("peer"_L1, kMaxUserNameLength, false);
        r.unread = in.integer("unread"_L1, false);
        r.mentions = in.integer("mentions"_L1, false);
        if (!in.ok())
            return std::nullopt;
        rooms.append(std::move(r));
    }
    return rooms;
}

std::optional<QList<Member>> membersFromPayload(const QJsonObject &payload)
{
    const QJsonValue value = payload.value("members"_L1);
    if (!value.isArray())
        return std::nullopt;
    QList<Member> members;
    for (const QJsonValue &item : value.toArray()) {
        const QJsonObject object = item.toObject();
        MemberReader in(object);
        Member m{in.string("user"_L1, kMaxUserNameLength), in.boolean("online"_L1)};
        if (!in.ok())
            return std::nullopt;
        members.append(std::move(m));
    }
    return members;
}

std::optional<QList<DirectoryEntry>> directoryFromPayload(const QJsonObject &payload)
{
    const QJsonValue value = payload.value("rooms"_L1);
    if (!value.isArray())
        return std::nullopt;
    QList<DirectoryEntry> entries;
    for (const QJsonValue &item : value.toArray()) {
        const QJsonObject object = item.toObject();
        MemberReader in(object);
        DirectoryEntry e{in.roomName(), in.string("title"_L1, kMaxTitleLength, false),
                         in.integer("members"_L1, false)};
        if (!in.ok())
            return std::nullopt;
        entries.append(std::move(e));
    }
    return entries;
}

std::variant<ServerFrame, DecodeError> decodeServerFrame(QByteArrayView utf8Json)
{
    DecodeError error;
    const QJsonObject object = parseObject(utf8Json, error);
    if (!error.message.isEmpty())
        return error;
    const QString type = object.value("type"_L1).toString();
    MemberReader in(object);
    if (type == "ok"_L1) {
        OkReply ok{object.value("re"_L1), object};
        ok.payload.remove("type"_L1);
        ok.payload.remove("re"_L1);
        return ServerFrame{std::move(ok)};
    }
    if (type == "error"_L1) {
        ErrorReply e;
        e.re = object.value("re"_L1);
        e.codeName = in.string("code"_L1, 64);
        e.message = in.string("message"_L1, 4096, false);
        e.code = errorCodeFromName(e.codeName).value_or(ErrorCode::Internal);
        if (!in.ok())
            return in.error({});
        return ServerFrame{std::move(e)};
    }
    if (type == "message"_L1) {
        auto message = messageFromJson(object);
        if (!message)
            return DecodeError{ErrorCode::BadRequest, u"malformed message event"_s, {}};
        return ServerFrame{std::move(*message)};
    }
    if (type == "typing"_L1) {
        TypingEvent t{in.roomName(), in.string("user"_L1, kMaxUserNameLength)};
        if (!in.ok())
            return in.error({});
        return ServerFrame{std::move(t)};
    }
    if (type == "presence"_L1) {
        PresenceEvent p{in.string("user"_L1, kMaxUserNameLength), in.boolean("online"_L1)};
        if (!in.ok())
            return in.error({});
        return ServerFrame{std::move(p)};
    }
    if (type == "room"_L1) {
        RoomEvent r{in.roomName(), in.string("title"_L1, kMaxTitleLength, false),
                    in.string("kind"_L1, 16, false),
                    in.string("peer"_L1, kMaxUserNameLength, false)};
        if (!in.ok())
            return in.error({});
        return ServerFrame{std::move(r)};
    }
    if (type == "removed"_L1) {
        RemovedEvent r{in.roomName(), in.string("by"_L1, kMaxUserNameLength, false)};
        if (!in.ok())
            return in.error({});
        return ServerFrame{std::move(r)};
    }
    return DecodeError{ErrorCode::BadRequest, u"unknown frame type '%1'"_s.arg(type.left(40)), {}};
}

} // namespace conversa::protocol
