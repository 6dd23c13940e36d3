// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Replies, edits, deletions and reactions in the chat page, on the real core models (cache and
// outbox on disk, a session that is not connected): what a row shows, the hover actions, the
// "Replying to" and "Editing" bar, Up and Esc in the composer, the delete confirmation, reaction
// chips, and a click on a quote revealing the original.
#include <Account.h>
#include <ChatPage.h>
#include <Composer.h>
#include <ComposerContextBar.h>
#include <MessageActionBar.h>
#include <MessageActions.h>
#include <MessageCache.h>
#include <MessageDecorations.h>
#include <MessageDelegate.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Outbox.h>
#include <QuickReactionBar.h>
#include <Room.h>
#include <RoomListModel.h>
#include <SessionManager.h>

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace proto = conversa::protocol;
using conversa::ui::ChatPage;
using conversa::ui::ComposerContextBar;
using conversa::ui::MessageDelegate;
using conversa::ui::MessageView;

class TestMessageActions : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void rowsShowRepliesEditsDeletionsAndReactions();
    void hoverActionsFollowWhatIsAllowed();
    void replyBarThenEnterSendsAReply();
    void upEditsMyLastMessageAndEscCancels();
    void deleteAsksFirst();
    void reactionChipsToggleAndSayWhoReacted();
    void clickingAQuoteRevealsTheOriginal();
    void theKeyboardReachesTheActionsThroughTheContextMenu();
    void quickReactionsAreAStripOfLargeColourEmoji();

private:
    // Messages 1..count in `general` (bob's, and alice's every third), then `extra` in order.
    void store(int count, const QList<proto::MessageEvent> &extra = {});
    MessageView *view() const { return m_page->messageView(); }
    core::MessageModel *model() const { return m_page->room()->messages(); }
    QModelIndex indexOf(qint64 seq) const
    {
        const int row = model()->rowOfSeq(seq);
        return row < 0 ? QModelIndex() : view()->model()->index(row, 0);
    }
    QStyleOptionViewItem optionFor(const QModelIndex &index) const
    {
        QStyleOptionViewItem option;
        option.initFrom(view()->viewport());
        option.rect = view()->visualRect(index);
        option.font = view()->font();
        option.widget = view();
        return option;
    }
    // A point in `index`'s row for which `test` holds, scanning the row (or a null point).
    template <typename Test> QPoint pointWhere(const QModelIndex &index, Test test) const
    {
        const QStyleOptionViewItem option = optionFor(index);
        for (int y = option.rect.top(); y <= option.rect.bottom(); y += 2) {
            for (int x = option.rect.left(); x < option.rect.right(); x += 3) {
                if (test(option, QPoint(x, y)))
                    return {x, y};
            }
        }
        return {};
    }
    void hover(qint64 seq);

    std::unique_ptr<QTemporaryDir> m_dir;
    core::Account *m_account = nullptr;
    ChatPage *m_page = nullptr;
};

void TestMessageActions::init()
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
    // As the app does with a saved sign-in: the session knows whose messages are ours.
    m_account->session()->resume(u"alice"_s, u"token"_s);
    m_page = new ChatPage;
    m_page->setAccount(m_account);
    m_page->setCurrentUser(u"alice"_s);
    m_page->setConnectionState(core::ConnectionState::WaitingToReconnect);
    m_page->resize(1000, 700);
}

void TestMessageActions::cleanup()
{
    delete m_page;
    m_page = nullptr;
    delete m_account;
    m_account = nullptr;
    m_dir.reset();
}

void TestMessageActions::store(int count, const QList<proto::MessageEvent> &extra)
{
    QList<proto::MessageEvent> batch;
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - 3600'000;
    for (int seq = 1; seq <= count; ++seq) {
        const QString from = seq % 3 == 0 ? u"alice"_s : u"bob"_s;
        batch.append({u"general"_s, seq, start + seq * 1000, from, u"c-%1"_s.arg(seq),
                      u"message %1"_s.arg(seq)});
    }
    batch.append(extra);
    core::MessageCache *cache = m_account->cache();
    QVERIFY(cache->storeMessages(u"general"_s, batch, batch.last().seq));
    QVERIFY(cache->updateRooms({{u"general"_s, u"General"_s, batch.last().seq, 0}}));
    m_account->rooms()->reload();
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
    m_page->openRoom(u"general"_s);
    QTRY_VERIFY(model()->rowCount() > 0);
    QApplication::processEvents();
}

