// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The chat page's controls: icon buttons, the emoji picker, the send button and the banner for
// connection trouble.
#include <Account.h>
#include <AppSettings.h>
#include <ChatPage.h>
#include <Composer.h>
#include <ConnectionBanner.h>
#include <EmojiPicker.h>
#include <MainWindow.h>
#include <MemberListModel.h>
#include <MessageCache.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <Theme.h>

#include <RoomListDelegate.h>

#include <QAbstractItemView>
#include <QApplication>
#include <QCompleter>
#include <QListWidget>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace Qt::StringLiterals;
using namespace conversa;
using conversa::ui::ChatPage;

class TestChatControls : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void iconButtonsHaveIconsTooltipsAndNames();
    void iconsFollowTheTheme();
    void sendButtonSendsWhatEnterWould();
    void emojiPickerInsertsAtTheCursorFromTheKeyboard();
    void roomMenuOffersLeave();
    void bannerShowsTroubleAndReconnects();
    void bannerSaysSignInWasNotKeptUntilDismissed();
    void atCompletesMemberNames();
    void roomMenuKeepsANotificationLevelPerAccountAndRoom();
    void notificationLevels();
    void mentionsOfMeAreCountedApart();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    core::Account *m_account = nullptr;
    ChatPage *m_page = nullptr;
};

void TestChatControls::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    core::Account::Options options;
    options.dataDirectory = m_dir->path();
    options.useKeychain = false;
    m_account = new core::Account(options, this);
    m_account->session()->setWatchNetwork(false);
    QVERIFY2(m_account->open(QUrl(u"ws://127.0.0.1:9/ws"_s), u"alice"_s),
             qPrintable(m_account->lastError()));
    QVERIFY(m_account->cache()->updateRooms({{u"general"_s, u"General"_s, 0, 0}}));
    m_account->rooms()->reload();
    m_page = new ChatPage;
    m_page->setAccount(m_account);
    m_page->setCurrentUser(u"alice"_s);
    m_page->setConnectionState(core::ConnectionState::WaitingToReconnect);
    m_page->resize(1000, 700);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
    m_page->openRoom(u"general"_s);
}

void TestChatControls::cleanup()
{
    delete m_page;
    m_page = nullptr;
    delete m_account;
    m_account = nullptr;
    m_dir.reset();
}

void TestChatControls::iconButtonsHaveIconsTooltipsAndNames()
{
    const QStringList names{u"createRoomButton"_s, u"joinRoomButton"_s, u"roomMenuButton"_s,
                            u"attachButton"_s,     u"emojiButton"_s,    u"sendButton"_s};
    for (const QString &name : names) {
        auto *button = m_page->findChild<QToolButton *>(name);
        QVERIFY2(button, qPrintable(name));
        QVERIFY2(!button->icon().isNull(), qPrintable(name));
        QCOMPARE(button->toolButtonStyle(), Qt::ToolButtonIconOnly);
        QVERIFY2(!button->toolTip().isEmpty(), qPrintable(name));
        QVERIFY2(!button->accessibleName().isEmpty(), qPrintable(name));
        // The icon is really drawn (not an empty pixmap from a missing SVG).
        const QImage image = button->icon().pixmap(24, 24).toImage();
        bool anyInk = false;
        for (int y = 0; y < image.height() && !anyInk; ++y)
            for (int x = 0; x < image.width() && !anyInk; ++x)
                anyInk = qAlpha(image.pixel(x, y)) > 0;
        QVERIFY2(anyInk, qPrintable(name));
    }
}

void TestChatControls::iconsFollowTheTheme()
{
    auto inkOf = [](const QIcon &icon) {
        const QImage image = icon.pixmap(48, 48).toImage();
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                if (qAlpha(image.pixel(x, y)) == 255)
                    return QColor(image.pixel(x, y));
        return QColor();
    };
    ui::Theme::apply(ui::Theme::Mode::Light);
    const QColor light = inkOf(m_page->emojiButton()->icon());
    ui::Theme::apply(ui::Theme::Mode::Dark);
    QTRY_VERIFY(inkOf(m_page->emojiButton()->icon()) != light);
    const QColor dark = inkOf(m_page->emojiButton()->icon());
    // Dark ink on the light theme, light ink on the dark one.
    QVERIFY2(light.lightness() < 128 && dark.lightness() > 128,
             qPrintable(light.name() + u' ' + dark.name()));
    ui::Theme::apply(ui::Theme::Mode::Light);
}

