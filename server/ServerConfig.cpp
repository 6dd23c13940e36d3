// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ServerConfig.h"

#include "redis/RedisClient.h"

#include <Validation.h>

#include "storage/DatabaseUrl.h"

#include <QFileInfo>
#include <QProcessEnvironment>
#include <QSettings>

namespace conversa::server {

using namespace Qt::StringLiterals;

std::optional<ListenAddress> parseListenAddress(const QString &text, QString *error)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0) {
        *error = u"'%1' is not HOST:PORT"_s.arg(text);
        return std::nullopt;
    }
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool portOk = false;
    const uint port = text.mid(colon + 1).toUInt(&portOk);
    if (!portOk || port > 65535) {
        *error = u"'%1' has no valid port (0 to 65535)"_s.arg(text);
        return std::nullopt;
    }
    ListenAddress address;
    if (host == "localhost"_L1)
        address.host = QHostAddress(QHostAddress::LocalHost);
    else if (host == "*"_L1)
        address.host = QHostAddress(QHostAddress::Any);
    else if (!address.host.setAddress(host)) {
        *error = u"'%1' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0 or *)"_s.arg(host);
        return std::nullopt;
    }
    address.port = static_cast<quint16>(port);
    return address;
}

namespace {
QString parsePositive(const QString &key, const QString &value, qint64 minimum, qint64 maximum,
                      qint64 *out)
{
    bool ok = false;
    const qint64 number = value.toLongLong(&ok);
    if (!ok || number < minimum || number > maximum)
        return u"%1 must be a whole number from %2 to %3, not '%4'"_s.arg(key)
            .arg(minimum)
            .arg(maximum)
            .arg(value);
    *out = number;
    return {};
}

bool parseBool(const QString &value, bool *ok)
{
    const QString v = value.trimmed().toLower();
    *ok = true;
    if (v == "1"_L1 || v == "true"_L1 || v == "yes"_L1 || v == "on"_L1)
        return true;
    if (v == "0"_L1 || v == "false"_L1 || v == "no"_L1 || v == "off"_L1)
        return false;
    *ok = false;
    return false;
}
} // namespace

QStringList ServerConfig::keys()
{
    return {u"listen"_s,
            u"data"_s,
            u"tls_cert"_s,
            u"tls_key"_s,
            u"admin_listen"_s,
            u"insecure"_s,
            u"allowed_origins"_s,
            u"max_frame_bytes"_s,
            u"max_body_bytes"_s,
            u"messages_per_second"_s,
            u"message_burst"_s,
            u"login_failures_per_minute"_s,
            u"max_connections_per_address"_s,
            u"auth_timeout_seconds"_s,
            u"idle_timeout_seconds"_s,
            u"server_ping_seconds"_s,
            u"sync_mode"_s,
            u"trusted_proxies"_s,
            u"proxy_protocol"_s,
            u"max_queued_bytes_per_connection"_s,
            u"room_creations_per_hour"_s,
            u"max_rooms_per_user"_s,
            u"auth_failures_per_connection"_s,
            u"max_admin_connections"_s,
            u"log_lines_per_minute_per_address"_s,
            u"drain_seconds"_s,
            u"instance_name"_s,
            u"max_file_bytes"_s,
            u"max_files_per_message"_s,
            u"file_quota_bytes_per_user"_s,
            u"uploads_per_minute"_s,
            u"unattached_file_ttl_seconds"_s,
            u"storage"_s,
            u"database_url"_s,
            u"redis_url"_s,
            u"redis_presence_ttl_seconds"_s,
            u"web_client"_s};
}

QString ServerConfig::effectiveInstanceName() const
{
    if (!instanceName.isEmpty())
        return instanceName;
    const QString host = listen.host.protocol() == QAbstractSocket::IPv6Protocol
                             ? u"[%1]"_s.arg(listen.host.toString())
                             : listen.host.toString();
    return u"%1:%2"_s.arg(host).arg(listen.port);
}

