// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
//
// Replies, edits, deletions and reactions in the client's core, on a FakeTransport: applied live
// and from sync to the message model and the cache (and still right after a restart), queued in
// the outbox with a cid like messages, history pages made only of log entries, and revealing a
// message that is not loaded yet.
#include <Codec.h>
#include <FakeTransport.h>
#include <MessageCache.h>
#include <MessageModel.h>
#include <MessageState.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <SessionManager.h>

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::protocol::MessageEvent;
using conversa::test::FakeNetwork;
using conversa::test::FakeTransport;

namespace {

const QString kRoom = u"general"_s;

// A server's room log: messages and the entries about them, each with its seq. Answers auth,
// rooms, sync, history, send, edit, delete, react and read; plain messages in sync and history
// come in their current state, as the real server gives them.
class FakeLog
{
public:
    explicit FakeLog(FakeNetwork &network)
    {
        network.setAutoAccept(true);
        network.setResponder(u"auth"_s, [](FakeTransport *, const QJsonObject &) {
            return FakeNetwork::Answer::ok({{"user"_L1, u"alice"_s}, {"instance"_L1, u"fake"_s}});
        });
        network.setResponder(u"rooms"_s, [this](FakeTransport *, const QJsonObject &) {
            QJsonArray rooms{conversa::protocol::roomSummaryToJson(
                {kRoom, u"General"_s, qint64(log.size()), 0, u"alice"_s})};
            return FakeNetwork::Answer::ok({{"rooms"_L1, rooms}, {"epoch"_L1, 1}});
        });
        network.setResponder(u"sync"_s, [this](FakeTransport *, const QJsonObject &request) {
            const qint64 after = request.value("after"_L1).toInteger();
            QJsonArray messages;
            for (qint64 seq = after + 1; seq <= log.size(); ++seq)
                messages.append(conversa::protocol::messageToJson(current(seq)));
            return FakeNetwork::Answer::ok(
                {{"room"_L1, kRoom}, {"messages"_L1, messages}, {"more"_L1, false}});
        });
        network.setResponder(u"history"_s, [this](FakeTransport *, const QJsonObject &request) {
            ++historyRequests;
            qint64 before = request.value("before"_L1).toInteger();
            if (before <= 0 || before > log.size())
                before = log.size() + 1;
            const qint64 limit = request.value("limit"_L1).toInteger(50);
            QJsonArray messages;
            for (qint64 seq = qMax<qint64>(1, before - limit); seq < before; ++seq)
                messages.append(conversa::protocol::messageToJson(current(seq)));
            return FakeNetwork::Answer::ok({{"room"_L1, kRoom}, {"messages"_L1, messages}});
        });
        for (const QString &type : {u"send"_s, u"edit"_s, u"delete"_s, u"react"_s}) {
            network.setResponder(type, [this, type](FakeTransport *, const QJsonObject &request) {
                return store(type, request);
            });
        }
        network.setResponder(u"read"_s, [](FakeTransport *, const QJsonObject &) {
            return FakeNetwork::Answer::ok();
        });
    }

    MessageEvent add(const QString &from, const QString &body, qint64 replyTo = 0)
    {
        const qint64 seq = log.size() + 1;
        log.append({kRoom, seq, 1000 * seq, from, u"c%1"_s.arg(seq), body, replyTo});
        return log.constLast();
    }
    MessageEvent addEntry(const QString &from, const QString &kind, qint64 target,
                          const QString &bodyOrEmoji = {}, bool on = true)
    {
        MessageEvent entry = add(from, kind == u"edit"_s ? bodyOrEmoji : QString());
        entry.kind = kind;
        entry.target = target;
        if (kind == u"reaction"_s) {
            entry.emoji = bodyOrEmoji;
            entry.on = on;
        }
        log.last() = entry;
        return entry;
    }

    // A plain message as history and sync give it: with every entry about it applied.
    MessageEvent current(qint64 seq) const
    {
        MessageEvent m = log.at(seq - 1);
        if (!m.kind.isEmpty())
            return m;
        for (const MessageEvent &entry : log) {
            if (!entry.kind.isEmpty() && entry.target == seq)
                applyLogEntry(m, entry);
        }
        return m;
    }