void TestMessageActions::hover(qint64 seq)
{
    const QModelIndex index = indexOf(seq);
    QVERIFY(index.isValid());
    view()->scrollTo(index);
    QApplication::processEvents();
    const QRect rect = view()->visualRect(index);
    QTest::mouseMove(view()->viewport(), rect.center());
    QTRY_VERIFY(view()->actionBar()->isVisible());
    QCOMPARE(view()->actionBar()->seq(), seq);
}

void TestMessageActions::rowsShowRepliesEditsDeletionsAndReactions()
{
    proto::MessageEvent reply{
        u"general"_s, 7, QDateTime::currentMSecsSinceEpoch(), u"bob"_s, u"c-7"_s, u"agreed"_s, 1};
    proto::MessageEvent edit{u"general"_s, 8, reply.ts + 1, u"bob"_s, u"c-8"_s, u"fixed text"_s};
    edit.kind = u"edit"_s;
    edit.target = 2;
    proto::MessageEvent like{u"general"_s, 9, reply.ts + 2, u"carol"_s, {}, {}};
    like.kind = u"reaction"_s;
    like.target = 7;
    like.emoji = u"👍"_s;
    like.on = true;
    proto::MessageEvent gone{u"general"_s, 10, reply.ts + 3, u"bob"_s, u"c-10"_s, {}};
    gone.kind = u"delete"_s;
    gone.target = 4;
    store(6, {reply, edit, like, gone});
    MessageDelegate *delegate = view()->messageDelegate();

    const QModelIndex deleted = indexOf(4);
    QCOMPARE(MessageDelegate::displayText(deleted), u"message deleted"_s);
    const QModelIndex edited = indexOf(2);
    QCOMPARE(MessageDelegate::displayText(edited), u"fixed text"_s);
    QVERIFY(edited.data(core::MessageModel::EditedRole).toBool());
    // "(edited)" makes the row taller than another of the sender's (both go on a group).
    const QModelIndex plain = indexOf(1);
    QVERIFY(view()->visualRect(edited).height() > view()->visualRect(indexOf(5)).height());

    const QModelIndex replyIndex = indexOf(7);
    QCOMPARE(replyIndex.data(core::MessageModel::ReplySenderRole).toString(), u"bob"_s);
    const QPoint onQuote = pointWhere(replyIndex, [&](const auto &option, const QPoint &p) {
        return delegate->isOnReplyQuote(option, replyIndex, p);
    });
    QVERIFY(!onQuote.isNull());
    const QPoint onChip = pointWhere(replyIndex, [&](const auto &option, const QPoint &p) {
        return !delegate->reactionAt(option, replyIndex, p).isEmpty();
    });
    QVERIFY(!onChip.isNull());
    QCOMPARE(delegate->reactionAt(optionFor(replyIndex), replyIndex, onChip), u"👍"_s);
    QVERIFY(onChip.y() > onQuote.y()); // chips below the text, the quote above it
    // Nothing of the kind on a plain row.
    QVERIFY(pointWhere(plain, [&](const auto &option, const QPoint &p) {
                return delegate->isOnReplyQuote(option, plain, p) ||
                       !delegate->reactionAt(option, plain, p).isEmpty();
            }).isNull());
    // Painting all of it goes without trouble.
    QVERIFY(!view()->grab().isNull());
}