QString ServerConfig::set(const QString &key, const QString &value)
{
    QString error;
    qint64 number = 0;
    if (key == "listen"_L1) {
        auto address = parseListenAddress(value, &error);
        if (address)
            listen = *address;
        return error;
    }
    if (key == "admin_listen"_L1) {
        auto address = parseListenAddress(value, &error);
        if (address)
            adminListen = *address;
        return error;
    }
    if (key == "data"_L1) {
        dataDir = value;
        return {};
    }
    if (key == "storage"_L1) {
        if (value == "sqlite"_L1)
            storage = StorageKind::Sqlite;
        else if (value == "postgresql"_L1)
            storage = StorageKind::Postgresql;
        else
            return u"storage must be 'sqlite' or 'postgresql', not '%1'"_s.arg(value);
        return {};
    }
    if (key == "database_url"_L1) {
        if (!value.isEmpty() && !parseDatabaseUrl(value, &error))
            return error;
        databaseUrl = value;
        return {};
    }
    if (key == "instance_name"_L1) {
        if (value.size() > 128 ||
            protocol::firstControlCharacter(value, protocol::AllowLineBreaks::No) != 0)
            return u"instance_name must be at most 128 printable characters"_s;
        instanceName = value.trimmed();
        return {};
    }
    if (key == "redis_url"_L1) {
        if (!value.trimmed().isEmpty() && !redis::parseRedisUrl(value, &error))
            return error;
        redisUrl = value.trimmed();
        return {};
    }
    if (key == "redis_presence_ttl_seconds"_L1) {
        error = parsePositive(key, value, 3, 3600, &number);
        if (error.isEmpty())
            redisPresenceTtlSeconds = static_cast<int>(number);
        return error;
    }
    if (key == "tls_cert"_L1) {
        tlsCertFile = value;
        return {};
    }
    if (key == "tls_key"_L1) {
        tlsKeyFile = value;
        return {};
    }
    if (key == "insecure"_L1) {
        bool ok = false;
        insecure = parseBool(value, &ok);
        return ok ? QString() : u"insecure must be true or false, not '%1'"_s.arg(value);
    }
    if (key == "web_client"_L1) {
        bool ok = false;
        webClient = parseBool(value, &ok);
        return ok ? QString() : u"web_client must be true or false, not '%1'"_s.arg(value);
    }
    if (key == "allowed_origins"_L1) {
        allowedOrigins.clear();
        for (const QString &origin : value.split(u',', Qt::SkipEmptyParts))
            allowedOrigins.append(origin.trimmed());
        return {};
    }
    if (key == "trusted_proxies"_L1)
        return trustedProxies.parse(value);
    if (key == "proxy_protocol"_L1) {
        bool ok = false;
        proxyProtocol = parseBool(value, &ok);
        return ok ? QString() : u"proxy_protocol must be true or false, not '%1'"_s.arg(value);
    }
    if (key == "sync_mode"_L1) {
        if (value == "full"_L1)
            syncMode = SyncMode::Full;
        else if (value == "normal"_L1)
            syncMode = SyncMode::Normal;
        else
            return u"sync_mode must be 'full' or 'normal', not '%1'"_s.arg(value);
        return {};
    }
    if (key == "messages_per_second"_L1) {
        bool ok = false;
        const double rate = value.toDouble(&ok);
        if (!ok || rate <= 0 || rate > 1e6)
            return u"messages_per_second must be a number above 0, not '%1'"_s.arg(value);
        messagesPerSecond = rate;
        return {};
    }
    struct IntegerKey {
        QLatin1StringView name;
        qint64 minimum;
        qint64 maximum;
    };
    static const IntegerKey integerKeys[] = {
        {"max_frame_bytes"_L1, 1024, 16 * 1024 * 1024},
        {"max_body_bytes"_L1, 1, 16 * 1024 * 1024},
        {"message_burst"_L1, 1, 1000000},
        {"login_failures_per_minute"_L1, 1, 1000000},
        {"max_connections_per_address"_L1, 1, 1000000},
        {"auth_timeout_seconds"_L1, 1, 3600},
        {"idle_timeout_seconds"_L1, 1, 86400},
        {"server_ping_seconds"_L1, 0, 86400},
        {"max_queued_bytes_per_connection"_L1, 64 * 1024, 1024 * 1024 * 1024},
        {"room_creations_per_hour"_L1, 1, 1000000},
        {"max_rooms_per_user"_L1, 1, 1000000},
        {"auth_failures_per_connection"_L1, 1, 1000},
        {"max_admin_connections"_L1, 1, 100000},
        {"log_lines_per_minute_per_address"_L1, 1, 1000000},
        {"drain_seconds"_L1, 0, 3600},
        {"max_file_bytes"_L1, 1, qint64(1) << 40},
        {"max_files_per_message"_L1, 1, 100},
        {"file_quota_bytes_per_user"_L1, 1, qint64(1) << 50},
        {"uploads_per_minute"_L1, 1, 1000000},
        {"unattached_file_ttl_seconds"_L1, 1, 365 * 86400},
    };
    for (const IntegerKey &k : integerKeys) {
        if (key != k.name)
            continue;
        error = parsePositive(key, value, k.minimum, k.maximum, &number);
        if (!error.isEmpty())
            return error;
        if (key == "max_frame_bytes"_L1)
            limits.maxFrameBytes = number;
        else if (key == "max_body_bytes"_L1)
            limits.maxBodyBytes = number;
        else if (key == "message_burst"_L1)
            messageBurst = static_cast<int>(number);
        else if (key == "login_failures_per_minute"_L1)
            loginFailuresPerMinute = static_cast<int>(number);
        else if (key == "max_connections_per_address"_L1)
            maxConnectionsPerAddress = static_cast<int>(number);
        else if (key == "auth_timeout_seconds"_L1)
            authTimeoutSeconds = static_cast<int>(number);
        else if (key == "idle_timeout_seconds"_L1)
            idleTimeoutSeconds = static_cast<int>(number);
        else if (key == "server_ping_seconds"_L1)
            serverPingSeconds = static_cast<int>(number);
        else if (key == "max_queued_bytes_per_connection"_L1)
            maxQueuedBytesPerConnection = number;
        else if (key == "room_creations_per_hour"_L1)
            roomCreationsPerHour = static_cast<int>(number);
        else if (key == "max_rooms_per_user"_L1)
            maxRoomsPerUser = static_cast<int>(number);
        else if (key == "auth_failures_per_connection"_L1)
            authFailuresPerConnection = static_cast<int>(number);
        else if (key == "max_admin_connections"_L1)
            maxAdminConnections = static_cast<int>(number);
        else if (key == "log_lines_per_minute_per_address"_L1)
            logLinesPerMinutePerAddress = static_cast<int>(number);
        else if (key == "drain_seconds"_L1)
            drainSeconds = static_cast<int>(number);
        else if (key == "max_file_bytes"_L1)
            limits.maxFileBytes = number;
        else if (key == "max_files_per_message"_L1)
            limits.maxFilesPerMessage = static_cast<int>(number);
        else if (key == "file_quota_bytes_per_user"_L1)
            fileQuotaBytesPerUser = number;
        else if (key == "uploads_per_minute"_L1)
            uploadsPerMinute = static_cast<int>(number);
        else if (key == "unattached_file_ttl_seconds"_L1)
            unattachedFileTtlSeconds = static_cast<int>(number);
        return {};
    }
    return u"unknown setting '%1'"_s.arg(key);
}

