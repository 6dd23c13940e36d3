// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <MessageCache.h>
#include <Outbox.h>
#include <TokenRevoker.h>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace conversa;
using namespace Qt::StringLiterals;

namespace {

// The files as the code before schema versions wrote them (commit a033150): these statements
// are copied from there and must never change, since they stand for files on people's disks.
const QStringList kCacheBeforeVersions{
    u"CREATE TABLE IF NOT EXISTS rooms ("
    "room TEXT PRIMARY KEY,"
    "title TEXT NOT NULL DEFAULT '',"
    "last_seq INTEGER NOT NULL DEFAULT 0,"
    "read_seq INTEGER NOT NULL DEFAULT 0,"
    "synced_seq INTEGER NOT NULL DEFAULT 0)"_s,
    u"CREATE TABLE IF NOT EXISTS messages ("
    "room TEXT NOT NULL REFERENCES rooms(room) ON DELETE CASCADE,"
    "seq INTEGER NOT NULL,"
    "ts INTEGER NOT NULL,"
    "sender TEXT NOT NULL,"
    "cid TEXT NOT NULL,"
    "body TEXT NOT NULL,"
    "PRIMARY KEY(room, seq)) WITHOUT ROWID"_s,
    u"CREATE TABLE IF NOT EXISTS meta ("
    "key TEXT PRIMARY KEY,"
    "value INTEGER NOT NULL)"_s,
    u"INSERT INTO rooms(room, title, last_seq, read_seq, synced_seq) "
    "VALUES('general', 'General', 3, 2, 3)"_s,
    u"INSERT INTO messages(room, seq, ts, sender, cid, body) VALUES"
    "('general', 1, 1000, 'ana', 'c1', 'first'),"
    "('general', 2, 2000, 'rui', 'c2', 'second'),"
    "('general', 3, 3000, 'ana', 'c3', 'third')"_s,
    u"INSERT INTO meta(key, value) VALUES('history_epoch', 42)"_s};

const QStringList kOutboxBeforeVersions{
    u"CREATE TABLE IF NOT EXISTS outbox ("
    "position INTEGER PRIMARY KEY AUTOINCREMENT,"
    "cid TEXT NOT NULL UNIQUE,"
    "room TEXT NOT NULL,"
    "body TEXT NOT NULL,"
    "state INTEGER NOT NULL DEFAULT 0,"
    "seq INTEGER NOT NULL DEFAULT 0,"
    "ts INTEGER NOT NULL DEFAULT 0,"
    "reason TEXT NOT NULL DEFAULT '',"
    "created_ms INTEGER NOT NULL)"_s,
    u"CREATE INDEX IF NOT EXISTS outbox_room_state "
    "ON outbox(room, state, position)"_s,
    u"INSERT INTO outbox(cid, room, body, state, created_ms) "
    "VALUES('pending-1', 'general', 'typed offline', 0, 5000)"_s,
    u"INSERT INTO outbox(cid, room, body, state, reason, created_ms) "
    "VALUES('failed-1', 'general', 'refused', 2, 'too long', 6000)"_s};

const QStringList kRevocationsBeforeVersions{
    u"DROP TABLE IF EXISTS revocations"_s,
    u"CREATE TABLE IF NOT EXISTS pending_revocations ("
    "keychain_key TEXT PRIMARY KEY,"
    "user TEXT NOT NULL,"
    "server TEXT NOT NULL,"
    "created_ms INTEGER NOT NULL)"_s,
    u"INSERT INTO pending_revocations(keychain_key, user, server, created_ms) "
    "VALUES('revoke:ana@example#1', 'ana', 'wss://example.org', 7000)"_s};

// The first version of the revocations file, which held the tokens themselves.
const QStringList kRevocationsFirstVersion{
    u"CREATE TABLE IF NOT EXISTS revocations ("
    "token TEXT PRIMARY KEY,"
    "user TEXT NOT NULL,"
    "server TEXT NOT NULL,"
    "created_ms INTEGER NOT NULL)"_s,
    u"INSERT INTO revocations VALUES('secret-token', 'ana', 'wss://example.org', 1)"_s};

// Runs `statements` on a new connection, as the old code did (WAL), and closes it.
QString writeFile(const QString &path, const QStringList &statements, int userVersion = 0)
{
    const QString name = u"fixture-"_s + path;
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        if (!db.open())
            return db.lastError().text();
        QSqlQuery q(db);
        QStringList all{u"PRAGMA journal_mode=WAL"_s};
        all += statements;
        if (userVersion)
            all.append(u"PRAGMA user_version = %1"_s.arg(userVersion));
        for (const QString &statement : std::as_const(all)) {
            if (!q.exec(statement)) {
                error = statement + u": "_s + q.lastError().text();
                break;
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

// Reads one value from a closed file, on a connection of its own.
QVariant readValue(const QString &path, const QString &sql)
{
    const QString name = u"reader-"_s + path;
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        QSqlQuery q(db);
        if (db.open() && q.exec(sql) && q.next())
            value = q.value(0);
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

int userVersion(const QString &path)
{
    return readValue(path, u"PRAGMA user_version"_s).toInt();
}

} // namespace

class TestClientUpgrade : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_cacheLatest = 0;
    int m_outboxLatest = 0;
    int m_revocationsLatest = 0;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The latest versions are those a new file gets.
        {
            core::MessageCache cache;
            QVERIFY2(cache.open(m_dir.filePath(u"new-cache.db"_s)), qPrintable(cache.lastError()));
            core::Outbox outbox;
            QVERIFY2(outbox.open(m_dir.filePath(u"new-outbox.db"_s)),
                     qPrintable(outbox.lastError()));
            core::TokenRevoker revoker;
            QVERIFY2(revoker.open(m_dir.filePath(u"new-revocations.db"_s)),
                     qPrintable(revoker.lastError()));
        }
        m_cacheLatest = userVersion(m_dir.filePath(u"new-cache.db"_s));
        m_outboxLatest = userVersion(m_dir.filePath(u"new-outbox.db"_s));
        m_revocationsLatest = userVersion(m_dir.filePath(u"new-revocations.db"_s));
        QVERIFY(m_cacheLatest >= 1);
        QVERIFY(m_outboxLatest >= 1);
        QVERIFY(m_revocationsLatest >= 1);
    }

    void cacheFromBeforeVersionsKeepsItsRows()
    {
        const QString path = m_dir.filePath(u"old-cache.db"_s);
        QCOMPARE(writeFile(path, kCacheBeforeVersions), QString());
        QCOMPARE(userVersion(path), 0);
        {
            core::MessageCache cache;
            QVERIFY2(cache.open(path), qPrintable(cache.lastError()));
            QCOMPARE(cache.database().pragma(u"user_version"_s).toInt(), m_cacheLatest);
            const auto room = cache.room(u"general"_s);
            QVERIFY(room);
            QCOMPARE(room->title, u"General"_s);
            QCOMPARE(room->lastSeq, 3);
            QCOMPARE(room->readSeq, 2);
            // Files before replies and edits skipped edits, deletions and reactions: the room
            // is synced again (its messages stay on screen meanwhile).
            QCOMPARE(room->syncedSeq, 0);
            const QList<protocol::MessageEvent> messages = cache.latest(u"general"_s, 10);
            QCOMPARE(messages.size(), 3);
            QStringList bodies;
            for (const protocol::MessageEvent &m : messages)
                bodies.append(m.body);
            bodies.sort();
            QCOMPARE(bodies, (QStringList{u"first"_s, u"second"_s, u"third"_s}));
            QCOMPARE(cache.historyEpoch(), 42);
            // Still writable with today's statements.
            QVERIFY(cache.addRoom(u"random"_s, u"Random"_s));
        }
        QCOMPARE(userVersion(path), m_cacheLatest);
        QCOMPARE(readValue(path, u"SELECT COUNT(*) FROM messages"_s).toInt(), 3);
        QCOMPARE(readValue(path, u"SELECT COUNT(*) FROM rooms"_s).toInt(), 2);
        // Opening again changes nothing.
        {
            core::MessageCache cache;
            QVERIFY(cache.open(path));
            QCOMPARE(cache.messageCount(u"general"_s), 3);
        }
        QCOMPARE(userVersion(path), m_cacheLatest);
    }

    void outboxFromBeforeVersionsKeepsItsRows()
    {
        const QString path = m_dir.filePath(u"old-outbox.db"_s);
        QCOMPARE(writeFile(path, kOutboxBeforeVersions), QString());
        {
            core::Outbox outbox;
            QVERIFY2(outbox.open(path), qPrintable(outbox.lastError()));
            QCOMPARE(outbox.database().pragma(u"user_version"_s).toInt(), m_outboxLatest);
            const auto pending = outbox.entry(u"pending-1"_s);
            QVERIFY(pending);
            QCOMPARE(pending->body, u"typed offline"_s);
            QCOMPARE(pending->state, core::OutboxState::Pending);
            QCOMPARE(pending->createdMs, 5000);
            const auto failed = outbox.entry(u"failed-1"_s);
            QVERIFY(failed);
            QCOMPARE(failed->reason, u"too long"_s);
            QCOMPARE(outbox.pendingCount(u"general"_s), 1);
            // New messages queue after the old ones.
            const QString cid = outbox.enqueue(u"general"_s, u"after the upgrade"_s);
            QVERIFY(!cid.isEmpty());
            outbox.flush(); // on the disk, with its position
            QVERIFY(outbox.entry(cid)->position > failed->position);
        }
        QCOMPARE(userVersion(path), m_outboxLatest);
        QCOMPARE(readValue(path, u"SELECT COUNT(*) FROM outbox"_s).toInt(), 3);
    }

    void revocationsFromBeforeVersionsKeepTheirRows()
    {
        const QString path = m_dir.filePath(u"old-revocations.db"_s);
        QCOMPARE(writeFile(path, kRevocationsBeforeVersions), QString());
        {
            core::TokenRevoker revoker;
            QVERIFY2(revoker.open(path), qPrintable(revoker.lastError()));
            QCOMPARE(revoker.pendingKeys(), QStringList{u"revoke:ana@example#1"_s});
        }
        QCOMPARE(userVersion(path), m_revocationsLatest);
    }

    void firstRevocationsFileLosesItsTokens()
    {
        const QString path = m_dir.filePath(u"first-revocations.db"_s);
        QCOMPARE(writeFile(path, kRevocationsFirstVersion), QString());
        {
            core::TokenRevoker revoker;
            QVERIFY2(revoker.open(path), qPrintable(revoker.lastError()));
            QCOMPARE(revoker.pendingCount(), 0);
        }
        QCOMPARE(userVersion(path), m_revocationsLatest);
        QCOMPARE(readValue(path, u"SELECT COUNT(*) FROM sqlite_master WHERE name = 'revocations'"_s)
                     .toInt(),
                 0);
    }

    void fileFromANewerVersionIsRefused()
    {
        const QString cachePath = m_dir.filePath(u"newer-cache.db"_s);
        QCOMPARE(writeFile(cachePath, kCacheBeforeVersions, m_cacheLatest + 1), QString());
        core::MessageCache cache;
        QVERIFY(!cache.open(cachePath));
        QVERIFY(!cache.isOpen());
        QVERIFY2(cache.lastError().contains(u"the message cache"_s), qPrintable(cache.lastError()));
        QVERIFY2(cache.lastError().contains(u"newer than this program knows"_s),
                 qPrintable(cache.lastError()));
        QCOMPARE(userVersion(cachePath), m_cacheLatest + 1);
        QCOMPARE(readValue(cachePath, u"SELECT COUNT(*) FROM messages"_s).toInt(), 3);

        const QString outboxPath = m_dir.filePath(u"newer-outbox.db"_s);
        QCOMPARE(writeFile(outboxPath, kOutboxBeforeVersions, m_outboxLatest + 1), QString());
        core::Outbox outbox;
        QVERIFY(!outbox.open(outboxPath));
        QVERIFY2(outbox.lastError().contains(u"the outbox"_s), qPrintable(outbox.lastError()));
        QCOMPARE(readValue(outboxPath, u"SELECT COUNT(*) FROM outbox"_s).toInt(), 2);

        const QString revocationsPath = m_dir.filePath(u"newer-revocations.db"_s);
        QCOMPARE(writeFile(revocationsPath, kRevocationsBeforeVersions, m_revocationsLatest + 1),
                 QString());
        core::TokenRevoker revoker;
        QVERIFY(!revoker.open(revocationsPath));
        QVERIFY2(revoker.lastError().contains(u"newer than this program knows"_s),
                 qPrintable(revoker.lastError()));
    }
};

QTEST_GUILESS_MAIN(TestClientUpgrade)
#include "tst_client_upgrade.moc"