void TestMessageActions::hoverActionsFollowWhatIsAllowed()
{
    store(6);
    conversa::ui::MessageActionBar *bar = view()->actionBar();
    hover(6); // alice's own
    QVERIFY(bar->editButton()->isVisibleTo(bar));
    QVERIFY(bar->deleteButton()->isVisibleTo(bar));
    hover(5); // bob's, in a room alice does not own
    QVERIFY(!bar->editButton()->isVisibleTo(bar));
    QVERIFY(!bar->deleteButton()->isVisibleTo(bar));
    QVERIFY(bar->replyButton()->isVisibleTo(bar));
    // Every button says what it does, to the eye and to screen readers.
    for (QToolButton *button : {bar->replyButton(), bar->reactButton(), bar->editButton(),
                                bar->deleteButton(), bar->copyLinkButton()}) {
        QVERIFY(!button->toolTip().isEmpty());
        QCOMPARE(button->accessibleName(), button->toolTip());
        QVERIFY(!button->icon().isNull());
    }
    // The room's owner may delete anyone's message.
    view()->setCanDeleteOthers(true);
    QTest::mouseMove(view()->viewport(), QPoint(5, 5));
    hover(4);
    QVERIFY(bar->deleteButton()->isVisibleTo(bar));
    QVERIFY(!bar->editButton()->isVisibleTo(bar));
    // Copy link.
    bar->copyLinkButton()->click();
    QCOMPARE(QApplication::clipboard()->text(), u"conversa:general/4"_s);
}

void TestMessageActions::replyBarThenEnterSendsAReply()
{
    store(6);
    hover(5);
    view()->actionBar()->replyButton()->click();
    ComposerContextBar *bar = m_page->composerContextBar();
    QVERIFY(bar->isVisible());
    QCOMPARE(bar->mode(), ComposerContextBar::Mode::Reply);
    QVERIFY(bar->label()->text().contains(u"Replying to bob"_s));
    QVERIFY(bar->label()->text().contains(u"message 5"_s));
    QVERIFY(m_page->composer()->hasFocus());
    // Esc leaves the reply; a second reply is sent as one.
    QTest::keyClick(m_page->composer(), Qt::Key_Escape);
    QVERIFY(!bar->isVisible());
    view()->actionBar()->replyButton()->click();
    QTest::keyClicks(m_page->composer(), u"sounds good"_s);
    QTest::keyClick(m_page->composer(), Qt::Key_Return);
    QVERIFY(!bar->isVisible());
    core::Outbox *outbox = m_account->outbox();
    const QList<core::OutboxEntry> unsent = outbox->unsent(u"general"_s);
    QCOMPARE(unsent.size(), 1);
    QCOMPARE(unsent.first().body, u"sounds good"_s);
    QCOMPARE(unsent.first().replyTo, 5);
    // The pending row shows what it replies to.
    const QModelIndex pending = view()->model()->index(model()->rowCount() - 1, 0);
    QCOMPARE(pending.data(core::MessageModel::ReplyToRole).toLongLong(), 5);
    QCOMPARE(pending.data(core::MessageModel::ReplyPreviewRole).toString(), u"message 5"_s);
    QTRY_VERIFY(m_page->composer()->toPlainText().isEmpty());
}

void TestMessageActions::upEditsMyLastMessageAndEscCancels()
{
    store(7); // alice wrote 3 and 6
    auto *composer = m_page->composer();
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_Up);
    ComposerContextBar *bar = m_page->composerContextBar();
    QCOMPARE(bar->mode(), ComposerContextBar::Mode::Edit);
    QCOMPARE(bar->seq(), 6);
    QCOMPARE(composer->toPlainText(), u"message 6"_s);
    QVERIFY(bar->label()->text().contains(u"Editing"_s));
    QTest::keyClick(composer, Qt::Key_Escape);
    QVERIFY(!bar->isVisible());
    QVERIFY(composer->toPlainText().isEmpty()); // the edit's text went with it
    // Up with text in the box is a cursor move, not an edit.
    QTest::keyClicks(composer, u"draft"_s);
    QTest::keyClick(composer, Qt::Key_Up);
    QCOMPARE(bar->mode(), ComposerContextBar::Mode::None);
    composer->clear();

    QTest::keyClick(composer, Qt::Key_Up);
    QTest::keyClicks(composer, u", corrected"_s);
    QTest::keyClick(composer, Qt::Key_Return);
    QVERIFY(!bar->isVisible());
    const QList<core::OutboxEntry> unsent = m_account->outbox()->unsent(u"general"_s);
    QCOMPARE(unsent.size(), 1);
    QCOMPARE(unsent.first().kind, u"edit"_s);
    QCOMPARE(unsent.first().target, 6);
    QCOMPARE(unsent.first().body, u"message 6, corrected"_s);
    QTRY_VERIFY(composer->toPlainText().isEmpty());
    // An edit waiting to go out is not a row of its own.
    QCOMPARE(model()->rowCount(), 7);
}