void TestChatControls::sendButtonSendsWhatEnterWould()
{
    auto *send = m_page->sendButton();
    QVERIFY(!send->isEnabled()); // nothing to send yet
    QTest::keyClicks(m_page->composer(), u"hello there"_s);
    QVERIFY(send->isEnabled());
    QTest::mouseClick(send, Qt::LeftButton);
    QCOMPARE(m_account->outbox()->pendingCount(u"general"_s), 1);
    QCOMPARE(m_account->outbox()->unsent(u"general"_s).first().body, u"hello there"_s);
    QTRY_VERIFY(m_page->composer()->toPlainText().isEmpty());
    QVERIFY(!send->isEnabled());
    // Without a room nothing can be sent, and the button says so by being disabled.
    m_page->openRoom({});
    QVERIFY(!send->isEnabled());
    QVERIFY(!m_page->emojiButton()->isEnabled());
}

void TestChatControls::emojiPickerInsertsAtTheCursorFromTheKeyboard()
{
    auto *composer = m_page->composer();
    composer->setFocus();
    QTest::keyClicks(composer, u"ab"_s);
    QTest::keyClick(composer, Qt::Key_Left); // cursor between a and b
    QTest::mouseClick(m_page->emojiButton(), Qt::LeftButton);
    ui::EmojiPicker *picker = m_page->emojiPicker();
    QVERIFY(picker);
    QTRY_VERIFY(picker->isVisible());
    QVERIFY(picker->tabs()->count() >= 3);
    QListWidget *grid = picker->currentGrid();
    QVERIFY(grid->count() >= 20);
    QTRY_VERIFY(grid->hasFocus());
    QTest::keyClick(grid, Qt::Key_Right);
    const QString chosen = grid->currentItem()->text();
    QCOMPARE(chosen, grid->item(1)->text());
    QTest::keyClick(grid, Qt::Key_Return);
    QTRY_VERIFY(!picker->isVisible());
    QCOMPARE(composer->toPlainText(), u"a"_s + chosen + u"b"_s);
    // Escape closes it and inserts nothing.
    QTest::mouseClick(m_page->emojiButton(), Qt::LeftButton);
    QTRY_VERIFY(picker->isVisible());
    QTest::keyClick(picker->currentGrid(), Qt::Key_Escape);
    QTRY_VERIFY(!picker->isVisible());
    QCOMPARE(composer->toPlainText(), u"a"_s + chosen + u"b"_s);
}

void TestChatControls::roomMenuOffersLeave()
{
    QMenu *menu = m_page->roomMenu();
    QVERIFY(menu);
    QAction *leave = menu->findChild<QAction *>(u"leaveRoomAction"_s);
    QVERIFY(leave);
    QVERIFY(leave->text().contains(u"Leave"_s));
    QVERIFY(m_page->roomMenuButton()->isVisible());
    m_page->openRoom({});
    QVERIFY(!m_page->roomMenuButton()->isVisible());
}

void TestChatControls::bannerShowsTroubleAndReconnects()
{
    ui::ConnectionBanner *banner = m_page->connectionBanner();
    core::ConnectionStatus status;
    status.state = core::ConnectionState::Online;
    banner->setStatus(status);
    QVERIFY(!banner->isVisible());

    status.state = core::ConnectionState::WaitingToReconnect;
    status.secondsLeft = 7;
    status.reason = u"Connection refused by chat.example.org."_s;
    banner->setStatus(status);
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains(u"7 s"_s), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(status.reason), qPrintable(banner->text()));
    banner->setPendingCount(3);
    QVERIFY2(banner->text().contains(u"3 message"_s), qPrintable(banner->text()));
    QVERIFY(banner->reconnectButton()->isVisible());
    QVERIFY(!banner->reconnectButton()->accessibleName().isEmpty());
    QSignalSpy reconnect(banner, &ui::ConnectionBanner::reconnectRequested);
    QTest::mouseClick(banner->reconnectButton(), Qt::LeftButton);
    QCOMPARE(reconnect.size(), 1);

    status.state = core::ConnectionState::AuthFailed;
    status.reason = u"The server ended this sign-in."_s;
    banner->setStatus(status);
    QVERIFY(banner->isVisible());
    QVERIFY(!banner->reconnectButton()->isVisible());

    status = {};
    status.state = core::ConnectionState::Online;
    banner->setStatus(status);
    QVERIFY(!banner->isVisible());
}

