// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/SqliteToPostgres.h"

#include "SqliteMigrations.h"
#include "storage/Database.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {

constexpr int kRowsPerStatement = 1000;

// One table's copy: rows read from SQLite, written as one array per column (`kinds`: 'i' a
// bigint, 't' text, 'b' bytes), kRowsPerStatement rows per INSERT ... SELECT FROM unnest(...).
struct TableCopy {
    QString name;
    QString select;
    QString insert;
    QString kinds;
};

QString arrayElement(const QVariant &value, QChar kind)
{
    if (value.isNull())
        return u"NULL"_s;
    if (kind == u'i')
        return QString::number(value.toLongLong());
    const QString text = kind == u'b' ? u"\\x"_s + QString::fromLatin1(value.toByteArray().toHex())
                                      : value.toString();
    QString quoted = u"\""_s;
    for (QChar c : text) {
        if (c == u'\\' || c == u'"')
            quoted += u'\\';
        quoted += c;
    }
    return quoted + u'"';
}

// Returns the rows copied, or -1 with `*error`.
qint64 copyTable(QSqlDatabase &from, QSqlDatabase &to, const TableCopy &table, QString *error)
{
    QSqlQuery read(from);
    read.setForwardOnly(true);
    if (!read.exec(table.select)) {
        *error = u"cannot read %1 from SQLite: %2"_s.arg(table.name, read.lastError().text());
        return -1;
    }
    QSqlQuery write(to);
    if (!write.prepare(table.insert)) {
        *error = u"cannot prepare the copy of %1: %2"_s.arg(table.name, write.lastError().text());
        return -1;
    }
    const qsizetype columns = table.kinds.size();
    QList<QStringList> arrays(columns);
    qint64 copied = 0;
    auto flush = [&] {
        if (arrays.first().isEmpty())
            return true;
        for (qsizetype c = 0; c < columns; ++c)
            write.bindValue(int(c), u"{"_s + arrays[c].join(u',') + u"}"_s);
        if (!write.exec()) {
            *error =
                u"cannot write %1 to PostgreSQL: %2"_s.arg(table.name, write.lastError().text());
            return false;
        }
        copied += arrays.first().size();
        for (QStringList &array : arrays)
            array.clear();
        return true;
    };
    while (read.next()) {
        for (qsizetype c = 0; c < columns; ++c)
            arrays[c].append(arrayElement(read.value(int(c)), table.kinds.at(c)));
        if (arrays.first().size() >= kRowsPerStatement && !flush())
            return -1;
    }
    if (read.lastError().isValid()) {
        *error = u"cannot read %1 from SQLite: %2"_s.arg(table.name, read.lastError().text());
        return -1;
    }
    return flush() ? copied : -1;
}

} // namespace

