// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End to end: a real conversa-server, the desktop app's own wiring and window (offscreen), and a
// peer on the wire. The app signs in through its sign-in page, sends from the composer with
// Enter, the peer receives it and answers, and the answer appears in the window.
#include <AppSettings.h>
#include <ChatPage.h>
#include <ClientFixtures.h>
#include <Composer.h>
#include <ConnectionStatusWidget.h>
#include <ConversaTest.h>
#include <DesktopFixture.h>
#include <MainWindow.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <SettingsDialog.h>
#include <SignInPage.h>
#include <TokenRevoker.h>
#include <Translations.h>

#include <QApplication>
#include <QComboBox>
#include <QDirIterator>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <optional>

using namespace Qt::StringLiterals;
using namespace conversa::test;
namespace core = conversa::core;
namespace ui = conversa::ui;

class TestDesktopE2e : public QObject
{
    Q_OBJECT
private slots:
    void signInSendAndSeeTheAnswer();
    void chatWithConversaCli();
    void wrongPasswordStaysOnSignIn();
    void signOutWhileOfflineRevokesTheTokenAtTheNextStart();
    void languageChosenInSettingsAppliesAtOnce();
};

static bool viewShows(ui::MessageView *view, const QString &body, const QString &sender)
{
    const QAbstractItemModel *model = view->model();
    for (int row = model->rowCount() - 1; row >= 0; --row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(core::MessageModel::BodyRole).toString() == body &&
            index.data(core::MessageModel::SenderRole).toString() == sender)
            return true;
    }
    return false;
}

