// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The chat page on the real core models (cache and outbox on disk, a session that is not
// connected): Enter sends into the outbox, failed messages can be retried and discarded from the
// view, unread counts show and clear, the quick switcher and Alt+Up/Down move between rooms.
#include <Account.h>
#include <ChatPage.h>
#include <Composer.h>
#include <MemberListModel.h>
#include <MessageCache.h>
#include <MessageDelegate.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Outbox.h>
#include <QuickSwitcher.h>
#include <Room.h>
#include <RoomListDelegate.h>
#include <RoomListModel.h>
#include <SearchPanel.h>
#include <SearchPanelDelegate.h>
#include <SessionManager.h>
#include <TypingUsers.h>

#include <QAccessible>
#include <QCheckBox>
#include <QClipboard>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QWheelEvent>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace proto = conversa::protocol;
using conversa::ui::ChatPage;
using conversa::ui::MessageDelegate;

class TestChatPage : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void composerIsDisabledWithoutRoom();
    void noAccountConnectsNothingToNull();
    void enterSendsShiftEnterDoesNot();
    void textStaysWhenTheOutboxCannotStoreIt();
    void enterDoesNotWaitForTheDisk();
    void textTheServerRefusesIsNotQueued();
    void failedMessageCanBeRetriedAndDiscarded();
    void unreadCountsShowAndClearWhenRead();
    void quickSwitcherOpensTheChosenRoom();
    void altUpDownMovesBetweenRooms();
    void roomFilterNarrowsTheList();
    void aFilteredOutRoomKeepsItsSearchLabel();
    void newMessagesButtonWhenScrolledUp();
    void olderHistoryLoadsAtTheTopWithoutJumping();
    void rowsStayWhileTheReaderIsScrolledUp();
    void olderMessagesOfflineSaySoAndRetry();
    void scrollingUpAtTheTopAsksAgain();
    void screenReadersHearSenderTimeAndState();
    void dragSelectsTextAcrossMessages();
    void doubleClickSelectsAWord();
    void aPauseOfFiveMinutesStartsANewHeader();

private:
    void addMessages(const QString &room, int count, const QString &from = u"bob"_s);
    // The open room's messages (each room has its own model while it is open).
    core::MessageModel *messages() const
    {
        return m_page->room() ? m_page->room()->messages() : nullptr;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    core::Account *m_account = nullptr;
    core::MessageCache *m_cache = nullptr;
    core::Outbox *m_outbox = nullptr;
    core::SessionManager *m_session = nullptr;
    core::RoomListModel *m_rooms = nullptr;
    ChatPage *m_page = nullptr;
    qint64 m_nextSeq = 1;
};

void TestChatPage::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    core::Account::Options options;
    options.dataDirectory = m_dir->path();
    options.useKeychain = false;
    m_account = new core::Account(options, this);
    m_account->session()->setWatchNetwork(false);
    // A server nobody answers on: the session stays offline.
    QVERIFY2(m_account->open(QUrl(u"ws://127.0.0.1:9/ws"_s), u"alice"_s),
             qPrintable(m_account->lastError()));
    m_cache = m_account->cache();
    m_outbox = m_account->outbox();
    m_session = m_account->session();
    m_rooms = m_account->rooms();
    QVERIFY(m_cache->updateRooms({{u"general"_s, u"General"_s, 0, 0},
                                  {u"random"_s, u"Random"_s, 0, 0},
                                  {u"release"_s, u"Release 2.4"_s, 0, 0}}));
    m_rooms->reload();
    m_page = new ChatPage;
    m_page->setAccount(m_account);
    m_page->setCurrentUser(u"alice"_s);
    m_page->setConnectionState(core::ConnectionState::WaitingToReconnect);
    m_page->resize(1000, 700);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
}

void TestChatPage::cleanup()
{
    delete m_page;
    m_page = nullptr;
    delete m_account;
    m_account = nullptr;
    m_dir.reset();
    m_nextSeq = 1;
}

