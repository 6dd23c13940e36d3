// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End to end: a real conversa-server, the desktop app's own wiring and window, and a
// conversa-cli peer who edits, deletes and reacts while the window follows live; the app replies
// and reacts through its hover actions; after a restart the window shows it all from its cache
// before the network answers.
#include <Account.h>
#include <ChatPage.h>
#include <Composer.h>
#include <ConversaTest.h>
#include <DesktopFixture.h>
#include <MainWindow.h>
#include <MessageActionBar.h>
#include <MessageDelegate.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Room.h>
#include <SessionManager.h>

#include <QApplication>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace conversa::test;
namespace core = conversa::core;
namespace ui = conversa::ui;

class TestDesktopEditsE2e : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { SKIP_WITHOUT_SERVER_BIN(); }
    void aCliPeerEditsDeletesAndReactsLive();
};

void TestDesktopEditsE2e::aCliPeerEditsDeletesAndReactsLive()
{
    QString why;
    auto server = startServerWithUsersOnly(&why);
    QVERIFY2(server, qPrintable(why));
    CliPeer bob;
    QVERIFY2(bob.login(server->url(), u"bob"_s, u"bob-password"_s, &why), qPrintable(why));
    VERIFY_CLI_OK(bob.run({u"create"_s, u"general"_s, u"General"_s})); // bob owns it
    QVERIFY2(joinOverWire(server->url(), u"alice"_s, u"alice-password"_s, u"general"_s, &why),
             qPrintable(why));
    VERIFY_CLI_OK(bob.run({u"send"_s, u"general"_s, u"Ship on Friday afternoon?"_s})); // 1

    QTemporaryDir data;
    auto app = startSignedIn(data.path(), server->url(), u"alice"_s, u"alice-password"_s,
                             u"general"_s, &why);
    QVERIFY2(app, qPrintable(why));
    ui::ChatPage *chat = app->window()->chatPage();
    ui::MessageView *view = chat->messageView();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(view, 1).isValid(), 10000);

    // alice replies through the hover action: the reply reaches bob with its target.
    view->scrollTo(rowOfSeq(view, 1));
    QApplication::processEvents();
    QTest::mouseMove(view->viewport(), view->visualRect(rowOfSeq(view, 1)).center());
    QTRY_VERIFY(view->actionBar()->isVisible());
    QVERIFY(!view->actionBar()->editButton()->isVisibleTo(view->actionBar())); // bob's
    view->actionBar()->replyButton()->click();
    QTest::keyClicks(chat->composer(), u"Half the team is away; Monday?"_s);
    QTest::keyClick(chat->composer(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(view, 2).isValid(), 10000);
    QCOMPARE(rowOfSeq(view, 2).data(core::MessageModel::ReplyToRole).toLongLong(), 1);
    CliRunner::Result history = bob.run({u"history"_s, u"general"_s});
    QVERIFY2(history.out.contains("\"reply_to\":1"), history.out.constData());

    // bob edits, reacts and deletes from the terminal; the window follows live.
    VERIFY_CLI_OK(bob.run({u"edit"_s, u"general"_s, u"1"_s, u"Ship on Monday morning?"_s}));
    QTRY_COMPARE_WITH_TIMEOUT(rowOfSeq(view, 1).data(core::MessageModel::BodyRole).toString(),
                              u"Ship on Monday morning?"_s, 10000);
    QVERIFY(rowOfSeq(view, 1).data(core::MessageModel::EditedRole).toBool());
    // The reply's quote follows its original.
    QCOMPARE(rowOfSeq(view, 2).data(core::MessageModel::ReplyPreviewRole).toString(),
             u"Ship on Monday morning?"_s);
    VERIFY_CLI_OK(bob.run({u"react"_s, u"general"_s, u"2"_s, u"👍"_s}));
    QTRY_COMPARE_WITH_TIMEOUT(
        rowOfSeq(view, 2).data(core::MessageModel::ReactionsRole).toList().size(), 1, 10000);
    VERIFY_CLI_OK(bob.run({u"send"_s, u"general"_s, u"wrong room, sorry"_s})); // 5
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(view, 5).isValid(), 10000);
    VERIFY_CLI_OK(bob.run({u"delete"_s, u"general"_s, u"5"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(view, 5).data(core::MessageModel::DeletedRole).toBool(),
                             10000);
    QCOMPARE(ui::MessageDelegate::displayText(rowOfSeq(view, 5)), u"message deleted"_s);

    // alice joins bob's 👍 by clicking the chip.
    const QModelIndex reply = rowOfSeq(view, 2);
    view->scrollTo(reply);
    QApplication::processEvents();
    const QStyleOptionViewItem option = rowOption(view, reply);
    QPoint chip;
    for (int y = option.rect.top(); y <= option.rect.bottom() && chip.isNull(); y += 2) {
        for (int x = option.rect.left(); x < option.rect.right() && chip.isNull(); x += 3) {
            if (!view->messageDelegate()->reactionAt(option, reply, QPoint(x, y)).isEmpty())
                chip = QPoint(x, y);
        }
    }
    QVERIFY(!chip.isNull());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, chip);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(view, 2)
                                 .data(core::MessageModel::ReactionsRole)
                                 .toList()
                                 .first()
                                 .toMap()
                                 .value(u"mine"_s)
                                 .toBool(),
                             10000);
    history = bob.run({u"history"_s, u"general"_s});
    QVERIFY2(history.out.contains("\"users\":[\"bob\",\"alice\"]"), history.out.constData());

    // Restarted with the server gone: the app's cache gives the current state at once.
    app.reset();
    server->kill();
    core::Account::Options options;
    options.dataDirectory = data.path();
    options.useKeychain = false;
    core::Account account(options);
    account.session()->setWatchNetwork(false);
    QVERIFY2(account.open(server->url(), u"alice"_s), qPrintable(account.lastError()));
    core::MessageModel *messages = account.room(u"general"_s)->messages();
    QCOMPARE(messages->rowCount(), 3); // 1, 2 and 5: 3, 4, 6 and 7 were changes of them
    const auto state = [messages](qint64 seq, int role) {
        return messages->index(messages->rowOfSeq(seq)).data(role);
    };
    QCOMPARE(state(1, core::MessageModel::BodyRole).toString(), u"Ship on Monday morning?"_s);
    QVERIFY(state(1, core::MessageModel::EditedRole).toBool());
    QVERIFY(state(5, core::MessageModel::DeletedRole).toBool());
    QCOMPARE(state(2, core::MessageModel::ReplyToRole).toLongLong(), 1);
    QCOMPARE(state(2, core::MessageModel::ReactionsRole).toList().first().toMap().value(u"count"_s),
             2);
}

QTEST_MAIN(TestDesktopEditsE2e)
#include "tst_desktop_edits_e2e.moc"