    std::optional<FakeNetwork::Answer> store(const QString &type, const QJsonObject &request)
    {
        const QString cid = request.value("cid"_L1).toString();
        if (!cid.isEmpty() && cids.contains(cid)) {
            ++duplicates;
            const qint64 seq = cids.value(cid);
            return FakeNetwork::Answer::ok(
                {{"room"_L1, kRoom}, {"seq"_L1, seq}, {"ts"_L1, 1000 * seq}});
        }
        const qint64 target = request.value("target"_L1).toInteger();
        MessageEvent entry;
        if (type == u"send"_s) {
            entry = add(u"alice"_s, request.value("body"_L1).toString(),
                        request.value("reply_to"_L1).toInteger());
        } else if (type == u"edit"_s) {
            entry = addEntry(u"alice"_s, u"edit"_s, target, request.value("body"_L1).toString());
        } else if (type == u"delete"_s) {
            entry = addEntry(u"alice"_s, u"delete"_s, target);
        } else {
            entry = addEntry(u"alice"_s, u"reaction"_s, target,
                             request.value("emoji"_L1).toString(), request.value("on"_L1).toBool());
        }
        log.last().cid = cid;
        if (!cid.isEmpty())
            cids.insert(cid, entry.seq);
        ++stored[type];
        return FakeNetwork::Answer::ok(
            {{"room"_L1, kRoom}, {"seq"_L1, entry.seq}, {"ts"_L1, entry.ts}});
    }

    QList<MessageEvent> log;
    QHash<QString, qint64> cids;
    QHash<QString, int> stored;
    int duplicates = 0;
    int historyRequests = 0;
};

QString eventText(const MessageEvent &m)
{
    return QString::fromUtf8(conversa::protocol::encodeEvent(m));
}

} // namespace

class TestEdits : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void liveChangesShowAndStayAfterARestart();
    void syncedChangesAreApplied();
    void changesMadeOfflineGoOutOnce();
    void repliesShowTheirOriginal();
    void refusedChangeIsUndoneInReplies();
    void historyOfOnlyLogEntriesKeepsPaging();
    void revealLoadsTheMessageAndNamesItsRow();
    void applyingAnEntryTwiceChangesNothing();
    void roomPreviewFollowsItsLastMessage();

private:
    void start(int pageSize = 50);
    void restartApp();
    bool waitOnline();
    int rowOf(qint64 seq) const { return m_model->rowOfSeq(seq); }
    QVariant roleOf(qint64 seq, int role) const
    {
        const int row = rowOf(seq);
        return row < 0 ? QVariant() : m_model->index(row).data(role);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeNetwork> m_network;
    std::unique_ptr<FakeLog> m_server;
    std::unique_ptr<Outbox> m_outbox;
    std::unique_ptr<MessageCache> m_cache;
    std::unique_ptr<SessionManager> m_session;
    std::unique_ptr<MessageModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestEdits::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_network = std::make_unique<FakeNetwork>();
    m_server = std::make_unique<FakeLog>(*m_network);
}

void TestEdits::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_session.reset();
    m_cache.reset();
    m_outbox.reset();
    m_server.reset();
    m_network.reset();
    m_dir.reset();
}

