// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SqliteMigrations.h"

#include <QSqlError>
#include <QSqlQuery>

namespace conversa::sqlite {

using namespace Qt::StringLiterals;

namespace {

bool run(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    *error = query.lastError().text();
    return false;
}

QString fileName(const QSqlDatabase &db)
{
    return db.databaseName();
}

MigrationResult failure(MigrationResult result, MigrationResult::Outcome outcome,
                        const QString &detail, const QString &error)
{
    result.outcome = outcome;
    result.toVersion = result.fromVersion;
    result.detail = detail;
    result.error = error;
    return result;
}

} // namespace

int userVersion(QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(u"PRAGMA user_version"_s) || !query.next()) {
        if (error)
            *error = query.lastError().text();
        return -1;
    }
    return query.value(0).toInt();
}

QStringList splitScript(const QString &script)
{
    QStringList statements;
    const QStringList parts = script.split(u';', Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        if (!part.trimmed().isEmpty())
            statements.append(part.trimmed());
    }
    return statements;
}

MigrationResult migrate(QSqlDatabase &db, const Schema &schema)
{
    using Outcome = MigrationResult::Outcome;
    const QString file = fileName(db);
    const int latest = schema.latestVersion();
    MigrationResult result;
    QString detail;

    const auto checkVersion = [&](int version) -> bool {
        result.fromVersion = version;
        result.toVersion = version;
        if (version < 0) {
            result = failure(
                result, Outcome::CannotRead, detail,
                u"cannot read the schema version of %1 (%2): %3"_s.arg(schema.name, file, detail));
            return false;
        }
        if (version > latest) {
            result = failure(
                result, Outcome::TooNew, {},
                u"%1 (%2) has schema version %3, newer than this program knows (%4): a newer "
                "version of Conversa wrote it. Use that version, or move the file away to start "
                "afresh; it was left untouched."_s.arg(schema.name, file, QString::number(version),
                                                       QString::number(latest)));
            return false;
        }
        return true;
    };

    // The common case, a file already up to date, takes no write lock.
    if (!checkVersion(userVersion(db, &detail)))
        return result;
    if (result.fromVersion == latest)
        return result;

    if (!run(db, u"BEGIN IMMEDIATE"_s, &detail))
        return failure(result, Outcome::CannotStart, detail,
                       u"cannot start upgrading %1 (%2) to schema version %3: %4"_s.arg(
                           schema.name, file, QString::number(latest), detail));
    const auto rollback = [&db] {
        QString ignored;
        run(db, u"ROLLBACK"_s, &ignored);
    };
    // Another connection may have upgraded the file while this one waited for the lock.
    if (!checkVersion(userVersion(db, &detail))) {
        rollback();
        return result;
    }
    if (result.fromVersion == latest) {
        rollback();
        return result;
    }

    for (int version = result.fromVersion + 1; version <= latest; ++version) {
        const MigrationStep &step = schema.steps.at(version - 1);
        bool ok = true;
        for (const QString &statement : step.statements) {
            if (!run(db, statement, &detail)) {
                ok = false;
                break;
            }
        }
        if (ok && step.function) {
            detail = step.function(db);
            ok = detail.isEmpty();
        }
        if (!ok) {
            rollback();
            result = failure(result, Outcome::StepFailed, detail,
                             u"upgrading %1 (%2) to schema version %3 (%4) failed, so the file "
                             "was left as it was (version %5): %6"_s.arg(
                                 schema.name, file, QString::number(version), step.summary,
                                 QString::number(result.fromVersion), detail));
            result.failedVersion = version;
            return result;
        }
    }
    if (!run(db, u"PRAGMA user_version = %1"_s.arg(latest), &detail) ||
        !run(db, u"COMMIT"_s, &detail)) {
        rollback();
        return failure(
            result, Outcome::CannotFinish, detail,
            u"cannot finish upgrading %1 (%2) to schema version %3, so the file was "
            "left as it was: %4"_s.arg(schema.name, file, QString::number(latest), detail));
    }
    result.outcome = Outcome::Migrated;
    result.toVersion = latest;
    return result;
}

} // namespace conversa::sqlite
