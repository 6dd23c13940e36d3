// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
//
// The room list on a scripted server (FakeTransport): kind, dm peer and presence, owner, the
// server's unread and mention counts moved on by live messages (an edit is never unread), and
// the `room` and `removed` events bringing a room in and taking it out.
#include <Codec.h>
#include <FakeTransport.h>
#include <MessageCache.h>
#include <RoomListModel.h>
#include <SessionManager.h>

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::test::FakeNetwork;
using conversa::test::FakeTransport;
namespace proto = conversa::protocol;

class TestRoomList : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void kindsPeersOwnersAndCountsFromTheServer();
    void roomAndRemovedEventsChangeTheList();

private:
    int rowOf(const QString &room) const { return m_model->rowOfRoom(room); }
    QVariant at(const QString &room, int role) const
    {
        return m_model->index(rowOf(room)).data(role);
    }
    void signIn();

    QTemporaryDir m_dir;
    std::unique_ptr<FakeNetwork> m_network;
    std::unique_ptr<MessageCache> m_cache;
    std::unique_ptr<SessionManager> m_session;
    std::unique_ptr<RoomListModel> m_model;
    QList<proto::RoomSummary> m_rooms;
};

void TestRoomList::init()
{
    m_network = std::make_unique<FakeNetwork>();
    m_network->setAutoAccept(true);
    m_network->setResponder(u"auth"_s, [](FakeTransport *, const QJsonObject &) {
        return FakeNetwork::Answer::ok({{"user"_L1, u"alice"_s}});
    });
    m_network->setResponder(u"rooms"_s, [this](FakeTransport *, const QJsonObject &) {
        QJsonArray rooms;
        for (const proto::RoomSummary &room : std::as_const(m_rooms))
            rooms.append(proto::roomSummaryToJson(room));
        return FakeNetwork::Answer::ok({{"rooms"_L1, rooms}, {"epoch"_L1, 0}});
    });
    // Each room's log: plain messages from bob up to its last_seq.
    m_network->setResponder(u"sync"_s, [this](FakeTransport *, const QJsonObject &request) {
        const QString room = request.value("room"_L1).toString();
        qint64 last = 0;
        for (const proto::RoomSummary &summary : std::as_const(m_rooms)) {
            if (summary.room == room)
                last = summary.lastSeq;
        }
        QJsonArray messages;
        for (qint64 seq = request.value("after"_L1).toInteger() + 1; seq <= last; ++seq)
            messages.append(proto::messageToJson(
                {room, seq, 1000 + seq, u"bob"_s, u"c%1"_s.arg(seq), u"text %1"_s.arg(seq)}));
        return FakeNetwork::Answer::ok(
            {{"room"_L1, room}, {"messages"_L1, messages}, {"more"_L1, false}});
    });
    m_network->setResponder(u"members"_s, [](FakeTransport *, const QJsonObject &request) {
        return FakeNetwork::Answer::ok(
            {{"room"_L1, request.value("room"_L1)},
             {"members"_L1, QJsonArray{QJsonObject{{"user"_L1, u"alice"_s}, {"online"_L1, true}},
                                       QJsonObject{{"user"_L1, u"bob"_s}, {"online"_L1, true}}}}});
    });
    proto::RoomSummary general{u"general"_s, u"General"_s, 9, 4, u"bob"_s};
    general.kind = u"public"_s;
    general.unread = 2; // of the five after read_seq, three were edits and reactions
    general.mentions = 1;
    proto::RoomSummary dm{u"dm-0123456789abcdef01234567"_s, u"bob"_s, 3, 2};
    dm.kind = u"dm"_s;
    dm.peer = u"bob"_s;
    dm.unread = 1;
    m_rooms = {dm, general};

    m_cache = std::make_unique<MessageCache>();
    QVERIFY(m_cache->open(m_dir.filePath(
        u"cache-%1.sqlite"_s.arg(QString::fromLatin1(QTest::currentTestFunction())))));
    m_session = std::make_unique<SessionManager>();
    m_session->setWatchNetwork(false);
    m_session->setTransportFactory(m_network->factory());
    m_session->setServerUrl(QUrl(u"ws://chat.example:8080/ws"_s));
    m_session->setCache(m_cache.get());
    m_model = std::make_unique<RoomListModel>();
    m_model->setCurrentUser(u"alice"_s);
    m_model->setCache(m_cache.get());
    m_model->setSession(m_session.get());
}

void TestRoomList::cleanup()
{
    m_model.reset();
    m_session.reset();
    m_cache.reset();
    m_network.reset();
}

void TestRoomList::signIn()
{
    m_session->resume(u"alice"_s, u"token"_s);
    QTRY_COMPARE(m_session->state(), ConnectionState::Online);
    QTRY_COMPARE(m_model->rowCount(), int(m_rooms.size()));
}

