// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"

#include "ChatPage.h"
#include "ConnectionBanner.h"
#include "ConnectionStatusWidget.h"
#include "SignInPage.h"
#include "Theme.h"
#include "TrayIcon.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace conversa::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_stack(new QStackedWidget(this))
    , m_signIn(new SignInPage(this))
    , m_chat(new ChatPage(this))
    , m_status(new ConnectionStatusWidget(this))
{
    Theme::ensureResources();
    setObjectName(u"mainWindow"_s);
    setWindowIcon(QIcon(u":/icons/conversa.svg"_s));
    m_stack->addWidget(m_signIn);
    m_stack->addWidget(m_chat);
    setCentralWidget(m_stack);
    statusBar()->addWidget(m_status, 1);
    statusBar()->setSizeGripEnabled(false);
    connect(m_chat->connectionBanner(), &ConnectionBanner::reconnectRequested, this,
            &MainWindow::reconnectRequested);
    connect(m_status, &ConnectionStatusWidget::reconnectRequested, this,
            &MainWindow::reconnectRequested);
    connect(m_status, &ConnectionStatusWidget::detailsRequested, this,
            &MainWindow::connectionDetailsRequested);
    buildMenus();
    retranslateUi();
    showSignIn();
    resize(1180, 760);
}

void MainWindow::buildMenus()
{
    m_appMenu = menuBar()->addMenu(QString());
    m_settingsAction = m_appMenu->addAction(QString(), this, &MainWindow::settingsRequested);
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    m_detailsAction =
        m_appMenu->addAction(QString(), this, &MainWindow::connectionDetailsRequested);
    m_appMenu->addSeparator();
    m_signOutAction = m_appMenu->addAction(QString(), this, &MainWindow::signOutRequested);
    m_chatActions.append(m_signOutAction);
    m_quitAction = m_appMenu->addAction(QString(), this, &MainWindow::quitRequested);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);

    m_roomMenu = menuBar()->addMenu(QString());
    m_goToAction = m_roomMenu->addAction(QString(), m_chat, &ChatPage::showQuickSwitcher);
    m_previousAction =
        m_roomMenu->addAction(QString(), m_chat, [this] { m_chat->selectAdjacentRoom(-1); });
    m_nextAction =
        m_roomMenu->addAction(QString(), m_chat, [this] { m_chat->selectAdjacentRoom(1); });
    m_roomMenu->addSeparator();
    m_createAction = m_roomMenu->addAction(QString(), m_chat, &ChatPage::createRoom);
    m_createAction->setShortcut(QKeySequence::New);
    m_joinAction = m_roomMenu->addAction(QString(), m_chat, &ChatPage::joinRoom);
    m_newMessageAction = m_roomMenu->addAction(QString(), m_chat, &ChatPage::newMessage);
    m_newMessageAction->setObjectName(u"newMessageAction"_s);
    m_leaveAction = m_roomMenu->addAction(QString(), m_chat, &ChatPage::leaveRoom);
    m_filterAction = m_roomMenu->addAction(QString(), m_chat, [this] {
        m_chat->roomFilter()->setFocus();
        m_chat->roomFilter()->selectAll();
    });
    m_filterAction->setShortcut(QKeySequence::Find);
    m_searchAction = m_roomMenu->addAction(QString(), m_chat, &ChatPage::showSearch);
    m_chatActions.append({m_goToAction, m_previousAction, m_nextAction, m_createAction,
                          m_joinAction, m_newMessageAction, m_leaveAction, m_filterAction,
                          m_searchAction});
    // Shortcuts must work while the menu bar is hidden or the focus is in the composer.
    for (QAction *action : std::as_const(m_chatActions))
        addAction(action);

    m_helpMenu = menuBar()->addMenu(QString());
    m_aboutAction = m_helpMenu->addAction(QString(), this, [this] {
        QMessageBox::about(this, tr("About Conversa"),
                           tr("Conversa %1\nChat in rooms with your organisation, live.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::retranslateUi()
{
    m_appMenu->setTitle(tr("&Conversa"));
    m_settingsAction->setText(tr("&Settings…"));
    m_settingsAction->setShortcut(QKeySequence::Preferences);
    if (m_settingsAction->shortcut().isEmpty())
        m_settingsAction->setShortcut(QKeySequence(tr("Ctrl+,")));
    m_detailsAction->setText(tr("Connection &details…"));
    m_signOutAction->setText(tr("Sign &out"));
    m_quitAction->setText(tr("&Quit"));
    m_roomMenu->setTitle(tr("&Room"));
    m_goToAction->setText(tr("&Go to room…"));
    m_goToAction->setShortcut(QKeySequence(tr("Ctrl+K")));
    m_previousAction->setText(tr("&Previous room"));
    m_previousAction->setShortcut(QKeySequence(tr("Alt+Up")));
    m_nextAction->setText(tr("&Next room"));
    m_nextAction->setShortcut(QKeySequence(tr("Alt+Down")));
    m_createAction->setText(tr("&Create room…"));
    m_joinAction->setText(tr("&Find rooms…"));
    m_joinAction->setShortcut(QKeySequence(tr("Ctrl+J")));
    m_newMessageAction->setText(tr("New &message…"));
    m_newMessageAction->setShortcut(QKeySequence(tr("Ctrl+Shift+N")));
    m_leaveAction->setText(tr("&Leave room"));
    m_filterAction->setText(tr("&Filter rooms"));
    m_searchAction->setText(tr("&Search messages…"));
    m_searchAction->setShortcut(QKeySequence(tr("Ctrl+Shift+F")));
    m_helpMenu->setTitle(tr("&Help"));
    m_aboutAction->setText(tr("&About Conversa"));
    updateTitle();
}

bool MainWindow::isShowingChat() const
{
    return m_stack->currentWidget() == m_chat;
}

void MainWindow::showSignIn()
{
    m_stack->setCurrentWidget(m_signIn);
    m_status->setCompact(false);
    for (QAction *action : std::as_const(m_chatActions))
        action->setEnabled(false);
    m_signIn->setBusy(false);
    updateTitle();
}

void MainWindow::showChat()
{
    m_stack->setCurrentWidget(m_chat);
    m_status->setCompact(true);
    for (QAction *action : std::as_const(m_chatActions))
        action->setEnabled(true);
    updateTitle();
}

void MainWindow::setConnectionStatus(const core::ConnectionStatus &status)
{
    m_status->setStatus(status);
    m_chat->connectionBanner()->setStatus(status);
    m_chat->setConnectionState(status.state);
}

void MainWindow::setSignedInUser(const QString &user)
{
    m_user = user;
    m_chat->setCurrentUser(user);
    updateTitle();
}

void MainWindow::updateTitle()
{
    if (isShowingChat() && !m_user.isEmpty())
        setWindowTitle(tr("Conversa — %1").arg(m_user));
    else
        setWindowTitle(tr("Conversa"));
}

void MainWindow::attachTray(TrayIcon *tray)
{
    hideOnClose = tray != nullptr;
    if (!tray)
        return;
    connect(tray, &TrayIcon::showWindowRequested, this, &MainWindow::bringToFront);
    connect(tray, &TrayIcon::openRoomRequested, this, &MainWindow::showRoom);
}

void MainWindow::showRoom(const QString &room)
{
    bringToFront();
    if (isShowingChat())
        m_chat->openRoom(room);
}

void MainWindow::showSignInNotKept(const QString &detail)
{
    m_chat->connectionBanner()->showSignInNotKept(detail);
    QStatusBar *bar = statusBar();
    bar->showMessage(tr("No keychain took your sign-in: you stay signed in until you quit."),
                     15000);
    bar->setToolTip(detail);
    // The tooltip belongs to this message only.
    auto *once = new QObject(this);
    connect(bar, &QStatusBar::messageChanged, once, [bar, once](const QString &) {
        bar->setToolTip({});
        once->deleteLater();
    });
}

void MainWindow::bringToFront()
{
    if (isMinimized())
        showNormal();
    show();
    raise();
    activateWindow();
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::ActivationChange && isActiveWindow())
        emit activated();
    else if (event->type() == QEvent::LanguageChange)
        retranslateUi();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (hideOnClose) {
        hide();
        event->ignore();
        return;
    }
    QMainWindow::closeEvent(event);
}

} // namespace conversa::ui
