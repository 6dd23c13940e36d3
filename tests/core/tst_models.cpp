// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <ConversaTest.h>
#include <MemberListModel.h>
#include <MessageCache.h>
#include <MessageModel.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <TypingUsers.h>

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QFile>
#include <QLocale>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::protocol::Member;
using conversa::protocol::MessageEvent;
using conversa::test::ServerProcess;
using conversa::test::TestClient;
using conversa::test::waitUntil;

namespace {
MessageEvent message(const QString &room, qint64 seq, const QString &from = u"bob"_s,
                     const QString &cid = {})
{
    return {room,
            seq,
            1000 * seq,
            from,
            cid.isEmpty() ? u"cid-%1"_s.arg(seq) : cid,
            u"message %1"_s.arg(seq)};
}
QList<MessageEvent> messages(const QString &room, qint64 first, qint64 last)
{
    QList<MessageEvent> list;
    for (qint64 seq = first; seq <= last; ++seq)
        list.append(message(room, seq));
    return list;
}

// Every delivered row follows the one before it (no gap, no duplicate); false says where not.
bool contiguous(const MessageModel &model, QString *where)
{
    for (int row = 1; row < model.rowCount(); ++row) {
        const qint64 seq = model.index(row).data(MessageModel::SeqRole).toLongLong();
        const qint64 previous = model.index(row - 1).data(MessageModel::SeqRole).toLongLong();
        if (seq != 0 && seq != previous + 1) {
            *where = u"row %1: seq %2 after %3"_s.arg(row).arg(seq).arg(previous);
            return false;
        }
    }
    return true;
}

qint64 residentKiB()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

const QString kAlicePassword = u"alice-password"_s;
const QString kBobPassword = u"bob-password"_s;
const QString kBigRoom = u"big"_s;
} // namespace

class TestModels : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void messageModelOpensFromCacheAndOutbox();
    void pendingRowBecomesDelivered();
    void rowsSayWhoWhenAndWhetherSent();
    void messageModelIsBounded();
    void fetchMorePagesFromCache();
    void pagingBothWaysStaysBounded();
    void jumpToCachedSeq();
    void liveMessagesAreInsertedInBatches();
    void historyFromServerIsPrepended();
    void scrollbackToTheFirstMessageThroughTheServer();
    void jumpToUncachedSeqAsksTheServer();
    void roomListCountsUnread();
    void memberListSortsOnlineFirst();
    void memberListForgetsPresenceWhenOffline();
    void typingUsersExpire();
    void modelTester();

    void cleanupTestCase();

private:
    // A real conversa-server with a room of bigRoomSize() messages, started once.
    ServerProcess *bigRoomServer();
    static int bigRoomSize()
    {
        return qEnvironmentVariableIntValue("CONVERSA_BIG_ROOM") > 0
                   ? qEnvironmentVariableIntValue("CONVERSA_BIG_ROOM")
                   : 100'000;
    }
    // A session signed in as bob, online, with this test's cache and outbox.
    std::unique_ptr<SessionManager> bobSession();

    std::unique_ptr<ServerProcess> m_server;
    bool m_serverFailed = false;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MessageCache> m_cache;
    std::unique_ptr<Outbox> m_outbox;
};

void TestModels::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_cache = std::make_unique<MessageCache>();
    m_outbox = std::make_unique<Outbox>();
    QVERIFY(m_cache->open(m_dir->filePath(u"cache.sqlite"_s)));
    QVERIFY(m_outbox->open(m_dir->filePath(u"outbox.sqlite"_s)));
}

