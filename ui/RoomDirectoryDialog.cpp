// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RoomDirectoryDialog.h"

#include <Account.h>
#include <RoomActions.h>
#include <RoomListModel.h>

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace conversa::ui {

namespace {
constexpr int kNameRole = Qt::UserRole + 1;
}

RoomDirectoryDialog::RoomDirectoryDialog(core::Account *account, QWidget *parent)
    : QDialog(parent)
    , m_account(account)
{
    setObjectName(u"roomDirectoryDialog"_s);
    setWindowTitle(tr("Find rooms"));
    setAccessibleName(tr("Find rooms"));
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"directorySearch"_s);
    m_search->setAccessibleName(tr("Search rooms"));
    m_search->setPlaceholderText(tr("Search by name or title, or type a room's name"));
    m_search->setClearButtonEnabled(true);
    m_rooms = new QListWidget(this);
    m_rooms->setObjectName(u"directoryList"_s);
    m_rooms->setAccessibleName(tr("Public rooms"));
    m_status = new QLabel(this);
    m_status->setObjectName(u"directoryStatus"_s);
    m_status->setAccessibleName(tr("About the list of rooms"));
    m_status->setWordWrap(true);
    m_more = new QPushButton(this);
    m_more->setObjectName(u"directoryMore"_s);
    m_more->setText(tr("Show more"));
    m_more->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_join = buttons->addButton(tr("Join"), QDialogButtonBox::AcceptRole);
    m_join->setObjectName(u"directoryJoin"_s);
    m_join->setEnabled(false);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_debounce, &QTimer::timeout, this, &RoomDirectoryDialog::search);
    connect(m_search, &QLineEdit::textChanged, this, [this] {
        m_debounce->start();
        m_join->setEnabled(!chosenRoom().isEmpty());
    });
    connect(m_search, &QLineEdit::returnPressed, this, &RoomDirectoryDialog::joinChosenRoom);
    connect(m_rooms, &QListWidget::currentRowChanged, this,
            [this] { m_join->setEnabled(!chosenRoom().isEmpty()); });
    connect(m_rooms, &QListWidget::itemActivated, this, &RoomDirectoryDialog::joinChosenRoom);
    connect(m_more, &QPushButton::clicked, this, [this] {
        if (!m_account || !m_account->actions())
            return;
        const quint64 generation = m_generation;
        m_account->actions()->findRooms(m_search->text(), m_lastRoom, this,
                                        [this, generation](const core::DirectoryPage &page) {
                                            if (generation == m_generation)
                                                showPage(page, true);
                                        });
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &RoomDirectoryDialog::joinChosenRoom);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_search);
    layout->addWidget(m_rooms, 1);
    layout->addWidget(m_more, 0, Qt::AlignLeft);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(460, 480);
    search();
}

void RoomDirectoryDialog::search()
{
    if (!m_account || !m_account->actions())
        return;
    const quint64 generation = ++m_generation;
    m_status->setText(tr("Looking for rooms…"));
    m_account->actions()->findRooms(m_search->text(), {}, this,
                                    [this, generation](const core::DirectoryPage &page) {
                                        // Only the answer to the newest query counts.
                                        if (generation == m_generation)
                                            showPage(page, false);
                                    });
}

void RoomDirectoryDialog::showPage(const core::DirectoryPage &page, bool append)
{
    if (!append)
        m_rooms->clear();
    if (!page.result.ok()) {
        m_status->setText(page.result.message);
        m_more->hide();
        return;
    }
    const core::RoomListModel *mine = m_account ? m_account->rooms() : nullptr;
    for (const core::PublicRoom &room : page.rooms) {
        const bool member = mine && mine->rowOfRoom(room.name) >= 0;
        QString line = tr("%1 — #%2 · %n member(s)", nullptr, int(room.members))
                           .arg(room.title.isEmpty() ? room.name : room.title, room.name);
        if (member)
            line += u" · "_s + tr("joined");
        auto *item = new QListWidgetItem(line, m_rooms);
        item->setData(kNameRole, room.name);
        m_lastRoom = room.name;
    }
    m_more->setVisible(page.more);
    m_status->setText(
        m_rooms->count() == 0
            ? (m_search->text().trimmed().isEmpty()
                   ? tr("This server has no public rooms yet.")
                   : tr("No public room matches “%1”.").arg(m_search->text().trimmed()))
            : QString());
    if (m_rooms->count() > 0 && !m_rooms->currentItem())
        m_rooms->setCurrentRow(0);
}

QString RoomDirectoryDialog::chosenRoom() const
{
    if (const QListWidgetItem *item = m_rooms->currentItem())
        return item->data(kNameRole).toString();
    const QString typed = m_search->text().trimmed();
    return core::isValidRoomName(typed) ? typed : QString();
}

void RoomDirectoryDialog::joinChosenRoom()
{
    const QString room = chosenRoom();
    if (room.isEmpty() || !m_account)
        return;
    m_join->setEnabled(false);
    m_account->joinRoom(room, this, [this](const core::RoomOperationResult &result) {
        m_join->setEnabled(true);
        if (!result.ok()) {
            m_status->setText(result.message);
            return;
        }
        m_joinedRoom = result.room;
        accept();
    });
}

} // namespace conversa::ui
