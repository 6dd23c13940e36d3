// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <MessageCache.h>
#include <Outbox.h>
#include <SessionManager.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::core::MessageCache;
using conversa::protocol::MessageEvent;
using conversa::protocol::RoomSummary;

namespace {
QList<MessageEvent> messages(const QString &room, qint64 first, qint64 last)
{
    QList<MessageEvent> list;
    for (qint64 seq = first; seq <= last; ++seq)
        list.append(
            {room, seq, 1000 + seq, u"alice"_s, u"cid-%1"_s.arg(seq), u"message %1"_s.arg(seq)});
    return list;
}
QList<qint64> seqs(const QList<MessageEvent> &list)
{
    QList<qint64> result;
    for (const MessageEvent &m : list)
        result.append(m.seq);
    return result;
}
} // namespace

class TestMessageCache : public QObject
{
    Q_OBJECT
private slots:
    void roomsMoveForwardOnly();
    void storesAndPagesMessages();
    void boundedPerRoom();
    void duplicatesAreIgnored();
    void persistsAcrossReopen();
    void cacheCommitsLazilyOutboxDurably();
    void serverLimitsAreKept();
    void liveWritesAreCommittedTogether();
    void aRefusedWriteNeverMovesTheSyncPoint();
    void filesAreKeptUntilTheMessageIsDeleted();
};

// Live messages are queued and committed once per write interval, each room's synced seq in the
// same transaction as its messages: another connection (what a restart after a crash would
// read) sees both or neither.
void TestMessageCache::liveWritesAreCommittedTogether()
{
    QTemporaryDir dir;
    MessageCache cache;
    QVERIFY(cache.open(dir.filePath(u"c.sqlite"_s)));
    cache.setWriteInterval(60'000);
    MessageCache disk; // a second connection to the same file: what a restart would read
    QVERIFY(disk.open(dir.filePath(u"c.sqlite"_s)));
    for (qint64 seq = 1; seq <= 300; ++seq)
        QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, seq, seq), seq));
    QCOMPARE(cache.queuedMessages(), 300);
    QCOMPARE(disk.syncedSeq(u"general"_s), 0);
    QCOMPARE(disk.messageCount(u"general"_s), 0);
    // The owner reads through its queue.
    QCOMPARE(cache.syncedSeq(u"general"_s), 300);
    QCOMPARE(cache.queuedMessages(), 0);
    QCOMPARE(disk.syncedSeq(u"general"_s), 300);
    QCOMPARE(disk.messageCount(u"general"_s), 300);
    // Without reads, the writer commits after the interval.
    cache.setWriteInterval(50);
    QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, 301, 310), 310));
    QVERIFY(cache.setReadSeq(u"general"_s, 305));
    QTRY_COMPARE(disk.syncedSeq(u"general"_s), 310);
    QCOMPARE(disk.messageCount(u"general"_s), 310);
    QCOMPARE(disk.room(u"general"_s)->readSeq, 305);
    QCOMPARE(seqs(disk.latest(u"general"_s, 2)), (QList<qint64>{309, 310}));
    // The queue has a bound: past it, a commit at once instead of after the interval.
    cache.setWriteInterval(60'000);
    const qint64 last = 310 + MessageCache::kMaxQueuedMessages;
    QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, 311, last), last));
    QTRY_COMPARE(disk.syncedSeq(u"general"_s), last);
}

void TestMessageCache::aRefusedWriteNeverMovesTheSyncPoint()
{
    QTemporaryDir dir;
    MessageCache cache;
    QVERIFY(cache.open(dir.filePath(u"c.sqlite"_s)));
    QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, 1, 10), 10));
    QVERIFY(cache.flush());
    // The disk refuses the next commit halfway (here: a trigger refuses seq 15).
    QVERIFY(cache.database().exec(u"CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN "
                                  "NEW.seq = 15 BEGIN SELECT RAISE(ABORT, 'disk full'); END"_s));
    QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, 11, 20), 20));
    QVERIFY(!cache.flush());
    QVERIFY2(cache.lastError().contains(u"disk full"_s), qPrintable(cache.lastError()));
    QVERIFY(cache.database().exec(u"DROP TRIGGER refuse"_s));
    // Nothing later may claim 11..20: the room takes no more messages until it is reset.
    QVERIFY(!cache.storeMessages(u"general"_s, messages(u"general"_s, 21, 30), 30));
    QCOMPARE(cache.syncedSeq(u"general"_s), 10);
    QCOMPARE(cache.messageCount(u"general"_s), 10);
    // Other rooms go on.
    QVERIFY(cache.storeMessages(u"dev"_s, messages(u"dev"_s, 1, 3), 3));
    QCOMPARE(cache.syncedSeq(u"dev"_s), 3);
    // After a reset the room is synced from the start again.
    QVERIFY(cache.resetRoomHistory(u"general"_s));
    QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, 1, 30), 30));
    QCOMPARE(cache.syncedSeq(u"general"_s), 30);
}