void TestModels::messageModelOpensFromCacheAndOutbox()
{
    QVERIFY(m_cache->storeMessages(u"general"_s, messages(u"general"_s, 1, 80), 80));
    m_outbox->enqueue(u"general"_s, u"typed offline"_s);
    m_outbox->enqueue(u"other"_s, u"not here"_s);
    MessageModel model;
    // No QAbstractItemModelTester here: it calls fetchMore() itself (see modelTester).
    model.setPageSize(50);
    model.setSources(m_cache.get(), m_outbox.get(), nullptr);
    model.setRoom(u"general"_s);
    QCOMPARE(model.rowCount(), 51);
    QCOMPARE(model.index(0).data(MessageModel::SeqRole).toLongLong(), 31);
    QCOMPARE(model.index(49).data(MessageModel::SeqRole).toLongLong(), 80);
    QCOMPARE(model.index(49).data(MessageModel::SenderRole).toString(), u"bob"_s);
    QCOMPARE(model.index(49).data(MessageModel::TimeRole).toDateTime().toMSecsSinceEpoch(), 80000);
    const QModelIndex pending = model.index(50);
    QCOMPARE(pending.data(MessageModel::BodyRole).toString(), u"typed offline"_s);
    QCOMPARE(pending.data(MessageModel::StateRole).value<MessageModel::DeliveryState>(),
             MessageModel::DeliveryState::Pending);
    QCOMPARE(model.newestSeq(), 80);
    QCOMPARE(model.oldestSeq(), 31);
}

void TestModels::pendingRowBecomesDelivered()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model);
    model.setSources(m_cache.get(), m_outbox.get(), nullptr);
    model.setRoom(u"general"_s);
    const QString cid = m_outbox->enqueue(u"general"_s, u"hello"_s); // appears at once
    QCOMPARE(model.rowCount(), 1);
    m_outbox->enqueue(u"general"_s, u"second"_s);
    QCOMPARE(model.rowCount(), 2);
    m_outbox->flush(); // on the disk: the rows stay as they are
    QCOMPARE(model.rowCount(), 2);

    model.addMessage(message(u"general"_s, 1)); // someone else's, before ours
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0).data(MessageModel::SeqRole).toLongLong(), 1);

    QVERIFY(m_outbox->markSent(cid, 2, 2000));
    model.addMessage(message(u"general"_s, 2, u"alice"_s, cid));
    QCOMPARE(model.rowCount(), 3); // the pending row became the delivered one
    QCOMPARE(model.index(1).data(MessageModel::CidRole).toString(), cid);
    QCOMPARE(model.index(1).data(MessageModel::StateRole).value<MessageModel::DeliveryState>(),
             MessageModel::DeliveryState::Delivered);
    QCOMPARE(model.index(2).data(MessageModel::BodyRole).toString(), u"second"_s);

    // A duplicate delivery changes nothing.
    model.addMessage(message(u"general"_s, 2, u"alice"_s, cid));
    QCOMPARE(model.rowCount(), 3);

    // A failure shows on the pending row, and discard removes it.
    const QString last = model.index(2).data(MessageModel::CidRole).toString();
    QVERIFY(m_outbox->markFailed(last, u"too large"_s));
    QCOMPARE(model.index(2).data(MessageModel::StateRole).value<MessageModel::DeliveryState>(),
             MessageModel::DeliveryState::Failed);
    QCOMPARE(model.index(2).data(MessageModel::FailureReasonRole).toString(), u"too large"_s);
    QVERIFY(m_outbox->discard(last));
    QCOMPARE(model.rowCount(), 2);
}