void TestChatPage::addMessages(const QString &room, int count, const QString &from)
{
    QList<proto::MessageEvent> batch;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < count; ++i) {
        const qint64 seq = m_nextSeq++;
        batch.append({room, seq, now + seq, from, u"c-%1"_s.arg(seq),
                      u"message %1 with some words to wrap"_s.arg(seq)});
    }
    QVERIFY(m_cache->storeMessages(room, batch, batch.last().seq));
    QVERIFY(m_cache->updateRooms(
        {{u"general"_s, u"General"_s, room == u"general"_s ? batch.last().seq : 0, 0},
         {u"random"_s, u"Random"_s, room == u"random"_s ? batch.last().seq : 0, 0},
         {u"release"_s, u"Release 2.4"_s, 0, 0}}));
}

void TestChatPage::noAccountConnectsNothingToNull()
{
    // conversa-live-bench hands the page models without an account: no "invalid nullptr
    // parameter" from connecting to a missing member model.
    QTest::failOnWarning(QRegularExpression(u"invalid nullptr parameter"_s));
    m_page->setAccount(nullptr);
    m_page->setSources({m_session, m_outbox, m_rooms, nullptr, nullptr, nullptr});
    m_page->setAccount(m_account);
}

void TestChatPage::composerIsDisabledWithoutRoom()
{
    QVERIFY(m_page->currentRoom().isEmpty() || m_page->composer()->isEnabled());
    m_page->openRoom({});
    QVERIFY(!m_page->composer()->isEnabled());
    QVERIFY(!m_page->composer()->disabledReason().isEmpty());
    m_page->openRoom(u"general"_s);
    QVERIFY(m_page->composer()->isEnabled());
    // Signed out: cannot write, and says why.
    m_page->setConnectionState(core::ConnectionState::AuthFailed);
    QVERIFY(!m_page->composer()->isEnabled());
    QVERIFY(m_page->composer()->placeholderText().contains(u"sign in"_s));
}

