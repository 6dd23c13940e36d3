// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "HttpProbe.h"

#include "ServerProcess.h" // waitUntil

#include <QRandomGenerator>
#include <QSslSocket>
#include <QTcpSocket>

#include <memory>

using namespace Qt::StringLiterals;

namespace conversa::test {

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpHeaders webSocketUpgradeHeaders()
{
    QByteArray key(16, Qt::Uninitialized);
    for (char &c : key)
        c = char(QRandomGenerator::global()->bounded(256));
    return {{"Upgrade", "websocket"},
            {"Connection", "Upgrade"},
            {"Sec-WebSocket-Key", key.toBase64()},
            {"Sec-WebSocket-Version", "13"},
            {"Sec-WebSocket-Protocol", "conversa.v1"}};
}

namespace {

// Parses what arrived so far; true when the response is complete.
bool parseResponse(const QByteArray &data, bool closed, HttpResponse &response)
{
    const qsizetype headerEnd = data.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return false;
    const QList<QByteArray> lines = data.left(headerEnd).split('\n');
    response.statusLine = lines.value(0).trimmed();
    const QList<QByteArray> parts = response.statusLine.split(' ');
    response.status = parts.size() >= 2 ? parts.at(1).toInt() : 0;
    response.headers.clear();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines.at(i).indexOf(':');
        if (colon > 0)
            response.headers.append(
                {lines.at(i).left(colon).trimmed(), lines.at(i).mid(colon + 1).trimmed()});
    }
    bool hasLength = false;
    const qsizetype length = response.header("Content-Length").toLongLong(&hasLength);
    const bool chunked = response.header("Transfer-Encoding").toLower().contains("chunked");
    // Large bodies (file downloads) are not copied until they are complete.
    if (hasLength && !chunked) {
        if (data.size() - headerEnd - 4 < length)
            return closed;
        response.body = data.mid(headerEnd + 4, length);
        return true;
    }
    const QByteArray raw = data.mid(headerEnd + 4);
    if (chunked) {
        QByteArray body;
        qsizetype pos = 0;
        while (true) {
            const qsizetype lineEnd = raw.indexOf("\r\n", pos);
            if (lineEnd < 0)
                return closed;
            bool ok = false;
            const qsizetype size =
                raw.mid(pos, lineEnd - pos).split(';').value(0).toLongLong(&ok, 16);
            if (!ok)
                return true;
            if (size == 0) {
                response.body = body;
                return true;
            }
            if (raw.size() < lineEnd + 2 + size + 2)
                return closed;
            body += raw.mid(lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
            response.body = body;
        }
    }
    if (hasLength) {
        response.body = raw.left(length);
        return raw.size() >= length;
    }
    response.body = raw;
    // 101 and other bodiless answers are complete with their headers.
    if (response.status == 101 || response.status == 204 || response.status == 304)
        return true;
    return closed;
}

} // namespace

HttpResponse httpGet(const QUrl &url, const HttpHeaders &headers, int timeoutMs,
                     const std::optional<QSslConfiguration> &ssl)
{
    return httpRequest(url, "GET", headers, {}, timeoutMs, ssl);
}

HttpResponse httpRequest(const QUrl &url, const QByteArray &method, const HttpHeaders &headers,
                         const QByteArray &body, int timeoutMs,
                         const std::optional<QSslConfiguration> &ssl)
{
    HttpResponse response;
    const bool tls = url.scheme() == u"https"_s || url.scheme() == u"wss"_s;
    std::unique_ptr<QTcpSocket> socket;
    if (tls) {
        auto sslSocket = std::make_unique<QSslSocket>();
        if (ssl)
            sslSocket->setSslConfiguration(*ssl);
        sslSocket->connectToHostEncrypted(url.host(), quint16(url.port(443)));
        socket = std::move(sslSocket);
    } else {
        socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(url.host(), quint16(url.port(80)));
    }

    QByteArray data;
    bool closed = false;
    bool sent = false;
    QObject::connect(socket.get(), &QTcpSocket::readyRead, socket.get(),
                     [&] { data += socket->readAll(); });
    QObject::connect(socket.get(), &QTcpSocket::disconnected, socket.get(), [&] {
        data += socket->readAll();
        closed = true;
    });
    QObject::connect(socket.get(), &QTcpSocket::errorOccurred, socket.get(),
                     [&](QAbstractSocket::SocketError error) {
                         if (error != QAbstractSocket::RemoteHostClosedError)
                             response.error = socket->errorString();
                         closed = true;
                     });
    auto sendRequest = [&] {
        if (sent)
            return;
        sent = true;
        QByteArray target = url.path(QUrl::FullyEncoded).toUtf8();
        if (target.isEmpty())
            target = "/";
        if (url.hasQuery())
            target += '?' + url.query(QUrl::FullyEncoded).toUtf8();
        QByteArray request = method + ' ' + target;
        request += " HTTP/1.1\r\nHost: " + url.authority().toUtf8() + "\r\n";
        bool upgrade = false;
        bool hasLength = false;
        for (const auto &[name, value] : headers) {
            request += name + ": " + value + "\r\n";
            upgrade |= name.compare("Upgrade", Qt::CaseInsensitive) == 0;
            hasLength |= name.compare("Content-Length", Qt::CaseInsensitive) == 0;
        }
        if (!upgrade)
            request += "Connection: close\r\n";
        if (!body.isEmpty() && !hasLength)
            request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        request += "\r\n";
        socket->write(request);
        socket->write(body);
    };
    if (tls)
        QObject::connect(static_cast<QSslSocket *>(socket.get()), &QSslSocket::encrypted,
                         socket.get(), sendRequest);
    else
        QObject::connect(socket.get(), &QTcpSocket::connected, socket.get(), sendRequest);

    const bool done = waitUntil([&] { return parseResponse(data, closed, response); }, timeoutMs);
    if (!done && response.error.isEmpty())
        response.error = closed ? u"connection closed before a complete response"_s
                                : u"no complete response within %1 ms"_s.arg(timeoutMs);
    socket->disconnect();
    socket->abort();
    return response;
}

} // namespace conversa::test
