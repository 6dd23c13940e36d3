// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <SqliteConnection.h>
#include <SqliteMigrations.h>

#include <QAtomicInteger>
#include <QElapsedTimer>
#include <QSemaphore>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>

using namespace conversa::sqlite;
using namespace Qt::StringLiterals;

namespace {

// Step i inserts i into `log`, so the log shows which steps ran and how often.
Schema loggingSchema(int steps)
{
    Schema schema{u"the test file"_s, {}};
    schema.steps.append({u"the log"_s,
                         {u"CREATE TABLE IF NOT EXISTS log (step INTEGER NOT NULL)"_s,
                          u"INSERT INTO log(step) VALUES(1)"_s},
                         {}});
    for (int step = 2; step <= steps; ++step)
        schema.steps.append(
            {u"step %1"_s.arg(step), {u"INSERT INTO log(step) VALUES(%1)"_s.arg(step)}, {}});
    return schema;
}

QList<int> loggedSteps(Connection &db)
{
    QList<int> steps;
    QSqlQuery q = db.prepare(u"SELECT step FROM log ORDER BY rowid"_s);
    if (!db.exec(q))
        return {-1};
    while (q.next())
        steps.append(q.value(0).toInt());
    return steps;
}

bool tableExists(Connection &db, const QString &table)
{
    QSqlQuery q = db.prepare(u"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"_s);
    q.addBindValue(table);
    return db.exec(q) && q.next();
}

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT

private slots:
    void openCreatesFoldersAndSetsUpTheConnection()
    {
        QTemporaryDir dir;
        Connection db;
        const QString path = dir.filePath(u"a/b/c/file.db"_s);
        QVERIFY2(db.open(path, Connection::Synchronous::Normal), qPrintable(db.lastError()));
        QVERIFY(db.isOpen());
        QCOMPARE(db.pragma(u"journal_mode"_s).toString(), u"wal"_s);
        QCOMPARE(db.pragma(u"synchronous"_s).toInt(), 1); // NORMAL
        QCOMPARE(db.pragma(u"foreign_keys"_s).toInt(), 1);
        QVERIFY(!db.connectionName().isEmpty());

        Connection second;
        QVERIFY(second.open(path));
        QVERIFY(second.connectionName() != db.connectionName());
        QCOMPARE(second.pragma(u"synchronous"_s).toInt(), 2); // FULL

        // Errors come back in words.
        QVERIFY(!db.exec(u"SELECT * FROM no_such_table"_s));
        QVERIFY2(db.lastError().contains(u"no_such_table"_s), qPrintable(db.lastError()));
        QVERIFY(!db.open(QString()));
        QVERIFY(!db.lastError().isEmpty());
    }