void TestChatPage::enterSendsShiftEnterDoesNot()
{
    m_page->openRoom(u"general"_s);
    auto *composer = m_page->composer();
    composer->setFocus();
    QTest::keyClicks(composer, u"first line"_s);
    QTest::keyClick(composer, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(composer, u"second line"_s);
    QCOMPARE(m_outbox->pendingCount(), 0); // Shift+Enter only added a line
    QCOMPARE(composer->toPlainText(), u"first line\nsecond line"_s);

    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(m_outbox->pendingCount(u"general"_s), 1);
    // The box empties once the outbox has the text on the disk.
    QTRY_VERIFY(composer->toPlainText().isEmpty());
    const auto unsent = m_outbox->unsent(u"general"_s);
    QCOMPARE(unsent.first().body, u"first line\nsecond line"_s);
    // Shown at once as pending, offline as we are.
    QCOMPARE(messages()->rowCount(), 1);
    QCOMPARE(messages()
                 ->index(0)
                 .data(core::MessageModel::StateRole)
                 .value<core::MessageModel::DeliveryState>(),
             core::MessageModel::DeliveryState::Pending);
    // Blank messages are not sent.
    QTest::keyClicks(composer, u"   "_s);
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(m_outbox->pendingCount(u"general"_s), 1);
}

void TestChatPage::textStaysWhenTheOutboxCannotStoreIt()
{
    m_page->openRoom(u"general"_s);
    auto *composer = m_page->composer();
    composer->setFocus();
    // A disk that refuses writes.
    m_outbox->setWriteHook([](QString *error) {
        *error = u"disk I/O error"_s;
        return false;
    });
    QTest::keyClicks(composer, u"do not lose me"_s);
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_VERIFY(m_page->sendErrorLabel()->isVisible());
    QCOMPARE(m_outbox->pendingCount(), 0);
    QCOMPARE(messages()->rowCount(), 0); // the "Sending…" row went with it
    QCOMPARE(composer->toPlainText(), u"do not lose me"_s);
    QVERIFY2(m_page->sendErrorLabel()->text().contains(u"could not be saved"_s),
             qPrintable(m_page->sendErrorLabel()->text()));
    QVERIFY2(m_page->sendErrorLabel()->text().contains(u"disk I/O error"_s),
             qPrintable(m_page->sendErrorLabel()->text()));

    // Once the disk takes it again, Enter sends the same text and the warning goes.
    m_outbox->setWriteHook({});
    QTest::keyClick(composer, Qt::Key_Return);
    QVERIFY(!m_page->sendErrorLabel()->isVisible());
    QTRY_VERIFY(composer->toPlainText().isEmpty());
    QCOMPARE(m_outbox->pendingCount(u"general"_s), 1);
    QCOMPARE(m_outbox->unsent(u"general"_s).first().body, u"do not lose me"_s);
}

void TestChatPage::enterDoesNotWaitForTheDisk()
{
    m_page->openRoom(u"general"_s);
    auto *composer = m_page->composer();
    composer->setFocus();
    // A disk that takes two seconds per commit (far beyond a loaded machine's scheduling delays).
    m_outbox->setWriteHook([](QString *) {
        QThread::msleep(2000);
        return true;
    });
    QTest::keyClicks(composer, u"hello"_s);
    QElapsedTimer clock;
    clock.start();
    QTest::keyClick(composer, Qt::Key_Return);
    QVERIFY2(clock.elapsed() < 1000, qPrintable(u"Enter took %1 ms"_s.arg(clock.elapsed())));
    // "Sending…" at once; the text stays in the box until it is on the disk.
    QCOMPARE(messages()->rowCount(), 1);
    QCOMPARE(messages()
                 ->index(0)
                 .data(core::MessageModel::StateRole)
                 .value<core::MessageModel::DeliveryState>(),
             core::MessageModel::DeliveryState::Pending);
    QCOMPARE(composer->toPlainText(), u"hello"_s);
    // A second Enter meanwhile does not queue it twice; typing goes on.
    QTest::keyClick(composer, Qt::Key_Return);
    QTest::keyClicks(composer, u" and more"_s);
    QTRY_COMPARE_WITH_TIMEOUT(composer->toPlainText(), u" and more"_s, 10000);
    QVERIFY(clock.elapsed() >= 2000);
    QCOMPARE(m_outbox->pendingCount(u"general"_s), 1);
    QCOMPARE(messages()->rowCount(), 1);
}

void TestChatPage::textTheServerRefusesIsNotQueued()
{
    m_page->openRoom(u"general"_s);
    auto *composer = m_page->composer();
    composer->setPlainText(u"ring the bell \a"_s);
    m_page->sendMessage(composer->toPlainText());
    QCOMPARE(m_outbox->pendingCount(), 0);
    QCOMPARE(composer->toPlainText(), u"ring the bell \a"_s);
    QVERIFY(m_page->sendErrorLabel()->isVisible());
    QVERIFY2(m_page->sendErrorLabel()->text().contains(u"U+0007"_s),
             qPrintable(m_page->sendErrorLabel()->text()));
    // Another room: the warning was about the other one's text.
    m_page->openRoom(u"random"_s);
    QVERIFY(!m_page->sendErrorLabel()->isVisible());
}

void TestChatPage::failedMessageCanBeRetriedAndDiscarded()
{
    m_page->openRoom(u"general"_s);
    const QString cid = m_session->sendMessage(u"general"_s, u"will fail"_s);
    m_outbox->flush();
    QVERIFY(m_outbox->markFailed(cid, u"the server refused it"_s));
    QCOMPARE(messages()->rowCount(), 1);
    const QModelIndex failed = messages()->index(0);
    QCOMPARE(failed.data(core::MessageModel::StateRole).value<core::MessageModel::DeliveryState>(),
             core::MessageModel::DeliveryState::Failed);

    // Click on "Retry" where the delegate drew it.
    auto *view = m_page->messageView();
    QTest::qWait(50);
    const QModelIndex viewIndex = view->model()->index(0, 0);
    const QRect rowRect = view->visualRect(viewIndex);
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.font = view->font();
    option.rect = rowRect;
    option.widget = view;
    QPoint retryPoint;
    for (int y = rowRect.top(); y <= rowRect.bottom() && retryPoint.isNull(); ++y)
        for (int x = rowRect.left(); x <= rowRect.right() && retryPoint.isNull(); x += 2)
            if (view->messageDelegate()->actionAt(option, viewIndex, QPoint(x, y)) ==
                MessageDelegate::Action::Retry)
                retryPoint = QPoint(x, y);
    QVERIFY2(!retryPoint.isNull(), "no Retry area drawn");
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, retryPoint);
    QCOMPARE(m_outbox->failedCount(), 0);
    QCOMPARE(m_outbox->pendingCount(), 1);
    QCOMPARE(messages()
                 ->index(0)
                 .data(core::MessageModel::StateRole)
                 .value<core::MessageModel::DeliveryState>(),
             core::MessageModel::DeliveryState::Pending);

    // Fail again, then discard through the page.
    QVERIFY(m_outbox->markFailed(cid, u"still refused"_s));
    m_page->discardMessage(cid);
    QCOMPARE(m_outbox->unsent().size(), 0);
    QCOMPARE(messages()->rowCount(), 0);
}

