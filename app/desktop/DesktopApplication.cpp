// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "DesktopApplication.h"

#include "Autostart.h"

#include <Account.h>
#include <AppSettings.h>
#include <ChatPage.h>
#include <ConnectionBanner.h>
#include <ConnectionDetailsDialog.h>
#include <ConnectionStatusWidget.h>
#include <MainWindow.h>
#include <MessageDelegate.h>
#include <MessageView.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <SettingsDialog.h>
#include <SignInPage.h>
#include <Theme.h>
#include <TokenRevoker.h>
#include <Translations.h>
#include <TrayIcon.h>

#include <QApplication>
#include <QDesktopServices>
#include <QDir>
#include <QLineEdit>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QSysInfo>
#include <QTimer>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace ui = conversa::ui;
using core::ConnectionState;

DesktopApplication::DesktopApplication(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    core::Account::Options accountOptions;
    accountOptions.dataDirectory = options.dataDir;
    accountOptions.deviceName = tr("Conversa on %1").arg(QSysInfo::machineHostName());
    accountOptions.useKeychain = options.useKeychain;
    accountOptions.revokeLater = true;
    m_account = new core::Account(accountOptions, this);
    m_dataDir = m_account->dataDirectory();
    // With --data everything, preferences included, stays in that folder (tests, portable use).
    m_settings = options.dataDir.isEmpty()
                     ? new ui::AppSettings(this)
                     : new ui::AppSettings(QDir(m_dataDir).filePath(u"conversa.ini"_s), this);
    applyTheme();
    applyNetworkSettings(nullptr);

    m_window = new ui::MainWindow;
    m_window->setAttribute(Qt::WA_DeleteOnClose, false);
    m_window->chatPage()->setAccount(m_account);
    const QByteArray geometry = m_settings->windowGeometry();
    if (!geometry.isEmpty())
        m_window->restoreGeometry(geometry);
    const QByteArray splitter = m_settings->splitterState();
    if (!splitter.isEmpty())
        m_window->chatPage()->splitter()->restoreState(splitter);

    connect(m_account, &core::Account::statusChanged, this, &DesktopApplication::onStatus);
    connect(m_account, &core::Account::messageArrived, this, &DesktopApplication::onMessage);
    connect(m_account, &core::Account::tokenNotSaved, this, [this](const QString &message) {
        qWarning("conversa: the keychain did not take the sign-in: %s", qUtf8Printable(message));
        m_window->showSignInNotKept(message);
    });
    connect(m_account, &core::Account::revocationDropped, this,
            [this](const QString &message) { m_window->statusBar()->showMessage(message, 30000); });
    connect(m_account, &core::Account::pendingCountChanged, m_window->statusWidget(),
            &ui::ConnectionStatusWidget::setPendingCount);
    connect(m_account, &core::Account::pendingCountChanged,
            m_window->chatPage()->connectionBanner(), &ui::ConnectionBanner::setPendingCount);
    connect(m_account, &core::Account::outboxProgress, m_window->statusWidget(),
            &ui::ConnectionStatusWidget::setOutboxProgress);
    connect(m_account, &core::Account::savedSignInUnavailable, this, [this] { showSignInPage(); });
    connect(m_account, &core::Account::resumingSaved, this, [this] {
        m_window->showChat();
        const QString lastRoom = m_settings->lastRoom();
        if (!lastRoom.isEmpty() && m_account->rooms()->rowOfRoom(lastRoom) >= 0)
            m_window->chatPage()->openRoom(lastRoom);
    });

    ui::SignInPage *signIn = m_window->signInPage();
    connect(signIn, &ui::SignInPage::signInRequested, this, &DesktopApplication::onSignInRequested);
    connect(m_window, &ui::MainWindow::reconnectRequested, m_account->session(),
            &core::SessionManager::reconnectNow);
    connect(m_window, &ui::MainWindow::settingsRequested, this, &DesktopApplication::showSettings);
    connect(m_window, &ui::MainWindow::connectionDetailsRequested, this,
            &DesktopApplication::showConnectionDetails);
    connect(m_window, &ui::MainWindow::signOutRequested, this, &DesktopApplication::signOut);
    connect(m_window, &ui::MainWindow::quitRequested, this, &DesktopApplication::quitRequested);
    connect(m_window, &ui::MainWindow::activated, m_window->chatPage(),
            &ui::ChatPage::markCurrentRoomRead);
    connect(m_window->chatPage(), &ui::ChatPage::linkActivated, this,
            [](const QUrl &url) { QDesktopServices::openUrl(url); });
    connect(m_window->chatPage(), &ui::ChatPage::roomOpened, this,
            [this](const QString &room) { m_settings->setLastRoom(room); });

    core::RoomListModel *rooms = m_account->rooms();
    connect(rooms, &QAbstractItemModel::modelReset, this, &DesktopApplication::updateUnreadTotal);
    connect(rooms, &QAbstractItemModel::layoutChanged, this,
            &DesktopApplication::updateUnreadTotal);
    connect(rooms, &QAbstractItemModel::dataChanged, this, &DesktopApplication::updateUnreadTotal);

    if (ui::TrayIcon::isAvailable()) {
        m_tray = new ui::TrayIcon(this);
        m_tray->show();
        m_window->attachTray(m_tray);
        connect(m_tray, &ui::TrayIcon::quitRequested, this, &DesktopApplication::quitRequested);
    }

    // Admin policy for the server address.
    const core::ServerChoice server = m_account->chooseServer(
        !options.server.isEmpty() ? options.server : m_settings->serverUrl());
    signIn->setServer(server.server);
    signIn->setServerLocked(server.locked, server.lockedBy);
    signIn->setUserName(!options.user.isEmpty() ? options.user : m_settings->userName());
    signIn->setKeepSignedIn(m_settings->keepSignedIn() && options.useKeychain);
}

