// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/Database.h"

#include "SqliteMigrations.h"
#include "storage/DatabaseUrl.h"
#include "storage/PostgresSchema.h"
#include "storage/SearchIndex.h"

#include <QDir>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>
#include <mutex>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
// Each entry moves the schema one version up; never edit a released entry, append a new one.
const char *const kMigrations[] = {
    // 1: accounts, devices, rooms, membership and messages.
    R"sql(
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta (key, value) VALUES ('admin_generation', 0);
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL);
    CREATE TABLE tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        hash BLOB NOT NULL UNIQUE,
        device TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        last_used_ms INTEGER,
        revoked INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX tokens_by_user ON tokens(user_id);
    CREATE TABLE rooms (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL);
    CREATE TABLE members (
        room_id INTEGER NOT NULL REFERENCES rooms(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        read_seq INTEGER NOT NULL DEFAULT 0,
        joined_ms INTEGER NOT NULL,
        PRIMARY KEY (room_id, user_id)) WITHOUT ROWID;
    CREATE INDEX members_by_user ON members(user_id);
    CREATE TABLE messages (
        room_id INTEGER NOT NULL REFERENCES rooms(id),
        seq INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        cid TEXT NOT NULL,
        ts INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (room_id, seq),
        UNIQUE (room_id, user_id, cid)) WITHOUT ROWID;
    )sql",
    // 2: a room's owner (its creator; 0 for rooms made by an admin) and replies.
    R"sql(
    ALTER TABLE rooms ADD COLUMN owner_id INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN reply_to INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 3: edits and deletions are log entries (`kind` 1 edit, 2 delete, about `target`); a plain
    // message keeps its current state (`edited_ms` of its last edit, `deleted`).
    R"sql(
    ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN target INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN edited_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 4: reactions: log entries of `kind` 3 (`emoji`, `reaction_on`), and who reacts now.
    R"sql(
    ALTER TABLE messages ADD COLUMN emoji TEXT NOT NULL DEFAULT '';
    ALTER TABLE messages ADD COLUMN reaction_on INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE reactions (
        room_id INTEGER NOT NULL REFERENCES rooms(id),
        target INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        emoji TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (room_id, target, user_id, emoji)) WITHOUT ROWID;
    )sql",
    // 5: the search index (see SearchIndex.h); the step's function indexes the messages so far.
    R"sql(
    CREATE TABLE search_terms (
        term TEXT NOT NULL,
        ts INTEGER NOT NULL,
        room_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (term, ts, room_id, seq)) WITHOUT ROWID;
    )sql",
    // 6: a room's `kind` (0 public, 1 private, 2 direct message) and the pair of each dm.
    R"sql(
    ALTER TABLE rooms ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE direct_rooms (
        user_low INTEGER NOT NULL REFERENCES users(id),
        user_high INTEGER NOT NULL REFERENCES users(id),
        room_id INTEGER NOT NULL UNIQUE REFERENCES rooms(id),
        PRIMARY KEY (user_low, user_high)) WITHOUT ROWID;
    )sql",
    // 7: files: uploads (bytes content-addressed under <data>/files by `sha256`), which
    // message carries which file (`position` keeps their order), unattached ones expire.
    R"sql(
    CREATE TABLE files (
        id TEXT PRIMARY KEY,
        uploader_id INTEGER NOT NULL REFERENCES users(id),
        sha256 TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        attached INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX files_by_sha256 ON files(sha256);
    CREATE INDEX files_by_uploader ON files(uploader_id);
    CREATE INDEX files_unattached ON files(attached, created_ms);
    CREATE TABLE message_files (
        room_id INTEGER NOT NULL REFERENCES rooms(id),
        seq INTEGER NOT NULL,
        position INTEGER NOT NULL,
        file_id TEXT NOT NULL REFERENCES files(id),
        PRIMARY KEY (room_id, seq, position)) WITHOUT ROWID;
    CREATE INDEX message_files_by_file ON message_files(file_id);
    )sql",
};
// The version whose step also fills the search index from the messages already stored.
constexpr int kSearchIndexVersion = 5;
// Qt keeps connections by name per process: two writers (tests, or a tool holding two
// connections) must not replace each other's.
QString uniqueConnectionName(const QString &name)
{
    static std::atomic<int> next{0};
    return u"%1-%2"_s.arg(name).arg(++next);
}

