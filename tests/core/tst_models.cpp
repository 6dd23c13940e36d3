// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <MemberListModel.h>
#include <MessageCache.h>
#include <MessageModel.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <TypingUsers.h>

#include <QAbstractItemModelTester>
#include <QLocale>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::protocol::Member;
using conversa::protocol::MessageEvent;

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
    void historyFromServerIsPrepended();
    void roomListCountsUnread();
    void memberListSortsOnlineFirst();
    void memberListForgetsPresenceWhenOffline();
    void typingUsersExpire();
    void modelTester();

private:
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
    for (qint64 seq = 1; seq <= 1000; ++seq)
        model.addMessage(message(u"general"_s, seq));
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.oldestSeq(), 901);
    QCOMPARE(model.newestSeq(), 1000);
    QVERIFY(!model.canFetchMore()); // full

    // A reader scrolled up: nothing is trimmed, up to twice the bound.
    model.setTrimmingPaused(true);
    for (qint64 seq = 1001; seq <= 1050; ++seq)
        model.addMessage(message(u"general"_s, seq));
    QCOMPARE(model.rowCount(), 150);
    QCOMPARE(model.oldestSeq(), 901);
    for (qint64 seq = 1051; seq <= 1500; ++seq)
        model.addMessage(message(u"general"_s, seq));
    QCOMPARE(model.rowCount(), 200);
    // Back at the newest: trimmed to the bound at once.
    model.setTrimmingPaused(false);
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.oldestSeq(), 1401);
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
    while (model.canFetchMore())
        model.fetchMore();
    QCOMPARE(model.rowCount(), 200);
    for (qint64 seq = 301; seq <= 320; ++seq)
        model.addMessage(message(u"general"_s, seq));
    QCOMPARE(model.rowCount(), 200);
    QCOMPARE(model.newestSeq(), 320);
    for (int row = 1; row < 199; ++row)
        QCOMPARE(model.index(row).data(MessageModel::SeqRole).toLongLong(),
                 model.index(row - 1).data(MessageModel::SeqRole).toLongLong() + 1);
    model.setRoom(u"other"_s);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
