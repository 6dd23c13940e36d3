// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionState.h>

#include <QMainWindow>

class QAction;
class QMenu;
class QStackedWidget;

namespace conversa::ui {

class ChatPage;
class ConnectionStatusWidget;
class SignInPage;
class TrayIcon;

// The one window: the sign-in page until a session is accepted, then the chat page, with the
// connection state always in the status bar. Menus carry every action with its shortcut, so the
// whole app works from the keyboard.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    SignInPage *signInPage() const { return m_signIn; }
    ChatPage *chatPage() const { return m_chat; }
    ConnectionStatusWidget *statusWidget() const { return m_status; }
    bool isShowingChat() const;

    void setConnectionStatus(const core::ConnectionStatus &status);
    void setSignedInUser(const QString &user);
    // The keychain did not take the new sign-in: one short sentence in the status bar for a
    // while; the keychain's own words (`detail`, often untranslated) only in its tooltip.
    void showSignInNotKept(const QString &detail);
    // Brings the window to the front (a second launch, a notification click).
    void bringToFront();
    // The tray icon's menu shows the window; a click on a notification opens its room. Closing
    // the window then hides it.
    void attachTray(TrayIcon *tray);

public slots:
    void showSignIn();
    void showChat();
    // To the front with `room` open (when signed in).
    void showRoom(const QString &room);

signals:
    void settingsRequested();
    void connectionDetailsRequested();
    void reconnectRequested();
    void signOutRequested();
    void quitRequested();
    void activated();

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void retranslateUi();
    void updateTitle();

    QStackedWidget *m_stack = nullptr;
    SignInPage *m_signIn = nullptr;
    ChatPage *m_chat = nullptr;
    ConnectionStatusWidget *m_status = nullptr;
    QList<QAction *> m_chatActions;
    QMenu *m_appMenu = nullptr;
    QMenu *m_roomMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_detailsAction = nullptr;
    QAction *m_signOutAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_goToAction = nullptr;
    QAction *m_previousAction = nullptr;
    QAction *m_nextAction = nullptr;
    QAction *m_createAction = nullptr;
    QAction *m_joinAction = nullptr;
    QAction *m_newMessageAction = nullptr;
    QAction *m_leaveAction = nullptr;
    QAction *m_filterAction = nullptr;
    QAction *m_searchAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QString m_user;

public:
    // When a tray icon exists, closing the window hides it instead of quitting.
    bool hideOnClose = false;
};

} // namespace conversa::ui