void TestModels::rowsSayWhoWhenAndWhetherSent()
{
    MessageModel model;
    model.setSources(m_cache.get(), m_outbox.get(), nullptr);
    model.setRoom(u"general"_s);
    model.addMessage(message(u"general"_s, 1, u"bob"_s));
    m_outbox->enqueue(u"general"_s, u"on its way"_s);
    const QString failed = m_outbox->enqueue(u"general"_s, u"refused"_s);
    m_outbox->flush();
    QVERIFY(m_outbox->markFailed(failed, u"too large"_s));
    QCOMPARE(model.rowCount(), 3);

    const QString time =
        QLocale().toString(QDateTime::fromMSecsSinceEpoch(1000).time(), QLocale::ShortFormat);
    const QString delivered = model.index(0).data(Qt::AccessibleTextRole).toString();
    QVERIFY2(delivered.contains(u"bob"_s) && delivered.contains(time) &&
                 delivered.contains(u"message 1"_s),
             qPrintable(delivered));
    QVERIFY(model.index(0).data(Qt::AccessibleDescriptionRole).toString().isEmpty());

    const QString pending = model.index(1).data(Qt::AccessibleTextRole).toString();
    QVERIFY2(pending.contains(u"on its way"_s) && pending.contains(u"Sending…"_s),
             qPrintable(pending));
    QCOMPARE(model.index(1).data(Qt::AccessibleDescriptionRole).toString(), u"Sending…"_s);

    const QString notSent = model.index(2).data(Qt::AccessibleDescriptionRole).toString();
    QVERIFY2(notSent.contains(u"Not sent"_s) && notSent.contains(u"too large"_s),
             qPrintable(notSent));
    QVERIFY(model.index(2).data(Qt::AccessibleTextRole).toString().contains(u"Not sent"_s));
}

void TestModels::messageModelIsBounded()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model);
    model.setPageSize(10);
    model.setMaxRows(100);
    model.setSources(m_cache.get(), m_outbox.get(), nullptr);
    model.setRoom(u"general"_s);
    // As the session does it: stored in the cache, then delivered.
    auto arrive = [&](qint64 first, qint64 last) {
        for (qint64 seq = first; seq <= last; ++seq) {
            QVERIFY(m_cache->storeMessages(u"general"_s, {message(u"general"_s, seq)}, seq));
            model.addMessage(message(u"general"_s, seq));
        }
    };
    arrive(1, 1000);
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.oldestSeq(), 901);
    QCOMPARE(model.newestSeq(), 1000);
    QVERIFY(model.isAtNewest());

    // A reader scrolled up: nothing is trimmed, up to twice the bound.
    model.setTrimmingPaused(true);
    arrive(1001, 1050);
    QCOMPARE(model.rowCount(), 150);
    QCOMPARE(model.oldestSeq(), 901);
    // Past twice the bound the window stops following the newest instead of trimming.
    QSignalSpy newer(&model, &MessageModel::newerMessagesArrived);
    arrive(1051, 1500);
    QCOMPARE(model.rowCount(), 200);
    QCOMPARE(model.oldestSeq(), 901);
    QCOMPARE(model.newestSeq(), 1100);
    QVERIFY(!model.isAtNewest());
    QVERIFY(model.canFetchNewer());
    QCOMPARE(newer.size(), 400); // one per message from someone else
    // Back to the newest: the newest page, bounded.
    model.showNewest();
    QVERIFY(model.isAtNewest());
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.newestSeq(), 1500);
    arrive(1501, 1700);
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.oldestSeq(), 1601);
}

void TestModels::fetchMorePagesFromCache()
{
    QVERIFY(m_cache->storeMessages(u"general"_s, messages(u"general"_s, 1, 120), 120));
    MessageModel model;
    // No QAbstractItemModelTester here: it calls fetchMore() itself (see modelTester).
    model.setPageSize(50);
    model.setSources(m_cache.get(), m_outbox.get(), nullptr);
    model.setRoom(u"general"_s);
    QCOMPARE(model.rowCount(), 50);
    QVERIFY(model.canFetchMore());
    model.fetchMore();
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.oldestSeq(), 21);
    model.fetchMore();
    QCOMPARE(model.rowCount(), 120);
    QCOMPARE(model.oldestSeq(), 1);
    QVERIFY(!model.canFetchMore()); // seq 1 is the beginning of the room
}