CopyReport copySqliteToPostgres(const QString &dataDir, const QString &databaseUrl)
{
    CopyReport report;
    const QString file = QDir(dataDir).filePath(u"conversa.db"_s);
    if (!QFileInfo(file).isFile()) {
        report.error = u"there is no database in '%1' (no conversa.db)"_s.arg(dataDir);
        return report;
    }
    Database source;
    if (QString error = source.openFile(file, u"conversa-copy-from"_s, SyncMode::Full, false);
        !error.isEmpty()) {
        report.error = error;
        return report;
    }
    QString error;
    const int version = sqlite::userVersion(source.db(), &error);
    if (version != Database::schemaVersion()) {
        report.error = version < 0 ? u"cannot read '%1': %2"_s.arg(file, error)
                                   : u"'%1' is at schema version %2, this server copies version "
                                     "%3: run 'conversa-server migrate --data %4' first "
                                     "(with the same conversa-server version)"_s.arg(file)
                                         .arg(version)
                                         .arg(Database::schemaVersion())
                                         .arg(dataDir);
        return report;
    }
    Database target;
    if (error = target.open(StorageLocation::postgresql(databaseUrl), u"conversa-copy-to"_s);
        !error.isEmpty()) {
        report.error = error;
        return report;
    }
    QSqlQuery check(target.db());
    if (!check.exec(u"SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM rooms) + "
                    "(SELECT count(*) FROM messages)"_s) ||
        !check.next()) {
        report.error = check.lastError().text();
        return report;
    }
    if (check.value(0).toLongLong() != 0) {
        report.error = u"%1 already holds users, rooms or messages; copy into an empty "
                       "database (see docs/admin.md)"_s.arg(
                           StorageLocation::postgresql(databaseUrl).describe());
        return report;
    }
    check.finish();

    const TableCopy tables[] = {
        {u"users"_s, u"SELECT id, name, password_hash, disabled, created_ms FROM users"_s,
         u"INSERT INTO users (id, name, password_hash, disabled, created_ms) SELECT * FROM "
         "unnest(?::bigint[], ?::text[], ?::bytea[], ?::int[], ?::bigint[])"_s,
         u"itbii"_s},
        {u"tokens"_s,
         u"SELECT id, user_id, hash, device, created_ms, last_used_ms, revoked FROM tokens"_s,
         u"INSERT INTO tokens (id, user_id, hash, device, created_ms, last_used_ms, revoked) "
         "SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bytea[], ?::text[], ?::bigint[], "
         "?::bigint[], ?::int[])"_s,
         u"iibtiii"_s},
        {u"rooms"_s, u"SELECT id, name, title, last_seq, created_ms, owner_id, kind FROM rooms"_s,
         u"INSERT INTO rooms (id, name, title, last_seq, created_ms, owner_id, kind) SELECT * "
         "FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], "
         "?::int[])"_s,
         u"ittiiii"_s},
        {u"direct_rooms"_s, u"SELECT user_low, user_high, room_id FROM direct_rooms"_s,
         u"INSERT INTO direct_rooms (user_low, user_high, room_id) SELECT * FROM "
         "unnest(?::bigint[], ?::bigint[], ?::bigint[])"_s,
         u"iii"_s},
        {u"members"_s, u"SELECT room_id, user_id, read_seq, joined_ms FROM members"_s,
         u"INSERT INTO members (room_id, user_id, read_seq, joined_ms) SELECT * FROM "
         "unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])"_s,
         u"iiii"_s},
        {u"messages"_s,
         u"SELECT room_id, seq, user_id, cid, ts, body, reply_to, kind, target, edited_ms, "
         "deleted, emoji, reaction_on FROM messages ORDER BY room_id, seq"_s,
         u"INSERT INTO messages (room_id, seq, user_id, cid, ts, body, reply_to, kind, target, "
         "edited_ms, deleted, emoji, reaction_on) SELECT * FROM unnest(?::bigint[], ?::bigint[], "
         "?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::int[], ?::bigint[], "
         "?::bigint[], ?::int[], ?::text[], ?::int[])"_s,
         u"iiitititiiiti"_s},
        {u"reactions"_s, u"SELECT room_id, target, user_id, emoji, seq FROM reactions"_s,
         u"INSERT INTO reactions (room_id, target, user_id, emoji, seq) SELECT * FROM "
         "unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::bigint[])"_s,
         u"iiiti"_s},
        {u"search_terms"_s, u"SELECT term, ts, room_id, seq FROM search_terms"_s,
         u"INSERT INTO search_terms (term, ts, room_id, seq) SELECT * FROM unnest(?::text[], "
         "?::bigint[], ?::bigint[], ?::bigint[])"_s,
         u"tiii"_s},
        {u"meta"_s, u"SELECT key, value FROM meta"_s,
         u"INSERT INTO meta (key, value) SELECT * FROM unnest(?::text[], ?::bigint[]) "
         "ON CONFLICT (key) DO UPDATE SET value = excluded.value"_s,
         u"ti"_s},
    };
    QSqlQuery control(target.db());
    if (!control.exec(u"BEGIN"_s)) {
        report.error = control.lastError().text();
        return report;
    }
    // One per entry of `tables`, in its order (nullptr: not reported).
    qint64 *counts[] = {&report.users,    &report.tokens, &report.rooms, nullptr, &report.members,
                        &report.messages, nullptr,        nullptr,       nullptr};
    static_assert(std::size(counts) == std::size(tables));
    for (size_t i = 0; i < std::size(tables); ++i) {
        const qint64 copied = copyTable(source.db(), target.db(), tables[i], &report.error);
        if (copied < 0) {
            control.exec(u"ROLLBACK"_s);
            return report;
        }
        if (counts[i])
            *counts[i] = copied;
    }
    // Ids were copied as they were: new rows continue after the highest.
    for (const QString &table : {u"users"_s, u"tokens"_s, u"rooms"_s}) {
        if (!control.exec(u"SELECT setval(pg_get_serial_sequence('%1', 'id'), "
                          "COALESCE((SELECT max(id) FROM %1), 0) + 1, false)"_s.arg(table))) {
            report.error = control.lastError().text();
            control.exec(u"ROLLBACK"_s);
            return report;
        }
    }
    if (!control.exec(u"COMMIT"_s)) {
        report.error = control.lastError().text();
        control.exec(u"ROLLBACK"_s);
    }
    return report;
}

} // namespace conversa::server
