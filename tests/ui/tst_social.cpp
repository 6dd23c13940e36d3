// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Direct messages and rooms in the window, on a scripted server (FakeTransport): dms listed
// apart from rooms with the peer's presence, the New message picker (known people, an exact
// name, a refusal said in words), the room directory, a dm from the member list, and the room
// menu's Invite, Rename and Remove for the owner only.
#include <Account.h>
#include <ChatPage.h>
#include <Composer.h>
#include <MemberListModel.h>
#include <MembersPanel.h>
#include <NewMessageDialog.h>
#include <RoomDirectoryDialog.h>
#include <RoomFilterModel.h>
#include <RoomListDelegate.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <SocialActions.h>

#include <Codec.h>
#include <FakeTransport.h>

#include <QAction>
#include <QApplication>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace conversa;
using conversa::test::FakeNetwork;
using conversa::test::FakeTransport;
using conversa::ui::ChatPage;

namespace {
const QString kDm = u"dm-0123456789abcdef01234567"_s;

QJsonObject roomEntry(const QString &room, const QString &title, const QString &kind,
                      const QString &owner = {}, const QString &peer = {})
{
    protocol::RoomSummary summary{room, title, 0, 0, owner};
    summary.kind = kind;
    summary.peer = peer;
    return protocol::roomSummaryToJson(summary);
}
} // namespace

class TestSocial : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void dmsAreListedApartWithThePeersPresence();
    void newMessagePickerOffersKnownPeopleAndSaysWhoIsNotThere();
    void directoryFindsAndJoinsPublicRooms();
    void memberListStartsADirectMessage();
    void roomMenuOffersInviteAndOwnersRenameAndRemove();

private:
    void signIn();
    QString currentRoomOfList() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeNetwork> m_network;
    core::Account *m_account = nullptr;
    ChatPage *m_page = nullptr;
    QJsonArray m_rooms;
    bool m_bobOnline = true;
};

void TestSocial::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_rooms = {roomEntry(u"general"_s, u"General"_s, u"public"_s, u"alice"_s),
               roomEntry(u"lobby"_s, u"Lobby"_s, u"public"_s, u"bob"_s),
               roomEntry(kDm, u"bob"_s, u"dm"_s, {}, u"bob"_s)};
    m_network = std::make_unique<FakeNetwork>();
    m_network->setAutoAccept(true);
    m_network->setResponder(u"auth"_s, [](FakeTransport *, const QJsonObject &) {
        return FakeNetwork::Answer::ok({{"user"_L1, u"alice"_s}});
    });
    m_network->setResponder(u"rooms"_s, [this](FakeTransport *, const QJsonObject &) {
        return FakeNetwork::Answer::ok({{"rooms"_L1, m_rooms}, {"epoch"_L1, 0}});
    });
    m_network->setResponder(u"sync"_s, [](FakeTransport *, const QJsonObject &request) {
        return FakeNetwork::Answer::ok({{"room"_L1, request.value("room"_L1)},
                                        {"messages"_L1, QJsonArray()},
                                        {"more"_L1, false}});
    });
    m_network->setResponder(u"history"_s, [](FakeTransport *, const QJsonObject &request) {
        return FakeNetwork::Answer::ok(
            {{"room"_L1, request.value("room"_L1)}, {"messages"_L1, QJsonArray()}});
    });
    m_network->setResponder(u"members"_s, [this](FakeTransport *, const QJsonObject &request) {
        return FakeNetwork::Answer::ok(
            {{"room"_L1, request.value("room"_L1)},
             {"members"_L1,
              QJsonArray{QJsonObject{{"user"_L1, u"alice"_s}, {"online"_L1, true}},
                         QJsonObject{{"user"_L1, u"bob"_s}, {"online"_L1, m_bobOnline}},
                         QJsonObject{{"user"_L1, u"carol"_s}, {"online"_L1, false}}}}});
    });
    m_network->setResponder(
        u"read"_s, [](FakeTransport *, const QJsonObject &) { return FakeNetwork::Answer::ok(); });

    core::Account::Options options;
    options.dataDirectory = m_dir->path();
    options.useKeychain = false;
    m_account = new core::Account(options, this);
    m_account->session()->setWatchNetwork(false);
    m_account->session()->setTransportFactory(m_network->factory());
    QVERIFY2(m_account->open(QUrl(u"ws://chat.example:9/ws"_s), u"alice"_s),
             qPrintable(m_account->lastError()));
    m_page = new ChatPage;
    m_page->setAccount(m_account);
    m_page->setCurrentUser(u"alice"_s);
    m_page->resize(1000, 700);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
}

void TestSocial::cleanup()
{
    delete m_page;
    m_page = nullptr;
    delete m_account;
    m_account = nullptr;
    m_network.reset();
    m_dir.reset();
}