void TestModels::historyFromServerIsPrepended()
{
    QVERIFY(m_cache->storeMessages(u"general"_s, messages(u"general"_s, 41, 50), 50));
    MessageModel model;
    QAbstractItemModelTester tester(&model);
    model.setSources(m_cache.get(), m_outbox.get(), nullptr);
    model.setRoom(u"general"_s);
    QCOMPARE(model.rowCount(), 10);
    // The answer of a history request (ascending), overlapping what is shown.
    model.addHistory(u"general"_s, messages(u"general"_s, 21, 45));
    QCOMPARE(model.rowCount(), 30);
    QCOMPARE(model.oldestSeq(), 21);
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.index(row).data(MessageModel::SeqRole).toLongLong(), 21 + row);
    model.addHistory(u"elsewhere"_s, messages(u"elsewhere"_s, 1, 5));
    QCOMPARE(model.rowCount(), 30);
}

void TestModels::roomListCountsUnread()
{
    QVERIFY(m_cache->updateRooms(
        {{u"dev"_s, u"Developers"_s, 12, 10}, {u"general"_s, u"General"_s, 3, 3}}));
    QVERIFY(m_cache->storeMessages(u"dev"_s, messages(u"dev"_s, 11, 12), 12));
    RoomListModel model;
    QAbstractItemModelTester tester(&model);
    model.setCache(m_cache.get());
    QCOMPARE(model.rowCount(), 2);
    const int dev = model.rowOfRoom(u"dev"_s);
    QVERIFY(dev >= 0);
    QCOMPARE(model.index(dev).data(RoomListModel::UnreadCountRole).toLongLong(), 2);
    QCOMPARE(model.index(dev).data(RoomListModel::TitleRole).toString(), u"Developers"_s);
    QCOMPARE(model.index(dev).data(Qt::DisplayRole).toString(), u"Developers"_s);
    QCOMPARE(model.index(dev).data(RoomListModel::LastMessagePreviewRole).toString(),
             u"message 12"_s);
    QCOMPARE(model.index(dev).data(RoomListModel::LastSenderRole).toString(), u"bob"_s);
    model.markRead(u"dev"_s, 12);
    QCOMPARE(model.index(dev).data(RoomListModel::UnreadCountRole).toLongLong(), 0);
    QCOMPARE(m_cache->room(u"dev"_s)->readSeq, 12);
}

void TestModels::memberListSortsOnlineFirst()
{
    MemberListModel model;
    QAbstractItemModelTester tester(&model);
    model.setRoom(u"general"_s);
    model.setMembers(u"general"_s, {{u"carol"_s, false}, {u"bob"_s, true}, {u"alice"_s, false}});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0).data(MemberListModel::UserRole).toString(), u"bob"_s);
    QCOMPARE(model.index(1).data().toString(), u"alice"_s);
    QCOMPARE(model.onlineCount(), 1);
    model.setOnline(u"carol"_s, true);
    QCOMPARE(model.index(1).data().toString(), u"carol"_s);
    QVERIFY(model.index(1).data(MemberListModel::OnlineRole).toBool());
    QCOMPARE(model.onlineCount(), 2);
    model.setMembers(u"other"_s, {}); // another room's answer is not ours
    QCOMPARE(model.rowCount(), 3);
}

void TestModels::memberListForgetsPresenceWhenOffline()
{
    SessionManager session;
    session.setWatchNetwork(false);
    MemberListModel model;
    QAbstractItemModelTester tester(&model);
    model.setSession(&session);
    QVERIFY(!model.presenceKnown());
    QSignalSpy known(&model, &MemberListModel::presenceKnownChanged);
    model.setRoom(u"general"_s);
    model.setMembers(u"general"_s, {{u"alice"_s, true}, {u"bob"_s, true}, {u"carol"_s, false}});
    QVERIFY(model.presenceKnown());
    QCOMPARE(model.onlineCount(), 2);

    // The link went down: nobody's presence is known any more, so nobody shows as online.
    emit session.stateChanged(ConnectionState::WaitingToReconnect);
    QVERIFY(!model.presenceKnown());
    QCOMPARE(model.onlineCount(), 0);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0).data().toString(), u"alice"_s); // by name now
    QCOMPARE(model.index(1).data().toString(), u"bob"_s);
    QVERIFY(!model.index(1).data(MemberListModel::OnlineRole).toBool());
    model.setOnline(u"bob"_s, true); // stale news is not taken either
    QCOMPARE(model.onlineCount(), 0);
    QCOMPARE(known.size(), 2);

    // Back online: the fresh answer after the sync brings presence back.
    emit session.stateChanged(ConnectionState::Online);
    QVERIFY(!model.presenceKnown());
    model.setMembers(u"general"_s, {{u"alice"_s, true}, {u"bob"_s, false}, {u"carol"_s, true}});
    QVERIFY(model.presenceKnown());
    QCOMPARE(model.onlineCount(), 2);
}