DesktopApplication::~DesktopApplication()
{
    m_settings->setWindowGeometry(m_window->saveGeometry());
    m_settings->setSplitterState(m_window->chatPage()->splitter()->saveState());
    m_settings->sync();
    m_account->disconnectSession();
    delete m_window;
}

core::SessionManager *DesktopApplication::session() const
{
    return m_account->session();
}

core::Outbox *DesktopApplication::outbox() const
{
    return m_account->outbox();
}

core::TokenRevoker *DesktopApplication::revoker() const
{
    return m_account->revoker();
}

core::RoomListModel *DesktopApplication::roomModel() const
{
    return m_account->rooms();
}

void DesktopApplication::applyTheme()
{
    const QString theme = m_options.theme.isEmpty() ? m_settings->theme() : m_options.theme;
    ui::Theme::apply(ui::Theme::modeFromString(theme));
}

void DesktopApplication::bringToFront()
{
    m_window->bringToFront();
}

void DesktopApplication::start()
{
    if (!m_options.startHidden || !m_tray)
        m_window->show();

    const QString server = m_window->signInPage()->server();
    const QString user = m_window->signInPage()->userName();
    const QUrl url = core::SessionManager::normalizeServerUrl(server);
    if (!m_options.useKeychain || !m_settings->keepSignedIn() || user.isEmpty() || !url.isValid()) {
        showSignInPage();
        return;
    }
    // A saved sign-in: once the keychain has its token, the cached rooms show at once and the
    // session resumes (savedSignInUnavailable brings the sign-in page back when there is none).
    if (!openAccount(url, user))
        return;
    m_account->resumeSaved();
}

bool DesktopApplication::openAccount(const QUrl &url, const QString &user)
{
    if (m_account->isOpen() && m_account->key() == core::SessionManager::accountKey(user, url))
        return true;
    m_window->chatPage()->openRoom({});
    if (!m_account->open(url, user)) {
        showSignInPage(tr("Conversa cannot open its files: %1").arg(m_account->lastError()));
        return false;
    }
    m_window->setSignedInUser(user);
    m_window->chatPage()->setNotificationSettings(m_settings, m_account->key());
    return true;
}

void DesktopApplication::closeAccount()
{
    m_window->chatPage()->openRoom({});
    m_account->close();
}

bool DesktopApplication::applyNetworkSettings(QString *problem)
{
    return m_account->setNetwork(
        {m_settings->proxyMode(), m_settings->proxyUrl(), m_settings->extraCaFile()}, problem);
}

void DesktopApplication::onSignInRequested(const QString &server, const QString &user,
                                           const QString &password, bool keepSignedIn)
{
    const QUrl url = core::SessionManager::normalizeServerUrl(server);
    if (!openAccount(url, user))
        return;
    QString problem;
    if (!applyNetworkSettings(&problem)) {
        m_window->signInPage()->setBusy(false);
        m_window->signInPage()->showMessage(problem);
        return;
    }
    m_signingIn = true;
    m_account->signIn(password, keepSignedIn);
}