void TestRoomList::kindsPeersOwnersAndCountsFromTheServer()
{
    signIn();
    const QString dm = u"dm-0123456789abcdef01234567"_s;
    QCOMPARE(at(dm, RoomListModel::KindRole).toString(), u"dm"_s);
    QCOMPARE(at(dm, RoomListModel::IsDirectRole).toBool(), true);
    QCOMPARE(at(dm, RoomListModel::PeerRole).toString(), u"bob"_s);
    QCOMPARE(at(dm, Qt::DisplayRole).toString(), u"bob"_s);
    QCOMPARE(at(dm, RoomListModel::UnreadCountRole).toInt(), 1);
    // The peer's presence comes with the dm's members, then with presence events.
    QTRY_COMPARE(at(dm, RoomListModel::PeerOnlineRole).toBool(), true);
    m_network->current()->deliver(
        {{"type"_L1, "presence"_L1}, {"user"_L1, "bob"_L1}, {"online"_L1, false}});
    QTRY_COMPARE(at(dm, RoomListModel::PeerOnlineRole).toBool(), false);

    QCOMPARE(at(u"general"_s, RoomListModel::KindRole).toString(), u"public"_s);
    QCOMPARE(at(u"general"_s, RoomListModel::IsDirectRole).toBool(), false);
    QCOMPARE(at(u"general"_s, RoomListModel::OwnerRole).toString(), u"bob"_s);
    // The server's counts, not last_seq - read_seq (5).
    QCOMPARE(at(u"general"_s, RoomListModel::UnreadCountRole).toInt(), 2);
    QCOMPARE(at(u"general"_s, RoomListModel::MentionCountRole).toInt(), 1);

    // Live: a message from bob that mentions alice counts; an edit does not.
    proto::MessageEvent message{u"general"_s, 10, 1000, u"bob"_s, u"c10"_s, u"@alice look"_s};
    m_network->current()->deliverText(QString::fromUtf8(proto::encodeEvent(message)));
    QTRY_COMPARE(at(u"general"_s, RoomListModel::UnreadCountRole).toInt(), 3);
    QCOMPARE(at(u"general"_s, RoomListModel::MentionCountRole).toInt(), 2);
    proto::MessageEvent edit{u"general"_s, 11, 1001, u"bob"_s, u"c11"_s, u"@alice look!"_s};
    edit.kind = u"edit"_s;
    edit.target = 10;
    m_network->current()->deliverText(QString::fromUtf8(proto::encodeEvent(edit)));
    QTest::qWait(50);
    QCOMPARE(at(u"general"_s, RoomListModel::UnreadCountRole).toInt(), 3);
    QCOMPARE(at(u"general"_s, RoomListModel::MentionCountRole).toInt(), 2);
    // Read to the end: nothing unread.
    m_model->markRead(u"general"_s, 11);
    QCOMPARE(at(u"general"_s, RoomListModel::UnreadCountRole).toInt(), 0);
    QCOMPARE(at(u"general"_s, RoomListModel::MentionCountRole).toInt(), 0);
    QVERIFY(m_model->knownPeople().contains(u"bob"_s));
    QVERIFY(!m_model->knownPeople().contains(u"alice"_s));
}

void TestRoomList::roomAndRemovedEventsChangeTheList()
{
    signIn();
    const qsizetype asked = m_network->sentOfType(u"rooms"_s).size();
    QSignalSpy added(m_session.get(), &SessionManager::roomAdded);
    proto::RoomSummary ops{u"ops"_s, u"Ops"_s, 0, 0, u"carol"_s};
    ops.kind = u"private"_s;
    m_rooms.append(ops);
    m_network->current()->deliverText(
        QString::fromUtf8(proto::encodeEvent(proto::RoomEvent{u"ops"_s, u"Ops"_s, u"private"_s})));
    QTRY_VERIFY(rowOf(u"ops"_s) >= 0);
    QCOMPARE(added.size(), 1);
    QCOMPARE(added.at(0).at(0).toString(), u"ops"_s);
    QVERIFY(m_network->sentOfType(u"rooms"_s).size() > asked);
    QCOMPARE(at(u"ops"_s, RoomListModel::KindRole).toString(), u"private"_s);

    QSignalSpy removed(m_session.get(), &SessionManager::roomRemoved);
    m_rooms.removeLast();
    m_network->current()->deliverText(
        QString::fromUtf8(proto::encodeEvent(proto::RemovedEvent{u"ops"_s, u"carol"_s})));
    QTRY_COMPARE(rowOf(u"ops"_s), -1);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toString(), u"carol"_s);
}

QTEST_GUILESS_MAIN(TestRoomList)
#include "tst_roomlist.moc"
