// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "AdminCommands.h"

#include "Database.h"
#include "PasswordHasher.h"
#include "Validation.h"

#include <QDateTime>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>

#include <cstdio>
#include <iostream>
#include <string>
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

bool execPrepared(QSqlQuery &query, QString *error)
{
    if (query.exec())
        return true;
    *error = query.lastError().text();
    return false;
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
                return fail(error.contains("UNIQUE"_L1)
                                ? u"a user named '%1' already exists"_s.arg(name)
                                : error);
            out() << "created user " << name << Qt::endl;
            return 0;
        }
        query.prepare(u"UPDATE users SET password_hash = ? WHERE name = ?"_s);
        query.addBindValue(hash);
        query.addBindValue(name);
        if (!execPrepared(query, &error))
            return fail(error);
        if (query.numRowsAffected() == 0)
            return fail(u"there is no user named '%1'"_s.arg(name));
        out() << "changed the password of " << name << Qt::endl;
        return 0;
    }
    if (action == "disable"_L1 || action == "enable"_L1) {
        QSqlQuery query(db.db());
        query.prepare(u"UPDATE users SET disabled = ? WHERE name = ?"_s);
        query.addBindValue(action == "disable"_L1 ? 1 : 0);
        query.addBindValue(name);
        if (!execPrepared(query, &error))
            return fail(error);
        if (query.numRowsAffected() == 0)
            return fail(u"there is no user named '%1'"_s.arg(name));
        db.bumpAdminGeneration();
        out() << action << "d " << name << Qt::endl;
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
        while (query.next())
            out() << query.value(0).toString() << '\t' << query.value(3).toLongLong() << '\t'
                  << query.value(2).toLongLong() << '\t' << query.value(1).toString() << Qt::endl;
        return 0;
    }
    if (action != "create"_L1)
        return usage(u"unknown command 'room %1'"_s.arg(action));
    if (a.positional.size() != 1)
        return usage(u"room create needs exactly one room name"_s);
    const QString name = a.positional.first();
    if (!protocol::isValidRoomName(name))
        return usage(u"'%1' is not a valid room name: use 1 to 64 of a-z, 0-9, '_' and '-', "
                     "starting with a letter or digit"_s.arg(name));
    const QString title = a.options.value(u"title"_s, name);
    if (title.size() > protocol::kMaxTitleLength)
        return usage(u"the title is longer than %1 characters"_s.arg(protocol::kMaxTitleLength));
    QSqlQuery query(db.db());
    query.prepare(u"INSERT INTO rooms (name, title, created_ms) VALUES (?, ?, ?)"_s);
    query.addBindValue(name);
    query.addBindValue(title);
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    QString error;
    if (!execPrepared(query, &error))
        return fail(error.contains("UNIQUE"_L1) ? u"a room named '%1' already exists"_s.arg(name)
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
                      "JOIN users u ON u.id = t.user_id WHERE t.revoked = 0 AND (? = '' OR u.name "
                      "= ?) ORDER BY t.id"_s);
        query.addBindValue(user);
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
                  << query.value(2).toString() << '\t' << when(query.value(3)) << '\t'
                  << when(query.value(4)) << Qt::endl;
        return 0;
    }
    if (action != "revoke"_L1)
        return usage(u"unknown command 'token %1'"_s.arg(action));
    QSqlQuery query(db.db());
    if (!user.isEmpty() && a.positional.isEmpty()) {
        query.prepare(u"UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND user_id = (SELECT id "
                      "FROM users WHERE name = ?)"_s);
        query.addBindValue(user);
    } else if (user.isEmpty() && a.positional.size() == 1) {
        bool ok = false;
        const qint64 id = a.positional.first().toLongLong(&ok);
        if (!ok)
            return usage(u"'%1' is not a token id (see 'token list')"_s.arg(a.positional.first()));
        query.prepare(u"UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND id = ?"_s);
        query.addBindValue(id);
    } else {
        return usage(u"token revoke needs a token id or --user NAME"_s);
    }
    QString error;
    if (!execPrepared(query, &error))
        return fail(error);
    db.bumpAdminGeneration();
    out() << "revoked " << query.numRowsAffected() << " token(s)" << Qt::endl;
    return 0;
}

// A consistent copy of the live database, taken while the server runs: VACUUM INTO reads one
// snapshot (WAL keeps writers going) and writes a compact, self-contained file.
int backupCommand(Database &db, const Arguments &a)
{
    if (a.positional.size() != 1)
        return usage(u"backup needs the file to write, e.g. backup /var/backups/conversa.db"_s);
    const QString target = QFileInfo(a.positional.first()).absoluteFilePath();
    if (QFileInfo::exists(target))
        return fail(u"'%1' already exists; choose a new file name"_s.arg(target));
    QSqlQuery query(db.db());
    query.prepare(u"VACUUM INTO ?"_s);
    query.addBindValue(target);
    QString error;
    if (!execPrepared(query, &error))
        return fail(u"backup to '%1' failed: %2"_s.arg(target, error));
    out() << "backed up to " << target << " (" << QFileInfo(target).size() << " bytes)" << Qt::endl;
    return 0;
}

} // namespace

int runAdminCommand(const QStringList &args)
{
    // `backup FILE` has no action word; the others are `GROUP ACTION ...`.
    const bool isBackup = args.value(0) == "backup"_L1;
    if (args.size() < 2)
        return usage(
            u"'%1' needs %2"_s.arg(args.value(0), isBackup ? u"a file name"_s : u"an action"_s));
    const QString group = args.at(0);
    const QString action = isBackup ? QString() : args.at(1);
    QString error;
    const auto parsed = Arguments::parse(args.mid(isBackup ? 1 : 2), {u"password-stdin"_s}, &error);
    if (!parsed)
        return usage(error);
    QString dataDir = parsed->options.value(u"data"_s);
    if (dataDir.isEmpty())
        dataDir = qEnvironmentVariable("CONVERSA_DATA");
    if (dataDir.isEmpty())
        return usage(u"give the server's data folder with --data DIR"_s);
    if (!PasswordHasher::initialize())
        return fail(u"libsodium could not be initialised"_s);
    Database db;
    if (QString openError = db.open(dataDir, u"conversa-admin"_s); !openError.isEmpty())
        return fail(openError);
    if (group == "user"_L1)
        return userCommand(db, action, *parsed);
    if (group == "room"_L1)
        return roomCommand(db, action, *parsed);
    if (group == "token"_L1)
        return tokenCommand(db, action, *parsed);
    if (isBackup)
        return backupCommand(db, *parsed);
    return usage(u"unknown command '%1'"_s.arg(group));
}

} // namespace conversa::server