// Qt's PostgreSQL driver frees each prepared statement with a DEALLOCATE when its query goes;
// after a lost connection that cannot work (nor matter: the server dropped them with the
// session) and Qt warns once per statement. Those lines only are dropped.
QtMessageHandler previousHandler = nullptr;
void dropStaleStatementWarnings(QtMsgType type, const QMessageLogContext &context,
                                const QString &message)
{
    if (type == QtWarningMsg && message.startsWith("Unable to free statement"_L1))
        return;
    if (previousHandler)
        previousHandler(type, context, message);
}
} // namespace

Database::~Database()
{
    close();
}

int Database::schemaVersion()
{
    return static_cast<int>(std::size(kMigrations));
}

bool Database::exec(const QString &sql)
{
    QSqlQuery query(m_db);
    if (!query.exec(sql)) {
        m_lastError = query.lastError().text();
        return false;
    }
    return true;
}

StorageLocation StorageLocation::sqlite(const QString &dataDir, SyncMode syncMode)
{
    StorageLocation location;
    location.dataDir = dataDir;
    location.syncMode = syncMode;
    return location;
}

StorageLocation StorageLocation::postgresql(const QString &databaseUrl)
{
    StorageLocation location;
    location.kind = StorageKind::Postgresql;
    location.databaseUrl = databaseUrl;
    return location;
}

StorageLocation StorageLocation::of(const ServerConfig &config)
{
    StorageLocation location = config.storage == StorageKind::Postgresql
                                   ? postgresql(config.databaseUrl)
                                   : sqlite(config.dataDir, config.syncMode);
    location.syncMode = config.syncMode;
    return location;
}

QString StorageLocation::describe() const
{
    if (kind == StorageKind::Sqlite)
        return dataDir;
    QString ignored;
    const auto url = parseDatabaseUrl(databaseUrl, &ignored);
    return url ? url->display() : u"(an invalid database_url)"_s;
}

QString Database::open(const StorageLocation &location, const QString &connectionName)
{
    if (location.kind == StorageKind::Postgresql)
        return openPostgres(location.databaseUrl, connectionName);
    return open(location.dataDir, connectionName, location.syncMode);
}

QString Database::openPostgres(const QString &databaseUrl, const QString &connectionName)
{
    QString error;
    const auto url = parseDatabaseUrl(databaseUrl, &error);
    if (!url)
        return error;
    static std::once_flag filterInstalled;
    std::call_once(filterInstalled,
                   [] { previousHandler = qInstallMessageHandler(dropStaleStatementWarnings); });
    if (!QSqlDatabase::isDriverAvailable(u"QPSQL"_s))
        return u"Qt's PostgreSQL driver (QPSQL) is not installed; on Debian install "
               "libqt6sql6-psql"_s;
    m_kind = StorageKind::Postgresql;
    m_connectionName = uniqueConnectionName(connectionName);
    m_db = QSqlDatabase::addDatabase(u"QPSQL"_s, m_connectionName);
    url->configure(m_db);
    if (!m_db.open())
        return u"cannot connect to the database %1: %2"_s.arg(url->display(),
                                                              m_db.lastError().text().trimmed());
    const postgres::MigrationOutcome outcome = postgres::migrate(m_db);
    m_versionBefore = outcome.fromVersion;
    m_versionAfter = outcome.toVersion;
    if (!outcome.error.isEmpty())
        return u"database %1: %2"_s.arg(url->display(), outcome.error);
    return {};
}

QString Database::beginWriteSql() const
{
    return isPostgres() ? u"BEGIN"_s : u"BEGIN IMMEDIATE"_s;
}

bool Database::isAlive()
{
    if (!m_db.isOpen())
        return false;
    QSqlQuery query(m_db);
    return query.exec(u"SELECT 1"_s);
}

QString Database::reconnect()
{
    m_db.close();
    if (m_db.open())
        return {};
    return m_db.lastError().text().trimmed();
}

QString Database::open(const QString &dataDir, const QString &connectionName, SyncMode syncMode)
{
    if (dataDir.isEmpty())
        return u"no data folder given (use --data DIR)"_s;
    if (!QDir().mkpath(dataDir))
        return u"cannot create data folder '%1'"_s.arg(dataDir);
    return openFile(QDir(dataDir).filePath(u"conversa.db"_s), connectionName, syncMode, true);
}

