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
#include <DesktopApplication.h>
#include <MainWindow.h>
#include <MessageActionBar.h>
#include <MessageDelegate.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Room.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <SignInPage.h>

#include <QApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
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
    void initTestCase();
    void aCliPeerEditsDeletesAndReactsLive();

private:
    struct Run {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    Run cli(const QStringList &arguments, const QByteArray &input = {}) const;
    static QModelIndex find(ui::MessageView *view, qint64 seq);
    std::unique_ptr<DesktopApplication> startApp(const QString &data);

    QString m_url;
    QString m_bobToken;
    QStringList m_bobAccount;
};

void TestDesktopEditsE2e::initTestCase()
{
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
}

TestDesktopEditsE2e::Run TestDesktopEditsE2e::cli(const QStringList &arguments,
                                                  const QByteArray &input) const
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (!m_bobToken.isEmpty())
        environment.insert(u"CONVERSA_TOKEN"_s, m_bobToken);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(CONVERSA_CLI_BIN), arguments + m_bobAccount);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(30000);
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

QModelIndex TestDesktopEditsE2e::find(ui::MessageView *view, qint64 seq)
{
    const QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(core::MessageModel::SeqRole).toLongLong() == seq)
            return index;
    }
    return {};
}

std::unique_ptr<DesktopApplication> TestDesktopEditsE2e::startApp(const QString &data)
{
    DesktopApplication::Options options;
    options.dataDir = data;
    options.server = m_url;
    options.user = u"alice"_s;
    options.useKeychain = false;
    auto app = std::make_unique<DesktopApplication>(options);
    app->start();
    return app;
}