void TestEdits::start(int pageSize)
{
    m_outbox = std::make_unique<Outbox>();
    QVERIFY(m_outbox->open(m_dir->filePath(u"outbox.sqlite"_s)));
    m_cache = std::make_unique<MessageCache>();
    QVERIFY(m_cache->open(m_dir->filePath(u"cache.sqlite"_s)));
    m_session = std::make_unique<SessionManager>();
    m_session->setWatchNetwork(false);
    m_session->setTransportFactory(m_network->factory());
    m_session->setServerUrl(QUrl(u"ws://chat.example:8080/ws"_s));
    m_session->setCache(m_cache.get());
    m_session->setOutbox(m_outbox.get());
    m_model = std::make_unique<MessageModel>();
    m_model->setPageSize(pageSize);
    m_model->setBatchInterval(0);
    m_model->setSources(m_cache.get(), m_outbox.get(), m_session.get());
    m_model->setRoom(kRoom);
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestEdits::restartApp()
{
    m_tester.reset();
    m_model.reset();
    m_session.reset();
    m_cache.reset();
    m_outbox.reset();
    start();
}

bool TestEdits::waitOnline()
{
    return QTest::qWaitFor([this] { return m_session->state() == ConnectionState::Online; }, 3000);
}

void TestEdits::liveChangesShowAndStayAfterARestart()
{
    m_server->add(u"bob"_s, u"hello"_s);
    m_server->add(u"alice"_s, u"mine"_s);
    start();
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitOnline());
    QTRY_COMPARE(m_model->rowCount(), 2);
    QCOMPARE(roleOf(2, MessageModel::OwnRole).toBool(), true);
    QCOMPARE(roleOf(1, MessageModel::OwnRole).toBool(), false);

    FakeTransport *link = m_network->current();
    link->deliverText(eventText(m_server->addEntry(u"bob"_s, u"edit"_s, 1, u"hello, fixed"_s)));
    link->deliverText(eventText(m_server->addEntry(u"bob"_s, u"reaction"_s, 2, u"👍"_s)));
    QTRY_COMPARE(roleOf(1, MessageModel::BodyRole).toString(), u"hello, fixed"_s);
    QVERIFY(roleOf(1, MessageModel::EditedRole).toBool());
    QCOMPARE(roleOf(1, MessageModel::EditedTimeRole).toDateTime().toMSecsSinceEpoch(), 3000);
    QTRY_COMPARE(roleOf(2, MessageModel::ReactionsRole).toList().size(), 1);
    QVariantMap reaction = roleOf(2, MessageModel::ReactionsRole).toList().first().toMap();
    QCOMPARE(reaction.value(u"emoji"_s).toString(), u"👍"_s);
    QCOMPARE(reaction.value(u"count"_s).toInt(), 1);
    QCOMPARE(reaction.value(u"users"_s).toStringList(), QStringList{u"bob"_s});
    QCOMPARE(reaction.value(u"mine"_s).toBool(), false);
    QCOMPARE(m_model->rowCount(), 2); // entries are not rows

    // Our own reaction comes back as the answer to `react`.
    QVERIFY(m_session->react(kRoom, 2, u"👍"_s, true));
    QTRY_VERIFY(m_model->hasMyReaction(2, u"👍"_s));
    reaction = roleOf(2, MessageModel::ReactionsRole).toList().first().toMap();
    QCOMPARE(reaction.value(u"count"_s).toInt(), 2);
    QCOMPARE(reaction.value(u"mine"_s).toBool(), true);

    link->deliverText(eventText(m_server->addEntry(u"bob"_s, u"delete"_s, 1)));
    QTRY_VERIFY(roleOf(1, MessageModel::DeletedRole).toBool());
    QCOMPARE(roleOf(1, MessageModel::BodyRole).toString(), QString());
    QCOMPARE(roleOf(1, MessageModel::EditedRole).toBool(), false); // deleted says it all
    QVERIFY(roleOf(1, Qt::AccessibleTextRole).toString().contains(u"message deleted"_s));

    // The cache kept the current state: a restarted app shows it before the network answers.
    m_cache->flush();
    m_network->setAutoAccept(false);
    restartApp();
    QCOMPARE(m_model->rowCount(), 2);
    QVERIFY(roleOf(1, MessageModel::DeletedRole).toBool());
    QCOMPARE(roleOf(1, MessageModel::BodyRole).toString(), QString());
    QCOMPARE(roleOf(2, MessageModel::BodyRole).toString(), u"mine"_s);
    const QVariantList reactions = roleOf(2, MessageModel::ReactionsRole).toList();
    QCOMPARE(reactions.size(), 1);
    QCOMPARE(reactions.first().toMap().value(u"users"_s).toStringList(),
             (QStringList{u"bob"_s, u"alice"_s}));
}

