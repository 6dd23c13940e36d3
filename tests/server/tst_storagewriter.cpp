// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "PostgresServer.h"
#include "TestStorage.h"
#include "storage/Database.h"
#include "storage/PostgresSchema.h"
#include "storage/StorageWriter.h"
#include "storage/Store.h"

#include <QSignalSpy>
#include <QSqlDriver>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace Qt::StringLiterals;
using namespace conversa::server;
using namespace conversa::test;

class TestStorageWriter : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (const QString why = storageUnavailable(); !why.isEmpty()) {
            if (PostgresServer::mustRun())
                QFAIL(qPrintable(why));
            QSKIP(qPrintable(why));
        }
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QString error;
        m_storage = freshStorage(m_dir->path(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // An account to write as, made the way the admin CLI does.
        Database db;
        QCOMPARE(db.open(m_storage, u"setup"_s), QString());
        QSqlQuery query(db.db());
        QVERIFY(query.exec(u"INSERT INTO users (name, password_hash, created_ms) "
                           "VALUES ('alice', 'x', 0)"_s));
        m_context = std::make_unique<QObject>();
        m_writer = new StorageWriter(m_context.get());
        QCOMPARE(m_writer->start(m_storage), QString());
    }

    void cleanup()
    {
        m_context.reset();
        m_dir.reset();
    }

    void groupsWritesAndKeepsSeqGapless()
    {
        WriteResult room;
        int roomDone = 0;
        m_writer->submit(write::CreateRoom{u"general"_s, u"General"_s, 1},
                         [&](const WriteResult &r) { room = r, ++roomDone; });
        QTRY_COMPARE(roomDone, 1);
        QVERIFY(room.ok);

        QSignalSpy commits(m_writer, &StorageWriter::committed);
        constexpr int kMessages = 2000;
        std::vector<WriteResult> results(kMessages);
        int done = 0;
        for (int i = 0; i < kMessages; ++i)
            m_writer->submit(write::InsertMessage{room.value, 1, u"cid-%1"_s.arg(i), u"hi"_s},
                             [&, i](const WriteResult &r) { results[i] = r, ++done; });
        QTRY_COMPARE_WITH_TIMEOUT(done, kMessages, 30000);
        std::set<qint64> seqs;
        for (int i = 0; i < kMessages; ++i) {
            QVERIFY(results[i].ok);
            QCOMPARE(results[i].value, i + 1); // submitted order is seq order
            seqs.insert(results[i].value);
        }
        QCOMPARE(seqs.size(), size_t(kMessages));
        // Fewer transactions than messages: writes that queued up went in together.
        QVERIFY2(commits.size() < kMessages, qPrintable(QString::number(commits.size())));

        Store store;
        QCOMPARE(store.open(m_storage), QString());
        const auto tail = store.messagesAfter(room.value, u"general"_s, kMessages - 3, 10);
        QCOMPARE(tail.size(), 3);
        QCOMPARE(tail.last().seq, kMessages);
    }

    void repeatedCidReturnsTheOriginal()
    {
        WriteResult room, first, second;
        int done = 0;
        m_writer->submit(write::CreateRoom{u"r"_s, u"R"_s, 1},
                         [&](const WriteResult &r) { room = r, ++done; });
        QTRY_COMPARE(done, 1);
        m_writer->submit(write::InsertMessage{room.value, 1, u"same"_s, u"one"_s},
                         [&](const WriteResult &r) { first = r, ++done; });
        m_writer->submit(write::InsertMessage{room.value, 1, u"same"_s, u"two"_s},
                         [&](const WriteResult &r) { second = r, ++done; });
        QTRY_COMPARE(done, 3);
        QVERIFY(!first.duplicate);
        QVERIFY(second.duplicate);
        QCOMPARE(second.value, first.value);
        QCOMPARE(second.ts, first.ts);
        Store store;
        QCOMPARE(store.open(m_storage), QString());
        const auto all = store.history(room.value, u"r"_s, 0, 50);
        QCOMPARE(all.size(), 1);
        QCOMPARE(all.first().body, u"one"_s);
        // The sender has read what they wrote.
        const auto rooms = store.roomsOf(1, u"alice"_s);
        QCOMPARE(rooms.size(), 1);
        QCOMPARE(rooms.first().readSeq, first.value);
    }

    void roomNamesAreUniqueAndReadMarkersClamp()
    {
        WriteResult room, again, read;
        int done = 0;
        m_writer->submit(write::CreateRoom{u"dup"_s, u"D"_s, 1},
                         [&](const WriteResult &r) { room = r, ++done; });
        m_writer->submit(write::CreateRoom{u"dup"_s, u"D"_s, 1},
                         [&](const WriteResult &r) { again = r, ++done; });
        QTRY_COMPARE(done, 2);
        QVERIFY(room.ok);
        QVERIFY(!again.ok);
        QCOMPARE(again.code, conversa::protocol::ErrorCode::Conflict);
        m_writer->submit(write::InsertMessage{room.value, 1, u"c"_s, u"x"_s});
        m_writer->submit(write::MarkRead{room.value, 1, 99},
                         [&](const WriteResult &r) { read = r, ++done; });
        QTRY_COMPARE(done, 3);
        QVERIFY(read.ok);
        QCOMPARE(read.value, 1); // capped at the room's last seq
    }

    // The schema runner is conversa-sqlite's; the server's words are its own.
    void databaseRecordsItsVersionAndRefusesANewerOne()
    {
        if (testingPostgres()) {
            {
                Database db;
                QCOMPARE(db.open(m_storage, u"version-check"_s), QString());
                QSqlQuery query(db.db());
                QVERIFY(query.exec(u"SELECT version FROM schema_version"_s) && query.next());
                QCOMPARE(query.value(0).toInt(), postgres::latestVersion());
                query.finish();
                QVERIFY(query.exec(u"UPDATE schema_version SET version = version + 1"_s));
            }
            Database db;
            QCOMPARE(db.open(m_storage, u"version-check"_s),
                     u"database %1: the database schema is version %2, newer than this server "
                     "knows (%3); upgrade conversa-server"_s.arg(m_storage.describe())
                         .arg(postgres::latestVersion() + 1)
                         .arg(postgres::latestVersion()));
            return;
        }
        QTemporaryDir dir;
        {
            Database db;
            QCOMPARE(db.open(dir.path(), u"version-check"_s), QString());
            QSqlQuery query(db.db());
            QVERIFY(query.exec(u"PRAGMA user_version"_s) && query.next());
            QCOMPARE(query.value(0).toInt(), Database::schemaVersion());
            query.finish();
            QVERIFY(query.exec(u"PRAGMA user_version = %1"_s.arg(Database::schemaVersion() + 1)));
        }
        Database db;
        QCOMPARE(db.open(dir.path(), u"version-check"_s),
                 u"the database schema is version %1, newer than this server knows (%2); "
                 "upgrade conversa-server"_s.arg(Database::schemaVersion() + 1)
                     .arg(Database::schemaVersion()));
    }

    // Version 2 adds rooms.owner_id and messages.reply_to, version 3 the columns of edits and
    // deletions, version 5 the search index, version 6 room kinds: a version 1 database (the
    // columns dropped again) upgrades in place, keeps its messages, and stores owners and replies
    // after.
    void versionOneDatabaseUpgradesToRepliesAndOwners()
    {
        const qint64 roomId = createRoom(u"old"_s);
        QVERIFY(roomId > 0);
        int done = 0;
        m_writer->submit(write::InsertMessage{roomId, 1, u"c1"_s, u"kept"_s},
                         [&](const WriteResult &) { ++done; });
        QTRY_COMPARE(done, 1);
        m_context.reset(); // the writer lets go of the database
        const int latest =
            testingPostgres() ? postgres::latestVersion() : Database::schemaVersion();
        {
            Database db;
            QCOMPARE(db.open(m_storage, u"downgrade"_s), QString());
            QSqlQuery query(db.db());
            QVERIFY(query.exec(u"ALTER TABLE rooms DROP COLUMN owner_id"_s));
            for (const QString &column : {u"reply_to"_s, u"kind"_s, u"target"_s, u"edited_ms"_s,
                                          u"deleted"_s, u"emoji"_s, u"reaction_on"_s})
                QVERIFY(query.exec(u"ALTER TABLE messages DROP COLUMN "_s + column));
            QVERIFY(query.exec(u"DROP TABLE reactions"_s));
            QVERIFY(query.exec(u"DROP TABLE search_terms"_s));
            QVERIFY(query.exec(u"DROP TABLE direct_rooms"_s));
            QVERIFY(query.exec(u"ALTER TABLE rooms DROP COLUMN kind"_s));
            if (testingPostgres())
                QVERIFY(query.exec(u"DROP TABLE file_chunks"_s));
            QVERIFY(query.exec(u"DROP TABLE message_files"_s));
            QVERIFY(query.exec(u"DROP TABLE files"_s));
            QVERIFY(query.exec(testingPostgres() ? u"UPDATE schema_version SET version = 1"_s
                                                 : u"PRAGMA user_version = 1"_s));
        }
        {
            Database db;
            QCOMPARE(db.open(m_storage, u"upgrade"_s), QString());
            QCOMPARE(db.versionBeforeOpen(), 1);
            QCOMPARE(db.versionAfterOpen(), latest);
            QSqlQuery query(db.db());
            QVERIFY(query.exec(u"SELECT m.body, m.reply_to, r.owner_id, r.kind FROM messages m "
                               "JOIN rooms r ON r.id = m.room_id"_s));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toString(), u"kept"_s);
            QCOMPARE(query.value(1).toLongLong(), 0);
            QCOMPARE(query.value(2).toLongLong(), 0); // who made it before version 2 is unknown
            QCOMPARE(query.value(3).toInt(), 0);      // rooms before version 6 are public
            query.finish();
            // Version 5 indexes the messages already stored for search.
            QVERIFY(query.exec(u"SELECT seq FROM search_terms WHERE term = 'kept'"_s));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toLongLong(), 1);
        }
        m_context = std::make_unique<QObject>();
        m_writer = new StorageWriter(m_context.get());
        QCOMPARE(m_writer->start(m_storage), QString());
        const qint64 newRoom = createRoom(u"new"_s);
        QVERIFY(newRoom > 0);
        done = 0;
        m_writer->submit(write::InsertMessage{roomId, 1, u"c2"_s, u"answer"_s, 1},
                         [&](const WriteResult &) { ++done; });
        QTRY_COMPARE(done, 1);
        Database db;
        QCOMPARE(db.open(m_storage, u"check"_s), QString());
        QSqlQuery query(db.db());
        QVERIFY(query.exec(u"SELECT reply_to FROM messages WHERE body = 'answer'"_s) &&
                query.next());
        QCOMPARE(query.value(0).toLongLong(), 1);
        query.finish();
        QVERIFY(query.exec(u"SELECT owner_id FROM rooms WHERE name = 'new'"_s) && query.next());
        QCOMPARE(query.value(0).toLongLong(), 1);
    }

    // Several instances on one database: each writer hands out seqs from the room row inside its
    // transaction, so two writers filling one room at once still make it gapless.
    void twoWritersOnOneDatabase_gaplessSeqs()
    {
        if (!testingPostgres())
            QSKIP("several instances share PostgreSQL only");
        const qint64 roomId = createRoom(u"shared"_s);
        QObject otherContext;
        auto *other = new StorageWriter(&otherContext);
        QCOMPARE(other->start(m_storage), QString());
        constexpr int kEach = 600;
        QList<qint64> seqs;
        int done = 0;
        for (int i = 0; i < kEach; ++i) {
            for (StorageWriter *writer : {m_writer, other})
                writer->submit(write::InsertMessage{roomId, 1,
                                                    u"%1-%2"_s.arg(writer == m_writer).arg(i),
                                                    u"x"_s},
                               [&](const WriteResult &r) {
                                   QVERIFY(r.ok);
                                   seqs.append(r.value), ++done;
                               });
        }
        QTRY_COMPARE_WITH_TIMEOUT(done, 2 * kEach, 60000);
        std::sort(seqs.begin(), seqs.end());
        QList<qint64> expected;
        for (int i = 1; i <= 2 * kEach; ++i)
            expected.append(i);
        QCOMPARE(seqs, expected);
        Store store;
        QCOMPARE(store.open(m_storage), QString());
        QCOMPARE(store.lastSeq(roomId), 2 * kEach);
    }

    // One notification per commit on conversa_entries, naming each room's newest seq; the
    // revocation of a token moves the admin generation and says so on conversa_admin.
    void commitsNotifyListeners()
    {
        if (!testingPostgres())
            QSKIP("LISTEN/NOTIFY is PostgreSQL's");
        Database listener;
        QCOMPARE(listener.open(m_storage, u"listener"_s), QString());
        QList<std::pair<QString, QString>> heard;
        QSqlDriver *driver = listener.db().driver();
        QVERIFY(driver->subscribeToNotification(u"conversa_entries"_s));
        QVERIFY(driver->subscribeToNotification(u"conversa_admin"_s));
        QVERIFY(driver->subscribeToNotification(u"conversa_rooms"_s));
        connect(
            driver, &QSqlDriver::notification, this,
            [&](const QString &channel, QSqlDriver::NotificationSource, const QVariant &payload) {
                heard.append({channel, payload.toString()});
            });
        const qint64 a = createRoom(u"a"_s);
        const qint64 b = createRoom(u"b"_s);
        QTRY_COMPARE(heard.size(), 2);
        QCOMPARE(heard.at(0), std::pair(u"conversa_rooms"_s, QString::number(a)));
        heard.clear();
        int done = 0;
        m_writer->submit(write::InsertMessage{a, 1, u"1"_s, u"x"_s});
        m_writer->submit(write::InsertMessage{b, 1, u"2"_s, u"x"_s});
        m_writer->submit(write::InsertMessage{a, 1, u"3"_s, u"x"_s},
                         [&](const WriteResult &) { ++done; });
        QTRY_COMPARE(done, 1);
        QTRY_VERIFY(!heard.isEmpty());
        QTest::qWait(200);
        // Batched or not, the last notification names a's and b's newest seqs.
        QStringList pairs;
        for (const auto &[channel, payload] : heard) {
            QCOMPARE(channel, u"conversa_entries"_s);
            pairs += payload.split(u',');
        }
        QVERIFY2(pairs.contains(u"%1:2"_s.arg(a)), qPrintable(pairs.join(u' ')));
        QVERIFY2(pairs.contains(u"%1:1"_s.arg(b)), qPrintable(pairs.join(u' ')));
        heard.clear();
        m_writer->submit(write::RevokeToken{12345});
        QTRY_COMPARE(heard.size(), 1);
        QCOMPARE(heard.first().first, u"conversa_admin"_s);
        QCOMPARE(heard.first().second, u"1"_s);
    }

    // PostgreSQL gone: writes answer internal and databaseReachable() says so; back: the writer
    // connects again by itself.
    void lostDatabase_failsWritesThenRecovers()
    {
        if (!testingPostgres())
            QSKIP("SQLite is always reachable");
        const qint64 roomId = createRoom(u"flaky"_s);
        QSignalSpy changes(m_writer, &StorageWriter::databaseReachableChanged);
        QString error;
        PostgresServer *postgres = sharedPostgres(&error);
        QVERIFY2(postgres, qPrintable(error));
        QVERIFY(m_writer->databaseReachable());
        QVERIFY2(postgres->stop(), qPrintable(postgres->errorString()));
        WriteResult down;
        int done = 0;
        m_writer->submit(write::InsertMessage{roomId, 1, u"down"_s, u"x"_s},
                         [&](const WriteResult &r) { down = r, ++done; });
        QTRY_COMPARE_WITH_TIMEOUT(done, 1, 10000);
        QVERIFY(!down.ok);
        QCOMPARE(down.code, conversa::protocol::ErrorCode::Internal);
        QVERIFY(!m_writer->databaseReachable());
        QVERIFY2(postgres->start(), qPrintable(postgres->errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(m_writer->databaseReachable(), 10000);
        QCOMPARE(changes.size(), 2);
        WriteResult up;
        m_writer->submit(write::InsertMessage{roomId, 1, u"down"_s, u"x"_s},
                         [&](const WriteResult &r) { up = r, ++done; });
        QTRY_COMPARE_WITH_TIMEOUT(done, 2, 10000);
        QVERIFY2(up.ok, qPrintable(up.error));
        QCOMPARE(up.value, 1);
    }

private:
    qint64 createRoom(const QString &name)
    {
        WriteResult room;
        int done = 0;
        m_writer->submit(write::CreateRoom{name, name, 1},
                         [&](const WriteResult &r) { room = r, ++done; });
        if (!QTest::qWaitFor([&] { return done == 1; }, 10000) || !room.ok)
            return -1;
        return room.value;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    StorageLocation m_storage;
    std::unique_ptr<QObject> m_context;
    StorageWriter *m_writer = nullptr; // owned by m_context
};

QTEST_GUILESS_MAIN(TestStorageWriter)
#include "tst_storagewriter.moc"