void TestChatPage::unreadCountsShowAndClearWhenRead()
{
    addMessages(u"random"_s, 7);
    m_rooms->reload();
    const int randomRow = m_rooms->rowOfRoom(u"random"_s);
    QCOMPARE(m_rooms->index(randomRow).data(core::RoomListModel::UnreadCountRole).toLongLong(), 7);
    QCOMPARE(conversa::ui::RoomListDelegate::badgeText(7), u"7"_s);
    QCOMPARE(conversa::ui::RoomListDelegate::badgeText(250), u"99+"_s);
    // Opening the room shows its newest message, which marks it read.
    m_page->openRoom(u"random"_s);
    QTRY_COMPARE(m_rooms->index(randomRow).data(core::RoomListModel::UnreadCountRole).toLongLong(),
                 0);
    QCOMPARE(m_cache->room(u"random"_s)->readSeq, 7);
}

void TestChatPage::quickSwitcherOpensTheChosenRoom()
{
    m_page->openRoom(u"general"_s);
    m_page->showQuickSwitcher();
    auto *switcher = m_page->quickSwitcher();
    QVERIFY(switcher->isVisible());
    QTest::keyClicks(switcher->filterEdit(), u"rele"_s);
    QCOMPARE(switcher->list()->model()->rowCount(), 1);
    QCOMPARE(switcher->currentRoom(), u"release"_s);
    QTest::keyClick(switcher->filterEdit(), Qt::Key_Return);
    QCOMPARE(m_page->currentRoom(), u"release"_s);
    QVERIFY(!switcher->isVisible());

    // Arrows move through the matches; an empty filter shows every room.
    m_page->showQuickSwitcher();
    QCOMPARE(switcher->list()->model()->rowCount(), 3);
    QTest::keyClick(switcher->filterEdit(), Qt::Key_Down);
    QCOMPARE(switcher->currentRoom(), u"random"_s);
    QTest::keyClick(switcher->filterEdit(), Qt::Key_Escape);
    QVERIFY(!switcher->isVisible());
    QCOMPARE(m_page->currentRoom(), u"release"_s);
}

void TestChatPage::altUpDownMovesBetweenRooms()
{
    m_page->openRoom(u"general"_s);
    m_page->selectAdjacentRoom(1);
    QCOMPARE(m_page->currentRoom(), u"random"_s);
    m_page->selectAdjacentRoom(1);
    QCOMPARE(m_page->currentRoom(), u"release"_s);
    m_page->selectAdjacentRoom(1); // wraps around
    QCOMPARE(m_page->currentRoom(), u"general"_s);
    m_page->selectAdjacentRoom(-1);
    QCOMPARE(m_page->currentRoom(), u"release"_s);
    // The list's selection follows.
    QCOMPARE(m_page->roomList()->currentIndex().data(core::RoomListModel::NameRole).toString(),
             u"release"_s);
}