void TestEdits::syncedChangesAreApplied()
{
    m_server->add(u"bob"_s, u"one"_s);
    m_server->add(u"bob"_s, u"two"_s);
    start();
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitOnline());
    QTRY_COMPARE(m_model->rowCount(), 2);
    // While we were away: an edit, a reaction given and taken back, another given.
    m_network->current()->drop(1006);
    QTRY_VERIFY(m_session->state() != ConnectionState::Online);
    m_server->addEntry(u"bob"_s, u"edit"_s, 2, u"two, fixed"_s);
    m_server->addEntry(u"bob"_s, u"reaction"_s, 1, u"🎉"_s, true);
    m_server->addEntry(u"bob"_s, u"reaction"_s, 1, u"🎉"_s, false);
    m_server->addEntry(u"carol"_s, u"reaction"_s, 1, u"👀"_s, true);
    m_session->reconnectNow();
    QVERIFY(waitOnline());
    QTRY_COMPARE(roleOf(2, MessageModel::BodyRole).toString(), u"two, fixed"_s);
    const QVariantList reactions = roleOf(1, MessageModel::ReactionsRole).toList();
    QCOMPARE(reactions.size(), 1);
    QCOMPARE(reactions.first().toMap().value(u"emoji"_s).toString(), u"👀"_s);
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_cache->syncedSeq(kRoom), 6);
    QCOMPARE(m_cache->message(kRoom, 2)->body, u"two, fixed"_s);
}

void TestEdits::changesMadeOfflineGoOutOnce()
{
    m_server->add(u"alice"_s, u"typo hree"_s);
    m_server->add(u"alice"_s, u"regret"_s);
    start();
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitOnline());
    QTRY_COMPARE(m_model->rowCount(), 2);
    m_network->setAutoAccept(false);
    m_network->current()->drop(1006);
    QTRY_VERIFY(m_session->state() != ConnectionState::Online);

    QVERIFY(!m_session->editMessage(kRoom, 1, u"typo here"_s).isEmpty());
    QVERIFY(!m_session->deleteMessage(kRoom, 2).isEmpty());
    QVERIFY(m_session->editMessage(kRoom, 1, u"   "_s).isEmpty()); // nothing visible
    QVERIFY(m_session->editMessage(kRoom, 0, u"x"_s).isEmpty());
    m_outbox->flush();
    QCOMPARE(m_outbox->pendingCount(kRoom), 2);
    QCOMPARE(m_model->rowCount(), 2); // changes waiting to go out are not rows
    // They show at once, as a message typed offline does.
    QCOMPARE(roleOf(1, MessageModel::BodyRole).toString(), u"typo here"_s);
    QVERIFY(roleOf(1, MessageModel::EditedRole).toBool());
    QVERIFY(roleOf(2, MessageModel::DeletedRole).toBool());

    // The app restarts before the network is back: the changes are on the disk, and shown.
    restartApp();
    QCOMPARE(m_outbox->pendingCount(kRoom), 2);
    QCOMPARE(roleOf(1, MessageModel::BodyRole).toString(), u"typo here"_s);
    QVERIFY(roleOf(2, MessageModel::DeletedRole).toBool());
    QCOMPARE(m_cache->message(kRoom, 1)->body,
             u"typo hree"_s); // not stored until the server has it
    m_network->setAutoAccept(true);
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitOnline());
    QTRY_VERIFY(m_session->outboxIdle());
    QTRY_COMPARE(roleOf(1, MessageModel::BodyRole).toString(), u"typo here"_s);
    QTRY_VERIFY(roleOf(2, MessageModel::DeletedRole).toBool());
    QCOMPARE(m_server->stored.value(u"edit"_s), 1);
    QCOMPARE(m_server->stored.value(u"delete"_s), 1);
    const QList<QJsonObject> edits = m_network->sentOfType(u"edit"_s);
    QCOMPARE(edits.size(), 1);
    QCOMPARE(edits.first().value("target"_L1).toInteger(), 1);
    QVERIFY(!edits.first().value("cid"_L1).toString().isEmpty());

    // A change the server refuses for good leaves the outbox and says why.
    m_network->setResponder(u"edit"_s, [](FakeTransport *, const QJsonObject &) {
        return FakeNetwork::Answer::error(u"forbidden"_s, u"only the author may edit"_s);
    });
    QSignalSpy refused(m_session.get(), &SessionManager::changeRefused);
    QVERIFY(!m_session->editMessage(kRoom, 1, u"again"_s).isEmpty());
    QTRY_COMPARE(roleOf(1, MessageModel::BodyRole).toString(), u"again"_s); // shown at once
    QTRY_COMPARE(refused.size(), 1);
    QCOMPARE(refused.first().at(1).toString(), u"edit"_s);
    QCOMPARE(refused.first().at(2).toLongLong(), 1);
    QCOMPARE(refused.first().at(3).toString(), u"only the author may edit"_s);
    QTRY_COMPARE(m_outbox->pendingCount(), 0);
    QCOMPARE(m_outbox->failedCount(), 0);
    // and the row is back to what the server has.
    QTRY_COMPARE(roleOf(1, MessageModel::BodyRole).toString(), u"typo here"_s);
}

