// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QHostAddress>
#include <QList>
#include <QMetaType>
#include <QNetworkProxy>
#include <QSslCertificate>
#include <QString>
#include <QUrl>
#include <QtNetwork/qssl.h>

namespace conversa::core {

// What the session's own connection looks like: where it goes, through what, how long each step
// of the current attempt took, and how it has been doing since sign-in. A value; SessionManager
// hands out a copy with connectionDetails() and says when it changes.
//
// Times are milliseconds, -1 when the step did not happen or could not be measured:
// - dnsMs: the host lookup of the socket. -1 when no lookup ran here: the address is an IP
//   literal, or a proxy resolves the name.
// - tcpMs: from the end of the lookup until the TCP connection is up. Through a proxy this
//   includes the proxy's part (SOCKS5 negotiation, HTTP CONNECT), which Qt does not report apart.
// - tlsMs: the TLS handshake (wss:// only).
// - upgradeMs: the WebSocket upgrade request until its 101 answer.
// QWebSocket keeps its socket to itself; the session follows that socket's signals (it is the
// WebSocket's child object). When it cannot (phasesSeparated false), only totalMs and
// upgradeMs, then covering TCP, TLS and the upgrade together, are known.
struct ConnectionDetails {
    QUrl serverUrl;
    QString user;
    QString instance;           // which server instance took the session (from its sign-in answer)
    bool connected = false;     // the WebSocket is open
    bool authenticated = false; // and the server accepted the sign-in
    QDateTime connectedSince;

    QString peerName;         // the name the socket connected to
    QHostAddress peerAddress; // the address TCP reached (null through some proxies)
    quint16 peerPort = 0;
    QNetworkProxy proxy = QNetworkProxy(QNetworkProxy::NoProxy); // the proxy in use
    bool proxyFromSystem = false; // found in the system's proxy settings

    bool phasesSeparated = false;
    qint64 dnsMs = -1;
    qint64 tcpMs = -1;
    qint64 tlsMs = -1;
    qint64 upgradeMs = -1;
    qint64 totalMs = -1; // from opening until the WebSocket was up

    bool encrypted = false;
    QSsl::SslProtocol tlsProtocol = QSsl::UnknownProtocol;
    QString tlsCipher;
    QList<QSslCertificate> certificateChain; // the server's own first

    qint64 pingRttMs = -1; // the last ping's round trip
    QDateTime lastPongAt;

    int attempts = 0;   // connection attempts since sign-in
    int reconnects = 0; // sessions established again after one was lost, since sign-in
};

} // namespace conversa::core

Q_DECLARE_METATYPE(conversa::core::ConnectionDetails)