void TestChatPage::roomFilterNarrowsTheList()
{
    QTest::keyClicks(m_page->roomFilter(), u"GEN"_s);
    QCOMPARE(m_page->roomList()->model()->rowCount(), 1);
    m_page->roomFilter()->clear();
    QCOMPARE(m_page->roomList()->model()->rowCount(), 3);
}

void TestChatPage::aFilteredOutRoomKeepsItsSearchLabel()
{
    const QString dm = u"dm-bob00000000000000000000000"_s;
    QVERIFY(m_cache->updateRooms({{u"general"_s, u"General"_s, 0, 0}, {dm, u"bob"_s, 0, 0}}));
    m_rooms->reload();
    m_page->openRoom(dm);
    auto *title = m_page->findChild<QLabel *>(u"roomTitle"_s);
    auto *subtitle = m_page->findChild<QLabel *>(u"roomSubtitle"_s);
    QCOMPARE(title->text(), u"bob"_s);
    QCOMPARE(subtitle->text(), u"Direct message"_s);

    // The filter hides the dm from the list, not from the search results: they still name it
    // by its peer, never "#dm-…".
    m_page->openRoom(u"general"_s);
    QTest::keyClicks(m_page->roomFilter(), u"gen"_s);
    QCOMPARE(m_page->roomList()->model()->rowCount(), 1);
    auto *results = qobject_cast<conversa::ui::SearchPanelDelegate *>(
        m_page->searchPanel()->resultList()->itemDelegate());
    QVERIFY(results);
    QCOMPARE(results->roomLabel(dm), u"bob"_s);
    m_page->searchPanel()->setCurrentRoom(dm);
    QCOMPARE(m_page->searchPanel()->thisRoomOnly()->text(), u"Only in bob"_s);
}

void TestChatPage::newMessagesButtonWhenScrolledUp()
{
    addMessages(u"general"_s, 60);
    m_page->openRoom({});
    m_page->openRoom(u"general"_s);
    auto *view = m_page->messageView();
    QTRY_VERIFY(view->verticalScrollBar()->maximum() > 0);
    QTRY_VERIFY(view->isAtBottom());
    view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum() / 2);
    QVERIFY(!view->isAtBottom());
    // Three messages arrive from someone else while the reader looks at older ones.
    for (int i = 0; i < 3; ++i) {
        const qint64 seq = m_nextSeq++;
        messages()->addMessage({u"general"_s, seq, QDateTime::currentMSecsSinceEpoch(), u"bob"_s,
                                u"n-%1"_s.arg(seq), u"news %1"_s.arg(seq)});
    }
    QCOMPARE(view->unseenCount(), 3);
    auto *button = view->findChild<QWidget *>(u"newMessagesButton"_s);
    QVERIFY(button && button->isVisible());
    view->scrollToNewest();
    QTRY_VERIFY(view->isAtBottom());
    QCOMPARE(view->unseenCount(), 0);
    QVERIFY(!button->isVisible());
}

void TestChatPage::olderHistoryLoadsAtTheTopWithoutJumping()
{
    addMessages(u"general"_s, 120);
    m_page->openRoom({});
    m_page->openRoom(u"general"_s);
    messages()->setPageSize(50);
    messages()->reload();
    auto *view = m_page->messageView();
    QTRY_VERIFY(view->isAtBottom() && view->verticalScrollBar()->maximum() > 0);
    QTest::qWait(50); // let the first layout settle, as it has by the time a person scrolls
    const int loaded = messages()->rowCount();
    QCOMPARE(loaded, 50); // one page: the window is full with it
    // Scroll to the top: the next older page comes in from the cache.
    view->verticalScrollBar()->setValue(0);
    QTRY_VERIFY(messages()->rowCount() > loaded);
    // What was at the top is still in view: the older rows went above it.
    const QModelIndex formerFirst = view->model()->index(messages()->rowCount() - loaded, 0);
    QTRY_VERIFY(view->viewport()->rect().intersects(view->visualRect(formerFirst)));
    QVERIFY(view->verticalScrollBar()->value() > 0);
}