void TestChatControls::bannerSaysSignInWasNotKeptUntilDismissed()
{
    ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.showChat();
    ui::ConnectionBanner *banner = window.chatPage()->connectionBanner();
    QSignalSpy reconnect(&window, &ui::MainWindow::reconnectRequested);
    core::ConnectionStatus status;
    status.state = core::ConnectionState::WaitingToReconnect;
    status.secondsLeft = 3;
    window.setConnectionStatus(status);
    QVERIFY(banner->isVisible());
    QTest::mouseClick(banner->reconnectButton(), Qt::LeftButton);
    QCOMPARE(reconnect.size(), 1); // the window passes it on to the session

    status.state = core::ConnectionState::Online;
    window.setConnectionStatus(status);
    QVERIFY(!banner->isVisible());
    window.showSignInNotKept(u"org.freedesktop.secrets was not provided"_s);
    QVERIFY(banner->isVisible());
    QVERIFY(banner->text().contains(u"keychain"_s));
    QVERIFY(!banner->text().contains(u"freedesktop"_s)); // the detail is in the tooltip only
    auto *dismiss = banner->findChild<QToolButton *>(u"bannerDismissButton"_s);
    QVERIFY(dismiss && dismiss->isVisible());
    QTest::mouseClick(dismiss, Qt::LeftButton);
    QVERIFY(!banner->isVisible());
}

void TestChatControls::atCompletesMemberNames()
{
    m_account->members()->setMembers(
        u"general"_s,
        {{u"alice"_s, true}, {u"bruno"_s, false}, {u"beatriz"_s, true}, {u"carla"_s, false}});
    auto *composer = m_page->composer();
    composer->setFocus();
    QTRY_VERIFY(composer->hasFocus());
    QCompleter *completer = composer->mentionCompleter();
    QVERIFY(completer);
    QTest::keyClicks(composer, u"hi @b"_s);
    QTRY_VERIFY(completer->popup()->isVisible());
    QCOMPARE(completer->completionCount(), 2); // bruno, beatriz
    QTest::keyClicks(composer, u"r"_s);
    QCOMPARE(completer->completionCount(), 1);
    QCOMPARE(completer->currentCompletion(), u"bruno"_s);
    // Enter picks the name; it does not send.
    QTest::keyClick(completer->popup(), Qt::Key_Return);
    QCOMPARE(composer->toPlainText(), u"hi @bruno "_s);
    QCOMPARE(m_account->outbox()->pendingCount(u"general"_s), 0);
    QVERIFY(!completer->popup()->isVisible());
    // An address is not a mention; nor is a name nobody has.
    QTest::keyClicks(composer, u"mail a@c"_s);
    QVERIFY(!completer->popup()->isVisible());
    QTest::keyClicks(composer, u" @zz"_s);
    QVERIFY(!completer->popup()->isVisible());
    // With the popup gone, Enter sends again.
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(m_account->outbox()->pendingCount(u"general"_s), 1);
}

void TestChatControls::roomMenuKeepsANotificationLevelPerAccountAndRoom()
{
    using Level = ui::AppSettings::RoomNotifications;
    ui::AppSettings settings(m_dir->filePath(u"conversa.ini"_s));
    settings.setNotifyOnMention(true);
    settings.setNotifyOnEveryMessage(false);
    const QString account = m_account->key();
    // Before the page knows the settings, the menu offers no such choice.
    QMenu *notifications = m_page->roomMenu()->findChild<QMenu *>(u"notificationsMenu"_s);
    QVERIFY(notifications);
    QVERIFY(!notifications->menuAction()->isVisible());
    m_page->setNotificationSettings(&settings, account);
    QVERIFY(notifications->menuAction()->isVisible());
    auto *all = notifications->findChild<QAction *>(u"notifyAllAction"_s);
    auto *mentions = notifications->findChild<QAction *>(u"notifyMentionsAction"_s);
    auto *mute = notifications->findChild<QAction *>(u"notifyMuteAction"_s);
    QVERIFY(all && mentions && mute);
    // Unset: what Settings says (mentions on, every message off).
    QVERIFY(mentions->isChecked());
    mute->trigger();
    QVERIFY(mute->isChecked());
    QCOMPARE(settings.roomNotifications(account, u"general"_s), Level::Mute);
    // Other rooms and other accounts keep theirs.
    QCOMPARE(settings.roomNotifications(account, u"random"_s), Level::MentionsOnly);
    QCOMPARE(settings.roomNotifications(u"alice@ws://other.example.org/ws"_s, u"general"_s),
             Level::MentionsOnly);
    all->trigger();
    // Kept on disk: a new settings object reads it back.
    settings.sync();
    ui::AppSettings reread(m_dir->filePath(u"conversa.ini"_s));
    QCOMPARE(reread.roomNotifications(account, u"general"_s), Level::All);
    // Names that could nest settings keys do not.
    reread.setRoomNotifications(u"a/b@x"_s, u"r/s"_s, Level::Mute);
    QCOMPARE(reread.roomNotifications(u"a/b@x"_s, u"r/s"_s), Level::Mute);
    QCOMPARE(reread.roomNotifications(u"a"_s, u"b@x/r/s"_s), Level::MentionsOnly);
    m_page->setNotificationSettings(nullptr, {});
}

