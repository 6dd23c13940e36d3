// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/Database.h"
#include "storage/StorageWriter.h"
#include "storage/Store.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace Qt::StringLiterals;
using namespace conversa::server;

class TestStorageWriter : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        // An account to write as, made the way the admin CLI does.
        Database db;
        QCOMPARE(db.open(m_dir->path(), u"setup"_s), QString());
        QSqlQuery query(db.db());
        QVERIFY(query.exec(u"INSERT INTO users (name, password_hash, created_ms) "
                           "VALUES ('alice', 'x', 0)"_s));
        m_context = std::make_unique<QObject>();
        m_writer = new StorageWriter(m_context.get());
        QCOMPARE(m_writer->start(m_dir->path(), SyncMode::Normal), QString());
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
        QCOMPARE(store.open(m_dir->path()), QString());
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
        QCOMPARE(store.open(m_dir->path()), QString());
        const auto all = store.history(room.value, u"r"_s, 0, 50);
        QCOMPARE(all.size(), 1);
        QCOMPARE(all.first().body, u"one"_s);
        // The sender has read what they wrote.
        const auto rooms = store.roomsOf(1);
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

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QObject> m_context;
    StorageWriter *m_writer = nullptr; // owned by m_context
};

QTEST_GUILESS_MAIN(TestStorageWriter)
#include "tst_storagewriter.moc"