// The cache can be refilled from the server: WAL with synchronous=NORMAL. The outbox holds what
// only this computer knows: synchronous=FULL.
void TestMessageCache::cacheCommitsLazilyOutboxDurably()
{
    QTemporaryDir dir;
    MessageCache cache;
    QVERIFY2(cache.open(dir.filePath(u"cache.sqlite"_s)), qPrintable(cache.lastError()));
    QCOMPARE(cache.database().pragma(u"journal_mode"_s).toString(), u"wal"_s);
    QCOMPARE(cache.database().pragma(u"synchronous"_s).toInt(), 1); // NORMAL
    conversa::core::Outbox outbox;
    QVERIFY2(outbox.open(dir.filePath(u"outbox.sqlite"_s)), qPrintable(outbox.lastError()));
    QCOMPARE(outbox.database().pragma(u"journal_mode"_s).toString(), u"wal"_s);
    // New messages are committed with FULL by the outbox's writer thread (tst_outbox); this
    // connection only changes rows already on the disk.
    QCOMPARE(outbox.database().pragma(u"synchronous"_s).toInt(), 1); // NORMAL
}

void TestMessageCache::serverLimitsAreKept()
{
    using conversa::core::ServerLimits;
    using conversa::core::SessionManager;
    QTemporaryDir dir;
    const QString path = dir.filePath(u"c.sqlite"_s);
    ServerLimits told;
    told.maxBodyBytes = 4000;
    told.maxFileBytes = 1'000'000;
    told.maxFilesPerMessage = 3;
    told.messagesPerSecond = 2.5;
    told.messageBurst = 7;
    {
        MessageCache cache;
        QVERIFY(cache.open(path));
        QVERIFY(!cache.serverLimits()); // never signed in
        QVERIFY2(cache.setServerLimits(told), qPrintable(cache.lastError()));
    }
    MessageCache cache;
    QVERIFY(cache.open(path));
    QCOMPARE(cache.serverLimits(), told);

    // The session applies them before any server has answered, and forgets them with the cache.
    SessionManager session;
    session.setWatchNetwork(false);
    QSignalSpy changed(&session, &SessionManager::serverLimitsChanged);
    QCOMPARE(session.serverLimits().maxBodyBytes, 16 * 1024);
    session.setCache(&cache);
    QCOMPARE(session.serverLimits(), told);
    QCOMPARE(changed.size(), 1);
    session.setCache(nullptr);
    QCOMPARE(session.serverLimits(), ServerLimits{});

    // A file edited by hand: nonsense gives the defaults, not a limit of 0.
    QVERIFY(cache.database().exec(u"UPDATE server_limits SET value = -5"_s));
    QCOMPARE(cache.serverLimits(), ServerLimits{});
}

void TestMessageCache::roomsMoveForwardOnly()
{
    QTemporaryDir dir;
    MessageCache cache;
    QVERIFY2(cache.open(dir.filePath(u"c.sqlite"_s)), qPrintable(cache.lastError()));
    QVERIFY(cache.updateRooms({{u"general"_s, u"General"_s, 10, 4}, {u"dev"_s, {}, 0, 0}}));
    auto general = cache.room(u"general"_s);
    QVERIFY(general);
    QCOMPARE(general->title, u"General"_s);
    QCOMPARE(general->lastSeq, 10);
    QCOMPARE(general->unreadCount(), 6);
    QCOMPARE(general->syncedSeq, 0);
    // An older answer does not move markers back; a new title replaces the old one.
    QVERIFY(cache.updateRooms({{u"general"_s, u"Everyone"_s, 8, 2}}));
    general = cache.room(u"general"_s);
    QCOMPARE(general->lastSeq, 10);
    QCOMPARE(general->readSeq, 4);
    QCOMPARE(general->title, u"Everyone"_s);
    // Rooms no longer listed were left: gone.
    QVERIFY(!cache.room(u"dev"_s));
    QVERIFY(cache.setReadSeq(u"general"_s, 9));
    QVERIFY(cache.setReadSeq(u"general"_s, 5));
    QCOMPARE(cache.room(u"general"_s)->readSeq, 9);
}