void TestChatControls::notificationLevels()
{
    using Level = ui::AppSettings::RoomNotifications;
    QVERIFY(ui::AppSettings::notifies(Level::All, false));
    QVERIFY(ui::AppSettings::notifies(Level::All, true));
    QVERIFY(!ui::AppSettings::notifies(Level::MentionsOnly, false));
    QVERIFY(ui::AppSettings::notifies(Level::MentionsOnly, true)); // a mention always gets through
    QVERIFY(!ui::AppSettings::notifies(Level::Mute, true));
    QTemporaryDir dir;
    ui::AppSettings settings(dir.filePath(u"c.ini"_s));
    settings.setNotifyOnEveryMessage(true);
    QCOMPARE(settings.roomNotifications(u"k"_s, u"r"_s), Level::All);
    settings.setNotifyOnEveryMessage(false);
    settings.setNotifyOnMention(false);
    QCOMPARE(settings.roomNotifications(u"k"_s, u"r"_s), Level::Mute);
}

void TestChatControls::mentionsOfMeAreCountedApart()
{
    namespace proto = conversa::protocol;
    core::MessageCache *cache = m_account->cache();
    QVERIFY(
        cache->updateRooms({{u"general"_s, u"General"_s, 0, 0}, {u"random"_s, u"Random"_s, 6, 0}}));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QStringList bodies{u"@alice can you look?"_s,     u"mail bob@alice.org"_s,
                             u"nothing for you"_s,          u"@Alice, and **@alice** too"_s,
                             u"talking to myself @alice"_s, u"@alicebob is someone else"_s};
    QList<proto::MessageEvent> batch;
    for (int i = 0; i < bodies.size(); ++i)
        batch.append({u"random"_s, qint64(i + 1), now + i, i == 4 ? u"alice"_s : u"bob"_s,
                      u"c-%1"_s.arg(i), bodies.at(i)});
    QVERIFY(cache->storeMessages(u"random"_s, batch, 6));
    QVERIFY(cache->flush());
    core::RoomListModel *rooms = m_account->rooms();
    rooms->reload();
    const int row = rooms->rowOfRoom(u"random"_s);
    QVERIFY(row >= 0);
    const QModelIndex index = rooms->index(row);
    QCOMPARE(index.data(core::RoomListModel::UnreadCountRole).toInt(), 6);
    // The preview shows the text without its Markdown markers.
    QCOMPARE(index.data(core::RoomListModel::LastMessagePreviewRole).toString(),
             u"@alicebob is someone else"_s);
    // Messages 1 and 4: not the address, not my own message, not another name starting alike.
    QCOMPARE(index.data(core::RoomListModel::MentionCountRole).toInt(), 2);
    QCOMPARE(rooms->index(rooms->rowOfRoom(u"general"_s))
                 .data(core::RoomListModel::MentionCountRole)
                 .toInt(),
             0);

    // Said to screen readers, and drawn as a second badge in its own colour.
    const QString spoken =
        m_page->roomList()->model()->index(row, 0).data(Qt::AccessibleTextRole).toString();
    QVERIFY2(spoken.contains(u"6"_s) && spoken.contains(u"2 mention"_s), qPrintable(spoken));
    ui::RoomListDelegate delegate;
    QStyleOptionViewItem option;
    option.font = QApplication::font();
    option.palette = QApplication::palette();
    option.rect = QRect(0, 0, 260, delegate.sizeHint(option, index).height());
    QImage image(option.rect.size(), QImage::Format_ARGB32);
    image.fill(option.palette.color(QPalette::Window));
    {
        QPainter painter(&image);
        delegate.paint(&painter, option, index);
    }
    const QRgb mentionColour = ui::Theme::mentionBadgeBackground().rgb();
    int mentionPixels = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            mentionPixels += image.pixel(x, y) == mentionColour;
    QVERIFY2(mentionPixels > 50, qPrintable(QString::number(mentionPixels)));

    // Read up to message 2: only the mention in 4 is left; read to the end: none.
    rooms->markRead(u"random"_s, 2);
    QCOMPARE(index.data(core::RoomListModel::MentionCountRole).toInt(), 1);
    rooms->markRead(u"random"_s, 6);
    QCOMPARE(index.data(core::RoomListModel::MentionCountRole).toInt(), 0);
    QVERIFY(cache->storeMessages(u"general"_s,
                                 {{u"general"_s, 1, now, u"bob"_s, u"c-g1"_s,
                                   u"> quoted\n**see** [docs](https://example.org)"_s}},
                                 1));
    QVERIFY(cache->flush());
    rooms->reload();
    QCOMPARE(rooms->index(rooms->rowOfRoom(u"general"_s))
                 .data(core::RoomListModel::LastMessagePreviewRole)
                 .toString(),
             u"quoted see docs"_s);
}

QTEST_MAIN(TestChatControls)
#include "tst_chatcontrols.moc"
