// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLatin1StringView>
#include <QStringView>

#include <optional>

// Constants of wire protocol v1 that both ends must agree on; docs/protocol.md explains each.
namespace conversa::protocol {

inline constexpr QLatin1StringView kSubprotocol{"conversa.v1"};
inline constexpr QLatin1StringView kWebSocketPath{"/ws"};

struct Limits {
    qsizetype maxFrameBytes = 64 * 1024;
    qsizetype maxBodyBytes = 16 * 1024;
    qint64 maxFileBytes = 25 * 1024 * 1024;
    int maxFilesPerMessage = 10;
    int maxHistoryLimit = 200;
    int maxSyncLimit = 500;
    int defaultHistoryLimit = 50;
    int defaultSyncLimit = 500;
    int maxSearchLimit = 50;
    int defaultSearchLimit = 20;
};

inline constexpr int kMaxRoomNameLength = 64;
inline constexpr int kMaxUserNameLength = 32;
inline constexpr int kMaxTitleLength = 128;
inline constexpr int kMaxCidLength = 64;
inline constexpr int kMaxDeviceLength = 64;
inline constexpr int kMaxTokenLength = 128;
inline constexpr int kMaxPasswordBytes = 1024;
inline constexpr int kMaxIdLength = 64;
// A search query: at most this many characters, and at most kMaxSearchWords words.
inline constexpr int kMaxSearchQueryLength = 200;
inline constexpr int kMaxSearchWords = 10;
// Longer words (a pasted key, a long URL's path) are searched and indexed by their beginning.
inline constexpr int kMaxSearchTermLength = 64;
inline constexpr int kMaxDirectoryLimit = 200; // rooms per `directory` answer
// Files: an id is 32 lowercase hex digits (128 random bits); names and types are cut to these.
inline constexpr int kFileIdLength = 32;
inline constexpr int kMaxFileNameLength = 255;
inline constexpr int kMaxFileTypeLength = 100;
// What a client reads of one message's `files`, whatever the server's own limit.
inline constexpr int kMaxFilesInEvent = 100;

enum class ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    TooLarge,
    Internal,
};

QLatin1StringView errorCodeName(ErrorCode code);
std::optional<ErrorCode> errorCodeFromName(QStringView name);

// WebSocket close codes. 1xxx are RFC 6455; 4xxx are Conversa's own.
namespace CloseCode {
inline constexpr quint16 Normal = 1000;
inline constexpr quint16 GoingAway = 1001;       // server shutting down
inline constexpr quint16 UnsupportedData = 1003; // binary frame
inline constexpr quint16 PolicyViolation = 1008; // kept sending malformed frames
inline constexpr quint16 TooLarge = 1009;        // frame or message over the size limit
inline constexpr quint16 TokenRevoked =
    4001; // token revoked or account disabled: ask for the password
inline constexpr quint16 AuthTimeout = 4002; // did not authenticate in time
inline constexpr quint16 IdleTimeout = 4003; // sent nothing for too long
} // namespace CloseCode

} // namespace conversa::protocol
