// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "AdminCommands.h"

#include "Log.h"
#include "PasswordHasher.h"
#include "Validation.h"
#include "files/BackupFiles.h"
#include "storage/Database.h"
#include "storage/DatabaseUrl.h"
#include "storage/SqliteToPostgres.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString &message)
{
    err() << "conversa-server: " << message << Qt::endl;
    return 1;
}

int usage(const QString &message)
{
    err() << "conversa-server: " << message << "\nRun 'conversa-server --help' for usage."
          << Qt::endl;
    return 2;
}

// Positional words and --name value options of one admin command.
struct Arguments {
    QStringList positional;
    QHash<QString, QString> options;
    QSet<QString> flags;

    static std::optional<Arguments> parse(const QStringList &args, const QSet<QString> &flagNames,
                                          QString *error)
    {
        Arguments parsed;
        for (qsizetype i = 0; i < args.size(); ++i) {
            const QString &arg = args.at(i);
            if (!arg.startsWith("--"_L1)) {
                parsed.positional.append(arg);
                continue;
            }
            const QString name = arg.mid(2);
            if (flagNames.contains(name)) {
                parsed.flags.insert(name);
            } else if (i + 1 < args.size()) {
                parsed.options.insert(name, args.at(++i));
            } else {
                *error = u"--%1 needs a value"_s.arg(name);
                return std::nullopt;
            }
        }
        return parsed;
    }
};

QString readPasswordLine(bool fromStdin)
{
    std::string line;
    if (fromStdin) {
        std::getline(std::cin, line);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        return QString::fromStdString(line);
    }
    termios saved{};
    const bool terminal = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    auto prompt = [&](const char *text) {
        std::fputs(text, stderr);
        std::fflush(stderr);
        if (terminal) {
            termios silent = saved;
            silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            tcsetattr(STDIN_FILENO, TCSANOW, &silent);
        }
        std::string entered;
        std::getline(std::cin, entered);
        if (terminal) {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved);
            std::fputs("\n", stderr);
        }
        return entered;
    };
    line = prompt("Password: ");
    if (terminal && prompt("Repeat password: ") != line)
        return QString(); // mismatch reads as empty, which the caller refuses
    return QString::fromStdString(line);
}

// SQLite says "UNIQUE constraint failed", PostgreSQL "duplicate key value violates unique
// constraint".
bool isUniqueViolation(const QString &error)
{
    return error.contains("UNIQUE"_L1) || error.contains("duplicate key"_L1);
}

bool execPrepared(QSqlQuery &query, QString *error)
{
    if (query.exec())
        return true;
    *error = query.lastError().text();
    return false;
}

// Revokes every live token of `userId`; returns how many, or -1 (with `*error`).
int revokeTokensOf(Database &db, qint64 userId, QString *error)
{
    QSqlQuery query(db.db());
    query.prepare(u"UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND user_id = ?"_s);
    query.addBindValue(userId);
    if (!execPrepared(query, error))
        return -1;
    return query.numRowsAffected();
}