void TestDesktopE2e::signInSendAndSeeTheAnswer()
{
    QString why;
    const auto server = startServerWithUsersOnly(&why);
    QVERIFY2(server, qPrintable(why));
    auto bob = openWithLogin(server->url(), u"bob"_s, u"bob-password"_s, &why);
    QVERIFY2(bob, qPrintable(why));
    VERIFY_OK(bob->create(u"general"_s, u"General"_s));
    VERIFY_OK(bob->send(u"general"_s, u"welcome to general"_s));
    QVERIFY2(joinOverWire(server->url(), u"alice"_s, u"alice-password"_s, u"general"_s, &why),
             qPrintable(why));

    QTemporaryDir data;
    DesktopApplication::Options options = appOptions(data.path(), server->url(), u"alice"_s);
    options.theme = u"light"_s;
    DesktopApplication app(options);
    app.start();
    ui::MainWindow *window = app.window();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    QVERIFY(!window->isShowingChat());

    // Sign in the way a person does: password, Enter.
    ui::SignInPage *signIn = window->signInPage();
    QCOMPARE(signIn->userEdit()->text(), u"alice"_s);
    signIn->passwordEdit()->setFocus();
    QTest::keyClicks(signIn->passwordEdit(), u"alice-password"_s);
    QTest::keyClick(signIn->passwordEdit(), Qt::Key_Return);
    QVERIFY(signIn->isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(window->isShowingChat(), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(app.session()->state(), core::ConnectionState::Online, 15000);
    QCOMPARE(window->statusWidget()->text(), u"Online"_s);

    // The room and its history are there.
    ui::ChatPage *chat = window->chatPage();
    QTRY_VERIFY_WITH_TIMEOUT(app.roomModel()->rowOfRoom(u"general"_s) >= 0, 10000);
    chat->openRoom(u"general"_s);
    QTRY_VERIFY_WITH_TIMEOUT(viewShows(chat->messageView(), u"welcome to general"_s, u"bob"_s),
                             10000);

    // Enter sends.
    ui::Composer *composer = chat->composer();
    QVERIFY(composer->isEnabled());
    composer->setFocus();
    QTest::keyClicks(composer, u"hello from the desktop app"_s);
    QTest::keyClick(composer, Qt::Key_Return);
    const QJsonObject received =
        bob->waitForEvent(u"message"_s, 10000, [](const QJsonObject &event) {
            return event.value("body"_L1).toString() == u"hello from the desktop app"_s;
        });
    QVERIFY2(!received.isEmpty(), qPrintable(bob->diagnostics()));
    QCOMPARE(received.value("from"_L1).toString(), u"alice"_s);
    QTRY_VERIFY_WITH_TIMEOUT(app.outbox()->pendingCount() == 0, 10000);

    // The peer answers; the answer appears in the window.
    VERIFY_OK(bob->send(u"general"_s, u"hi @alice, got it"_s));
    QTRY_VERIFY_WITH_TIMEOUT(viewShows(chat->messageView(), u"hi @alice, got it"_s, u"bob"_s),
                             10000);
    QVERIFY(viewShows(chat->messageView(), u"hello from the desktop app"_s, u"alice"_s));

    // Signing out revokes the device token and goes back to the sign-in page.
    emit window->signOutRequested();
    QTRY_VERIFY_WITH_TIMEOUT(!window->isShowingChat(), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(app.session()->state(), core::ConnectionState::SignedOut, 10000);
    QVERIFY(signIn->passwordEdit()->text().isEmpty()); // the password was never kept
}

// What a new user does per the README: the app on one side, conversa-cli on the other.
void TestDesktopE2e::chatWithConversaCli()
{
    QString why;
    const auto server = startServerWithUsersOnly(&why);
    QVERIFY2(server, qPrintable(why));
    // bob signs in on the command line (token printed, no keychain needed) and opens a room.
    CliPeer bob;
    QVERIFY2(bob.login(server->url(), u"bob"_s, u"bob-password"_s, &why), qPrintable(why));
    VERIFY_CLI_OK(bob.run({u"create"_s, u"general"_s, u"General"_s}));
    QVERIFY2(joinOverWire(server->url(), u"alice"_s, u"alice-password"_s, u"general"_s, &why),
             qPrintable(why));
    // bob follows the room.
    const auto tail = bob.tail(u"general"_s);
    QVERIFY(tail);

    QTemporaryDir data;
    const auto app = startSignedIn(data.path(), server->url(), u"alice"_s, u"alice-password"_s,
                                   u"general"_s, &why);
    QVERIFY2(app, qPrintable(why));
    ui::ChatPage *chat = app->window()->chatPage();
    chat->composer()->setFocus();
    QTest::keyClicks(chat->composer(), u"hi bob, this is the desktop app"_s);
    QTest::keyClick(chat->composer(), Qt::Key_Return);

    // conversa-cli prints it as a JSON line.
    QByteArray printed;
    QVERIFY2(waitUntil(
                 [&] {
                     printed += tail->readAllStandardOutput();
                     return printed.contains("hi bob, this is the desktop app");
                 },
                 15000),
             printed.constData());
    QVERIFY(printed.contains("\"from\":\"alice\""));

    // bob answers with conversa-cli send; the answer shows in the window.
    VERIFY_CLI_OK(bob.run({u"send"_s, u"general"_s, u"hello alice, from the terminal"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(
        viewShows(chat->messageView(), u"hello alice, from the terminal"_s, u"bob"_s), 10000);
}

void TestDesktopE2e::wrongPasswordStaysOnSignIn()
{
    ServerProcess server;
    QVERIFY2(server.addUser(u"carol"_s, u"right-password"_s), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    QTemporaryDir data;
    DesktopApplication app(appOptions(data.path(), server.url(), u"carol"_s));
    app.start();
    ui::SignInPage *signIn = app.window()->signInPage();
    signIn->passwordEdit()->setText(u"wrong"_s);
    QTest::mouseClick(signIn->signInButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!signIn->isBusy(), 15000);
    QVERIFY(!app.window()->isShowingChat());
    QVERIFY2(signIn->errorText().contains(u"Wrong user name or password"_s),
             qPrintable(signIn->errorText()));
}

// Whether the server still takes `token`: Online means yes, AuthFailed no (anything else: ask
// again).
static std::optional<bool> tokenAccepted(const QUrl &url, const QString &user, const QString &token)
{
    core::SessionManager probe;
    probe.setServerUrl(url);
    probe.setProxy(core::SessionManager::ProxyMode::None);
    probe.setWatchNetwork(false);
    probe.resume(user, token);
    waitUntil(
        [&] {
            return probe.state() == core::ConnectionState::Online ||
                   probe.state() == core::ConnectionState::AuthFailed;
        },
        5000);
    const auto state = probe.state();
    probe.signOut();
    if (state == core::ConnectionState::Online)
        return true;
    if (state == core::ConnectionState::AuthFailed)
        return false;
    return std::nullopt;
}

void TestDesktopE2e::signOutWhileOfflineRevokesTheTokenAtTheNextStart()
{
    // The token waits in the keychain: a private GNOME Keyring (ctest's
    // tst_ui_desktop_e2e_keychain runs this through run-with-keyring.sh), never the person's own.
    if (!conversa::test::hasPrivateKeyring())
        QSKIP(conversa::test::kNeedsPrivateKeyring);
    ServerProcess server;
    QVERIFY2(server.addUser(u"dave"_s, u"dave-password"_s), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    QTemporaryDir data;
    DesktopApplication::Options options = appOptions(data.path(), server.url(), u"dave"_s);
    options.useKeychain = true;
    QString token;
    {
        DesktopApplication app(options);
        app.start();
        ui::SignInPage *signIn = app.window()->signInPage();
        signIn->passwordEdit()->setText(u"dave-password"_s);
        QTest::mouseClick(signIn->signInButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(app.session()->state(), core::ConnectionState::Online, 15000);
        token = app.session()->token();
        QVERIFY(!token.isEmpty());
        // Offline, sign out, quit once the keychain holds the token.
        server.kill();
        QTRY_COMPARE_WITH_TIMEOUT(app.session()->state(), core::ConnectionState::WaitingToReconnect,
                                  10000);
        emit app.window()->signOutRequested();
        QTRY_VERIFY_WITH_TIMEOUT(!app.window()->isShowingChat(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            app.revoker()->pendingCount() == 1 && app.revoker()->storingCount() == 0, 15000);
    }
    // No file of the data folder holds the token.
    QStringList holding = conversa::test::filesHolding(data.path(), token);
    QVERIFY2(holding.isEmpty(), qPrintable(holding.join(u", "_s)));

    QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
    // The next start revokes it without anyone signing in.
    DesktopApplication app(options);
    app.start();
    std::optional<bool> accepted;
    QVERIFY(waitUntil(
        [&] {
            accepted = tokenAccepted(server.url(), u"dave"_s, token);
            return accepted == false;
        },
        20000));
    QTRY_COMPARE_WITH_TIMEOUT(app.revoker()->pendingCount(), 0, 15000);
    QVERIFY(!app.window()->isShowingChat());
    holding = conversa::test::filesHolding(data.path(), token);
    QVERIFY2(holding.isEmpty(), qPrintable(holding.join(u", "_s)));
}

// Settings → Language → OK: the open window speaks the new language at once, and the choice is
// kept for the next start.
void TestDesktopE2e::languageChosenInSettingsAppliesAtOnce()
{
    QTemporaryDir data;
    DesktopApplication::Options options = appOptions(data.path(), {}, {});
    options.theme = u"light"_s;
    DesktopApplication app(options);
    ui::Translations::install(*QCoreApplication::instance(), u"en"_s);
    app.start();
    ui::MainWindow *window = app.window();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    auto *title = window->signInPage()->findChild<QLabel *>(u"signInTitle"_s);
    QVERIFY(title);
    QCOMPARE(title->text(), u"Sign in to Conversa"_s);

    // The dialog is modal: choose while it runs.
    bool chosen = false;
    QTimer::singleShot(0, window, [&] {
        auto *dialog = qobject_cast<ui::SettingsDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        dialog->languageBox()->setCurrentIndex(dialog->languageBox()->findData(u"pt_PT"_s));
        chosen = true;
        dialog->accept();
    });
    emit window->settingsRequested();
    QVERIFY(chosen);
    const QString portuguese =
        QCoreApplication::translate("conversa::ui::SignInPage", "Sign in to Conversa");
    QVERIFY(portuguese != u"Sign in to Conversa"_s);
    QTRY_COMPARE(title->text(), portuguese);
    QCOMPARE(app.settings()->language(), u"pt_PT"_s);

    ui::Translations::install(*QCoreApplication::instance(), u"en"_s);
    QTRY_COMPARE(title->text(), u"Sign in to Conversa"_s);
}

QTEST_MAIN(TestDesktopE2e)
#include "tst_desktop_e2e.moc"
