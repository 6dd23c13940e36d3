// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The tray icon and the main window: a click on a mention's notification brings the window to
// the front with that room open; the tray's menu shows the window; with a tray, closing the
// window hides it.
#include <Account.h>
#include <ChatPage.h>
#include <MainWindow.h>
#include <MessageCache.h>
#include <Room.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <TrayIcon.h>

#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace ui = conversa::ui;

class TestTray : public QObject
{
    Q_OBJECT
private slots:
    void clickingANotificationOpensItsRoom();
};

void TestTray::clickingANotificationOpensItsRoom()
{
    QTemporaryDir dir;
    core::Account::Options options;
    options.dataDirectory = dir.path();
    options.useKeychain = false;
    core::Account account(options);
    account.session()->setWatchNetwork(false);
    QVERIFY(account.open(QUrl(u"ws://127.0.0.1:9/ws"_s), u"alice"_s));
    QVERIFY(account.cache()->updateRooms(
        {{u"general"_s, u"General"_s, 0, 0}, {u"random"_s, u"Random"_s, 0, 0}}));
    account.rooms()->reload();

    ui::MainWindow window;
    window.chatPage()->setAccount(&account);
    window.setSignedInUser(u"alice"_s);
    window.showChat();
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.chatPage()->openRoom(u"general"_s);

    ui::TrayIcon tray;
    window.attachTray(&tray);
    QVERIFY(window.hideOnClose);

    // A mention in #random while the window is hidden away.
    window.hide();
    tray.notify(u"random"_s, u"Random"_s, u"bob"_s, u"@alice can you look?"_s);
    QCOMPARE(tray.lastNotifiedRoom(), u"random"_s);
    QSignalSpy opened(&tray, &ui::TrayIcon::openRoomRequested);
    emit tray.systemTrayIcon()->messageClicked();
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.first().first().toString(), u"random"_s);
    QVERIFY(window.isVisible());
    QCOMPARE(window.chatPage()->currentRoom(), u"random"_s);
    QVERIFY(window.chatPage()->room());
    QCOMPARE(window.chatPage()->room()->name(), u"random"_s);

    // Closing hides the window (the tray keeps the app); the tray's menu brings it back.
    window.close();
    QVERIFY(!window.isVisible());
    emit tray.systemTrayIcon()->activated(QSystemTrayIcon::Trigger);
    QVERIFY(window.isVisible());
    QCOMPARE(window.chatPage()->currentRoom(), u"random"_s);
}

QTEST_MAIN(TestTray)
#include "tst_tray.moc"
