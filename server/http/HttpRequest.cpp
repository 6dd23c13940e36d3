// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "http/HttpRequest.h"

#include <QList>

namespace conversa::server {

HttpRequest::ParseStatus HttpRequest::parse(QByteArrayView bytes, HttpRequest *out)
{
    const qsizetype end = bytes.indexOf(QByteArrayView("\r\n\r\n"));
    if (end < 0)
        return ParseStatus::NeedMore;
    const QList<QByteArray> lines = bytes.first(end).toByteArray().split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1."))
        return ParseStatus::Malformed;
    out->method = requestLine.at(0);
    out->path = requestLine.at(1);
    if (const qsizetype query = out->path.indexOf('?'); query >= 0)
        out->path.truncate(query);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.first(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "upgrade")
            out->wantsUpgrade = value.toLower() == "websocket";
        else if (name == "origin")
            out->origin = value;
        else if (name == "host")
            out->host = value;
        else if (name == "x-forwarded-for")
            out->forwardedFor += (out->forwardedFor.isEmpty() ? "" : ",") + value;
        else if (name == "content-length") {
            // Digits only, and never two different lengths (a way to smuggle a second request
            // past a proxy that reads the other one).
            bool ok = !value.isEmpty() && value.size() <= 18;
            for (char c : value)
                ok = ok && c >= '0' && c <= '9';
            const qint64 length = ok ? value.toLongLong(&ok) : -1;
            if (!ok || (out->contentLength >= 0 && out->contentLength != length))
                return ParseStatus::Malformed;
            out->contentLength = length;
        } else if (name == "content-type")
            out->contentType = value;
        else if (name == "authorization")
            out->authorization = value;
        else if (name == "x-filename")
            out->fileName = value;
        else if (name == "transfer-encoding")
            out->transferEncoding = value.toLower();
        else if (name == "expect")
            out->expectsContinue = value.toLower() == "100-continue";
    }
    out->headerBytes = end + 4;
    return ParseStatus::Complete;
}

QByteArray httpHead(int status, QByteArrayView reason, QByteArrayView contentType,
                    qint64 contentLength, QByteArrayView extraHeaders)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason.toByteArray() +
           "\r\nContent-Type: " + contentType.toByteArray() +
           "\r\nContent-Length: " + QByteArray::number(contentLength) + "\r\n" +
           extraHeaders.toByteArray() + "Connection: close\r\n\r\n";
}

QByteArray httpResponse(int status, QByteArrayView reason, QByteArrayView contentType,
                        QByteArrayView body, QByteArrayView extraHeaders)
{
    return httpHead(status, reason, contentType, body.size(),
                    "Cache-Control: no-store\r\n" + extraHeaders.toByteArray()) +
           body.toByteArray();
}

} // namespace conversa::server