void DesktopApplication::onStatus(const core::ConnectionStatus &status)
{
    m_window->setConnectionStatus(status);
    switch (status.state) {
    case ConnectionState::Syncing:
    case ConnectionState::Online:
        if (m_signingIn) {
            // The server accepted the password: remember the account, go to the rooms.
            m_signingIn = false;
            m_settings->setServerUrl(m_window->signInPage()->server());
            m_settings->setUserName(m_account->user());
            m_settings->setKeepSignedIn(m_window->signInPage()->keepSignedIn());
            m_window->signInPage()->passwordEdit()->clear();
            m_window->showChat();
            const QString lastRoom = m_settings->lastRoom();
            if (!lastRoom.isEmpty() && m_account->rooms()->rowOfRoom(lastRoom) >= 0)
                m_window->chatPage()->openRoom(lastRoom);
        } else if (!m_window->isShowingChat()) {
            // A session that is live never sits behind the sign-in page, whatever order the
            // keychain answer and the sign-in arrived in.
            m_window->showChat();
        }
        break;
    case ConnectionState::SignedOut:
    case ConnectionState::AuthFailed:
        if (m_signingIn) {
            m_signingIn = false;
            m_window->signInPage()->setBusy(false);
            m_window->signInPage()->showProblem(status);
        } else if (status.state == ConnectionState::AuthFailed) {
            // The token was revoked or the account disabled: the password is needed again.
            showSignInPage(tr("Please sign in again.") + u"\n"_s + status.reason);
        }
        break;
    case ConnectionState::Connecting:
    case ConnectionState::Authenticating:
    case ConnectionState::WaitingToReconnect:
        break;
    }
}

void DesktopApplication::onMessage(const QString &room, const QString &sender, const QString &body)
{
    if (!m_tray)
        return;
    const bool mention = ui::MessageDelegate::mentions(body, m_account->user());
    // The room's own level (All, Mentions only, Mute), or the Settings' when it has none.
    const bool wanted =
        ui::AppSettings::notifies(m_settings->roomNotifications(m_account->key(), room), mention);
    const bool seen = m_window->isActiveWindow() && m_window->chatPage()->currentRoom() == room;
    if (!wanted || seen)
        return;
    const core::RoomListModel *rooms = m_account->rooms();
    const int row = rooms->rowOfRoom(room);
    const QString title = row >= 0 ? rooms->index(row).data(Qt::DisplayRole).toString() : room;
    m_tray->notify(room, title, sender, body);
}

void DesktopApplication::updateUnreadTotal()
{
    qint64 total = 0;
    const core::RoomListModel *rooms = m_account->rooms();
    for (int row = 0; row < rooms->rowCount(); ++row)
        total += rooms->index(row).data(core::RoomListModel::UnreadCountRole).toLongLong();
    if (m_tray)
        m_tray->setUnreadCount(total);
}

void DesktopApplication::showSettings()
{
    ui::SettingsDialog dialog(m_settings, m_account->policy(), m_window);
    const QString languageBefore = m_settings->language();
    connect(&dialog, &ui::SettingsDialog::applied, this, [this, languageBefore] {
        // Every open window retranslates itself on the QEvent::LanguageChange this sends.
        if (m_settings->language() != languageBefore)
            ui::Translations::install(*QCoreApplication::instance(), m_settings->language());
        applyTheme();
        QString problem;
        if (!applyNetworkSettings(&problem))
            QMessageBox::warning(m_window, tr("Settings"), problem);
        if (Autostart::isSupported() && Autostart::isEnabled() != m_settings->startOnLogin()) {
            QString error;
            if (!Autostart::setEnabled(m_settings->startOnLogin(), &error))
                QMessageBox::warning(m_window, tr("Settings"),
                                     tr("Could not change starting on login: %1").arg(error));
        }
        m_window->chatPage()->messageView()->messageDelegate()->clearCache();
        m_window->update();
    });
    dialog.exec();
}

void DesktopApplication::showConnectionDetails()
{
    // The session's own connection, live while the dialog is open.
    auto *dialog = new ui::ConnectionDetailsDialog(m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSession(m_account->session());
    dialog->show();
}

void DesktopApplication::signOut()
{
    m_account->signOut();
    showSignInPage();
}

void DesktopApplication::showSignInPage(const QString &message)
{
    m_window->showSignIn();
    m_window->signInPage()->showMessage(message);
}