void TestSocial::signIn()
{
    m_account->resume(u"token"_s);
    QTRY_COMPARE(m_account->session()->state(), core::ConnectionState::Online);
    QTRY_COMPARE(m_account->rooms()->rowCount(), int(m_rooms.size()));
}

void TestSocial::dmsAreListedApartWithThePeersPresence()
{
    signIn();
    QAbstractItemModel *list = m_page->roomList()->model();
    // Rooms first, then the dms under their own heading (a taller first row).
    QCOMPARE(list->index(0, 0).data(core::RoomListModel::NameRole).toString(), u"general"_s);
    QCOMPARE(list->index(1, 0).data(core::RoomListModel::NameRole).toString(), u"lobby"_s);
    const QModelIndex dm = list->index(2, 0);
    QCOMPARE(dm.data(core::RoomListModel::NameRole).toString(), kDm);
    QCOMPARE(dm.data(Qt::DisplayRole).toString(), u"bob"_s);
    auto *filter = qobject_cast<ui::RoomFilterModel *>(list);
    QVERIFY(filter);
    QVERIFY(filter->startsDirectMessages(2));
    QVERIFY(!filter->startsDirectMessages(1));
    QStyleOptionViewItem option;
    option.font = m_page->roomList()->font();
    auto *delegate = m_page->roomList()->itemDelegate();
    QVERIFY(delegate->sizeHint(option, dm).height() >
            delegate->sizeHint(option, list->index(1, 0)).height());
    // Presence: from the dm's members, then live; screen readers hear it too.
    QTRY_COMPARE(dm.data(core::RoomListModel::PeerOnlineRole).toBool(), true);
    QCOMPARE(dm.data(Qt::AccessibleTextRole).toString(), u"Direct message with bob, online"_s);
    m_bobOnline = false;
    m_network->current()->deliver(
        {{"type"_L1, "presence"_L1}, {"user"_L1, "bob"_L1}, {"online"_L1, false}});
    QTRY_COMPARE(list->index(2, 0).data(core::RoomListModel::PeerOnlineRole).toBool(), false);
    QCOMPARE(list->index(2, 0).data(Qt::AccessibleTextRole).toString(),
             u"Direct message with bob"_s);
    // The open dm says what it is.
    m_page->openRoom(kDm);
    QTRY_COMPARE(m_page->findChild<QLabel *>(u"roomSubtitle"_s)->text(), u"Direct message"_s);
    // The composer names the person, not a room.
    m_page->setConnectionState(core::ConnectionState::Online); // MainWindow passes it on
    auto *composer = m_page->findChild<ui::Composer *>();
    QVERIFY(composer);
    QCOMPARE(composer->placeholderText(), u"Message bob"_s);
    m_page->openRoom(u"general"_s);
    QTRY_COMPARE(composer->placeholderText(), u"Message #General"_s);
}

void TestSocial::newMessagePickerOffersKnownPeopleAndSaysWhoIsNotThere()
{
    m_network->setResponder(u"dm"_s, [this](FakeTransport *, const QJsonObject &request) {
        const QString user = request.value("user"_L1).toString();
        if (user != "carol"_L1)
            return FakeNetwork::Answer::error(u"not_found"_s,
                                              u"there is no user named '%1'"_s.arg(user));
        m_rooms.append(
            roomEntry(u"dm-carol0000000000000000000"_s, u"carol"_s, u"dm"_s, {}, u"carol"_s));
        return FakeNetwork::Answer::ok({{"room"_L1, u"dm-carol0000000000000000000"_s},
                                        {"kind"_L1, u"dm"_s},
                                        {"peer"_L1, u"carol"_s}});
    });
    signIn();
    m_account->members()->setRoom(u"general"_s); // people seen in a shared room
    QTRY_COMPARE(m_account->members()->rowCount(), 3);

    ui::NewMessageDialog dialog(m_account, m_page);
    dialog.show();
    QStringList offered;
    for (int i = 0; i < dialog.peopleList()->count(); ++i)
        offered.append(dialog.peopleList()->item(i)->text());
    QCOMPARE(offered, (QStringList{u"bob"_s, u"carol"_s})); // not alice herself
    QTest::keyClicks(dialog.searchField(), u"car"_s);
    QCOMPARE(dialog.peopleList()->count(), 1);
    QCOMPARE(dialog.chosenUser(), u"carol"_s);

    // Someone nobody knows, typed exactly: the server's not_found, said in words.
    dialog.searchField()->setText(u"zed"_s);
    QCOMPARE(dialog.peopleList()->count(), 0);
    QCOMPARE(dialog.chosenUser(), u"zed"_s);
    dialog.startConversation();
    QTRY_VERIFY(dialog.statusLabel()->isVisible());
    QCOMPARE(dialog.statusLabel()->text(), u"There is no one called “zed” on this server."_s);
    QVERIFY(dialog.isVisible());

    dialog.searchField()->setText(u"carol"_s);
    dialog.startConversation();
    QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.openedRoom(), u"dm-carol0000000000000000000"_s);
    QCOMPARE(m_network->sentOfType(u"dm"_s).size(), 2);
    QTRY_VERIFY(m_account->rooms()->rowOfRoom(u"dm-carol0000000000000000000"_s) >= 0);
}