void TestMessageActions::deleteAsksFirst()
{
    store(6);
    hover(6);
    // Answers the confirmation once it is up: Cancel, or the button that deletes.
    const auto answer = [](bool remove) {
        QTimer::singleShot(0, [remove] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            QVERIFY(box);
            QCOMPARE(box->objectName(), u"deleteMessageConfirmation"_s);
            for (QAbstractButton *b : box->buttons()) {
                const bool destructive = box->buttonRole(b) == QMessageBox::DestructiveRole;
                if (destructive == remove)
                    b->click();
            }
        });
    };
    answer(false);
    view()->actionBar()->deleteButton()->click();
    QCOMPARE(m_account->outbox()->pendingCount(), 0);
    answer(true);
    view()->actionBar()->deleteButton()->click();
    const QList<core::OutboxEntry> unsent = m_account->outbox()->unsent(u"general"_s);
    QCOMPARE(unsent.size(), 1);
    QCOMPARE(unsent.first().kind, u"delete"_s);
    QCOMPARE(unsent.first().target, 6);
}

void TestMessageActions::reactionChipsToggleAndSayWhoReacted()
{
    proto::MessageEvent like{u"general"_s, 4,  QDateTime::currentMSecsSinceEpoch(),
                             u"carol"_s,   {}, {}};
    like.kind = u"reaction"_s;
    like.target = 2;
    like.emoji = u"🎉"_s;
    like.on = true;
    store(3, {like});
    const QModelIndex index = indexOf(2);
    MessageDelegate *delegate = view()->messageDelegate();
    const QPoint chip = pointWhere(index, [&](const auto &option, const QPoint &p) {
        return !delegate->reactionAt(option, index, p).isEmpty();
    });
    QVERIFY(!chip.isNull());
    QSignalSpy toggled(view(), &MessageView::reactionToggled);
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {}, chip);
    QCOMPARE(toggled.size(), 1);
    QCOMPARE(toggled.first().at(0).toLongLong(), 2);
    QCOMPARE(toggled.first().at(1).toString(), u"🎉"_s);
    // Offline, a reaction cannot go (the protocol keeps no outbox for it): said in words.
    QTRY_VERIFY(m_page->sendErrorLabel()->isVisible());
    QVERIFY(m_page->sendErrorLabel()->text().contains(u"connection"_s));
    // Who reacted, on hover.
    const QList<QVariant> reactions = index.data(core::MessageModel::ReactionsRole).toList();
    QCOMPARE(reactions.first().toMap().value(u"users"_s).toStringList(), QStringList{u"carol"_s});
    conversa::ui::MessageDecorations::Chip described;
    described.emoji = u"🎉"_s;
    described.users = {u"carol"_s, u"dave"_s};
    QVERIFY(conversa::ui::MessageDecorations::reactedText(described).contains(u"carol"_s));
    QVERIFY(conversa::ui::MessageDecorations::reactedText(described).contains(u"dave"_s));
}

void TestMessageActions::clickingAQuoteRevealsTheOriginal()
{
    proto::MessageEvent reply{u"general"_s,
                              121,
                              QDateTime::currentMSecsSinceEpoch(),
                              u"bob"_s,
                              u"c-121"_s,
                              u"about that first one"_s,
                              2};
    store(120, {reply});
    QCOMPARE(model()->rowOfSeq(2), -1); // only the newest page is loaded
    const QModelIndex index = indexOf(121);
    view()->scrollToBottom();
    QApplication::processEvents();
    MessageDelegate *delegate = view()->messageDelegate();
    QCOMPARE(index.data(core::MessageModel::ReplyPreviewRole).toString(), u"message 2"_s);
    const QPoint quote = pointWhere(index, [&](const auto &option, const QPoint &p) {
        return delegate->isOnReplyQuote(option, index, p);
    });
    QVERIFY(!quote.isNull());
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {}, quote);
    QTRY_VERIFY(model()->rowOfSeq(2) >= 0);
    QCOMPARE(delegate->highlightedSeq(), 2);
    const QModelIndex original = indexOf(2);
    QTRY_VERIFY(view()->viewport()->rect().intersects(view()->visualRect(original)));
    // The highlight fades.
    QTRY_COMPARE_WITH_TIMEOUT(delegate->highlightedSeq(), 0, 5000);
    // The API search uses: another room's message, by seq.
    m_page->revealMessage(u"general"_s, 100);
    QTRY_VERIFY(model()->rowOfSeq(100) >= 0);
    QCOMPARE(delegate->highlightedSeq(), 100);
}