void TestModels::typingUsersExpire()
{
    qint64 now = 0;
    TypingUsers typing;
    typing.setClock([&now] { return now; });
    typing.setExpiry(5000);
    typing.setRoom(u"general"_s);
    QSignalSpy changed(&typing, &TypingUsers::changed);
    typing.noteTyping(u"general"_s, u"bob"_s);
    typing.noteTyping(u"elsewhere"_s, u"dave"_s);
    QCOMPARE(typing.users(), QStringList{u"bob"_s});
    QCOMPARE(typing.displayText(), u"bob is typing…"_s);
    now = 2000;
    typing.noteTyping(u"general"_s, u"alice"_s);
    QCOMPARE(typing.displayText(), u"alice and bob are typing…"_s);
    typing.noteTyping(u"general"_s, u"carol"_s);
    QCOMPARE(typing.displayText(), u"Several people are typing…"_s);
    typing.noteMessage(u"general"_s, u"carol"_s); // sent: no longer typing
    now = 5500;
    typing.expire();
    QCOMPARE(typing.users(), QStringList{u"alice"_s});
    now = 7100;
    typing.expire();
    QVERIFY(typing.users().isEmpty());
    QVERIFY(typing.displayText().isEmpty());
    QCOMPARE(changed.size(), 6);
}

void TestModels::pagingBothWaysStaysBounded()
{
    m_cache->setCapacityPerRoom(1000);
    QVERIFY(m_cache->storeMessages(u"general"_s, messages(u"general"_s, 1, 1000), 1000));
    m_outbox->enqueue(u"general"_s, u"pending"_s);
    MessageModel model;
    model.setPageSize(50);
    model.setMaxRows(200);
    model.setSources(m_cache.get(), m_outbox.get(), nullptr);
    model.setRoom(u"general"_s);
    QCOMPARE(model.rowCount(), 51);
    QString where;
    // Up to the first message: the newest rows go once the window is full.
    int pages = 0;
    while (model.canFetchMore() && pages++ < 100) {
        model.fetchMore();
        QVERIFY2(model.rowCount() <= 200, qPrintable(QString::number(model.rowCount())));
        QVERIFY2(contiguous(model, &where), qPrintable(where));
    }
    QCOMPARE(model.oldestSeq(), 1);
    QCOMPARE(model.rowCount(), 200);
    QCOMPARE(model.newestSeq(), 200);
    QVERIFY(!model.isAtNewest());
    QVERIFY(model.canFetchNewer());

    // A live message meanwhile is not added (it is in the cache, for the way down).
    QSignalSpy newer(&model, &MessageModel::newerMessagesArrived);
    QVERIFY(m_cache->storeMessages(u"general"_s, {message(u"general"_s, 1001)}, 1001));
    model.addMessage(message(u"general"_s, 1001));
    QCOMPARE(model.rowCount(), 200);
    QCOMPARE(newer.size(), 1);

    // Down again to the newest: the oldest rows go, the pending row comes back at the end.
    pages = 0;
    while (model.canFetchNewer() && pages++ < 100) {
        model.fetchNewer();
        QVERIFY2(model.rowCount() <= 200, qPrintable(QString::number(model.rowCount())));
        QVERIFY2(contiguous(model, &where), qPrintable(where));
    }
    QVERIFY(model.isAtNewest());
    QCOMPARE(model.newestSeq(), 1001);
    QCOMPARE(model.rowCount(), 200);
    QCOMPARE(model.index(199).data(MessageModel::BodyRole).toString(), u"pending"_s);
    // Following the newest again.
    model.addMessage(message(u"general"_s, 1002));
    QCOMPARE(model.newestSeq(), 1002);
    QCOMPARE(model.rowCount(), 200);
}