std::optional<qint64> userIdOf(Database &db, const QString &name, QString *error)
{
    QSqlQuery query(db.db());
    query.prepare(u"SELECT id FROM users WHERE name = ?"_s);
    query.addBindValue(name);
    if (!execPrepared(query, error))
        return std::nullopt;
    if (!query.next()) {
        *error = query.lastError().isValid() ? query.lastError().text()
                                             : u"there is no user named '%1'"_s.arg(name);
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

// Runs `change` in one transaction with the admin-generation bump that makes a running server
// look again (and close the sessions of tokens revoked here). Returns an error, or empty.
// IMMEDIATE takes the write lock first (waiting up to the busy timeout for the server's writer);
// a deferred transaction that read first could not upgrade while the server writes.
QString inTransaction(Database &db, const std::function<QString()> &change)
{
    QSqlQuery control(db.db());
    if (!control.exec(db.beginWriteSql()))
        return control.lastError().text();
    QString error = change();
    if (error.isEmpty() && !db.bumpAdminGeneration())
        error = db.lastError();
    if (error.isEmpty() && !control.exec(u"COMMIT"_s))
        error = control.lastError().text();
    if (!error.isEmpty())
        control.exec(u"ROLLBACK"_s);
    return error;
}

int userCommand(Database &db, const QString &action, const Arguments &a)
{
    QString error;
    if (action == "list"_L1) {
        QSqlQuery query(db.db());
        if (!query.exec(u"SELECT u.name, u.disabled, u.created_ms, (SELECT COUNT(*) FROM tokens t "
                        "WHERE t.user_id = u.id AND t.revoked = 0) FROM users u ORDER BY u.name"_s))
            return fail(query.lastError().text());
        out() << "NAME\tSTATE\tDEVICES\tCREATED" << Qt::endl;
        while (query.next())
            out() << query.value(0).toString() << '\t'
                  << (query.value(1).toBool() ? "disabled" : "active") << '\t'
                  << query.value(3).toLongLong() << '\t'
                  << QDateTime::fromMSecsSinceEpoch(query.value(2).toLongLong(), Qt::UTC)
                         .toString(Qt::ISODate)
                  << Qt::endl;
        return 0;
    }
    if (a.positional.size() != 1)
        return usage(u"user %1 needs exactly one user name"_s.arg(action));
    const QString name = a.positional.first();
    if (!protocol::isValidUserName(name))
        return usage(u"'%1' is not a valid user name: use 1 to 32 of a-z, 0-9, '_', '.' and "
                     "'-', starting with a letter or digit"_s.arg(name));

    if (action == "add"_L1 || action == "passwd"_L1) {
        const QString password = readPasswordLine(a.flags.contains(u"password-stdin"_s));
        if (password.isEmpty())
            return fail(u"no password given (or the two entries differ)"_s);
        if (password.size() < 8)
            return fail(u"the password is too short: use at least 8 characters"_s);
        const QByteArray hash = PasswordHasher::hash(password);
        if (hash.isEmpty())
            return fail(u"could not hash the password (out of memory?)"_s);
        QSqlQuery query(db.db());
        if (action == "add"_L1) {
            query.prepare(
                u"INSERT INTO users (name, password_hash, created_ms) VALUES (?, ?, ?)"_s);
            query.addBindValue(name);
            query.addBindValue(hash);
            query.addBindValue(QDateTime::currentMSecsSinceEpoch());
            if (!execPrepared(query, &error))
                return fail(isUniqueViolation(error)
                                ? u"a user named '%1' already exists"_s.arg(name)
                                : error);
            out() << "created user " << name << Qt::endl;
            return 0;
        }
        // A new password signs every device out: whoever knew the old one keeps nothing.
        int revoked = 0;
        error = inTransaction(db, [&]() -> QString {
            QString why;
            const auto userId = userIdOf(db, name, &why);
            if (!userId)
                return why;
            query.prepare(u"UPDATE users SET password_hash = ? WHERE id = ?"_s);
            query.addBindValue(hash);
            query.addBindValue(*userId);
            if (!execPrepared(query, &why))
                return why;
            revoked = revokeTokensOf(db, *userId, &why);
            return why;
        });
        if (!error.isEmpty())
            return fail(error);
        out() << "changed the password of " << name << "; signed out " << revoked << " device(s)"
              << Qt::endl;
        return 0;
    }
    if (action == "disable"_L1 || action == "enable"_L1) {
        // Disabling revokes the tokens, so enabling later does not bring old devices back:
        // they sign in again with the password.
        const bool disable = action == "disable"_L1;
        int revoked = 0;
        error = inTransaction(db, [&]() -> QString {
            QString why;
            const auto userId = userIdOf(db, name, &why);
            if (!userId)
                return why;
            QSqlQuery query(db.db());
            query.prepare(u"UPDATE users SET disabled = ? WHERE id = ?"_s);
            query.addBindValue(disable ? 1 : 0);
            query.addBindValue(*userId);
            if (!execPrepared(query, &why))
                return why;
            if (disable)
                revoked = revokeTokensOf(db, *userId, &why);
            return why;
        });
        if (!error.isEmpty())
            return fail(error);
        if (disable)
            out() << "disabled " << name << "; signed out " << revoked << " device(s)" << Qt::endl;
        else
            out() << "enabled " << name << "; they sign in again with their password" << Qt::endl;
        return 0;
    }
    return usage(u"unknown command 'user %1'"_s.arg(action));
}

int roomCommand(Database &db, const QString &action, const Arguments &a)
{
    if (action == "list"_L1) {
        QSqlQuery query(db.db());
        if (!query.exec(u"SELECT r.name, r.title, r.last_seq, (SELECT COUNT(*) FROM members m "
                        "WHERE m.room_id = r.id) FROM rooms r ORDER BY r.name"_s))
            return fail(query.lastError().text());
        out() << "ROOM\tMEMBERS\tMESSAGES\tTITLE" << Qt::endl;
        // Titles come from users: escape anything that could drive the admin's terminal.
        while (query.next())
            out() << query.value(0).toString() << '\t' << query.value(3).toLongLong() << '\t'
                  << query.value(2).toLongLong() << '\t' << terminalSafe(query.value(1).toString())
                  << Qt::endl;
        return 0;
    }
    if (action != "create"_L1 && action != "delete"_L1)
        return usage(u"unknown command 'room %1'"_s.arg(action));
    if (a.positional.size() != 1)
        return usage(u"room %1 needs exactly one room name"_s.arg(action));
    const QString name = a.positional.first();
    if (!protocol::isValidRoomName(name))
        return usage(u"'%1' is not a valid room name: use 1 to 64 of a-z, 0-9, '_' and '-', "
                     "starting with a letter or digit"_s.arg(terminalSafe(name)));
    if (action == "delete"_L1) {
        // The room, its members and every message go in one transaction; a running server
        // sees the admin generation change within a second and forgets the room.
        qint64 messages = 0;
        const QString error = inTransaction(db, [&]() -> QString {
            QSqlQuery find(db.db());
            find.prepare(u"SELECT id, last_seq FROM rooms WHERE name = ?"_s);
            find.addBindValue(name);
            QString why;
            if (!execPrepared(find, &why))
                return why;
            if (!find.next())
                return u"there is no room named '%1'"_s.arg(name);
            const qint64 roomId = find.value(0).toLongLong();
            messages = find.value(1).toLongLong();
            for (const QString &statement : {u"DELETE FROM search_terms WHERE room_id = ?"_s,
                                             u"DELETE FROM message_files WHERE room_id = ?"_s,
                                             u"DELETE FROM messages WHERE room_id = ?"_s,
                                             u"DELETE FROM members WHERE room_id = ?"_s,
                                             u"DELETE FROM rooms WHERE id = ?"_s}) {
                QSqlQuery remove(db.db());
                remove.prepare(statement);
                remove.addBindValue(roomId);
                if (!execPrepared(remove, &why))
                    return why;
            }
            // Files no message carries any more expire at the server's next sweep.
            QSqlQuery release(db.db());
            release.prepare(u"UPDATE files SET attached = 0, created_ms = 0 WHERE attached = 1 "
                            "AND NOT EXISTS (SELECT 1 FROM message_files WHERE file_id = "
                            "files.id)"_s);
            if (!execPrepared(release, &why))
                return why;
            return {};
        });
        if (!error.isEmpty())
            return fail(error);
        out() << "deleted room " << name << " and its " << messages << " message(s)" << Qt::endl;
        return 0;
    }
    const QString title = a.options.value(u"title"_s, name);
    if (title.size() > protocol::kMaxTitleLength)
        return usage(u"the title is longer than %1 characters"_s.arg(protocol::kMaxTitleLength));
    if (protocol::firstControlCharacter(title, protocol::AllowLineBreaks::No) != 0)
        return usage(u"the title contains a control character; remove it"_s);
    QSqlQuery query(db.db());
    query.prepare(u"INSERT INTO rooms (name, title, created_ms) VALUES (?, ?, ?)"_s);
    query.addBindValue(name);
    query.addBindValue(title);
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    QString error;
    if (!execPrepared(query, &error))
        return fail(isUniqueViolation(error) ? u"a room named '%1' already exists"_s.arg(name)
                                             : error);
    db.bumpAdminGeneration();
    out() << "created room " << name << Qt::endl;
    return 0;
}

int tokenCommand(Database &db, const QString &action, const Arguments &a)
{
    const QString user = a.options.value(u"user"_s);
    if (action == "list"_L1) {
        QSqlQuery query(db.db());
        query.prepare(u"SELECT t.id, u.name, t.device, t.created_ms, t.last_used_ms FROM tokens t "
                      "JOIN users u ON u.id = t.user_id WHERE t.revoked = 0%1 ORDER BY t.id"_s.arg(
                          user.isEmpty() ? QString() : u" AND u.name = ?"_s));
        if (!user.isEmpty())
            query.addBindValue(user);
        QString error;
        if (!execPrepared(query, &error))
            return fail(error);
        out() << "ID\tUSER\tDEVICE\tCREATED\tLAST USED" << Qt::endl;
        auto when = [](const QVariant &ms) {
            return ms.isNull() ? u"-"_s
                               : QDateTime::fromMSecsSinceEpoch(ms.toLongLong(), Qt::UTC)
                                     .toString(Qt::ISODate);
        };
        while (query.next())
            out() << query.value(0).toLongLong() << '\t' << query.value(1).toString() << '\t'
                  << terminalSafe(query.value(2).toString()) << '\t' << when(query.value(3)) << '\t'
                  << when(query.value(4)) << Qt::endl;
        return 0;
    }
    if (action != "revoke"_L1)
        return usage(u"unknown command 'token %1'"_s.arg(action));
    qint64 tokenId = 0;
    if (user.isEmpty() && a.positional.size() == 1) {
        bool ok = false;
        tokenId = a.positional.first().toLongLong(&ok);
        if (!ok)
            return usage(u"'%1' is not a token id (see 'token list')"_s.arg(a.positional.first()));
    } else if (user.isEmpty() || !a.positional.isEmpty()) {
        return usage(u"token revoke needs a token id or --user NAME"_s);
    }
    // Counted right after the UPDATE: the generation bump is a statement of its own.
    int revoked = 0;
    const QString error = inTransaction(db, [&]() -> QString {
        QString why;
        if (!user.isEmpty()) {
            const auto userId = userIdOf(db, user, &why);
            if (!userId)
                return why;
            revoked = revokeTokensOf(db, *userId, &why);
            return why;
        }
        QSqlQuery query(db.db());
        query.prepare(u"UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND id = ?"_s);
        query.addBindValue(tokenId);
        if (!execPrepared(query, &why))
            return why;
        revoked = query.numRowsAffected();
        return QString();
    });
    if (!error.isEmpty())
        return fail(error);
    if (revoked == 0 && user.isEmpty())
        return fail(u"there is no live token with id %1 (see 'token list')"_s.arg(tokenId));
    out() << "revoked " << revoked << " token(s)" << Qt::endl;
    return 0;
}

// A consistent copy of the live database, taken while the server runs: VACUUM INTO reads one
// snapshot (WAL keeps writers going) and writes a compact, self-contained file.
int backupCommand(Database &db, const QString &dataDir, const Arguments &a)
{
    if (a.positional.size() != 1)
        return usage(u"backup needs the file to write, e.g. backup "
                     "/var/lib/conversa/backups/conversa.db"_s);
    const QString target = QFileInfo(a.positional.first()).absoluteFilePath();
    if (QFileInfo::exists(target))
        return fail(u"'%1' already exists; choose a new file name"_s.arg(target));
    QSqlQuery query(db.db());
    query.prepare(u"VACUUM INTO ?"_s);
    query.addBindValue(target);
    QString error;
    if (!execPrepared(query, &error))
        return fail(u"backup to '%1' failed: %2"_s.arg(target, error));
    // Every message and password hash is in there: owner and group only, whatever the umask.
    QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup);
    int files = 0;
    {
        Database backup;
        error = backup.openFile(target, u"conversa-backup"_s, SyncMode::Full, false);
        if (error.isEmpty())
            error = files::addFilesToBackup(backup.db(), dataDir, &files);
    }
    if (!error.isEmpty()) {
        QFile::remove(target);
        return fail(u"backup to '%1' failed while copying the files: %2"_s.arg(target, error));
    }
    for (const QString &suffix : {u"-wal"_s, u"-shm"_s})
        QFile::remove(target + suffix);
    out() << "backed up to " << target << " (" << QFileInfo(target).size() << " bytes, " << files
          << " file(s))" << Qt::endl;
    return 0;
}

QString databaseFile(const QString &dataDir)
{
    return QDir(dataDir).filePath(u"conversa.db"_s);
}

// SQLite's full integrity check, without changing the file (no schema upgrade).
int checkCommand(const QString &dataDir, const Arguments &a)
{
    if (!a.positional.isEmpty())
        return usage(u"check takes no file name: it checks the database in --data DIR"_s);
    const QString file = databaseFile(dataDir);
    if (!QFileInfo(file).isFile())
        return fail(u"there is no database in '%1' (no conversa.db)"_s.arg(dataDir));
    Database db;
    if (QString error = db.openFile(file, u"conversa-check"_s, SyncMode::Full, false);
        !error.isEmpty())
        return fail(u"the database '%1' cannot be opened, so it is damaged or not a Conversa "
                    "database: %2"_s.arg(file, error));
    const QStringList problems = db.checkIntegrity(false);
    if (problems.isEmpty()) {
        out() << "ok" << Qt::endl;
        return 0;
    }
    for (const QString &problem : problems)
        out() << problem << Qt::endl;
    return fail(u"the database '%1' is damaged (%2 problem(s) above). Stop the server and "
                "restore the latest backup with 'conversa-server restore FILE --data %3'"_s.arg(
                    file, QString::number(problems.size()), dataDir));
}

bool syncToDisk(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return synced;
}

// Replaces the database with a backup while no server runs on the folder. The restored file
// gets a new history epoch: clients whose cache holds messages the backup lacks see that it
// changed and drop their copies instead of keeping messages whose seqs are handed out again.
int restoreCommand(const QString &dataDir, const Arguments &a)
{
    if (a.positional.size() != 1)
        return usage(u"restore needs the backup file, e.g. restore "
                     "/var/lib/conversa/backups/conversa-2026-11-25.db"_s);
    const QString source = QFileInfo(a.positional.first()).absoluteFilePath();
    if (!QFileInfo(source).isFile())
        return fail(u"there is no backup file '%1'"_s.arg(source));
    if (!QDir().mkpath(dataDir))
        return fail(u"cannot create data folder '%1'"_s.arg(dataDir));
    DataFolderLock lock;
    if (QString error = lock.acquire(dataDir, DataFolderLock::Mode::Exclusive); !error.isEmpty())
        return fail(error);

    // Work on a copy: the backup itself stays untouched, whatever happens below.
    const QString live = databaseFile(dataDir);
    const QString incoming = live + u".restoring"_s;
    for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s})
        QFile::remove(incoming + suffix);
    if (!QFile::copy(source, incoming))
        return fail(u"cannot copy '%1' to '%2'"_s.arg(source, incoming));
    QFile::setPermissions(incoming, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup);
    qint64 rooms = 0, messages = 0, epoch = 0;
    {
        Database db;
        QString error = db.openFile(incoming, u"conversa-restore"_s, SyncMode::Full, true);
        QStringList problems = error.isEmpty() ? db.checkIntegrity(false) : QStringList{error};
        const qint64 previousEpoch = problems.isEmpty() ? db.historyEpoch() : -1;
        epoch = qMax(QDateTime::currentMSecsSinceEpoch(), previousEpoch + 1);
        if (problems.isEmpty() && !db.setHistoryEpoch(epoch))
            problems.append(db.lastError());
        int files = 0;
        if (problems.isEmpty()) {
            if (const QString why = files::restoreFilesFromBackup(db.db(), dataDir, &files);
                !why.isEmpty())
                problems.append(why);
        }
        if (problems.isEmpty()) {
            QSqlQuery count(db.db());
            if (count.exec(u"SELECT (SELECT COUNT(*) FROM rooms), "
                           "(SELECT COUNT(*) FROM messages)"_s) &&
                count.next()) {
                rooms = count.value(0).toLongLong();
                messages = count.value(1).toLongLong();
            }
        }
        db.close();
        if (!problems.isEmpty()) {
            for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s})
                QFile::remove(incoming + suffix);
            return fail(u"'%1' is not a sound Conversa database, so nothing was changed: %2"_s.arg(
                source, problems.mid(0, 5).join(u"; "_s)));
        }
    }
    // Closing the last connection checkpointed the WAL into the file; it must stand alone now.
    if (QFileInfo::exists(incoming + u"-wal"_s) || !syncToDisk(incoming))
        return fail(u"could not finish writing '%1'; nothing was changed"_s.arg(incoming));

    // Keep the replaced database (with its WAL, which may hold committed data) beside it.
    const QString kept =
        live + u".replaced-"_s + QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmss"_s);
    const bool hadDatabase = QFileInfo::exists(live);
    for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s}) {
        if (QFileInfo::exists(live + suffix) && !QFile::rename(live + suffix, kept + suffix))
            return fail(u"cannot move '%1' aside to '%2'"_s.arg(live + suffix, kept + suffix));
    }
    if (!QFile::rename(incoming, live))
        return fail(
            u"cannot move '%1' to '%2'; the replaced database is '%3'"_s.arg(incoming, live, kept));
    QFile::remove(incoming + u"-shm"_s);
    // Run as root: hand the files to the folder's owner (the service user), as the server
    // must write them.
    struct stat folder {};
    if (::geteuid() == 0 && ::stat(QFile::encodeName(dataDir).constData(), &folder) == 0)
        (void)::chown(QFile::encodeName(live).constData(), folder.st_uid, folder.st_gid);
    syncToDisk(dataDir);
    out() << "restored " << source << " into " << dataDir << ": " << rooms << " room(s), "
          << messages << " message(s), history epoch " << epoch << Qt::endl;
    if (hadDatabase)
        out() << "the replaced database is kept as " << kept << Qt::endl;
    out() << "clients that saw later messages drop their cached copies when they reconnect"
          << Qt::endl;
    return 0;
}

