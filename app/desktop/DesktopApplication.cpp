// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "DesktopApplication.h"

#include "Autostart.h"

#include <AccountPaths.h>
#include <AppSettings.h>
#include <ChatPage.h>
#include <ConnectionDetailsDialog.h>
#include <ConnectionStatusWidget.h>
#include <MainWindow.h>
#include <MemberListModel.h>
#include <MessageCache.h>
#include <MessageDelegate.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Outbox.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <SettingsDialog.h>
#include <SignInPage.h>
#include <Theme.h>
#include <TokenRevoker.h>
#include <TokenStore.h>
#include <TrayIcon.h>
#include <TypingUsers.h>

#include <QApplication>
#include <QDesktopServices>
#include <QDir>
#include <QLineEdit>
#include <QMessageBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSysInfo>
#include <QTimer>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace ui = conversa::ui;
using core::ConnectionState;
using core::ManagedSettings;

DesktopApplication::DesktopApplication(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_dataDir = options.dataDir.isEmpty()
                    ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                    : options.dataDir;
    QDir().mkpath(m_dataDir);
    // With --data everything, preferences included, stays in that folder (tests, portable use).
    m_settings = options.dataDir.isEmpty()
                     ? new ui::AppSettings(this)
                     : new ui::AppSettings(QDir(m_dataDir).filePath(u"conversa.ini"_s), this);
    applyTheme();

    m_tokens = new core::TokenStore(this);
    // Tokens of sign-outs the server did not confirm (offline, or the app quit first): revoked
    // now, and retried while the app runs.
    m_revoker = new core::TokenRevoker(this);
    m_revoker->setSessionSetup([this](core::SessionManager &session) {
        session.setDeviceName(tr("Conversa on %1").arg(QSysInfo::machineHostName()));
        applyNetworkSettings(session, nullptr);
    });
    // The tokens themselves are in the keychain, so --no-keychain leaves them alone.
    m_revoker->setKeychainAllowed(options.useKeychain);
    if (options.useKeychain) {
        if (m_revoker->open(QDir(m_dataDir).filePath(u"revocations.sqlite"_s)))
            QTimer::singleShot(0, m_revoker, &core::TokenRevoker::revokeAll);
        else
            qWarning("conversa: %s", qUtf8Printable(m_revoker->lastError()));
    }
    m_session = new core::SessionManager(this);
    m_session->setDeviceName(tr("Conversa on %1").arg(QSysInfo::machineHostName()));
    m_rooms = new core::RoomListModel(this);
    m_messages = new core::MessageModel(this);
    m_members = new core::MemberListModel(this);
    m_typing = new core::TypingUsers(this);
    m_members->setSession(m_session);
    m_typing->setSession(m_session);

    m_window = new ui::MainWindow;
    m_window->setAttribute(Qt::WA_DeleteOnClose, false);
    m_window->chatPage()->setSources(
        ui::ChatSources{m_session, nullptr, m_rooms, m_messages, m_members, m_typing});
    const QByteArray geometry = m_settings->windowGeometry();
    if (!geometry.isEmpty())
        m_window->restoreGeometry(geometry);
    const QByteArray splitter = m_settings->splitterState();
    if (!splitter.isEmpty())
        m_window->chatPage()->splitter()->restoreState(splitter);

    connect(m_session, &core::SessionManager::statusChanged, this, &DesktopApplication::onStatus);
    connect(m_session, &core::SessionManager::messageReceived, this,
            &DesktopApplication::onMessage);
    connect(m_session, &core::SessionManager::tokenIssued, this,
            [this](const QString &user, const QString &token) {
                if (!m_keepSignedIn || !m_options.useKeychain)
                    return;
                m_tokens->writeToken(core::SessionManager::accountKey(user, m_url), token);
            });
    connect(m_tokens, &core::TokenStore::tokenWritten, this,
            [this](const QString &, core::TokenStore::Result result, const QString &message) {
                if (result != core::TokenStore::Result::Ok)
                    m_window->statusBar()->showMessage(
                        tr("Your sign-in is kept for this session only: %1").arg(message), 15000);
            });
    connect(m_revoker, &core::TokenRevoker::dropped, this,
            [this](const QString &, const QString &message) {
                m_window->statusBar()->showMessage(message, 30000);
            });
    connect(m_session, &core::SessionManager::tokenRejected, this, [this] {
        if (m_options.useKeychain && !m_accountKey.isEmpty())
            m_tokens->deleteToken(m_accountKey);
    });

    ui::SignInPage *signIn = m_window->signInPage();
    connect(signIn, &ui::SignInPage::signInRequested, this, &DesktopApplication::onSignInRequested);
    connect(m_window, &ui::MainWindow::reconnectRequested, m_session,
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

    connect(m_rooms, &QAbstractItemModel::modelReset, this, &DesktopApplication::updateUnreadTotal);
    connect(m_rooms, &QAbstractItemModel::layoutChanged, this,
            &DesktopApplication::updateUnreadTotal);
    connect(m_rooms, &QAbstractItemModel::dataChanged, this,
            &DesktopApplication::updateUnreadTotal);

    if (ui::TrayIcon::isAvailable()) {
        m_tray = new ui::TrayIcon(this);
        m_tray->show();
        m_window->hideOnClose = true;
        connect(m_tray, &ui::TrayIcon::showWindowRequested, this,
                &DesktopApplication::bringToFront);
        connect(m_tray, &ui::TrayIcon::openRoomRequested, this, [this](const QString &room) {
            bringToFront();
            m_window->chatPage()->openRoom(room);
        });
        connect(m_tray, &ui::TrayIcon::quitRequested, this, &DesktopApplication::quitRequested);
    }

    // Admin policy for the server address.
    const QString managedServer = m_policy.managedValue(ManagedSettings::ServerUrl).toString();
    QString server = !options.server.isEmpty() ? options.server : m_settings->serverUrl();
    if (!managedServer.isEmpty() && (server.isEmpty() || !m_policy.serverUrlChangeAllowed()))
        server = managedServer;
    signIn->setServer(server);
    signIn->setServerLocked(!managedServer.isEmpty() && !m_policy.serverUrlChangeAllowed(),
                            m_policy.origin(ManagedSettings::ServerUrl));
    signIn->setUserName(!options.user.isEmpty() ? options.user : m_settings->userName());
    signIn->setKeepSignedIn(m_settings->keepSignedIn() && options.useKeychain);
}

DesktopApplication::~DesktopApplication()
{
    m_settings->setWindowGeometry(m_window->saveGeometry());
    m_settings->setSplitterState(m_window->chatPage()->splitter()->saveState());
    m_settings->sync();
    m_session->signOut();
    delete m_window;
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
    // A saved sign-in: show the cached rooms at once and resume with the keychain's token.
    const QString key = core::SessionManager::accountKey(user, url);
    connect(m_tokens, &core::TokenStore::tokenRead, this,
            [this, key, url, user](const QString &readKey, core::TokenStore::Result result,
                                   const QString &token, const QString &) {
                if (readKey != key || m_signingIn || m_session->isAuthenticated())
                    return;
                if (result != core::TokenStore::Result::Ok || token.isEmpty()) {
                    showSignInPage();
                    return;
                }
                if (!openAccount(url, user))
                    return;
                QString problem;
                applyNetworkSettings(&problem);
                m_window->showChat();
                const QString lastRoom = m_settings->lastRoom();
                if (!lastRoom.isEmpty() && m_rooms->rowOfRoom(lastRoom) >= 0)
                    m_window->chatPage()->openRoom(lastRoom);
                m_session->resume(user, token);
            });
    m_tokens->readToken(key);
}

bool DesktopApplication::openAccount(const QUrl &url, const QString &user)
{
    const QString key = core::SessionManager::accountKey(user, url);
    if (key == m_accountKey && m_cache && m_outbox)
        return true;
    closeAccount();
    const core::AccountPaths paths(m_dataDir);
    QDir().mkpath(paths.accountDirectory(key));
    m_cache = new core::MessageCache(this);
    m_outbox = new core::Outbox(this);
    if (!m_cache->open(paths.cachePath(key)) || !m_outbox->open(paths.outboxPath(key))) {
        const QString error = !m_cache->isOpen() ? m_cache->lastError() : m_outbox->lastError();
        showSignInPage(
            tr("Conversa cannot open its files in %1: %2").arg(paths.accountDirectory(key), error));
        closeAccount();
        return false;
    }
    m_url = url;
    m_user = user;
    m_accountKey = key;
    m_session->setServerUrl(url);
    m_session->setCache(m_cache);
    m_session->setOutbox(m_outbox);
    m_rooms->setCache(m_cache);
    m_rooms->setSession(m_session);
    m_messages->setSources(m_cache, m_outbox, m_session);
    m_window->chatPage()->setSources(
        ui::ChatSources{m_session, m_outbox, m_rooms, m_messages, m_members, m_typing});
    m_window->setSignedInUser(user);
    connect(m_outbox, &core::Outbox::entryChanged, this,
            [this] { m_window->statusWidget()->setPendingCount(m_outbox->pendingCount()); });
    connect(m_outbox, &core::Outbox::entryRemoved, this,
            [this] { m_window->statusWidget()->setPendingCount(m_outbox->pendingCount()); });
    m_window->statusWidget()->setPendingCount(m_outbox->pendingCount());
    return true;
}

void DesktopApplication::closeAccount()
{
    m_window->chatPage()->openRoom({});
    m_session->setCache(nullptr);
    m_session->setOutbox(nullptr);
    m_rooms->setCache(nullptr);
    m_messages->setSources(nullptr, nullptr, m_session);
    delete m_cache;
    delete m_outbox;
    m_cache = nullptr;
    m_outbox = nullptr;
    m_accountKey.clear();
}

bool DesktopApplication::applyNetworkSettings(QString *problem)
{
    return applyNetworkSettings(*m_session, problem);
}

bool DesktopApplication::applyNetworkSettings(core::SessionManager &session, QString *problem)
{
    const QString mode = m_policy.effective(ManagedSettings::ProxyMode, m_settings->proxyMode())
                             .toString()
                             .toLower();
    const QString proxyText =
        m_policy.effective(ManagedSettings::ProxyUrl, m_settings->proxyUrl()).toString();
    if (mode == u"none"_s) {
        session.setProxy(core::SessionManager::ProxyMode::None);
    } else if (mode == u"http"_s || mode == u"socks5"_s) {
        const QUrl proxyUrl(proxyText.contains(u"://"_s) ? proxyText : mode + u"://"_s + proxyText);
        const bool http = mode == u"http"_s;
        session.setProxy(http ? core::SessionManager::ProxyMode::Http
                              : core::SessionManager::ProxyMode::Socks5,
                         proxyUrl);
    } else {
        session.setProxy(core::SessionManager::ProxyMode::System);
    }

    const QString caFile =
        m_policy.effective(ManagedSettings::ExtraCaFile, m_settings->extraCaFile()).toString();
    QString caError;
    const bool caOk = session.setExtraCaFile(caFile, &caError);
    if (!caOk && problem)
        *problem = caError;
    return caOk;
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
    m_keepSignedIn = keepSignedIn && m_options.useKeychain;
    m_signingIn = true;
    m_session->signIn(user, password);
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
            m_settings->setUserName(m_user);
            m_settings->setKeepSignedIn(m_window->signInPage()->keepSignedIn());
            m_window->signInPage()->passwordEdit()->clear();
            m_window->showChat();
            const QString lastRoom = m_settings->lastRoom();
            if (!lastRoom.isEmpty() && m_rooms->rowOfRoom(lastRoom) >= 0)
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

void DesktopApplication::onMessage(const conversa::protocol::MessageEvent &message)
{
    if (!m_tray || message.from == m_user || m_session->state() != ConnectionState::Online)
        return; // catching up after a reconnect is not news
    const bool mention = ui::MessageDelegate::mentions(message.body, m_user);
    const bool wanted =
        (mention && m_settings->notifyOnMention()) || m_settings->notifyOnEveryMessage();
    const bool seen =
        m_window->isActiveWindow() && m_window->chatPage()->currentRoom() == message.room;
    if (!wanted || seen)
        return;
    const int row = m_rooms->rowOfRoom(message.room);
    const QString title =
        row >= 0 ? m_rooms->index(row).data(Qt::DisplayRole).toString() : message.room;
    m_tray->notify(message.room, title, message.from, message.body);
}

void DesktopApplication::updateUnreadTotal()
{
    qint64 total = 0;
    for (int row = 0; row < m_rooms->rowCount(); ++row)
        total += m_rooms->index(row).data(core::RoomListModel::UnreadCountRole).toLongLong();
    if (m_tray)
        m_tray->setUnreadCount(total);
}

void DesktopApplication::showSettings()
{
    ui::SettingsDialog dialog(m_settings, m_policy, m_window);
    connect(&dialog, &ui::SettingsDialog::applied, this, [this] {
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
    dialog->setSession(m_session);
    dialog->show();
}

void DesktopApplication::signOut()
{
    if (m_options.useKeychain && !m_accountKey.isEmpty())
        m_tokens->deleteToken(m_accountKey);
    const QUrl server = m_session->serverUrl();
    const QString user = m_session->user();
    const QString token = m_session->token();
    if (!token.isEmpty() && !m_session->isAuthenticated()) {
        // Offline: the revoker keeps the token in the keychain until the server has revoked it.
        m_revoker->add(server, user, token);
        m_session->signOut();
    } else if (!token.isEmpty()) {
        auto *once = new QObject(this);
        connect(m_session, &core::SessionManager::loggedOut, once,
                [this, once, server, user, token](bool confirmed) {
                    if (!confirmed)
                        m_revoker->add(server, user, token);
                    once->deleteLater();
                });
        m_session->logout();
    } else {
        m_session->logout();
    }
    showSignInPage();
}

void DesktopApplication::showSignInPage(const QString &message)
{
    m_window->showSignIn();
    m_window->signInPage()->showMessage(message);
}
