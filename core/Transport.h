// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ConnectionDetails.h"
#include "ConnectionState.h"

#include <Frames.h>

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>

namespace conversa::core {

// How one connection attempt reaches the server.
struct TransportOptions {
    enum class Proxy {
        System, // the operating system's proxy settings (never for loopback addresses)
        None,
        Http, // HTTP proxy with CONNECT
        Socks5,
    };
    QUrl url; // ws:// or wss://
    Proxy proxy = Proxy::System;
    QUrl proxyUrl;                   // http://user:password@host:port for Http and Socks5
    QList<QSslCertificate> extraCas; // trusted beside the system's
    QString userAgent;               // the upgrade request's User-Agent
    QStringList subprotocols;        // offered in Sec-WebSocket-Protocol
};

// One connection attempt to the server: a text-frame link the session drives. A session makes a
// new Transport for every attempt (see SessionManager::setTransportFactory), so an instance opens
// at most once and never reports anything after `disconnected`.
//
// Order of signals: connected (at most once), then any number of textReceived/pong, then exactly
// one disconnected, whether the attempt failed before connecting, the server closed, or the
// link broke. errorOccurred may come before disconnected to say what went wrong in words; the
// session keeps the most telling one. Nothing is emitted from inside open(), close() or
// abort(): every signal arrives from the event loop.
class Transport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual void open(const TransportOptions &options) = 0;
    // Closes with a WebSocket close code and reason; `disconnected` follows.
    virtual void close(int code, const QString &reason) = 0;
    // Drops the link without a word; no signal follows (the session has already let go).
    virtual void abort() = 0;
    virtual bool isConnected() const = 0;
    virtual void sendText(const QString &frame) = 0;
    virtual void ping() = 0;
    // Writes what this attempt knows into `details`: proxy, peer, TLS and the step timings.
    // Leaves the session's own fields (user, instance, counters, ping) alone.
    virtual void describe(ConnectionDetails &details) const = 0;

signals:
    void connected();
    // The server's close code (0 when the link broke without one) and reason.
    void disconnected(int closeCode, const QString &closeReason);
    void textReceived(const QString &frame);
    void pong(qint64 roundTripMs);
    void errorOccurred(conversa::core::ConnectionProblem problem, const QString &reason);
    // What describe() writes has changed (a step of the attempt completed).
    void detailsChanged();
};

// The answer to one request: ok with its payload, an error reply, or the link went down first.
struct RequestResult {
    enum class Outcome { Ok, Error, ConnectionLost };
    Outcome outcome = Outcome::ConnectionLost;
    QJsonObject payload;
    protocol::ErrorCode code = protocol::ErrorCode::Internal;
    QString codeName;
    QString message;
    bool isOk() const { return outcome == Outcome::Ok; }
};
using ReplyHandler = std::function<void(const RequestResult &)>;

// Makes the transport for one attempt, owned by `parent`.
using TransportFactory = std::function<Transport *(QObject *parent)>;

} // namespace conversa::core