// Creates or upgrades the schema explicitly (serve and the other commands do it too), or with
// --from-sqlite DIR copies a SQLite server's data into an empty PostgreSQL database.
int migrateCommand(const StorageLocation &location, const Arguments &a)
{
    if (!a.positional.isEmpty())
        return usage(
            u"migrate takes no word '%1'; it works on --data DIR or --database-url URL"_s.arg(
                terminalSafe(a.positional.first())));
    const QString fromSqlite = a.options.value(u"from-sqlite"_s);
    if (!fromSqlite.isEmpty()) {
        if (location.kind != StorageKind::Postgresql)
            return usage(u"migrate --from-sqlite DIR needs --database-url URL, the PostgreSQL "
                         "database to fill"_s);
        DataFolderLock lock;
        if (QString error = lock.acquire(fromSqlite, DataFolderLock::Mode::Exclusive);
            !error.isEmpty())
            return fail(error.replace(u"then restore"_s, u"then migrate"_s));
        const CopyReport report = copySqliteToPostgres(fromSqlite, location.databaseUrl);
        if (!report.error.isEmpty())
            return fail(report.error);
        out() << "copied " << fromSqlite << " into " << location.describe() << ": " << report.users
              << " user(s), " << report.tokens << " token(s), " << report.rooms << " room(s), "
              << report.members << " membership(s), " << report.messages << " message(s)"
              << Qt::endl;
        return 0;
    }
    Database db;
    if (QString error = db.open(location, u"conversa-migrate"_s); !error.isEmpty())
        return fail(error);
    if (a.flags.contains(u"restored"_s)) {
        // A database brought back from a dump: clients drop cached history newer than it.
        const qint64 previous = db.historyEpoch();
        const qint64 epoch = qMax(QDateTime::currentMSecsSinceEpoch(), previous + 1);
        if (previous < 0 || !db.setHistoryEpoch(epoch) || !db.bumpAdminGeneration())
            return fail(u"cannot record the new history epoch: %1"_s.arg(db.lastError()));
        out() << "history epoch " << epoch << ": clients that saw later messages drop their "
              << "cached copies when they reconnect" << Qt::endl;
    }
    if (db.versionBeforeOpen() == db.versionAfterOpen())
        out() << "the schema of " << location.describe() << " is up to date (version "
              << db.versionAfterOpen() << ")" << Qt::endl;
    else
        out() << "migrated " << location.describe() << " from schema version "
              << db.versionBeforeOpen() << " to " << db.versionAfterOpen() << Qt::endl;
    return 0;
}

} // namespace