void TestChatPage::rowsStayWhileTheReaderIsScrolledUp()
{
    addMessages(u"general"_s, 60);
    m_page->openRoom({});
    m_page->openRoom(u"general"_s);
    messages()->setPageSize(60);
    messages()->setMaxRows(60);
    messages()->reload();
    auto *view = m_page->messageView();
    QTRY_VERIFY(view->isAtBottom() && view->verticalScrollBar()->maximum() > 0);
    QTest::qWait(50);
    QCOMPARE(messages()->rowCount(), 60);
    view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum() / 2);
    QVERIFY(!view->isAtBottom());
    const QModelIndex top = view->indexAt(QPoint(20, 20));
    const qint64 topSeq = top.data(core::MessageModel::SeqRole).toLongLong();
    const int topY = view->visualRect(top).top();

    // 30 messages arrive while the reader is up there: more than the model keeps.
    for (int i = 0; i < 30; ++i) {
        const qint64 seq = m_nextSeq++;
        messages()->addMessage({u"general"_s, seq, QDateTime::currentMSecsSinceEpoch(), u"bob"_s,
                                u"n-%1"_s.arg(seq), u"news %1"_s.arg(seq)});
    }
    QTest::qWait(50);
    QCOMPARE(messages()->rowCount(), 90); // nothing trimmed from under the reader
    const QModelIndex stillTop = view->indexAt(QPoint(20, 20));
    QCOMPARE(stillTop.data(core::MessageModel::SeqRole).toLongLong(), topSeq);
    QCOMPARE(view->visualRect(stillTop).top(), topY);

    // Back at the newest, the model is trimmed to its size again.
    view->scrollToNewest();
    QTRY_COMPARE(messages()->rowCount(), 60);
    QTRY_VERIFY(view->isAtBottom());
}

void TestChatPage::olderMessagesOfflineSaySoAndRetry()
{
    // The cache starts at seq 41: older ones are only on the server, and we are offline.
    m_nextSeq = 41;
    addMessages(u"general"_s, 3);
    m_page->openRoom({});
    m_page->openRoom(u"general"_s);
    auto *view = m_page->messageView();
    QLabel *notice = view->historyNotice();
    QVERIFY(!notice->isVisible());
    view->loadOlder(); // what reaching the top does
    QTRY_VERIFY(notice->isVisible());
    QVERIFY2(notice->text().contains(u"connection"_s), qPrintable(notice->text()));
    QVERIFY(notice->geometry().intersects(view->rect()));
    // Paging is not dead: the next scroll asks again.
    QVERIFY(messages()->canFetchMore());
    // Another room: the notice goes.
    m_page->openRoom(u"random"_s);
    QTRY_VERIFY(!notice->isVisible());
}

void TestChatPage::scrollingUpAtTheTopAsksAgain()
{
    // A full window of messages from seq 41; the reader is at the top and older ones failed.
    m_nextSeq = 41;
    addMessages(u"general"_s, 60);
    m_page->openRoom({});
    m_page->openRoom(u"general"_s);
    messages()->setPageSize(60);
    messages()->reload();
    auto *view = m_page->messageView();
    QTRY_VERIFY(view->isAtBottom() && view->verticalScrollBar()->maximum() > 0);
    QTest::qWait(50); // let the first layout settle, as it has by the time a person scrolls
    view->verticalScrollBar()->setValue(0);
    QTRY_VERIFY(view->historyNotice()->isVisible());
    QCOMPARE(messages()->rowCount(), 60);
    QCOMPARE(view->verticalScrollBar()->value(), 0);
    // The older messages can be had now (here: the cache got them). Scrolling up where the bar
    // cannot move any more asks again, by wheel and by keyboard.
    m_nextSeq = 21;
    addMessages(u"general"_s, 20);
    const QPoint middle = view->viewport()->rect().center();
    QWheelEvent wheel(middle, view->viewport()->mapToGlobal(middle), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view->viewport(), &wheel);
    QTRY_COMPARE(messages()->rowCount(), 80);
    QCOMPARE(messages()->oldestSeq(), 21);

    // Again at the top, where the next request fails; then Home asks again.
    QTest::qWait(100); // the view has placed the older rows above what was in sight
    view->verticalScrollBar()->setValue(0);
    QTRY_VERIFY(view->historyNotice()->isVisible());
    QTest::qWait(50);
    QCOMPARE(view->verticalScrollBar()->value(), 0);
    m_nextSeq = 1;
    addMessages(u"general"_s, 20);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Home);
    QTRY_COMPARE(messages()->rowCount(), 100);
    QCOMPARE(messages()->oldestSeq(), 1);
}