void TestEdits::repliesShowTheirOriginal()
{
    m_server->add(u"bob"_s, u"Shall we deploy on Friday afternoon?"_s);
    for (int i = 2; i <= 6; ++i)
        m_server->add(u"bob"_s, u"filler %1"_s.arg(i));
    start(3);
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitOnline());
    QTRY_COMPARE(m_model->rowCount(), 6);
    m_model->reload(); // the newest page only (of 3) from the cache
    QCOMPARE(m_model->oldestSeq(), 4);
    // Sent as a reply; shown pending with its target, then delivered with it.
    const QString cid = m_session->sendMessage(kRoom, u"Better not."_s, 1);
    QVERIFY(!cid.isEmpty());
    QTRY_COMPARE(m_network->sentOfType(u"send"_s).size(), 1);
    QCOMPARE(m_network->sentOfType(u"send"_s).first().value("reply_to"_L1).toInteger(), 1);
    QTRY_VERIFY(rowOf(7) >= 0);
    QCOMPARE(roleOf(7, MessageModel::ReplyToRole).toLongLong(), 1);
    QCOMPARE(roleOf(7, MessageModel::ReplySenderRole).toString(), u"bob"_s);
    QCOMPARE(roleOf(7, MessageModel::ReplyPreviewRole).toString(),
             u"Shall we deploy on Friday afternoon?"_s);
    {
        // A window that does not hold the original reads it from the cache.
        MessageModel newest;
        newest.setPageSize(2);
        newest.setSources(m_cache.get(), m_outbox.get(), m_session.get());
        newest.setRoom(kRoom);
        QCOMPARE(newest.oldestSeq(), 6);
        QCOMPARE(newest.rowOfSeq(1), -1);
        const QModelIndex reply = newest.index(newest.rowOfSeq(7));
        QCOMPARE(reply.data(MessageModel::ReplySenderRole).toString(), u"bob"_s);
        QCOMPARE(reply.data(MessageModel::ReplyPreviewRole).toString(),
                 u"Shall we deploy on Friday afternoon?"_s);
    }
    // The original edited and then deleted: the preview follows.
    FakeTransport *link = m_network->current();
    link->deliverText(eventText(m_server->addEntry(u"bob"_s, u"edit"_s, 1, u"Deploy Friday?"_s)));
    QTRY_COMPARE(roleOf(7, MessageModel::ReplyPreviewRole).toString(), u"Deploy Friday?"_s);
    link->deliverText(eventText(m_server->addEntry(u"bob"_s, u"delete"_s, 1)));
    QTRY_VERIFY(roleOf(7, MessageModel::ReplyDeletedRole).toBool());
    QCOMPARE(roleOf(7, MessageModel::ReplyPreviewRole).toString(), QString());
    // A reply to a message this client never had: no sender, no preview, the seq still.
    m_server->add(u"bob"_s, u"about something old"_s, 99);
    link->deliverText(eventText(m_server->log.constLast()));
    QTRY_VERIFY(rowOf(10) >= 0);
    QCOMPARE(roleOf(10, MessageModel::ReplyToRole).toLongLong(), 99);
    QCOMPARE(roleOf(10, MessageModel::ReplySenderRole).toString(), QString());
}

