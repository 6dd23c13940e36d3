// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionState.h>
#include <Frames.h>
#include <ManagedSettings.h>

#include <QObject>
#include <QPointer>
#include <QUrl>

namespace conversa::core {
class MemberListModel;
class MessageCache;
class MessageModel;
class Outbox;
class RoomListModel;
class SessionManager;
class TokenRevoker;
class TokenStore;
class TypingUsers;
} // namespace conversa::core

namespace conversa::ui {
class AppSettings;
class MainWindow;
class TrayIcon;
} // namespace conversa::ui

// The desktop app's wiring: settings and admin policy, the keychain, one session, the account's
// cache and outbox, the models, the main window and the tray. Everything the user sees goes
// through conversa-ui; everything on the network through conversa-core.
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
    conversa::core::SessionManager *session() const { return m_session; }
    conversa::core::Outbox *outbox() const { return m_outbox; }
    conversa::core::TokenRevoker *revoker() const { return m_revoker; }
    conversa::core::MessageModel *messageModel() const { return m_messages; }
    conversa::core::RoomListModel *roomModel() const { return m_rooms; }
    conversa::ui::AppSettings *settings() const { return m_settings; }
    QString dataDir() const { return m_dataDir; }

signals:
    void quitRequested();

private:
    void onSignInRequested(const QString &server, const QString &user, const QString &password,
                           bool keepSignedIn);
    bool openAccount(const QUrl &url, const QString &user);
    void closeAccount();
    bool applyNetworkSettings(QString *problem);
    // The proxy and extra CAs of Settings and policy, applied to `session`.
    bool applyNetworkSettings(conversa::core::SessionManager &session, QString *problem);
    void onStatus(const conversa::core::ConnectionStatus &status);
    void onMessage(const conversa::protocol::MessageEvent &message);
    void updateUnreadTotal();
    void showSettings();
    void showConnectionDetails();
    void signOut();
    void showSignInPage(const QString &message = {});
    void applyTheme();

    Options m_options;
    QString m_dataDir;
    conversa::core::ManagedSettings m_policy;
    conversa::ui::AppSettings *m_settings = nullptr;
    conversa::core::TokenStore *m_tokens = nullptr;
    conversa::core::TokenRevoker *m_revoker = nullptr;
    conversa::core::SessionManager *m_session = nullptr;
    conversa::core::MessageCache *m_cache = nullptr;
    conversa::core::Outbox *m_outbox = nullptr;
    conversa::core::RoomListModel *m_rooms = nullptr;
    conversa::core::MessageModel *m_messages = nullptr;
    conversa::core::MemberListModel *m_members = nullptr;
    conversa::core::TypingUsers *m_typing = nullptr;
    conversa::ui::MainWindow *m_window = nullptr;
    conversa::ui::TrayIcon *m_tray = nullptr;

    QUrl m_url;
    QString m_user;
    QString m_accountKey;
    bool m_keepSignedIn = true;
    bool m_signingIn = false;
};