void TestModels::jumpToCachedSeq()
{
    m_cache->setCapacityPerRoom(1000);
    QVERIFY(m_cache->storeMessages(u"general"_s, messages(u"general"_s, 1, 1000), 1000));
    MessageModel model;
    QAbstractItemModelTester tester(&model);
    model.setPageSize(50);
    model.setMaxRows(200);
    model.setSources(m_cache.get(), m_outbox.get(), nullptr);
    model.setRoom(u"general"_s);
    QSignalSpy scroll(&model, &MessageModel::scrollToRowRequested);
    model.jumpTo(500);
    QCOMPARE(scroll.size(), 1);
    const int row = scroll.takeFirst().at(0).toInt();
    QCOMPARE(model.index(row).data(MessageModel::SeqRole).toLongLong(), 500);
    QVERIFY(model.rowCount() <= 200);
    QVERIFY(model.oldestSeq() < 500 && model.newestSeq() > 500);
    QVERIFY(!model.isAtNewest());
    // A seq already in the window: only the scroll.
    model.jumpTo(501);
    QCOMPARE(scroll.size(), 1);
    QCOMPARE(model.index(scroll.takeFirst().at(0).toInt()).data(MessageModel::SeqRole).toLongLong(),
             501);
    // The first message, and past the newest.
    model.jumpTo(1);
    QCOMPARE(model.index(scroll.takeFirst().at(0).toInt()).data(MessageModel::SeqRole).toLongLong(),
             1);
    model.jumpTo(5000);
    QCOMPARE(model.index(scroll.takeFirst().at(0).toInt()).data(MessageModel::SeqRole).toLongLong(),
             1000);
    QVERIFY(model.isAtNewest());
}

void TestModels::liveMessagesAreInsertedInBatches()
{
    // The session's messages are collected and inserted once per batch interval, so a view lays
    // its rows out once per batch instead of once per message.
    SessionManager session;
    MessageModel model;
    QAbstractItemModelTester tester(&model);
    model.setSources(m_cache.get(), m_outbox.get(), &session);
    model.setRoom(u"general"_s);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (qint64 seq = 1; seq <= 300; ++seq)
        emit session.messageReceived(message(u"general"_s, seq));
    emit session.messageReceived(message(u"elsewhere"_s, 1));
    QCOMPARE(model.rowCount(), 0);
    QTRY_COMPARE(model.rowCount(), 300);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(2).toInt(), 299);
    QCOMPARE(model.newestSeq(), 300);
}

void TestModels::cleanupTestCase()
{
    m_server.reset();
}

ServerProcess *TestModels::bigRoomServer()
{
    if (m_server || m_serverFailed)
        return m_server.get();
    m_serverFailed = true;
    auto server = std::make_unique<ServerProcess>();
    if (!server->addUser(u"alice"_s, kAlicePassword) || !server->addUser(u"bob"_s, kBobPassword) ||
        !server->createRoom(kBigRoom, u"Big"_s)) {
        qWarning("%s", qPrintable(server->lastAdminError()));
        return nullptr;
    }
    if (!server->start(
            {u"--messages-per-second"_s, u"1000000"_s, u"--message-burst"_s, u"1000000"_s})) {
        qWarning("%s", qPrintable(server->diagnostics()));
        return nullptr;
    }
    TestClient alice;
    if (!alice.open(server->url()) || !TestClient::isOk(alice.login(u"alice"_s, kAlicePassword)) ||
        !TestClient::isOk(alice.join(kBigRoom)))
        return nullptr;
    QElapsedTimer timer;
    timer.start();
    constexpr int kBurst = 2000;
    for (int first = 1; first <= bigRoomSize(); first += kBurst) {
        QStringList bodies;
        for (int seq = first; seq < first + kBurst && seq <= bigRoomSize(); ++seq)
            bodies.append(u"message %1"_s.arg(seq));
        const QList<QJsonObject> replies = alice.sendBurst(kBigRoom, bodies, 60000);
        if (replies.isEmpty() || !TestClient::isOk(replies.last())) {
            qWarning("filling the room failed at %d: %s", first,
                     replies.isEmpty() ? "no reply" : TestClient::describe(replies.last()));
            return nullptr;
        }
    }
    qInfo("%d messages sent to the room in %.1f s", bigRoomSize(), timer.elapsed() / 1000.0);
    m_server = std::move(server);
    m_serverFailed = false;
    return m_server.get();
}

