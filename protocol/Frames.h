// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Protocol.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <variant>

// One struct per frame of wire protocol v1. Member names follow the JSON members.
namespace conversa::protocol {

// `id` is chosen by the client (an integer or a short string) and echoed back as `re`.
using RequestId = QJsonValue;

struct LoginRequest {
    RequestId id;
    QString user;
    QString password;
    QString device;
};
struct AuthRequest {
    RequestId id;
    QString token;
};
struct LogoutRequest {
    RequestId id;
};
struct RoomsRequest {
    RequestId id;
};
struct CreateRequest {
    RequestId id;
    QString room;
    QString title;
    bool isPrivate = false; // `private`: only members see it, and only invites add them
};
struct JoinRequest {
    RequestId id;
    QString room;
};
struct LeaveRequest {
    RequestId id;
    QString room;
};
struct MembersRequest {
    RequestId id;
    QString room;
};
struct SendRequest {
    RequestId id;
    QString room;
    QString cid;
    QString body;
    qint64 replyTo = 0; // `reply_to`: a seq of the same room; 0 when the message replies to none
    // `files`: ids from `POST /files` (at most Limits::maxFilesPerMessage, no repeats); with
    // files the body (a caption) may be empty.
    QStringList files{};
};
// Replaces the text of one of the caller's own messages (`target`, a seq of the same room).
struct EditRequest {
    RequestId id;
    QString room;
    qint64 target = 0;
    QString cid;
    QString body;
};
// Deletes a message (the author's own, or any in a room the caller owns).
struct DeleteRequest {
    RequestId id;
    QString room;
    qint64 target = 0;
    QString cid;
};
// Adds (`on`) or takes back the caller's reaction `emoji` to message `target`.
struct ReactRequest {
    RequestId id;
    QString room;
    qint64 target = 0;
    QString emoji;
    bool on = true;
};
// `before` 0 means "from the newest message".
struct HistoryRequest {
    RequestId id;
    QString room;
    qint64 before = 0;
    int limit = 50;
};
struct SyncRequest {
    RequestId id;
    QString room;
    qint64 after = 0;
    int limit = 500;
};
// Full-text search of the caller's rooms: every word of `query` must match (case-insensitive).
// `room` narrows it to one room, `before` (a seq, only with `room`) to older messages; 0 means
// "from the newest".
struct SearchRequest {
    RequestId id;
    QString query;
    QString room{};
    qint64 before = 0;
    int limit = 20;
};
struct ReadRequest {
    RequestId id;
    QString room;
    qint64 seq = 0;
};
// Fire and forget: no id, no reply.
struct TypingRequest {
    QString room;
};
// Opens the caller's direct-message room with `user` (the same room each time for the pair).
struct DmRequest {
    RequestId id;
    QString user;
};
// Adds `user` to `room` (a member of a private room may; anyone for a public one).
struct InviteRequest {
    RequestId id;
    QString room;
    QString user;
};
// Public rooms whose name or title contains `query` (all without one), by name, after `after`.
struct DirectoryRequest {
    RequestId id;
    QString query;
    QString after;
    int limit = 50;
};
// The room's owner changes its title.
struct RenameRequest {
    RequestId id;
    QString room;
    QString title;
};
// The room's owner takes `user` out of the room.
struct RemoveRequest {
    RequestId id;
    QString room;
    QString user;
};

using Request = std::variant<LoginRequest, AuthRequest, LogoutRequest, RoomsRequest, CreateRequest,
                             JoinRequest, LeaveRequest, MembersRequest, SendRequest, HistoryRequest,
                             SyncRequest, ReadRequest, TypingRequest, EditRequest, DeleteRequest,
                             ReactRequest, SearchRequest, DmRequest, InviteRequest,
                             DirectoryRequest, RenameRequest, RemoveRequest>;

struct RoomSummary {
    QString room;
    QString title;
    qint64 lastSeq = 0;
    qint64 readSeq = 0;
    QString owner{}; // who created the room; empty for rooms made with `room create`
    QString kind{};  // "public", "private" or "dm" (empty from servers before these)
    QString peer{};  // a dm: the other person
    // Plain messages from others after `read_seq`, and those of them that mention the caller.
    qint64 unread = 0;
    qint64 mentions = 0;
};

// One public room of `directory`.
struct DirectoryEntry {
    QString room;
    QString title;
    qint64 members = 0;
};

struct Member {
    QString user;
    bool online = false;
};

// A file a message carries (`files` of a message): `width` and `height` only for images.
struct FileRef {
    QString file; // the id for GET /files/<id>
    QString name;
    QString type;
    qint64 size = 0;
    int width = 0;
    int height = 0;
    bool operator==(const FileRef &) const = default;
};

// Who reacted to a message with one emoji (`reactions` of a plain message).
struct Reaction {
    QString emoji;
    QStringList users;
};

struct MessageEvent {
    QString room;
    qint64 seq = 0;
    qint64 ts = 0; // ms since the Unix epoch, server time
    QString from;
    QString cid;
    QString body;
    qint64 replyTo = 0; // `reply_to`, 0 when absent
    // A log entry's `kind`: empty for a plain message, "edit", "delete" (a client ignores kinds
    // it does not know). `target` is the seq an edit or delete is about.
    QString kind{};
    qint64 target = 0;
    // A plain message's current state in `history` and `sync`: `edited` is the ts of its last
    // edit (0: never), `deleted` that it was deleted (its body is then empty).
    qint64 edited = 0;
    bool deleted = false;
    // A plain message's reactions (history, sync), in the order they were first given.
    QList<Reaction> reactions{};
    // A "reaction" entry: `emoji` given (`on`) or taken back by `from`.
    QString emoji{};
    bool on = false;
    // The files a plain message carries, in the order sent (none once it is deleted).
    QList<FileRef> files{};
};
struct TypingEvent {
    QString room;
    QString user;
};
struct PresenceEvent {
    QString user;
    bool online = false;
};
// The user was added to a room (a dm, an invite), or a room of theirs was renamed.
struct RoomEvent {
    QString room;
    QString title;
    QString kind;
    QString peer{}; // a dm: the other person
};
// The room's owner (`by`) took the user out of `room`.
struct RemovedEvent {
    QString room;
    QString by;
};

// `payload` holds the members that answer the request (`token`, `rooms`, `seq`, ...).
struct OkReply {
    RequestId re;
    QJsonObject payload;
};
struct ErrorReply {
    RequestId re;
    ErrorCode code = ErrorCode::Internal;
    QString codeName; // as received, so a newer server's code is not lost
    QString message;
};

using ServerFrame = std::variant<OkReply, ErrorReply, MessageEvent, TypingEvent, PresenceEvent,
                                 RoomEvent, RemovedEvent>;

// Why a frame could not be decoded. `id` is the request's id when it could be read,
// so the error reply can still name the request it answers.
struct DecodeError {
    ErrorCode code = ErrorCode::BadRequest;
    QString message;
    RequestId id;
};

} // namespace conversa::protocol
