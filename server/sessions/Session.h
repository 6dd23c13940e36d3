// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMetaObject>
#include <QPointer>
#include <QString>
#include <QStringList>

class QTcpSocket;
class QWebSocket;

namespace conversa::server {

// One client connection, from the TCP accept to its end. Handlers read and change the sign-in
// state; only the front door and ChatServer touch the sockets. In handler tests both sockets are
// null and a recording SessionSink stands in for them.
struct Session {
    enum class Stage { Http, Upgrading, WebSocket, Closing };

    quint64 id = 0;
    Stage stage = Stage::Http;
    bool adminPort = false;
    QPointer<QTcpSocket> tcp;
    QPointer<QWebSocket> ws;
    QString address;       // the client's: from a trusted proxy's header, else the peer's
    QString socketAddress; // the TCP peer's (a proxy, perhaps)
    quint16 peerPort = 0;
    bool addressCounted = false;
    // A file upload or download on this connection (files::FileService): it lasts as long as
    // bytes keep moving, not just the few seconds an unfinished handshake gets.
    bool fileTransfer = false;
    qint64 acceptedMs = 0;
    qint64 lastActivityMs = 0;
    qint64 lastPingMs = 0; // when the server last pinged this connection for being silent
    qint64 closingSinceMs = 0;
    qint64 userId = 0;
    QString userName;
    qint64 tokenId = 0;
    bool loginPending = false;
    int malformedInRow = 0;
    int authFailures = 0;
    QMetaObject::Connection httpReader;
    // Requests held back while the client is not reading its replies (back-pressure).
    QStringList heldRequests;
    qsizetype heldBytes = 0;
    QMetaObject::Connection drainWatch;
    bool authenticated() const { return userId != 0; }
};

// Where frames for a session go. ChatServer writes them to the WebSocket within the session's
// output budget; handler tests record them instead.
class SessionSink
{
public:
    virtual ~SessionSink() = default;
    // Queues one text frame for `session`. False when it was not sent: the session is not an
    // open WebSocket, or the frame would pass its output budget (and the session is dropped).
    virtual bool send(Session &session, const QString &frame) = 0;
    // The same with `frame` also encoded as one whole WebSocket text frame (header and UTF-8
    // payload), shared by every recipient of one event so nothing is encoded or copied per
    // recipient. Sinks without sockets just take the text.
    virtual bool sendEncoded(Session &session, const QString &frame, const QByteArray &wireFrame)
    {
        Q_UNUSED(wireFrame);
        return send(session, frame);
    }
    // Closes the WebSocket with `code`; a connection still in HTTP is cut off.
    virtual void close(Session &session, quint16 code, const QString &reason) = 0;
};

} // namespace conversa::server
