// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "files/UploadRequest.h"

#include "Protocol.h"
#include "Validation.h"

#include <QStringDecoder>

namespace conversa::server::files {

using namespace Qt::StringLiterals;

namespace {
bool isTokenCharacter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           QByteArrayView("!#$&^_.+-").contains(c);
}
} // namespace

std::optional<QString> decodeFileName(QByteArrayView percentEncoded)
{
    const QByteArray bytes = QByteArray::fromPercentEncoding(percentEncoded.toByteArray());
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString name = utf8.decode(bytes);
    if (utf8.hasError() || !protocol::isWellFormedText(name))
        return std::nullopt;
    // Only the last part of a path: a name never says where to put the file.
    name = name.mid(qMax(name.lastIndexOf(u'/'), name.lastIndexOf(u'\\')) + 1);
    QString clean;
    clean.reserve(name.size());
    for (QChar c : std::as_const(name)) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0) || u == 0x2028 || u == 0x2029 ||
            (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069))
            continue; // controls and bidirectional overrides (a name that reads backwards)
        clean.append(c);
    }
    clean = clean.trimmed();
    if (clean.size() > protocol::kMaxFileNameLength) {
        qsizetype cut = protocol::kMaxFileNameLength;
        if (clean.at(cut - 1).isHighSurrogate())
            --cut;
        clean.truncate(cut);
    }
    if (clean.isEmpty() || clean == "."_L1 || clean == ".."_L1)
        clean = u"file"_s;
    return clean;
}

QString mediaType(QByteArrayView contentType)
{
    QByteArray type = contentType.toByteArray();
    if (const qsizetype semicolon = type.indexOf(';'); semicolon >= 0)
        type.truncate(semicolon);
    type = type.trimmed().toLower();
    const qsizetype slash = type.indexOf('/');
    if (slash <= 0 || slash == type.size() - 1 || type.size() > protocol::kMaxFileTypeLength ||
        type.count('/') != 1)
        return {};
    for (char c : std::as_const(type)) {
        if (c != '/' && !isTokenCharacter(c))
            return {};
    }
    return QString::fromLatin1(type);
}

QByteArray bearerToken(QByteArrayView authorization)
{
    const QByteArray value = authorization.toByteArray().trimmed();
    if (value.size() < 8 || value.first(7).toLower() != "bearer ")
        return {};
    return value.mid(7).trimmed();
}

std::variant<UploadRequest, HttpError> readUploadRequest(const HttpRequest &request,
                                                         qint64 maxFileBytes)
{
    if (!request.transferEncoding.isEmpty() && request.transferEncoding != "identity")
        return HttpError{411, "Length Required",
                         u"send the file with a Content-Length header; chunked uploads are not "
                         "accepted"_s};
    if (request.contentLength < 0)
        return HttpError{411, "Length Required",
                         u"send the file's size in a Content-Length header"_s};
    if (request.contentLength > maxFileBytes)
        return HttpError{413, "Content Too Large",
                         u"the file is %1 bytes; the limit is %2 bytes"_s.arg(request.contentLength)
                             .arg(maxFileBytes)};
    UploadRequest upload;
    upload.size = request.contentLength;
    if (request.contentType.isEmpty()) {
        upload.type = u"application/octet-stream"_s;
    } else {
        upload.type = mediaType(request.contentType);
        if (upload.type.isEmpty())
            return HttpError{400, "Bad Request",
                             u"Content-Type must be a media type such as image/png or "
                             "application/pdf"_s};
    }
    if (request.fileName.isEmpty()) {
        upload.name = u"file"_s;
    } else {
        const std::optional<QString> name = decodeFileName(request.fileName);
        if (!name)
            return HttpError{400, "Bad Request",
                             u"X-Filename must be the file's name in percent-encoded UTF-8"_s};
        upload.name = *name;
    }
    return upload;
}

} // namespace conversa::server::files
