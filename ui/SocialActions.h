// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QModelIndex>
#include <QObject>
#include <QPointer>

class QAction;
class QMenu;
class QWidget;

namespace conversa::core {
class Account;
}

namespace conversa::ui {

// What the chat page offers for rooms and people beyond sending: New message… (a dm), Create
// room (public or private), Find rooms (the directory), and in the room menu Invite…, and for
// the room's owner Rename… and Remove member…. Dialogs open over `window`; a room to show
// (made, joined, a dm) is asked for with openRoomRequested.
class SocialActions : public QObject
{
    Q_OBJECT
public:
    explicit SocialActions(QWidget *window);

    void setAccount(core::Account *account);
    void setCurrentUser(const QString &user) { m_user = user; }
    // The open room, whose menu entries are enabled by its kind and owner.
    void setCurrentRoom(const QString &room);
    // Puts Invite…, Rename… and Remove member… into `menu`.
    void addRoomMenuActions(QMenu *menu);
    void retranslate();

    QAction *inviteAction() const { return m_invite; }
    QAction *renameAction() const { return m_rename; }
    QAction *removeAction() const { return m_remove; }

public slots:
    void newMessage();
    void messageUser(const QString &user);
    void createRoom();
    void findRooms();
    void inviteToRoom();
    void renameRoom();
    void removeMember();
    void updateActions();

signals:
    void openRoomRequested(const QString &room);

private:
    // The open room in the account's (unfiltered) room list.
    QModelIndex currentEntry() const;
    QString currentKind() const;
    bool ownsCurrentRoom() const;
    void complain(const QString &title, const QString &message);

    QWidget *m_window;
    QPointer<core::Account> m_account;
    QString m_user;
    QString m_room;
    QAction *m_invite = nullptr;
    QAction *m_rename = nullptr;
    QAction *m_remove = nullptr;
};

} // namespace conversa::ui