    void freshFileReachesTheLatestVersion()
    {
        QTemporaryDir dir;
        Connection db;
        QVERIFY(db.open(dir.filePath(u"fresh.db"_s)));
        QSqlDatabase raw = db.database();
        QCOMPARE(userVersion(raw), 0);
        const MigrationResult result = migrate(raw, loggingSchema(3));
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.outcome, MigrationResult::Outcome::Migrated);
        QCOMPARE(result.fromVersion, 0);
        QCOMPARE(result.toVersion, 3);
        QCOMPARE(userVersion(raw), 3);
        QCOMPARE(loggedSteps(db), (QList<int>{1, 2, 3}));
    }

    void eachStepRunsOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"once.db"_s);
        {
            Connection db;
            QVERIFY(db.open(path));
            QVERIFY2(db.migrate(loggingSchema(2)), qPrintable(db.lastError()));
            // Again, with nothing new: nothing runs.
            QSqlDatabase raw = db.database();
            QCOMPARE(migrate(raw, loggingSchema(2)).outcome, MigrationResult::Outcome::UpToDate);
            QCOMPARE(loggedSteps(db), (QList<int>{1, 2}));
        }
        // A later program knows two more steps: only those run, in order.
        Connection db;
        QVERIFY(db.open(path));
        QSqlDatabase raw = db.database();
        const MigrationResult result = migrate(raw, loggingSchema(4));
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.fromVersion, 2);
        QCOMPARE(result.toVersion, 4);
        QCOMPARE(loggedSteps(db), (QList<int>{1, 2, 3, 4}));
        QCOMPARE(userVersion(raw), 4);
    }

    void unversionedFileWithTablesIsVersionOne()
    {
        // A file written before versions were recorded: version 1's tables, user_version 0.
        QTemporaryDir dir;
        Connection db;
        QVERIFY(db.open(dir.filePath(u"old.db"_s)));
        QVERIFY(db.exec(u"CREATE TABLE items (name TEXT NOT NULL)"_s));
        QVERIFY(db.exec(u"INSERT INTO items(name) VALUES('kept')"_s));
        Schema schema{
            u"the items"_s,
            {{u"items"_s, {u"CREATE TABLE IF NOT EXISTS items (name TEXT NOT NULL)"_s}, {}},
             {u"a column"_s,
              {u"ALTER TABLE items ADD COLUMN n INTEGER NOT NULL DEFAULT 7"_s},
              {}}}};
        QVERIFY2(db.migrate(schema), qPrintable(db.lastError()));
        QCOMPARE(db.pragma(u"user_version"_s).toInt(), 2);
        QSqlQuery q = db.prepare(u"SELECT name, n FROM items"_s);
        QVERIFY(db.exec(q));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), u"kept"_s);
        QCOMPARE(q.value(1).toInt(), 7);
        QVERIFY(!q.next());
    }

    void failingStepRollsBackEverything_data()
    {
        QTest::addColumn<bool>("failInFunction");
        QTest::newRow("statement") << false;
        QTest::newRow("function") << true;
    }
    void failingStepRollsBackEverything()
    {
        QFETCH(bool, failInFunction);
        QTemporaryDir dir;
        Connection db;
        QVERIFY(db.open(dir.filePath(u"fail.db"_s)));
        QVERIFY(db.migrate(loggingSchema(1)));

        Schema schema = loggingSchema(1);
        schema.steps.append(
            {u"a second table"_s,
             {u"CREATE TABLE second (x INTEGER)"_s, u"INSERT INTO log(step) VALUES(2)"_s},
             {}});
        if (failInFunction) {
            schema.steps.append({u"a check"_s,
                                 {u"INSERT INTO log(step) VALUES(3)"_s},
                                 [](QSqlDatabase &) { return u"the check found a problem"_s; }});
        } else {
            schema.steps.append(
                {u"a broken step"_s, {u"INSERT INTO no_such_table VALUES(3)"_s}, {}});
        }
        QSqlDatabase raw = db.database();
        const MigrationResult result = migrate(raw, schema);
        QVERIFY(!result.ok());
        QCOMPARE(result.outcome, MigrationResult::Outcome::StepFailed);
        QCOMPARE(result.failedVersion, 3);
        QCOMPARE(result.toVersion, 1);
        QVERIFY2(result.error.contains(u"the test file"_s), qPrintable(result.error));
        QVERIFY2(result.error.contains(u"version 3"_s), qPrintable(result.error));
        QVERIFY2(result.error.contains(failInFunction ? u"the check found a problem"_s
                                                      : u"no_such_table"_s),
                 qPrintable(result.error));
        QVERIFY2(result.error.contains(u"left as it was"_s), qPrintable(result.error));
        // Neither the failed step nor the good one before it left anything.
        QCOMPARE(userVersion(raw), 1);
        QVERIFY(!tableExists(db, u"second"_s));
        QCOMPARE(loggedSteps(db), (QList<int>{1}));
        // The connection is usable after the rollback.
        QVERIFY(db.exec(u"INSERT INTO log(step) VALUES(9)"_s));
        QCOMPARE(loggedSteps(db), (QList<int>{1, 9}));
    }

    void newerFileIsRefusedInWords()
    {
        QTemporaryDir dir;
        Connection db;
        QVERIFY(db.open(dir.filePath(u"newer.db"_s)));
        QVERIFY(db.migrate(loggingSchema(2)));
        QVERIFY(db.exec(u"PRAGMA user_version = 5"_s));

        QVERIFY(!db.migrate(loggingSchema(3)));
        const QString error = db.lastError();
        QVERIFY2(error.contains(u"the test file"_s), qPrintable(error));
        QVERIFY2(error.contains(u"version 5"_s), qPrintable(error));
        QVERIFY2(error.contains(u"newer than this program knows (3)"_s), qPrintable(error));
        QSqlDatabase raw = db.database();
        const MigrationResult result = migrate(raw, loggingSchema(3));
        QCOMPARE(result.outcome, MigrationResult::Outcome::TooNew);
        QCOMPARE(result.fromVersion, 5);
        // Untouched.
        QCOMPARE(userVersion(raw), 5);
        QCOMPARE(loggedSteps(db), (QList<int>{1, 2}));
    }

    void twoConnectionsOpeningAtOnceTakeTurns()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"shared/both.db"_s);
        QAtomicInteger<int> slowStepRuns = 0;
        Schema schema = loggingSchema(2);
        // The last step holds the write lock well beyond the other connection's first try.
        schema.steps.append({u"a slow step"_s,
                             {u"INSERT INTO log(step) VALUES(3)"_s},
                             [&slowStepRuns](QSqlDatabase &) {
                                 slowStepRuns.fetchAndAddRelaxed(1);
                                 QThread::msleep(400);
                                 return QString();
                             }});
        QString errors[2];
        std::unique_ptr<QThread> threads[2];
        for (int i = 0; i < 2; ++i) {
            threads[i].reset(QThread::create([&, i] {
                Connection db;
                if (!db.open(path) || !db.migrate(schema))
                    errors[i] = db.lastError().isEmpty() ? u"failed"_s : db.lastError();
            }));
        }
        QElapsedTimer timer;
        timer.start();
        for (auto &thread : threads)
            thread->start();
        for (auto &thread : threads)
            QVERIFY(thread->wait(30'000));
        QVERIFY2(errors[0].isEmpty(), qPrintable(errors[0]));
        QVERIFY2(errors[1].isEmpty(), qPrintable(errors[1]));
        QCOMPARE(slowStepRuns.loadRelaxed(), 1);
        QVERIFY(timer.elapsed() >= 400);

        Connection db;
        QVERIFY(db.open(path));
        QCOMPARE(db.pragma(u"user_version"_s).toInt(), 3);
        QCOMPARE(loggedSteps(db), (QList<int>{1, 2, 3}));
    }

    void writerHoldingTheFileMakesMigrationWait()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"busy.db"_s);
        Connection holder;
        QVERIFY(holder.open(path));
        QVERIFY(holder.exec(u"CREATE TABLE other (x INTEGER)"_s));
        QVERIFY(holder.exec(u"BEGIN IMMEDIATE"_s));
        QVERIFY(holder.exec(u"INSERT INTO other VALUES(1)"_s));

        QString error = u"not run"_s;
        QSemaphore started;
        std::unique_ptr<QThread> thread(QThread::create([&] {
            started.release();
            Connection db;
            error = db.open(path) && db.migrate(loggingSchema(2)) ? QString() : db.lastError();
        }));
        thread->start();
        started.acquire();
        // Still waiting for the lock well after it began (a failure would have ended it).
        QThread::msleep(500);
        const bool waitedForTheLock = !thread->isFinished();
        const bool committed = holder.exec(u"COMMIT"_s);
        QVERIFY(thread->wait(30'000));
        QVERIFY(committed);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(waitedForTheLock);
        QCOMPARE(holder.pragma(u"user_version"_s).toInt(), 2);
    }

    void splitScriptDropsEmptyStatements()
    {
        QCOMPARE(splitScript(u"CREATE TABLE a (x);\n  ;\nINSERT INTO a VALUES(1);\n"_s),
                 (QStringList{u"CREATE TABLE a (x)"_s, u"INSERT INTO a VALUES(1)"_s}));
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