void TestDesktopEditsE2e::aCliPeerEditsDeletesAndReactsLive()
{
    ServerProcess server;
    QVERIFY2(server.addUser(u"alice"_s, u"alice-password"_s), qPrintable(server.lastAdminError()));
    QVERIFY2(server.addUser(u"bob"_s, u"bob-password"_s), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    m_url = server.url().toString();
    QTemporaryDir cliData;
    const Run login = cli({u"login"_s, m_url, u"bob"_s, u"--password-stdin"_s, u"--print-token"_s,
                           u"--data"_s, cliData.path()},
                          "bob-password\n");
    QCOMPARE(login.exitCode, 0);
    m_bobToken = QString::fromUtf8(login.out).trimmed().split(u'\n').last();
    m_bobAccount = {u"--server"_s, m_url, u"--user"_s, u"bob"_s, u"--data"_s, cliData.path()};
    QCOMPARE(cli({u"create"_s, u"general"_s, u"General"_s}).exitCode, 0); // bob owns it
    QString why;
    {
        auto alice = openWithLogin(server.url(), u"alice"_s, u"alice-password"_s, &why);
        QVERIFY2(alice, qPrintable(why));
        VERIFY_OK(alice->join(u"general"_s));
    }
    QCOMPARE(cli({u"send"_s, u"general"_s, u"Ship on Friday afternoon?"_s}).exitCode, 0); // 1

    QTemporaryDir data;
    auto app = startApp(data.path());
    ui::SignInPage *signIn = app->window()->signInPage();
    signIn->passwordEdit()->setText(u"alice-password"_s);
    QTest::mouseClick(signIn->signInButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(app->session()->state(), core::ConnectionState::Online, 15000);
    ui::ChatPage *chat = app->window()->chatPage();
    QTRY_VERIFY_WITH_TIMEOUT(app->roomModel()->rowOfRoom(u"general"_s) >= 0, 10000);
    chat->openRoom(u"general"_s);
    ui::MessageView *view = chat->messageView();
    QTRY_VERIFY_WITH_TIMEOUT(find(view, 1).isValid(), 10000);

    // alice replies through the hover action: the reply reaches bob with its target.
    view->scrollTo(find(view, 1));
    QApplication::processEvents();
    QTest::mouseMove(view->viewport(), view->visualRect(find(view, 1)).center());
    QTRY_VERIFY(view->actionBar()->isVisible());
    QVERIFY(!view->actionBar()->editButton()->isVisibleTo(view->actionBar())); // bob's
    view->actionBar()->replyButton()->click();
    QTest::keyClicks(chat->composer(), u"Half the team is away; Monday?"_s);
    QTest::keyClick(chat->composer(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(find(view, 2).isValid(), 10000);
    QCOMPARE(find(view, 2).data(core::MessageModel::ReplyToRole).toLongLong(), 1);
    Run history = cli({u"history"_s, u"general"_s});
    QVERIFY2(history.out.contains("\"reply_to\":1"), history.out.constData());

    // bob edits, reacts and deletes from the terminal; the window follows live.
    QCOMPARE(cli({u"edit"_s, u"general"_s, u"1"_s, u"Ship on Monday morning?"_s}).exitCode, 0);
    QTRY_COMPARE_WITH_TIMEOUT(find(view, 1).data(core::MessageModel::BodyRole).toString(),
                              u"Ship on Monday morning?"_s, 10000);
    QVERIFY(find(view, 1).data(core::MessageModel::EditedRole).toBool());
    // The reply's quote follows its original.
    QCOMPARE(find(view, 2).data(core::MessageModel::ReplyPreviewRole).toString(),
             u"Ship on Monday morning?"_s);
    QCOMPARE(cli({u"react"_s, u"general"_s, u"2"_s, u"👍"_s}).exitCode, 0);
    QTRY_COMPARE_WITH_TIMEOUT(find(view, 2).data(core::MessageModel::ReactionsRole).toList().size(),
                              1, 10000);
    QCOMPARE(cli({u"send"_s, u"general"_s, u"wrong room, sorry"_s}).exitCode, 0); // 5
    QTRY_VERIFY_WITH_TIMEOUT(find(view, 5).isValid(), 10000);
    QCOMPARE(cli({u"delete"_s, u"general"_s, u"5"_s}).exitCode, 0);
    QTRY_VERIFY_WITH_TIMEOUT(find(view, 5).data(core::MessageModel::DeletedRole).toBool(), 10000);
    QCOMPARE(ui::MessageDelegate::displayText(find(view, 5)), u"message deleted"_s);

    // alice joins bob's 👍 by clicking the chip.
    const QModelIndex reply = find(view, 2);
    view->scrollTo(reply);
    QApplication::processEvents();
    QStyleOptionViewItem option;
    option.initFrom(view->viewport());
    option.rect = view->visualRect(reply);
    option.font = view->font();
    option.widget = view;
    QPoint chip;
    for (int y = option.rect.top(); y <= option.rect.bottom() && chip.isNull(); y += 2) {
        for (int x = option.rect.left(); x < option.rect.right() && chip.isNull(); x += 3) {
            if (!view->messageDelegate()->reactionAt(option, reply, QPoint(x, y)).isEmpty())
                chip = QPoint(x, y);
        }
    }
    QVERIFY(!chip.isNull());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, chip);
    QTRY_VERIFY_WITH_TIMEOUT(find(view, 2)
                                 .data(core::MessageModel::ReactionsRole)
                                 .toList()
                                 .first()
                                 .toMap()
                                 .value(u"mine"_s)
                                 .toBool(),
                             10000);
    history = cli({u"history"_s, u"general"_s});
    QVERIFY2(history.out.contains("\"users\":[\"bob\",\"alice\"]"), history.out.constData());

    // Restarted with the server gone: the app's cache gives the current state at once.
    app.reset();
    server.kill();
    core::Account::Options options;
    options.dataDirectory = data.path();
    options.useKeychain = false;
    core::Account account(options);
    account.session()->setWatchNetwork(false);
    QVERIFY2(account.open(QUrl(m_url), u"alice"_s), qPrintable(account.lastError()));
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
