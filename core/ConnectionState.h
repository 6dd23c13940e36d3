// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

namespace conversa::core {
Q_NAMESPACE

// Where a session is; the UI shows each one as it is.
enum class ConnectionState {
    SignedOut,          // no account, or the user signed out
    Connecting,         // opening TCP/TLS/proxy and the WebSocket upgrade
    Authenticating,     // socket open, login or auth sent
    Syncing,            // authenticated, fetching rooms and missed messages
    Online,             // up to date, live
    WaitingToReconnect, // link lost; the next attempt is due in some seconds
    AuthFailed,         // the server refused the token or password: ask for the password
};
Q_ENUM_NS(ConnectionState)

// Why the last attempt failed or the link went down, as a category the code can act on.
enum class ConnectionProblem {
    None,
    HostNotFound,         // DNS
    ConnectionRefused,    // nothing listens there
    TimedOut,             // no answer in time (connect or heartbeat)
    UntrustedCertificate, // TLS verification failed
    TlsFailed,            // TLS handshake failed for another reason
    ProxyRefused,         // the proxy refused or failed the tunnel
    UpgradeRefused,       // HTTP answered, but not with a WebSocket upgrade
    ServerGoingAway,      // close 1001: the server is restarting or shutting down
    TokenRevoked,         // close 4001 or `unauthorized` on auth
    WrongPassword,        // login refused
    RateLimited,          // login refused for too many attempts
    ConnectionLost,       // the link dropped or was closed for another reason
    NetworkDown,          // the system reports no network
    ProtocolError,        // the server sent something we cannot read, or closed us for policy
    Other,
};
Q_ENUM_NS(ConnectionProblem)

// Short name of a state for people ("Online", "Reconnecting in 4 s").
QString stateDisplayName(ConnectionState state, int secondsLeft = 0);

// One consistent snapshot of the connection, emitted on every change.
struct ConnectionStatus {
    ConnectionState state = ConnectionState::SignedOut;
    ConnectionProblem problem = ConnectionProblem::None;
    QString reason;      // the problem in words, empty when there is none
    int secondsLeft = 0; // for WaitingToReconnect

    // State and reason in one line, e.g. "Reconnecting in 4 s · Connection refused by …".
    QString toDisplayString() const;
};

} // namespace conversa::core

Q_DECLARE_METATYPE(conversa::core::ConnectionStatus)