void TestSocial::directoryFindsAndJoinsPublicRooms()
{
    m_network->setResponder(u"directory"_s, [](FakeTransport *, const QJsonObject &request) {
        QJsonArray rooms;
        const QString query = request.value("query"_L1).toString();
        for (const auto &[name, title, members] :
             {std::tuple{u"design"_s, u"Design"_s, 4}, std::tuple{u"dev"_s, u"Development"_s, 12},
              std::tuple{u"random"_s, u"Random"_s, 30}}) {
            if (query.isEmpty() || name.contains(query) || title.contains(query))
                rooms.append(
                    QJsonObject{{"room"_L1, name}, {"title"_L1, title}, {"members"_L1, members}});
        }
        return FakeNetwork::Answer::ok({{"rooms"_L1, rooms}, {"more"_L1, false}});
    });
    m_network->setResponder(u"join"_s, [this](FakeTransport *, const QJsonObject &request) {
        m_rooms.append(
            roomEntry(request.value("room"_L1).toString(), u"Development"_s, u"public"_s));
        return FakeNetwork::Answer::ok(
            {{"room"_L1, request.value("room"_L1)}, {"title"_L1, u"Development"_s}});
    });
    signIn();
    ui::RoomDirectoryDialog dialog(m_account, m_page);
    dialog.show();
    QTRY_COMPARE(dialog.roomList()->count(), 3);
    QVERIFY(dialog.roomList()->item(1)->text().contains(u"Development"_s));
    QVERIFY(dialog.roomList()->item(1)->text().contains(u"#dev"_s));
    QVERIFY(dialog.roomList()->item(1)->text().contains(u"12"_s));
    QTest::keyClicks(dialog.searchField(), u"dev"_s);
    QTRY_COMPARE(dialog.roomList()->count(), 1);
    QCOMPARE(m_network->sentOfType(u"directory"_s).last().value("query"_L1).toString(), u"dev"_s);
    QVERIFY(dialog.joinButton()->isEnabled());
    dialog.joinButton()->click();
    QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.joinedRoom(), u"dev"_s);
    QCOMPARE(m_network->sentOfType(u"join"_s).size(), 1);

    // Nothing matches: said so.
    ui::RoomDirectoryDialog again(m_account, m_page);
    again.show();
    again.searchField()->setText(u"zzz"_s);
    QTRY_COMPARE(again.statusLabel()->text(), u"No public room matches “zzz”."_s);
}

void TestSocial::memberListStartsADirectMessage()
{
    m_network->setResponder(u"dm"_s, [](FakeTransport *, const QJsonObject &) {
        return FakeNetwork::Answer::ok(
            {{"room"_L1, kDm}, {"kind"_L1, u"dm"_s}, {"peer"_L1, u"bob"_s}});
    });
    signIn();
    m_page->openRoom(u"general"_s);
    emit m_page->membersPanel()->messageRequested(u"bob"_s);
    QTRY_COMPARE(m_page->currentRoom(), kDm);
    QCOMPARE(m_network->sentOfType(u"dm"_s).size(), 1);
    QCOMPARE(m_network->sentOfType(u"dm"_s).at(0).value("user"_L1).toString(), u"bob"_s);
}

void TestSocial::roomMenuOffersInviteAndOwnersRenameAndRemove()
{
    signIn();
    ui::SocialActions *social = m_page->socialActions();
    QVERIFY(m_page->roomMenu()->actions().contains(social->inviteAction()));
    m_page->openRoom(u"general"_s); // alice owns it
    social->updateActions();
    QVERIFY(social->inviteAction()->isEnabled());
    QVERIFY(social->renameAction()->isEnabled());
    QVERIFY(social->removeAction()->isEnabled());
    m_page->openRoom(u"lobby"_s); // bob's
    social->updateActions();
    QVERIFY(social->inviteAction()->isEnabled());
    QVERIFY(!social->renameAction()->isEnabled());
    QVERIFY(!social->removeAction()->isEnabled());
    m_page->openRoom(kDm); // nobody is invited into a dm
    social->updateActions();
    QVERIFY(!social->inviteAction()->isVisible());
    QVERIFY(!social->renameAction()->isVisible());
    QVERIFY(!social->removeAction()->isVisible());
}

QTEST_MAIN(TestSocial)
#include "tst_social.moc"