void TestMessageActions::theKeyboardReachesTheActionsThroughTheContextMenu()
{
    store(6);
    const auto menuFor = [this](qint64 seq, const QString &trigger) {
        view()->setFocus();
        view()->setCurrentIndex(indexOf(seq));
        QStringList names;
        QTimer::singleShot(0, [&names, trigger] {
            auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
            QVERIFY(menu);
            QAction *chosen = nullptr;
            for (QAction *action : menu->actions()) {
                names.append(action->objectName());
                if (action->objectName() == trigger)
                    chosen = action;
            }
            if (chosen)
                chosen->trigger();
            menu->close();
        });
        QContextMenuEvent event(QContextMenuEvent::Keyboard, QPoint());
        QApplication::sendEvent(view()->viewport(), &event);
        return names;
    };
    // Someone else's message: reply, no edit or delete.
    QStringList names = menuFor(5, u"replyMenuAction"_s);
    QVERIFY(names.contains(u"replyMenuAction"_s));
    QVERIFY(!names.contains(u"editMenuAction"_s));
    QVERIFY(!names.contains(u"deleteMenuAction"_s));
    QCOMPARE(m_page->composerContextBar()->mode(), ComposerContextBar::Mode::Reply);
    QCOMPARE(m_page->composerContextBar()->seq(), 5);
    // Our own: edit is there and starts editing.
    names = menuFor(6, u"editMenuAction"_s);
    QVERIFY(names.contains(u"deleteMenuAction"_s));
    QCOMPARE(m_page->composerContextBar()->mode(), ComposerContextBar::Mode::Edit);
    QCOMPARE(m_page->composer()->toPlainText(), u"message 6"_s);
}

void TestMessageActions::quickReactionsAreAStripOfLargeColourEmoji()
{
    store(6);
    hover(5);
    view()->actionBar()->reactButton()->click();
    conversa::ui::QuickReactionBar *strip = m_page->messageActions()->quickReactionBar();
    QVERIFY(strip);
    QTRY_VERIFY(strip->isVisible());
    const QList<QToolButton *> buttons = strip->emojiButtons();
    QCOMPARE(buttons.size(), conversa::ui::MessageActions::quickReactions().size());
    const QToolButton *first = buttons.first();
    // In the colour emoji font, larger than the text, side by side on one line.
    QCOMPARE(first->font().families().value(0), u"Noto Color Emoji"_s);
    QVERIFY(first->font().pointSizeF() > view()->font().pointSizeF() * 1.4);
    for (const QToolButton *button : buttons) {
        QCOMPARE(button->y(), first->y());
        QVERIFY(!button->accessibleName().isEmpty());
        QCOMPARE(button->toolTip(), button->accessibleName());
        QVERIFY(button->accessibleName().contains(button->text()));
    }
    QVERIFY(buttons.last()->x() > first->x());
    QCOMPARE(strip->moreButton()->y(), first->y());
    QCOMPARE(strip->moreButton()->accessibleName(), u"More emoji…"_s);
    // The whole strip fits on the screen.
    QVERIFY(strip->screen()->availableGeometry().contains(strip->frameGeometry()));
    // "More emoji…" closes the strip and opens the full picker.
    strip->moreButton()->click();
    QVERIFY(!strip->isVisible());
    auto *picker = m_page->findChild<QWidget *>(u"emojiPicker"_s);
    QVERIFY(picker);
    QTRY_VERIFY(picker->isVisible());
    picker->close();
    // Chips draw their emoji in the colour font too.
    QCOMPARE(conversa::ui::MessageDecorations::emojiFont(view()->font()).families().value(0),
             u"Noto Color Emoji"_s);
}

QTEST_MAIN(TestMessageActions)
#include "tst_message_actions.moc"
