// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionState.h>

#include <QObject>
#include <QPointer>
#include <QUrl>

namespace conversa::core {
class Account;
class Outbox;
class RoomListModel;
class SessionManager;
class TokenRevoker;
} // namespace conversa::core

namespace conversa::ui {
class AppSettings;
class MainWindow;
class TrayIcon;
} // namespace conversa::ui

// The desktop app's wiring: settings, one core::Account (session, keychain, cache, outbox,
// models, admin policy), the main window and the tray. Everything the user sees goes through
// conversa-ui; everything on the network through the account.
class DesktopApplication : public QObject
{
    Q_OBJECT
public:
    struct Options {
        QString dataDir; // empty: the platform's app data folder
        QString server;  // pre-fills the sign-in page
        QString user;
        QString theme; // overrides the setting for this run
        bool useKeychain = true;
        bool startHidden = false;
    };

    explicit DesktopApplication(const Options &options, QObject *parent = nullptr);
    ~DesktopApplication() override;

    // Shows the window (unless hidden) and resumes the saved account if there is one.
    void start();
    void bringToFront();

    conversa::ui::MainWindow *window() const { return m_window; }
    conversa::ui::TrayIcon *tray() const { return m_tray; }
    conversa::core::Account *account() const { return m_account; }
    conversa::core::SessionManager *session() const;
    conversa::core::Outbox *outbox() const;
    conversa::core::TokenRevoker *revoker() const;
    conversa::core::RoomListModel *roomModel() const;
    conversa::ui::AppSettings *settings() const { return m_settings; }
    QString dataDir() const { return m_dataDir; }

signals:
    void quitRequested();

private:
    void onSignInRequested(const QString &server, const QString &user, const QString &password,
                           bool keepSignedIn);
    bool openAccount(const QUrl &url, const QString &user);
    void closeAccount();
    // The proxy and extra CAs of Settings (policy first) for the account.
    bool applyNetworkSettings(QString *problem);
    void onStatus(const conversa::core::ConnectionStatus &status);
    void onMessage(const QString &room, const QString &sender, const QString &body);
    void updateUnreadTotal();
    void showSettings();
    void showConnectionDetails();
    void signOut();
    void showSignInPage(const QString &message = {});
    void applyTheme();

    Options m_options;
    QString m_dataDir;
    conversa::ui::AppSettings *m_settings = nullptr;
    conversa::core::Account *m_account = nullptr;
    conversa::ui::MainWindow *m_window = nullptr;
    conversa::ui::TrayIcon *m_tray = nullptr;

    bool m_signingIn = false;
};
