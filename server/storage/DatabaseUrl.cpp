// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/DatabaseUrl.h"

#include <QSqlDatabase>
#include <QUrl>
#include <QUrlQuery>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
const QString kShape = u"postgresql://USER@HOST:PORT/DB"_s;

bool isPlainWord(const QString &text)
{
    if (text.isEmpty() || text.size() > 63)
        return false;
    for (QChar c : text) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'_' && c != u'-' && c != u'.')
            return false;
    }
    return true;
}
} // namespace

std::optional<DatabaseUrl> parseDatabaseUrl(const QString &text, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    auto refuse = [&](const QString &why) -> std::optional<DatabaseUrl> {
        *error = u"database_url '%1' %2"_s.arg(
            url.isValid() ? url.toDisplayString(QUrl::RemovePassword) : u"(not a URL)"_s, why);
        return std::nullopt;
    };
    if (!url.isValid())
        return refuse(u"is not a URL; use %1"_s.arg(kShape));
    if (url.scheme() != "postgresql"_L1 && url.scheme() != "postgres"_L1)
        return refuse(u"must start with postgresql://"_s);
    if (!url.password().isEmpty())
        return refuse(u"holds a password; remove it and set CONVERSA_DATABASE_PASSWORD or use a "
                      ".pgpass file"_s);
    DatabaseUrl parsed;
    parsed.user = url.userName();
    parsed.host = url.host();
    parsed.database = url.path().mid(1);
    if (!isPlainWord(parsed.user))
        return refuse(u"needs a user name (letters, digits, '_', '-', '.'): %1"_s.arg(kShape));
    if (!isPlainWord(parsed.database) || url.path().count(u'/') != 1)
        return refuse(u"needs a database name after the last '/': %1"_s.arg(kShape));
    if (url.port() == 0)
        return refuse(u"has no valid port"_s);
    if (url.port() > 0)
        parsed.port = url.port();
    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == "sslmode"_L1) {
            static const QStringList modes = {u"disable"_s, u"allow"_s,     u"prefer"_s,
                                              u"require"_s, u"verify-ca"_s, u"verify-full"_s};
            if (!modes.contains(value))
                return refuse(
                    u"has an unknown sslmode '%1' (use %2)"_s.arg(value, modes.join(u", "_s)));
            parsed.sslMode = value;
        } else if (key == "connect_timeout"_L1) {
            bool ok = false;
            const int seconds = value.toInt(&ok);
            if (!ok || seconds < 1 || seconds > 600)
                return refuse(u"connect_timeout must be 1 to 600 seconds"_s);
            parsed.connectTimeoutSeconds = seconds;
        } else if (key == "host"_L1) {
            if (!value.startsWith(u'/') || value.contains(u' ') || value.contains(u';'))
                return refuse(u"host= must be the absolute folder of a Unix socket"_s);
            parsed.host = value;
        } else {
            return refuse(
                u"has an unknown option '%1' (known: sslmode, connect_timeout, host)"_s.arg(key));
        }
    }
    if (parsed.host.isEmpty())
        return refuse(u"needs a host: %1"_s.arg(kShape));
    return parsed;
}

QString DatabaseUrl::connectOptions() const
{
    // Keepalives notice a server that vanished without closing the connection (a crash, a
    // network cut) within about 20 s instead of the kernel's two hours.
    QString options =
        u"connect_timeout=%1;application_name=conversa-server;keepalives=1;"
        "keepalives_idle=10;keepalives_interval=5;keepalives_count=2"_s.arg(connectTimeoutSeconds);
    if (!sslMode.isEmpty())
        options += u";sslmode="_s + sslMode;
    return options;
}

QString DatabaseUrl::display() const
{
    return u"postgresql://%1@%2:%3/%4"_s.arg(user, host).arg(port).arg(database);
}

void DatabaseUrl::configure(QSqlDatabase &db) const
{
    db.setHostName(host);
    db.setPort(port);
    db.setDatabaseName(database);
    db.setUserName(user);
    db.setPassword(databasePassword());
    db.setConnectOptions(connectOptions());
}

QString databasePassword()
{
    return qEnvironmentVariable("CONVERSA_DATABASE_PASSWORD");
}

} // namespace conversa::server
