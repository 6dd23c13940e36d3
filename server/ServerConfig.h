// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Protocol.h"
#include "http/ClientAddress.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <optional>

namespace conversa::server {

struct ListenAddress {
    QHostAddress host;
    quint16 port = 0;
};

// Parses "HOST:PORT" or "[v6]:PORT"; returns nullopt and fills `error` otherwise.
std::optional<ListenAddress> parseListenAddress(const QString &text, QString *error);

enum class SyncMode { Full, Normal };
// Where the server keeps its data: SQLite in the data folder (one machine), or PostgreSQL at
// `database_url` (several instances share it).
enum class StorageKind { Sqlite, Postgresql };

struct ServerConfig {
    ListenAddress listen{QHostAddress::LocalHost, 8080};
    QString dataDir;
    StorageKind storage = StorageKind::Sqlite;
    // postgresql://USER@HOST:PORT/DB; the password comes from CONVERSA_DATABASE_PASSWORD or a
    // .pgpass file, never from the URL.
    QString databaseUrl;
    QString tlsCertFile;
    QString tlsKeyFile;
    std::optional<ListenAddress> adminListen;
    bool insecure = false;
    QStringList allowedOrigins;
    // Serve the browser client (web/) at `/`.
    bool webClient = true;
    protocol::Limits limits;
    double messagesPerSecond = 10.0;
    int messageBurst = 20;
    int loginFailuresPerMinute = 5;
    int maxConnectionsPerAddress = 50;
    int authTimeoutSeconds = 10;
    int idleTimeoutSeconds = 75;
    // A connection silent this long is pinged (browsers cannot ping); 0 turns pings off.
    int serverPingSeconds = 30;
    SyncMode syncMode = SyncMode::Full;
    // Reverse proxies whose X-Forwarded-For (or PROXY protocol v2 header, with proxyProtocol)
    // names the real client for per-address limits and logs.
    TrustedProxies trustedProxies;
    bool proxyProtocol = false;
    // Everything one connection may have waiting to be sent (replies, events, pongs). Over a
    // quarter of it the server stops reading that connection's requests; over all of it the
    // connection is dropped.
    qint64 maxQueuedBytesPerConnection = 16 * 1024 * 1024;
    int roomCreationsPerHour = 20;
    int maxRoomsPerUser = 1000;
    int authFailuresPerConnection = 3;
    int maxAdminConnections = 16;
    int logLinesPerMinutePerAddress = 120;
    // On SIGTERM: how long peers get to read what is queued for them and close.
    int drainSeconds = 10;
    // Reported in `login`/`auth` answers; empty means "HOST:PORT" of `listen`.
    QString instanceName;
    // redis://HOST:PORT shared by the instances of a cluster for typing, presence and send
    // limits; empty: all of that stays inside this process.
    QString redisUrl;
    // How long an instance's presence claims outlive it (a killed instance's users go offline
    // within this plus a third of it).
    int redisPresenceTtlSeconds = 15;
    // Files (POST /files): what one user's uploads may take in all, how many uploads a user may
    // start per minute, and how long an upload no message carries is kept.
    qint64 fileQuotaBytesPerUser = qint64(1) << 30;
    int uploadsPerMinute = 30;
    int unattachedFileTtlSeconds = 24 * 3600;

    bool tlsEnabled() const { return !tlsCertFile.isEmpty(); }
    QString effectiveInstanceName() const;

    // Applies one setting by its config-file name ("max_body_bytes"). Returns an error in words,
    // or an empty string when the value was taken.
    QString set(const QString &key, const QString &value);

    // Config file (INI), then CONVERSA_* environment variables, then `--key value` flags; later
    // sources win. `flags` are the arguments after the subcommand. Returns an error in words, or
    // an empty string.
    static QString load(ServerConfig &config, const QStringList &flags);

    // Every key `set` understands, for --help.
    static QStringList keys();
};

} // namespace conversa::server