QString ServerConfig::load(ServerConfig &config, const QStringList &flags)
{
    // Flags are parsed first only to find --config; they are applied last so they win.
    QList<std::pair<QString, QString>> flagValues;
    QString configFile;
    for (qsizetype i = 0; i < flags.size(); ++i) {
        const QString &arg = flags.at(i);
        if (!arg.startsWith("--"_L1))
            return u"unexpected argument '%1'"_s.arg(arg);
        QString key = arg.mid(2);
        QString value;
        const qsizetype equals = key.indexOf(u'=');
        if (equals >= 0) {
            value = key.mid(equals + 1);
            key = key.left(equals);
        } else if (key == "insecure"_L1) {
            value = u"true"_s;
        } else if (i + 1 < flags.size()) {
            value = flags.at(++i);
        } else {
            return u"--%1 needs a value"_s.arg(key);
        }
        key.replace(u'-', u'_');
        if (key == "config"_L1)
            configFile = value;
        else
            flagValues.append({key, value});
    }

    if (!configFile.isEmpty()) {
        if (!QFileInfo(configFile).isReadable())
            return u"cannot read config file '%1'"_s.arg(configFile);
        QSettings file(configFile, QSettings::IniFormat);
        if (file.status() != QSettings::NoError)
            return u"config file '%1' is not valid INI"_s.arg(configFile);
        for (const QString &rawKey : file.allKeys()) {
            // Keys may sit at the top or under a [server] section.
            const QString key = rawKey.startsWith("server/"_L1) ? rawKey.mid(7) : rawKey;
            // QSettings only knows ';' comments; '#' lines arrive as keys and are skipped here.
            if (key.startsWith(u'#'))
                continue;
            const QVariant value = file.value(rawKey);
            const QString text = value.typeId() == QMetaType::QStringList
                                     ? value.toStringList().join(u',')
                                     : value.toString();
            if (QString error = config.set(key, text); !error.isEmpty())
                return u"%1: %2"_s.arg(configFile, error);
        }
    }

    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : keys()) {
        const QString name = "CONVERSA_"_L1 + key.toUpper();
        if (env.contains(name)) {
            if (QString error = config.set(key, env.value(name)); !error.isEmpty())
                return u"%1: %2"_s.arg(name, error);
        }
    }

    for (const auto &[key, value] : flagValues) {
        if (QString error = config.set(key, value); !error.isEmpty())
            return u"--%1: %2"_s.arg(QString(key).replace(u'_', u'-'), error);
    }
    if (config.tlsCertFile.isEmpty() != config.tlsKeyFile.isEmpty())
        return u"--tls-cert and --tls-key go together"_s;
    if (!config.tlsEnabled() && !config.listen.host.isLoopback() && !config.insecure)
        return u"refusing to listen on %1 without TLS: give --tls-cert and --tls-key, or pass "
               "--insecure if a TLS proxy in front of this server handles encryption"_s.arg(
                   config.listen.host.toString());
    if (config.proxyProtocol && config.tlsEnabled())
        return u"proxy_protocol works on a plain listener behind a TLS-terminating proxy; it "
               "cannot be combined with --tls-cert"_s;
    if (config.proxyProtocol && config.trustedProxies.isEmpty())
        return u"proxy_protocol needs trusted_proxies: the addresses of the proxies allowed to "
               "send the PROXY header"_s;
    if (config.storage == StorageKind::Postgresql && config.databaseUrl.isEmpty())
        return u"storage=postgresql needs database_url (postgresql://USER@HOST:PORT/DB)"_s;
    if (config.storage == StorageKind::Sqlite && !config.databaseUrl.isEmpty())
        return u"database_url is only used with storage=postgresql; set storage too"_s;
    if (config.limits.maxBodyBytes > config.limits.maxFrameBytes)
        return u"max_body_bytes cannot exceed max_frame_bytes"_s;
    return {};
}

} // namespace conversa::server
