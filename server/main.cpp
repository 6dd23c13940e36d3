// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "AdminCommands.h"
#include "ChatServer.h"
#include "EpollEventDispatcher.h"
#include "Log.h"
#include "ServerConfig.h"
#include "ShutdownSignals.h"
#include "storage/Database.h"

#include <QCoreApplication>
#include <QDir>
#include <QTextStream>

#include <cstdio>
#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace conversa::server;

namespace {

const char kUsage[] = R"(Usage:
  conversa-server serve --listen HOST:PORT --data DIR [--tls-cert FILE --tls-key FILE]
                        [--config FILE] [--admin-listen HOST:PORT] [--insecure] [--KEY VALUE ...]
  conversa-server user add|passwd NAME --data DIR [--password-stdin]
  conversa-server user disable|enable NAME --data DIR
  conversa-server user list --data DIR
  conversa-server room create NAME [--title TITLE] --data DIR
  conversa-server room list --data DIR
  conversa-server room delete NAME --data DIR   (the room, its members and all its messages)
  conversa-server token list [--user NAME] --data DIR
  conversa-server token revoke ID|--user NAME --data DIR
  conversa-server backup FILE --data DIR   (a consistent copy, safe while serving)
  conversa-server check --data DIR         (full integrity check: prints ok or the problems)
  conversa-server restore FILE --data DIR  (replaces the database with a backup; server stopped)
  conversa-server migrate --data DIR | --database-url URL [--restored]
                                           (creates or upgrades the schema; serve does it too)
  conversa-server migrate --from-sqlite DIR --database-url URL
                                           (copies a stopped SQLite server into empty PostgreSQL)
  conversa-server --version | --help

On PostgreSQL (several instances): serve --storage postgresql --database-url URL, and the admin
commands take --database-url URL instead of --data DIR; URL is postgresql://USER@HOST:PORT/DB,
the password comes from CONVERSA_DATABASE_PASSWORD or ~/.pgpass.

serve runs the chat server: WebSocket at /ws, GET /healthz, GET /metrics (on --admin-listen
when given). It refuses a non-loopback address without TLS unless --insecure is given.
Settings come from the --config INI file, then CONVERSA_<KEY> environment variables, then
--key-with-dashes flags; later ones win. Keys and defaults:
  listen 127.0.0.1:8080, data, tls_cert, tls_key, admin_listen, insecure false,
  allowed_origins (comma separated; a handshake without Origin, or from the server's own
    address, is always allowed),
  max_frame_bytes 65536, max_body_bytes 16384, messages_per_second 10, message_burst 20,
  login_failures_per_minute 5, max_connections_per_address 50, auth_timeout_seconds 10,
  idle_timeout_seconds 75, server_ping_seconds 30 (ping silent connections; 0: off),
  sync_mode full|normal (full: fsync every commit),
  trusted_proxies (addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed),
  proxy_protocol false (read a PROXY v2 header from trusted_proxies instead),
  max_queued_bytes_per_connection 16777216, auth_failures_per_connection 3,
  room_creations_per_hour 20, max_rooms_per_user 1000, max_admin_connections 16,
  log_lines_per_minute_per_address 120, drain_seconds 10 (SIGTERM: time for peers to close),
  redis_url (redis://HOST:PORT: typing, presence and send limits shared by several instances),
  redis_presence_ttl_seconds 15 (a killed instance's users go offline after about this),
  storage sqlite|postgresql, database_url (postgresql://USER@HOST:PORT/DB),
  web_client true (serve the browser client at /; its own origin may always connect)

On Linux, serve runs on an epoll event loop; CONVERSA_EVENT_DISPATCHER=qt uses Qt's default.

user passwd and user disable sign the user out everywhere (their tokens are revoked).
Files the server and these commands create are not readable by other users (umask 027).

Exit codes: 0 success, 1 failure (the message says why, e.g. a damaged database), 2 usage error.
)";

int serve(const QStringList &flags)
{
    ServerConfig config;
    if (QString error = ServerConfig::load(config, flags); !error.isEmpty()) {
        std::fprintf(stderr, "conversa-server: %s\n", qPrintable(error));
        return 2;
    }
    // PostgreSQL keeps everything in the database: no data folder is needed then.
    const bool needsDataFolder = config.storage == StorageKind::Sqlite;
    if (config.dataDir.isEmpty() && needsDataFolder) {
        std::fprintf(stderr, "conversa-server: give the data folder with --data DIR\n");
        return 2;
    }
    // Held while serving, so `restore` cannot replace the database under this process.
    DataFolderLock lock;
    if (needsDataFolder && !QDir().mkpath(config.dataDir)) {
        std::fprintf(stderr, "conversa-server: cannot create data folder '%s'\n",
                     qPrintable(config.dataDir));
        return 1;
    }
    if (QString error = needsDataFolder ? lock.acquire(config.dataDir, DataFolderLock::Mode::Shared)
                                        : QString();
        !error.isEmpty()) {
        std::fprintf(stderr, "conversa-server: %s\n", qPrintable(error));
        return 1;
    }
    ChatServer server(config);
    if (QString error = server.start(); !error.isEmpty()) {
        std::fprintf(stderr, "conversa-server: %s\n", qPrintable(error));
        return 1;
    }
    ShutdownSignals shutdownSignals;
    QObject::connect(&shutdownSignals, &ShutdownSignals::shutdownRequested, &server,
                     [&server](int number) {
                         qCInfo(lcServer).noquote() << u"event=signal number=%1"_s.arg(number);
                         server.shutdown();
                     });
    QObject::connect(&server, &ChatServer::stopped, QCoreApplication::instance(),
                     &QCoreApplication::quit);
    std::printf("conversa-server listening on %s\n",
                server.webSocketUrl().toString().toUtf8().constData());
    if (server.adminUrl().isValid())
        std::printf("conversa-server admin on %s\n",
                    server.adminUrl().toString().toUtf8().constData());
    std::fflush(stdout);
    qCInfo(lcServer).noquote() << u"event=listening url=%1 data=%2"_s.arg(
        server.webSocketUrl().toString(), StorageLocation::of(config).describe());
    const int code = QCoreApplication::exec();
    qCInfo(lcServer).noquote() << u"event=stopped"_s;
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
    // The database, its backups and everything else this process writes hold messages and
    // password hashes: never world-readable, also when started outside systemd (UMask=0027).
    ::umask(027);
    // serve runs on epoll (Linux) unless CONVERSA_EVENT_DISPATCHER=qt; it must be installed
    // before the application exists. The admin commands keep Qt's default.
    if (argc > 1 && qstrcmp(argv[1], "serve") == 0) {
        if (QString error = installServingEventDispatcher(); !error.isEmpty()) {
            std::fprintf(stderr, "conversa-server: %s\n", qPrintable(error));
            return 2;
        }
    }
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"conversa-server"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(CONVERSA_VERSION));
    installLogHandler();

    const QStringList args = QCoreApplication::arguments().mid(1);
    const QString command = args.value(0);
    if (command == "--version"_L1 || command == "-v"_L1) {
        std::printf("conversa-server %s\n", CONVERSA_VERSION);
        return 0;
    }
    if (command.isEmpty() || command == "--help"_L1 || command == "-h"_L1 || command == "help"_L1) {
        std::fputs(kUsage, command.isEmpty() ? stderr : stdout);
        return command.isEmpty() ? 2 : 0;
    }
    if (command == "serve"_L1)
        return serve(args.mid(1));
    if (command == "user"_L1 || command == "room"_L1 || command == "token"_L1 ||
        command == "backup"_L1 || command == "check"_L1 || command == "restore"_L1 ||
        command == "migrate"_L1)
        return runAdminCommand(args);
    std::fprintf(stderr, "conversa-server: unknown command '%s'\n%s", qPrintable(command), kUsage);
    return 2;
}