void TestEdits::refusedChangeIsUndoneInReplies()
{
    m_server->add(u"alice"_s, u"Deploy on Friday?"_s);
    m_server->add(u"bob"_s, u"Better not."_s, 1);
    start();
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitOnline());
    QTRY_COMPARE(m_model->rowCount(), 2);
    m_network->setResponder(u"delete"_s, [](FakeTransport *, const QJsonObject &) {
        return FakeNetwork::Answer::error(u"forbidden"_s, u"not now"_s);
    });
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy refused(m_session.get(), &SessionManager::changeRefused);
    QVERIFY(!m_session->deleteMessage(kRoom, 1).isEmpty());
    QTRY_COMPARE(refused.size(), 1);
    QTRY_VERIFY(!roleOf(1, MessageModel::DeletedRole).toBool());
    QCOMPARE(roleOf(2, MessageModel::ReplyDeletedRole).toBool(), false);
    QCOMPARE(roleOf(2, MessageModel::ReplyPreviewRole).toString(), u"Deploy on Friday?"_s);
    // A view repaints only the rows it is told of: the reply is told after the original's undo.
    const auto covers = [this](const QList<QVariant> &signal, qint64 seq) {
        const int row = rowOf(seq);
        return signal.at(0).toModelIndex().row() <= row && row <= signal.at(1).toModelIndex().row();
    };
    qsizetype undone = -1;
    for (qsizetype i = 0; i < changed.size(); ++i) {
        if (covers(changed.at(i), 1))
            undone = i;
    }
    QVERIFY(undone >= 0);
    bool replyTold = false;
    for (qsizetype i = undone + 1; i < changed.size(); ++i)
        replyTold = replyTold || covers(changed.at(i), 2);
    QVERIFY(replyTold);
}

void TestEdits::historyOfOnlyLogEntriesKeepsPaging()
{
    m_server->add(u"bob"_s, u"first"_s);
    m_server->add(u"bob"_s, u"second"_s);
    // 30 reactions given and taken back: more than a page of log entries without a message.
    for (int i = 0; i < 15; ++i) {
        m_server->addEntry(u"carol"_s, u"reaction"_s, 2, u"👍"_s, true);
        m_server->addEntry(u"carol"_s, u"reaction"_s, 2, u"👍"_s, false);
    }
    for (int i = 1; i <= 4; ++i)
        m_server->add(u"bob"_s, u"late %1"_s.arg(i));
    start(5);
    m_session->setInitialBacklog(4); // only the newest four are synced and cached
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitOnline());
    QTRY_COMPARE(m_model->rowCount(), 4);
    QCOMPARE(m_model->oldestSeq(), 33);
    // Pages of five: six of them hold nothing but reactions before the first two messages.
    for (int i = 0; i < 20 && m_model->oldestSeq() != 1; ++i) {
        if (m_model->canFetchMore())
            m_model->fetchMore();
        QTest::qWait(20);
    }
    QCOMPARE(m_model->oldestSeq(), 1);
    QCOMPARE(m_model->rowCount(), 6);
    QCOMPARE(m_model->index(1).data(MessageModel::BodyRole).toString(), u"second"_s);
    // In its current state: the reactions given and taken back left none.
    QVERIFY(m_model->index(1).data(MessageModel::ReactionsRole).toList().isEmpty());
    QVERIFY(!m_model->canFetchMore());
    QVERIFY(m_server->historyRequests >= 7);
}

void TestEdits::revealLoadsTheMessageAndNamesItsRow()
{
    for (int i = 1; i <= 40; ++i)
        m_server->add(u"bob"_s, u"m%1"_s.arg(i));
    start(10);
    m_session->setInitialBacklog(10);
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitOnline());
    QTRY_COMPARE(m_model->oldestSeq(), 31);
    QSignalSpy revealed(m_model.get(), &MessageModel::messageRevealed);
    QSignalSpy scrolled(m_model.get(), &MessageModel::scrollToRowRequested);
    // In the window already: at once.
    m_model->revealMessage(35);
    QCOMPARE(revealed.size(), 1);
    QCOMPARE(revealed.first().at(1).toLongLong(), 35);
    QCOMPARE(
        m_model->index(revealed.first().at(0).toInt()).data(MessageModel::SeqRole).toLongLong(),
        35);
    // Neither in the window nor in the cache: asked from the server.
    m_model->revealMessage(5);
    QTRY_COMPARE(revealed.size(), 2);
    const int row = revealed.at(1).at(0).toInt();
    QCOMPARE(revealed.at(1).at(1).toLongLong(), 5);
    QCOMPARE(m_model->index(row).data(MessageModel::SeqRole).toLongLong(), 5);
    QCOMPARE(m_model->index(row).data(MessageModel::BodyRole).toString(), u"m5"_s);
    QVERIFY(!m_model->isAtNewest());
    // A plain jump is not a reveal.
    const int before = int(revealed.size());
    m_model->jumpTo(35);
    QTRY_VERIFY(scrolled.size() >= 3);
    QTest::qWait(20);
    QCOMPARE(revealed.size(), before);
}

