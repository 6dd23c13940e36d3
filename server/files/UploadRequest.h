// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpRequest.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <variant>

namespace conversa::server::files {

// A refusal as an HTTP status and a sentence for the person behind the client.
struct HttpError {
    int status = 400;
    QByteArray reason;
    QString message;
};

// What the headers of `POST /files` promise: the file's name and type and its length.
struct UploadRequest {
    QString name;
    QString type;
    qint64 size = 0;
};

// Checks the headers of an upload (not the token, not the quotas): a Content-Length (no chunked
// bodies) of at most `maxFileBytes`, a well-formed Content-Type (none: application/octet-stream)
// and X-Filename (percent-encoded UTF-8; none: "file").
std::variant<UploadRequest, HttpError> readUploadRequest(const HttpRequest &request,
                                                         qint64 maxFileBytes);

// The name as shown to people: decoded, without folders, control characters or surrounding
// space, at most protocol::kMaxFileNameLength characters; nullopt when it is not UTF-8.
std::optional<QString> decodeFileName(QByteArrayView percentEncoded);
// "type/subtype" in lower case without parameters; empty when it is not a media type.
QString mediaType(QByteArrayView contentType);
// The token of "Authorization: Bearer TOKEN"; empty when there is none.
QByteArray bearerToken(QByteArrayView authorization);

} // namespace conversa::server::files