void TestMessageCache::storesAndPagesMessages()
{
    QTemporaryDir dir;
    MessageCache cache;
    QVERIFY(cache.open(dir.filePath(u"c.sqlite"_s)));
    QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, 1, 30), 30));
    QCOMPARE(cache.syncedSeq(u"general"_s), 30);
    QCOMPARE(cache.room(u"general"_s)->lastSeq, 30);
    QCOMPARE(seqs(cache.latest(u"general"_s, 3)), (QList<qint64>{28, 29, 30}));
    QCOMPARE(seqs(cache.before(u"general"_s, 5, 10)), (QList<qint64>{1, 2, 3, 4}));
    const auto one = cache.latest(u"general"_s, 1).first();
    QCOMPARE(one.body, u"message 30"_s);
    QCOMPARE(one.from, u"alice"_s);
    QCOMPARE(one.cid, u"cid-30"_s);
    QCOMPARE(one.ts, 1030);
    QCOMPARE(one.room, u"general"_s);
    QVERIFY(cache.latest(u"other"_s, 5).isEmpty());
}

void TestMessageCache::boundedPerRoom()
{
    QTemporaryDir dir;
    MessageCache cache;
    cache.setCapacityPerRoom(100);
    QVERIFY(cache.open(dir.filePath(u"c.sqlite"_s)));
    for (qint64 first = 1; first <= 250; first += 50)
        QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, first, first + 49),
                                    first + 49));
    QVERIFY(cache.storeMessages(u"small"_s, messages(u"small"_s, 1, 5), 5));
    QCOMPARE(cache.messageCount(u"general"_s), 100);
    QCOMPARE(cache.latest(u"general"_s, 1000).first().seq, 151);
    QCOMPARE(cache.messageCount(u"small"_s), 5); // other rooms are not touched
    QCOMPARE(cache.syncedSeq(u"general"_s), 250);
}

void TestMessageCache::duplicatesAreIgnored()
{
    QTemporaryDir dir;
    MessageCache cache;
    QVERIFY(cache.open(dir.filePath(u"c.sqlite"_s)));
    QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, 1, 10), 10));
    QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, 5, 12), 12));
    QCOMPARE(cache.messageCount(u"general"_s), 12);
    // The synced seq never goes back.
    QVERIFY(cache.storeMessages(u"general"_s, {}, 3));
    QCOMPARE(cache.syncedSeq(u"general"_s), 12);
}

void TestMessageCache::persistsAcrossReopen()
{
    QTemporaryDir dir;
    {
        MessageCache cache;
        QVERIFY(cache.open(dir.filePath(u"c.sqlite"_s)));
        QVERIFY(cache.updateRooms({{u"general"_s, u"General"_s, 3, 1}}));
        QVERIFY(cache.storeMessages(u"general"_s, messages(u"general"_s, 1, 3), 3));
    }
    MessageCache cache;
    QVERIFY(cache.open(dir.filePath(u"c.sqlite"_s)));
    QCOMPARE(cache.rooms().size(), 1);
    QCOMPARE(cache.syncedSeq(u"general"_s), 3);
    QCOMPARE(seqs(cache.latest(u"general"_s, 10)), (QList<qint64>{1, 2, 3}));
}

// A message's files (the metadata a view sizes a thumbnail by) come back as they went in, also
// after a reopen, and go with a deletion as its body does.
void TestMessageCache::filesAreKeptUntilTheMessageIsDeleted()
{
    QTemporaryDir dir;
    QList<MessageEvent> sent = messages(u"general"_s, 1, 2);
    const conversa::protocol::FileRef image{
        u"0123456789abcdef0123456789abcdef"_s, u"cat.png"_s, u"image/png"_s, 12345, 640, 480};
    const conversa::protocol::FileRef document{
        u"fedcba9876543210fedcba9876543210"_s, u"notes.pdf"_s, u"application/pdf"_s, 99, 0, 0};
    sent[1].files = {image, document};
    {
        MessageCache cache;
        QVERIFY(cache.open(dir.filePath(u"c.sqlite"_s)));
        QVERIFY(cache.storeMessages(u"general"_s, sent, 2));
        QVERIFY(cache.flush());
    }
    MessageCache cache;
    QVERIFY(cache.open(dir.filePath(u"c.sqlite"_s)));
    QCOMPARE(cache.message(u"general"_s, 2)->files,
             (QList<conversa::protocol::FileRef>{image, document}));
    QVERIFY(cache.message(u"general"_s, 1)->files.isEmpty());
    MessageEvent deletion{u"general"_s, 3, 2000, u"alice"_s, u"cid-del"_s, {}};
    deletion.kind = u"delete"_s;
    deletion.target = 2;
    QVERIFY(cache.storeMessages(u"general"_s, {deletion}, 3));
    QVERIFY(cache.flush());
    QVERIFY(cache.message(u"general"_s, 2)->deleted);
    QVERIFY(cache.message(u"general"_s, 2)->files.isEmpty());
}

QTEST_GUILESS_MAIN(TestMessageCache)
#include "tst_messagecache.moc"