std::unique_ptr<SessionManager> TestModels::bobSession()
{
    ServerProcess *server = bigRoomServer();
    if (!server)
        return nullptr;
    auto session = std::make_unique<SessionManager>();
    session->setServerUrl(server->url());
    session->setCache(m_cache.get());
    session->setOutbox(m_outbox.get());
    session->setProxy(SessionManager::ProxyMode::None);
    session->setWatchNetwork(false);
    session->signIn(u"bob"_s, kBobPassword);
    if (!waitUntil([&] { return session->state() == ConnectionState::Online; }, 15000))
        return nullptr;
    bool joined = false;
    session->request(conversa::protocol::JoinRequest{{}, kBigRoom},
                     [&](const RequestResult &result) { joined = result.isOk(); });
    if (!waitUntil([&] { return joined && m_cache->syncedSeq(kBigRoom) >= bigRoomSize(); }, 30000))
        return nullptr;
    return session;
}

void TestModels::scrollbackToTheFirstMessageThroughTheServer()
{
    auto session = bobSession();
    QVERIFY(session);
    MessageModel model;
    model.setPageSize(200);
    model.setMaxRows(1000);
    model.setSources(m_cache.get(), m_outbox.get(), session.get());
    model.setRoom(kBigRoom);
    QVERIFY(model.newestSeq() >= bigRoomSize());
    QVERIFY(m_cache->messageCount(kBigRoom) <= MessageCache::kDefaultCapacityPerRoom);

    // Scroll from the newest to the very first message: the cache first, then the server.
    const qint64 rssBefore = residentKiB();
    QElapsedTimer timer;
    timer.start();
    int maxRowsSeen = 0;
    QString where;
    while (model.oldestSeq() > 1 && timer.elapsed() < 240'000) {
        QVERIFY2(model.historyError().isEmpty(), qPrintable(model.historyError()));
        if (!model.canFetchMore()) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            continue;
        }
        model.fetchMore();
        maxRowsSeen = qMax(maxRowsSeen, model.rowCount());
    }
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(model.oldestSeq(), 1);
    QVERIFY2(contiguous(model, &where), qPrintable(where));
    QCOMPARE(model.index(0).data(MessageModel::BodyRole).toString(), u"message 1"_s);
    QVERIFY2(maxRowsSeen <= model.maxRows(), qPrintable(QString::number(maxRowsSeen)));
    QVERIFY(!model.isAtNewest());
    qInfo("scrollback: newest to first of %d messages in %.1f s (%d rows at most, RSS %lld -> "
          "%lld KiB)",
          bigRoomSize(), elapsed / 1000.0, maxRowsSeen, rssBefore, residentKiB());

    // And down again: newer pages from the server, the oldest rows going.
    const qint64 bottom = model.newestSeq();
    for (int page = 1; page <= 5; ++page) {
        QTRY_VERIFY(model.canFetchNewer());
        model.fetchNewer();
        QTRY_COMPARE(model.newestSeq(), bottom + page * 200);
        QVERIFY(model.rowCount() <= model.maxRows());
    }
    QVERIFY2(contiguous(model, &where), qPrintable(where));
}