void TestEdits::applyingAnEntryTwiceChangesNothing()
{
    MessageEvent message{kRoom, 4, 4000, u"bob"_s, u"c4"_s, u"text"_s};
    MessageEvent edit{kRoom, 5, 5000, u"bob"_s, u"c5"_s, u"new text"_s};
    edit.kind = u"edit"_s;
    edit.target = 4;
    MessageEvent like{kRoom, 6, 6000, u"carol"_s, {}, {}};
    like.kind = u"reaction"_s;
    like.target = 4;
    like.emoji = u"👍"_s;
    like.on = true;
    QVERIFY(applyLogEntry(message, edit));
    QVERIFY(!applyLogEntry(message, edit));
    QVERIFY(applyLogEntry(message, like));
    QVERIFY(!applyLogEntry(message, like));
    QCOMPARE(message.reactions.size(), 1);
    MessageEvent other = like;
    other.target = 3; // about another message
    QVERIFY(!applyLogEntry(message, other));
    MessageEvent gone{kRoom, 7, 7000, u"bob"_s, u"c7"_s, {}};
    gone.kind = u"delete"_s;
    gone.target = 4;
    QVERIFY(applyLogEntry(message, gone));
    QVERIFY(message.deleted && message.body.isEmpty() && message.reactions.isEmpty());
    // Nothing brings a deleted message back.
    QVERIFY(!applyLogEntry(message, edit));
    QVERIFY(!applyLogEntry(message, like));
    QVERIFY(message.body.isEmpty());
    // The cache's form of reactions reads back what it wrote, and bounds what it reads.
    const QList<conversa::protocol::Reaction> reactions{{u"👍"_s, {u"a"_s, u"b"_s}},
                                                        {u"🎉"_s, {u"c"_s}}};
    const QList<conversa::protocol::Reaction> back = reactionsFromJson(reactionsToJson(reactions));
    QCOMPARE(back.size(), 2);
    QCOMPARE(back.at(0).users, (QStringList{u"a"_s, u"b"_s}));
    QCOMPARE(back.at(1).emoji, u"🎉"_s);
    QVERIFY(reactionsFromJson(u"not json"_s).isEmpty());
    QVERIFY(reactionsToJson({}).isEmpty());
}

void TestEdits::roomPreviewFollowsItsLastMessage()
{
    m_server->add(u"bob"_s, u"first"_s);
    m_server->add(u"bob"_s, u"lasst"_s);
    start();
    RoomListModel rooms;
    rooms.setCache(m_cache.get());
    rooms.setSession(m_session.get());
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(waitOnline());
    const auto preview = [&rooms] {
        return rooms.index(rooms.rowOfRoom(kRoom)).data(RoomListModel::LastMessagePreviewRole);
    };
    QTRY_COMPARE(preview().toString(), u"lasst"_s);
    FakeTransport *link = m_network->current();
    link->deliverText(eventText(m_server->addEntry(u"bob"_s, u"edit"_s, 1, u"first!"_s)));
    link->deliverText(eventText(m_server->addEntry(u"bob"_s, u"edit"_s, 2, u"last"_s)));
    QTRY_COMPARE(preview().toString(), u"last"_s); // the edit of an older one changes nothing
    link->deliverText(eventText(m_server->addEntry(u"bob"_s, u"delete"_s, 2)));
    QTRY_COMPARE(preview().toString(), u"message deleted"_s);
    // Read again from the cache (a restart): the same.
    m_cache->flush();
    rooms.reload();
    QCOMPARE(preview().toString(), u"message deleted"_s);
}

QTEST_GUILESS_MAIN(TestEdits)
#include "tst_edits.moc"