void TestChatPage::screenReadersHearSenderTimeAndState()
{
    addMessages(u"general"_s, 1);
    m_page->openRoom({});
    m_page->openRoom(u"general"_s);
    auto *composer = m_page->composer();
    composer->setFocus();
    QTest::keyClicks(composer, u"still offline"_s);
    QTest::keyClick(composer, Qt::Key_Return);
    auto *view = m_page->messageView();
    QTRY_COMPARE(view->model()->rowCount(), 2);
    // What an assistive technology reads for each row of the view.
    QAccessibleInterface *list = QAccessible::queryAccessibleInterface(view);
    QVERIFY(list);
    QStringList names;
    QStringList descriptions;
    for (int i = 0; i < list->childCount(); ++i) {
        QAccessibleInterface *child = list->child(i);
        if (!child || child->role() != QAccessible::ListItem)
            continue;
        names.append(child->text(QAccessible::Name));
        descriptions.append(child->text(QAccessible::Description));
    }
    QCOMPARE(names.size(), 2);
    QVERIFY2(names.at(0).contains(u"bob"_s) && names.at(0).contains(u"message 1"_s),
             qPrintable(names.at(0)));
    // Our own row (the session, offline since the start, does not know our name yet).
    QVERIFY2(names.at(1).startsWith(u"You"_s) && names.at(1).contains(u"still offline"_s) &&
                 names.at(1).contains(u"Sending…"_s),
             qPrintable(names.at(1)));
    QCOMPARE(descriptions.at(1), u"Sending…"_s);
}

void TestChatPage::dragSelectsTextAcrossMessages()
{
    addMessages(u"general"_s, 3);
    m_page->openRoom({});
    m_page->openRoom(u"general"_s);
    auto *view = m_page->messageView();
    QTest::qWait(50);
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.font = view->font();
    option.widget = view;
    // A point on the first line of a row's body, `x` pixels into the text area.
    const auto pointIn = [&](int row, int x) {
        const QModelIndex index = view->model()->index(row, 0);
        option.rect = view->visualRect(index);
        for (int y = option.rect.top(); y <= option.rect.bottom(); ++y) {
            const QPoint p(64 + x, y);
            if (view->messageDelegate()->cursorAt(option, index, p) >= 0)
                return p + QPoint(0, 3);
        }
        return QPoint();
    };
    const QPoint start = pointIn(0, 1);
    const QPoint end = pointIn(1, 60);
    QVERIFY(!start.isNull() && !end.isNull());
    QTest::mousePress(view->viewport(), Qt::LeftButton, {}, start);
    QMouseEvent move(QEvent::MouseMove, end, view->viewport()->mapToGlobal(end), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &move);
    QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, end);

    const QString selected = view->selectedText();
    const QStringList lines = selected.split(u'\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(0), u"message 1 with some words to wrap"_s); // all of the first
    QVERIFY2(u"message 2 with some words to wrap"_s.startsWith(lines.at(1)) &&
                 !lines.at(1).isEmpty() && lines.at(1).size() < 30,
             qPrintable(lines.at(1))); // the start of the second, up to where the drag ended
    view->copySelection();
    QCOMPARE(QApplication::clipboard()->text(), selected);
    // A plain click clears it; Ctrl+C then copies the clicked message whole.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, end);
    QCOMPARE(view->selectedText(), u"message 2 with some words to wrap"_s);
}

