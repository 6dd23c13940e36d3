// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <functional>

namespace conversa::sqlite {

// One step of a schema: it moves a file from version N to N + 1. Its statements run first, in
// order, then its function (if any), which returns an error in words or an empty string. Never
// edit a released step: append a new one.
struct MigrationStep {
    QString summary; // what the step brings, named in errors
    QStringList statements;
    std::function<QString(QSqlDatabase &db)> function;
};

// The versions of one kind of file. Step i brings a file to version i + 1; the version a file has
// reached is kept in its header (PRAGMA user_version), which SQLite sets to 0 in a new file.
//
// Files written before versions were recorded have user_version 0 and their tables: make
// version 1 exactly that schema with CREATE ... IF NOT EXISTS (and DROP ... IF EXISTS), so on such
// a file it changes nothing (or finishes what an interrupted first open began) and the file is
// then recorded as version 1 and goes on through the later steps.
struct Schema {
    QString name; // what the file is, in words: "the message cache"
    QList<MigrationStep> steps;

    int latestVersion() const { return static_cast<int>(steps.size()); }
};

struct MigrationResult {
    enum class Outcome {
        UpToDate,     // nothing to do
        Migrated,     // from fromVersion to toVersion, in one transaction
        CannotRead,   // user_version could not be read
        TooNew,       // the file's version is newer than the schema knows: left untouched
        CannotStart,  // the write transaction could not begin (e.g. busy beyond the timeout)
        StepFailed,   // a step failed: rolled back, the file is as it was
        CannotFinish, // recording the version or the commit failed: rolled back
    };

    Outcome outcome = Outcome::UpToDate;
    int fromVersion = 0;   // the file's version before
    int toVersion = 0;     // the file's version after (fromVersion unless Migrated)
    int failedVersion = 0; // the version whose step failed (StepFailed)
    QString detail;        // SQLite's (or the step function's) own words
    QString error;         // the whole failure in words, empty when ok()

    bool ok() const { return outcome == Outcome::UpToDate || outcome == Outcome::Migrated; }
};

// Brings `db` (open) up to schema.latestVersion(). All pending steps and the new user_version
// go in one BEGIN IMMEDIATE transaction, so a failure leaves the file exactly as it was and two
// connections opening the same file at once take turns (the second waits for the busy timeout,
// then finds the work done). The version is read again inside the transaction for that reason.
MigrationResult migrate(QSqlDatabase &db, const Schema &schema);

// PRAGMA user_version of `db`; -1 (and `error` in SQLite's words) when it cannot be read.
int userVersion(QSqlDatabase &db, QString *error = nullptr);

// Splits a script of statements on ';' (one statement per QSqlQuery). Only for scripts without
// ';' inside literals or trigger bodies.
QStringList splitScript(const QString &script);

} // namespace conversa::sqlite
