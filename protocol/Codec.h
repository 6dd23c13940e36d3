// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Frames.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>
#include <variant>

// JSON encoding and decoding of every frame. Decoders validate fully: a frame that decodes is
// one the other side may act on without further checks of types, lengths or patterns.
namespace conversa::protocol {

// --- what the server reads -------------------------------------------------------------
std::variant<Request, DecodeError> decodeRequest(QByteArrayView utf8Json,
                                                 const Limits &limits = {});
QByteArray encodeRequest(const Request &request);

// --- what the client reads --------------------------------------------------------------
std::variant<ServerFrame, DecodeError> decodeServerFrame(QByteArrayView utf8Json);

QByteArray encodeOk(const RequestId &re, const QJsonObject &payload = {});
QByteArray encodeError(const RequestId &re, ErrorCode code, const QString &message);
QByteArray encodeEvent(const MessageEvent &event);
QByteArray encodeEvent(const TypingEvent &event);
QByteArray encodeEvent(const PresenceEvent &event);
QByteArray encodeEvent(const RoomEvent &event);
QByteArray encodeEvent(const RemovedEvent &event);

// Payload members of `ok` replies, shared so both ends spell them alike.
QJsonObject messageToJson(const MessageEvent &message);
QJsonObject roomSummaryToJson(const RoomSummary &room);
QJsonObject memberToJson(const Member &member);
QJsonObject directoryEntryToJson(const DirectoryEntry &entry);
QJsonObject fileRefToJson(const FileRef &file);
// A file of a message: names and types cut to the protocol's limits; nullopt without a valid
// file id.
std::optional<FileRef> fileRefFromJson(const QJsonObject &object);

std::optional<MessageEvent> messageFromJson(const QJsonObject &object);
std::optional<QList<MessageEvent>> messagesFromPayload(const QJsonObject &payload);
// `results` of an `ok` to `search`.
std::optional<QList<MessageEvent>> searchResultsFromPayload(const QJsonObject &payload);
std::optional<QList<RoomSummary>> roomsFromPayload(const QJsonObject &payload);
std::optional<QList<Member>> membersFromPayload(const QJsonObject &payload);
// The `rooms` of a `directory` answer.
std::optional<QList<DirectoryEntry>> directoryFromPayload(const QJsonObject &payload);

// The `type` member each request is sent with.
QLatin1StringView requestType(const Request &request);
// The `id` of a request (null for `typing`).
RequestId requestId(const Request &request);

} // namespace conversa::protocol