void TestChatPage::doubleClickSelectsAWord()
{
    addMessages(u"general"_s, 2);
    m_page->openRoom({});
    m_page->openRoom(u"general"_s);
    auto *view = m_page->messageView();
    QTest::qWait(50);
    // A point inside "some" of "message 1 with some words to wrap".
    const QString body = u"message 1 with some words to wrap"_s;
    const int inside = int(body.indexOf(u"some"_s)) + 2;
    const QModelIndex index = view->model()->index(0, 0);
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.font = view->font();
    option.widget = view;
    option.rect = view->visualRect(index);
    QPoint point;
    for (int y = option.rect.top(); y <= option.rect.bottom() && point.isNull(); ++y) {
        for (int x = 0; x < view->viewport()->width() && point.isNull(); ++x) {
            if (view->messageDelegate()->cursorAt(option, index, QPoint(x, y)) == inside &&
                view->messageDelegate()->cursorAt(option, index, QPoint(x, y + 3)) == inside)
                point = QPoint(x, y + 3);
        }
    }
    QVERIFY(!point.isNull());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, point);
    QCOMPARE(view->selectedText(), u"some"_s);
    view->copySelection();
    QCOMPARE(QApplication::clipboard()->text(), u"some"_s);
}

void TestChatPage::aPauseOfFiveMinutesStartsANewHeader()
{
    // bob writes on and off; each header (name and time) covers messages less than five minutes
    // after the one before, as chat apps do.
    constexpr qint64 kMinute = 60'000;
    const qint64 start = QDateTime(QDate::currentDate(), QTime(9, 0)).toMSecsSinceEpoch();
    const QList<qint64> minutes{0, 2, 7, 8, 20};
    QList<proto::MessageEvent> batch;
    for (qint64 minute : minutes) {
        const qint64 seq = m_nextSeq++;
        batch.append({u"general"_s, seq, start + minute * kMinute, u"bob"_s, u"c-%1"_s.arg(seq),
                      u"at minute %1"_s.arg(minute)});
    }
    QVERIFY(m_cache->storeMessages(u"general"_s, batch, batch.last().seq));
    QVERIFY(m_cache->updateRooms({{u"general"_s, u"General"_s, batch.last().seq, 0}}));
    m_page->openRoom(u"general"_s);
    auto *view = m_page->messageView();
    QTRY_COMPARE(view->model()->rowCount(), 5);
    const auto heads = [&] {
        QList<bool> starts;
        for (int row = 0; row < view->model()->rowCount(); ++row)
            starts.append(view->messageDelegate()->startsGroup(view->model()->index(row, 0)));
        return starts;
    };
    // 7 is five minutes after 2: a new header, with its own time.
    QCOMPARE(heads(), (QList<bool>{true, false, true, false, true}));
    const auto rowHeight = [&](int row) {
        return view->visualRect(view->model()->index(row, 0)).height();
    };
    QVERIFY(rowHeight(2) > rowHeight(1));
    QVERIFY(rowHeight(3) < rowHeight(2));

    // Live: four minutes later goes on under the same header, five minutes later starts one.
    const qint64 last = start + minutes.last() * kMinute;
    messages()->addMessage({u"general"_s, m_nextSeq, last + 4 * kMinute, u"bob"_s,
                            u"c-%1"_s.arg(m_nextSeq), u"four minutes later"_s});
    ++m_nextSeq;
    messages()->addMessage({u"general"_s, m_nextSeq, last + 9 * kMinute, u"bob"_s,
                            u"c-%1"_s.arg(m_nextSeq), u"five more"_s});
    ++m_nextSeq;
    QTRY_COMPARE(view->model()->rowCount(), 7);
    QCOMPARE(heads(), (QList<bool>{true, false, true, false, true, false, true}));
    QTRY_VERIFY(rowHeight(6) > rowHeight(5));
}

QTEST_MAIN(TestChatPage)
#include "tst_chatpage.moc"
