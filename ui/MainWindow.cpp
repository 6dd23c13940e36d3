// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"

#include "ChatPage.h"
#include "ConnectionStatusWidget.h"
#include "SignInPage.h"
#include "Theme.h"

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
    statusBar()->setSizeGripEnabled(true);
    connect(m_status, &ConnectionStatusWidget::reconnectRequested, this,
            &MainWindow::reconnectRequested);
    connect(m_status, &ConnectionStatusWidget::detailsRequested, this,
            &MainWindow::connectionDetailsRequested);
    buildMenus();
    showSignIn();
    resize(1180, 760);
}

void MainWindow::buildMenus()
{
    QMenu *app = menuBar()->addMenu(tr("&Conversa"));
    QAction *settings = app->addAction(tr("&Settings…"), this, &MainWindow::settingsRequested);
    settings->setShortcut(QKeySequence::Preferences);
    if (settings->shortcut().isEmpty())
        settings->setShortcut(QKeySequence(tr("Ctrl+,")));
    settings->setMenuRole(QAction::PreferencesRole);
    app->addAction(tr("Connection &details…"), this, &MainWindow::connectionDetailsRequested);
    app->addSeparator();
    QAction *signOut = app->addAction(tr("Sign &out"), this, &MainWindow::signOutRequested);
    m_chatActions.append(signOut);
    QAction *quit = app->addAction(tr("&Quit"), this, &MainWindow::quitRequested);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *room = menuBar()->addMenu(tr("&Room"));
    QAction *goTo = room->addAction(tr("&Go to room…"), m_chat, &ChatPage::showQuickSwitcher);
    goTo->setShortcut(QKeySequence(tr("Ctrl+K")));
    QAction *previous =
        room->addAction(tr("&Previous room"), m_chat, [this] { m_chat->selectAdjacentRoom(-1); });
    previous->setShortcut(QKeySequence(tr("Alt+Up")));
    QAction *next =
        room->addAction(tr("&Next room"), m_chat, [this] { m_chat->selectAdjacentRoom(1); });
    next->setShortcut(QKeySequence(tr("Alt+Down")));
    room->addSeparator();
    QAction *create = room->addAction(tr("&Create room…"), m_chat, &ChatPage::createRoom);
    create->setShortcut(QKeySequence::New);
    QAction *join = room->addAction(tr("&Join room…"), m_chat, &ChatPage::joinRoom);
    join->setShortcut(QKeySequence(tr("Ctrl+J")));
    QAction *leave = room->addAction(tr("&Leave room"), m_chat, &ChatPage::leaveRoom);
    QAction *filter = room->addAction(tr("&Filter rooms"), m_chat, [this] {
        m_chat->roomFilter()->setFocus();
        m_chat->roomFilter()->selectAll();
    });
    filter->setShortcut(QKeySequence::Find);
    m_chatActions.append({goTo, previous, next, create, join, leave, filter});
    // Shortcuts must work while the menu bar is hidden or the focus is in the composer.
    for (QAction *action : std::as_const(m_chatActions))
        addAction(action);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Conversa"), this, [this] {
        QMessageBox::about(this, tr("About Conversa"),
                           tr("Conversa %1\nChat in rooms with your organisation, live.")
                               .arg(QApplication::applicationVersion()));
    });
}

bool MainWindow::isShowingChat() const
{
    return m_stack->currentWidget() == m_chat;
}

void MainWindow::showSignIn()
{
    m_stack->setCurrentWidget(m_signIn);
    for (QAction *action : std::as_const(m_chatActions))
        action->setEnabled(false);
    m_signIn->setBusy(false);
    updateTitle();
}

void MainWindow::showChat()
{
    m_stack->setCurrentWidget(m_chat);
    for (QAction *action : std::as_const(m_chatActions))
        action->setEnabled(true);
    updateTitle();
}

void MainWindow::setConnectionStatus(const core::ConnectionStatus &status)
{
    m_status->setStatus(status);
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