void TestModels::jumpToUncachedSeqAsksTheServer()
{
    auto session = bobSession();
    QVERIFY(session);
    MessageModel model;
    model.setPageSize(100);
    model.setMaxRows(400);
    model.setSources(m_cache.get(), m_outbox.get(), session.get());
    model.setRoom(kBigRoom);
    QSignalSpy scroll(&model, &MessageModel::scrollToRowRequested);

    // Far outside the cache: a window around it from the server.
    const qint64 middle = bigRoomSize() / 2;
    model.jumpTo(middle);
    QTRY_COMPARE(scroll.size(), 1);
    QCOMPARE(model.index(scroll.takeFirst().at(0).toInt()).data(MessageModel::SeqRole).toLongLong(),
             middle);
    QVERIFY(model.oldestSeq() < middle && model.newestSeq() > middle);
    QVERIFY(model.rowCount() <= 100);
    QVERIFY(!model.isAtNewest());
    QString where;
    QVERIFY2(contiguous(model, &where), qPrintable(where));

    // Paging both ways from there goes to the server too.
    model.fetchMore();
    QTRY_VERIFY(model.oldestSeq() < middle - 100);
    QTRY_VERIFY(model.canFetchNewer());
    const qint64 newest = model.newestSeq();
    model.fetchNewer();
    QTRY_VERIFY(model.newestSeq() > newest);
    QVERIFY2(contiguous(model, &where), qPrintable(where));

    // A live message meanwhile is not added to this window.
    TestClient alice;
    QVERIFY(alice.open(bigRoomServer()->url()));
    QVERIFY(TestClient::isOk(alice.login(u"alice"_s, kAlicePassword)));
    QSignalSpy newer(&model, &MessageModel::newerMessagesArrived);
    QVERIFY(TestClient::isOk(alice.send(kBigRoom, u"live"_s)));
    QTRY_COMPARE(newer.size(), 1);
    QVERIFY(model.newestSeq() < middle + 400);

    // The cached newest part: from the cache, at once.
    model.jumpTo(bigRoomSize() - 10);
    QCOMPARE(scroll.size(), 1);
    QCOMPARE(model.index(scroll.takeFirst().at(0).toInt()).data(MessageModel::SeqRole).toLongLong(),
             bigRoomSize() - 10);
    // And the newest, with the live message.
    model.showNewest();
    QVERIFY(model.isAtNewest());
    QCOMPARE(model.newestSeq(), bigRoomSize() + 1);
}

void TestModels::modelTester()
{
    // The tester checks the model's invariants and calls fetchMore() on its own.
    QVERIFY(m_cache->storeMessages(u"general"_s, messages(u"general"_s, 1, 300), 300));
    m_outbox->enqueue(u"general"_s, u"pending"_s);
    MessageModel model;
    model.setPageSize(40);
    model.setMaxRows(200);
    model.setSources(m_cache.get(), m_outbox.get(), nullptr);
    model.setRoom(u"general"_s);
    QAbstractItemModelTester tester(&model);
    // The tester pages on its own (after every change): up to the first message, bounded.
    while (model.canFetchMore())
        model.fetchMore();
    QCOMPARE(model.rowCount(), 200);
    QCOMPARE(model.oldestSeq(), 1);
    QVERIFY(!model.isAtNewest());
    model.showNewest();
    QVERIFY(model.isAtNewest());
    model.setTrimmingPaused(true); // a reader above: the tester's paging stays below 2x
    for (qint64 seq = 301; seq <= 360; ++seq)
        model.addMessage(message(u"general"_s, seq));
    model.setTrimmingPaused(false);
    QCOMPARE(model.rowCount(), 40 + 60 + 1);
    QCOMPARE(model.newestSeq(), 360);
    for (int row = 1; row < 100; ++row)
        QCOMPARE(model.index(row).data(MessageModel::SeqRole).toLongLong(),
                 model.index(row - 1).data(MessageModel::SeqRole).toLongLong() + 1);
    model.setRoom(u"other"_s);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
