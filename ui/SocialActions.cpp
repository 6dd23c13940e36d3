// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SocialActions.h"

#include "NewMessageDialog.h"
#include "RoomDirectoryDialog.h"

#include <Account.h>
#include <MemberListModel.h>
#include <RoomActions.h>
#include <RoomListModel.h>

#include <QAction>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>

using namespace Qt::StringLiterals;
using conversa::core::RoomListModel;
using conversa::core::RoomOperationResult;

namespace conversa::ui {

SocialActions::SocialActions(QWidget *window)
    : QObject(window)
    , m_window(window)
{
    m_invite = new QAction(this);
    m_invite->setObjectName(u"inviteAction"_s);
    connect(m_invite, &QAction::triggered, this, &SocialActions::inviteToRoom);
    m_rename = new QAction(this);
    m_rename->setObjectName(u"renameRoomAction"_s);
    connect(m_rename, &QAction::triggered, this, &SocialActions::renameRoom);
    m_remove = new QAction(this);
    m_remove->setObjectName(u"removeMemberAction"_s);
    connect(m_remove, &QAction::triggered, this, &SocialActions::removeMember);
    retranslate();
    updateActions();
}

void SocialActions::retranslate()
{
    m_invite->setText(tr("Invite someone…"));
    m_rename->setText(tr("Rename room…"));
    m_remove->setText(tr("Remove a member…"));
}

void SocialActions::setAccount(core::Account *account)
{
    m_account = account;
    updateActions();
}

void SocialActions::setCurrentRoom(const QString &room)
{
    m_room = room;
    updateActions();
}

void SocialActions::addRoomMenuActions(QMenu *menu)
{
    menu->addAction(m_invite);
    menu->addAction(m_rename);
    menu->addAction(m_remove);
    connect(menu, &QMenu::aboutToShow, this, &SocialActions::updateActions);
}

QModelIndex SocialActions::currentEntry() const
{
    return m_account ? m_account->rooms()->indexOfRoom(m_room) : QModelIndex();
}

QString SocialActions::currentKind() const
{
    return currentEntry().data(RoomListModel::KindRole).toString();
}

bool SocialActions::ownsCurrentRoom() const
{
    return !m_user.isEmpty() && currentEntry().data(RoomListModel::OwnerRole).toString() == m_user;
}

void SocialActions::updateActions()
{
    const bool room = m_account && !m_room.isEmpty();
    const bool dm = currentKind() == "dm"_L1;
    // Nobody joins a dm but its two people; only a room's owner renames it or removes members.
    m_invite->setVisible(!dm);
    m_invite->setEnabled(room && !dm);
    m_rename->setVisible(!dm);
    m_remove->setVisible(!dm);
    m_rename->setEnabled(room && !dm && ownsCurrentRoom());
    m_remove->setEnabled(room && !dm && ownsCurrentRoom());
}

void SocialActions::complain(const QString &title, const QString &message)
{
    QMessageBox::warning(m_window, title, message);
}

void SocialActions::newMessage()
{
    if (!m_account)
        return;
    NewMessageDialog dialog(m_account, m_window);
    if (dialog.exec() == QDialog::Accepted && !dialog.openedRoom().isEmpty())
        emit openRoomRequested(dialog.openedRoom());
}

void SocialActions::messageUser(const QString &user)
{
    if (!m_account || user.isEmpty() || user == m_user)
        return;
    m_account->actions()->openDirectMessage(user, this, [this](const RoomOperationResult &result) {
        if (!result.ok()) {
            complain(tr("New message"), result.message);
            return;
        }
        emit openRoomRequested(result.room);
    });
}

void SocialActions::createRoom()
{
    if (!m_account)
        return;
    QDialog dialog(m_window);
    dialog.setWindowTitle(tr("Create a room"));
    dialog.setAccessibleName(tr("Create a room"));
    auto *name = new QLineEdit(&dialog);
    name->setObjectName(u"newRoomName"_s);
    name->setAccessibleName(tr("Room name"));
    name->setPlaceholderText(tr("e.g. design-team"));
    auto *title = new QLineEdit(&dialog);
    title->setObjectName(u"newRoomTitle"_s);
    title->setAccessibleName(tr("Room title"));
    title->setPlaceholderText(tr("e.g. Design team"));
    auto *privateRoom =
        new QCheckBox(tr("Private: only people you invite can see and join it"), &dialog);
    privateRoom->setObjectName(u"newRoomPrivate"_s);
    privateRoom->setAccessibleName(tr("Private room"));
    auto *hint = new QLabel(tr("Names use lower-case letters, digits, “-” and “_”."), &dialog);
    hint->setForegroundRole(QPalette::PlaceholderText);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    connect(name, &QLineEdit::textChanged, &dialog, [name, buttons] {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(core::isValidRoomName(name->text()));
    });
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("&Name"), name);
    form->addRow(tr("&Title"), title);
    form->addRow(privateRoom);
    form->addRow(hint);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_account->actions()->createRoom(name->text(), title->text(), privateRoom->isChecked(), this,
                                     [this](const RoomOperationResult &result) {
                                         if (!result.ok()) {
                                             complain(tr("Create a room"), result.message);
                                             return;
                                         }
                                         emit openRoomRequested(result.room);
                                     });
}