QString Database::openFile(const QString &filePath, const QString &connectionName,
                           SyncMode syncMode, bool upgradeSchema)
{
    m_kind = StorageKind::Sqlite;
    m_connectionName = uniqueConnectionName(connectionName);
    m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
    m_db.setDatabaseName(filePath);
    m_db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    if (!m_db.open())
        return u"cannot open database '%1': %2"_s.arg(filePath, m_db.lastError().text());
    const QString synchronous = syncMode == SyncMode::Full ? u"FULL"_s : u"NORMAL"_s;
    if (!exec(u"PRAGMA journal_mode=WAL"_s) || !exec(u"PRAGMA synchronous="_s + synchronous) ||
        !exec(u"PRAGMA foreign_keys=ON"_s) || !exec(u"PRAGMA temp_store=MEMORY"_s) ||
        // A deleted message's text is overwritten where it lay, not left in free space.
        !exec(u"PRAGMA secure_delete=ON"_s))
        return u"cannot configure database '%1': %2"_s.arg(filePath, m_lastError);
    return upgradeSchema ? migrate() : QString();
}

void Database::close()
{
    if (m_connectionName.isEmpty())
        return;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

QString Database::migrate()
{
    // QSqlQuery runs one statement at a time, so each migration is split on ';'.
    static const sqlite::Schema schema = [] {
        sqlite::Schema s{u"the server database"_s, {}};
        int version = 0;
        for (const char *migration : kMigrations) {
            ++version;
            std::function<QString(QSqlDatabase &)> function;
            if (version == kSearchIndexVersion)
                function = [](QSqlDatabase &db) { return indexExistingMessages(db, false); };
            s.steps.append({u"version %1"_s.arg(version),
                            sqlite::splitScript(QString::fromUtf8(migration)), function});
        }
        return s;
    }();
    using Outcome = sqlite::MigrationResult::Outcome;
    const sqlite::MigrationResult result = sqlite::migrate(m_db, schema);
    m_versionBefore = result.fromVersion;
    m_versionAfter = result.toVersion;
    switch (result.outcome) {
    case Outcome::UpToDate:
    case Outcome::Migrated:
        return {};
    case Outcome::CannotRead:
        return u"cannot read schema version: %1"_s.arg(result.detail);
    case Outcome::TooNew:
        return u"the database schema is version %1, newer than this server knows (%2); "
               "upgrade conversa-server"_s.arg(result.fromVersion)
                   .arg(schemaVersion());
    case Outcome::CannotStart:
        return u"cannot start migration: %1"_s.arg(result.detail);
    case Outcome::StepFailed:
        return u"migration to schema version %1 failed: %2"_s.arg(result.failedVersion)
            .arg(result.detail);
    case Outcome::CannotFinish:
        return u"cannot finish migration: %1"_s.arg(result.detail);
    }
    return result.error;
}

QStringList Database::checkIntegrity(bool quick)
{
    QSqlQuery query(m_db);
    if (!query.exec(quick ? u"PRAGMA quick_check"_s : u"PRAGMA integrity_check"_s))
        return {query.lastError().text()};
    QStringList problems;
    while (query.next()) {
        // One row can hold several lines, under a "*** in database main ***" heading.
        const QStringList lines = query.value(0).toString().split(u'\n', Qt::SkipEmptyParts);
        for (const QString &line : lines) {
            if (line != "ok"_L1 && !line.startsWith("*** in database"_L1))
                problems.append(line);
        }
    }
    // A damaged page can also stop the check itself half-way.
    if (query.lastError().isValid())
        problems.append(query.lastError().text());
    return problems;
}

qint64 Database::historyEpoch()
{
    QSqlQuery query(m_db);
    if (!query.exec(u"SELECT value FROM meta WHERE key = 'history_epoch'"_s))
        return -1;
    if (query.next())
        return query.value(0).toLongLong();
    return query.lastError().isValid() ? -1 : 0;
}

bool Database::setHistoryEpoch(qint64 epoch)
{
    QSqlQuery query(m_db);
    query.prepare(u"INSERT INTO meta (key, value) VALUES ('history_epoch', ?) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value"_s);
    query.addBindValue(epoch);
    if (query.exec())
        return true;
    m_lastError = query.lastError().text();
    return false;
}

bool Database::bumpAdminGeneration()
{
    if (isPostgres())
        return exec(u"WITH bumped AS (UPDATE meta SET value = value + 1 WHERE key = "
                    "'admin_generation' RETURNING value) SELECT pg_notify('conversa_admin', "
                    "value::text) FROM bumped"_s);
    return exec(u"UPDATE meta SET value = value + 1 WHERE key = 'admin_generation'"_s);
}

qint64 Database::adminGeneration()
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT value FROM meta WHERE key = 'admin_generation'"_s);
    if (!query.exec() || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

} // namespace conversa::server