DataFolderLock::~DataFolderLock()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

QString DataFolderLock::acquire(const QString &dataDir, Mode mode)
{
    const QString path = QDir(dataDir).filePath(u"serve.lock"_s);
    const QByteArray file = QFile::encodeName(path);
    m_fd = ::open(file.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (m_fd < 0 && errno == EACCES) // someone else's: flock needs no write access
        m_fd = ::open(file.constData(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0)
        return u"cannot open '%1': %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    // Made by root (a restore or serve run as root): the service user must still open it.
    struct stat folder {};
    if (::geteuid() == 0 && ::stat(QFile::encodeName(dataDir).constData(), &folder) == 0)
        (void)::fchown(m_fd, folder.st_uid, folder.st_gid);
    if (::flock(m_fd, (mode == Mode::Shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0)
        return {};
    const int why = errno;
    ::close(m_fd);
    m_fd = -1;
    if (why != EWOULDBLOCK)
        return u"cannot lock '%1': %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(why)));
    return mode == Mode::Shared
               ? u"a restore is replacing the database in '%1'; start the server when it is "
                 "done"_s.arg(dataDir)
               : u"a conversa-server is serving '%1': stop it first (systemctl stop "
                 "conversa-server), then restore"_s.arg(dataDir);
}

int runAdminCommand(const QStringList &args)
{
    // `backup FILE`, `restore FILE` and `check` have no action word; the others are
    // `GROUP ACTION ...`.
    const QString group = args.value(0);
    const bool single = group == "backup"_L1 || group == "restore"_L1 || group == "check"_L1 ||
                        group == "migrate"_L1;
    if (args.size() < 2 && group != "check"_L1 && group != "migrate"_L1)
        return usage(u"'%1' needs %2"_s.arg(group, single ? u"a file name"_s : u"an action"_s));
    const QString action = single ? QString() : args.at(1);
    QString error;
    const auto parsed =
        Arguments::parse(args.mid(single ? 1 : 2), {u"password-stdin"_s, u"restored"_s}, &error);
    if (!parsed)
        return usage(error);
    QString databaseUrl = parsed->options.value(u"database-url"_s);
    QString dataDir = parsed->options.value(u"data"_s);
    if (!databaseUrl.isEmpty() && !dataDir.isEmpty())
        return usage(u"give either --data DIR (SQLite) or --database-url URL (PostgreSQL)"_s);
    if (databaseUrl.isEmpty() && dataDir.isEmpty()) {
        databaseUrl = qEnvironmentVariable("CONVERSA_DATABASE_URL");
        dataDir = qEnvironmentVariable("CONVERSA_DATA");
    }
    if (databaseUrl.isEmpty() && dataDir.isEmpty())
        return usage(u"give the server's data folder with --data DIR, or its PostgreSQL "
                     "database with --database-url URL"_s);
    if (!databaseUrl.isEmpty()) {
        if (!parseDatabaseUrl(databaseUrl, &error))
            return usage(error);
        if (group == "check"_L1)
            return usage(u"check is SQLite's integrity check; PostgreSQL checks its own pages "
                         "(see pg_amcheck)"_s);
        if (group == "backup"_L1)
            return usage(u"back up a PostgreSQL database with pg_dump (see docs/admin.md)"_s);
        if (group == "restore"_L1)
            return usage(u"restore a PostgreSQL database with pg_restore, then run "
                         "'conversa-server migrate --database-url URL --restored' (see "
                         "docs/admin.md)"_s);
    }
    const StorageLocation location = databaseUrl.isEmpty()
                                         ? StorageLocation::sqlite(dataDir)
                                         : StorageLocation::postgresql(databaseUrl);
    if (group == "migrate"_L1)
        return migrateCommand(location, *parsed);
    if (group == "check"_L1)
        return checkCommand(dataDir, *parsed);
    if (group == "restore"_L1)
        return restoreCommand(dataDir, *parsed);
    if (!PasswordHasher::initialize())
        return fail(u"libsodium could not be initialised"_s);
    Database db;
    if (QString openError = db.open(location, u"conversa-admin"_s); !openError.isEmpty())
        return fail(openError);
    if (group == "user"_L1)
        return userCommand(db, action, *parsed);
    if (group == "room"_L1)
        return roomCommand(db, action, *parsed);
    if (group == "token"_L1)
        return tokenCommand(db, action, *parsed);
    if (group == "backup"_L1)
        return backupCommand(db, dataDir, *parsed);
    return usage(u"unknown command '%1'"_s.arg(group));
}

} // namespace conversa::server