void SocialActions::findRooms()
{
    if (!m_account)
        return;
    RoomDirectoryDialog dialog(m_account, m_window);
    if (dialog.exec() == QDialog::Accepted && !dialog.joinedRoom().isEmpty())
        emit openRoomRequested(dialog.joinedRoom());
}

void SocialActions::inviteToRoom()
{
    if (!m_account || m_room.isEmpty())
        return;
    bool ok = false;
    const QString user =
        QInputDialog::getItem(m_window, tr("Invite someone"),
                              tr("User name of the person to add to #%1:").arg(m_room),
                              m_account->rooms()->knownPeople(), -1, true, &ok)
            .trimmed();
    if (!ok || user.isEmpty())
        return;
    const QString room = m_room;
    m_account->actions()->invite(room, user, this,
                                 [this, user, room](const RoomOperationResult &result) {
                                     if (!result.ok())
                                         complain(tr("Invite someone"), result.message);
                                     else if (m_account)
                                         m_account->members()->setRoom(room);
                                 });
}

void SocialActions::renameRoom()
{
    if (!m_account || m_room.isEmpty())
        return;
    const QString current = currentEntry().data(Qt::DisplayRole).toString();
    bool ok = false;
    const QString title =
        QInputDialog::getText(m_window, tr("Rename room"), tr("New title of #%1:").arg(m_room),
                              QLineEdit::Normal, current, &ok)
            .trimmed();
    if (!ok || title.isEmpty() || title == current)
        return;
    m_account->actions()->rename(m_room, title, this, [this](const RoomOperationResult &result) {
        if (!result.ok())
            complain(tr("Rename room"), result.message);
    });
}

void SocialActions::removeMember()
{
    if (!m_account || m_room.isEmpty())
        return;
    QStringList members;
    const core::MemberListModel *model = m_account->members();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QString user = model->index(row).data(core::MemberListModel::UserRole).toString();
        if (user != m_user)
            members.append(user);
    }
    if (members.isEmpty()) {
        complain(tr("Remove a member"), tr("Nobody else is in this room."));
        return;
    }
    bool ok = false;
    const QString user =
        QInputDialog::getItem(m_window, tr("Remove a member"),
                              tr("Whom to take out of #%1:").arg(m_room), members, 0, false, &ok);
    if (!ok || user.isEmpty())
        return;
    if (QMessageBox::question(
            m_window, tr("Remove a member"),
            tr("Remove %1 from #%2? They will no longer see its messages.").arg(user, m_room)) !=
        QMessageBox::Yes)
        return;
    const QString room = m_room;
    m_account->actions()->removeMember(room, user, this,
                                       [this, room](const RoomOperationResult &result) {
                                           if (!result.ok())
                                               complain(tr("Remove a member"), result.message);
                                           else if (m_account)
                                               m_account->members()->setRoom(room);
                                       });
}

} // namespace conversa::ui
