// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "NewMessageDialog.h"

#include <Account.h>
#include <RoomActions.h>
#include <RoomListModel.h>

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace conversa::ui {

NewMessageDialog::NewMessageDialog(core::Account *account, QWidget *parent)
    : QDialog(parent)
    , m_account(account)
{
    setObjectName(u"newMessageDialog"_s);
    setWindowTitle(tr("New message"));
    setAccessibleName(tr("New message"));
    if (account && account->rooms())
        m_known = account->rooms()->knownPeople();

    auto *intro = new QLabel(tr("Write to someone directly. Pick a person you share a room with, "
                                "or type their exact user name."),
                             this);
    intro->setWordWrap(true);
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"newMessageSearch"_s);
    m_search->setAccessibleName(tr("Search people"));
    m_search->setPlaceholderText(tr("User name"));
    m_search->setClearButtonEnabled(true);
    m_people = new QListWidget(this);
    m_people->setObjectName(u"newMessagePeople"_s);
    m_people->setAccessibleName(tr("People"));
    m_status = new QLabel(this);
    m_status->setObjectName(u"newMessageStatus"_s);
    m_status->setAccessibleName(tr("Why no conversation was opened"));
    m_status->setWordWrap(true);
    m_status->hide();
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Message"));

    connect(m_search, &QLineEdit::textChanged, this, &NewMessageDialog::refill);
    connect(m_search, &QLineEdit::returnPressed, this, &NewMessageDialog::startConversation);
    connect(m_people, &QListWidget::itemActivated, this, &NewMessageDialog::startConversation);
    connect(m_people, &QListWidget::currentRowChanged, this, [this] {
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!chosenUser().isEmpty());
    });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &NewMessageDialog::startConversation);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_search);
    layout->addWidget(m_people, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    resize(380, 420);
    refill();
}

void NewMessageDialog::refill()
{
    const QString typed = m_search->text().trimmed();
    m_people->clear();
    for (const QString &person : std::as_const(m_known)) {
        if (typed.isEmpty() || person.contains(typed, Qt::CaseInsensitive))
            m_people->addItem(person);
    }
    if (m_people->count() > 0 && !typed.isEmpty())
        m_people->setCurrentRow(0);
    m_status->hide();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!chosenUser().isEmpty());
}

QString NewMessageDialog::chosenUser() const
{
    if (const QListWidgetItem *item = m_people->currentItem())
        return item->text();
    return m_search->text().trimmed().toLower();
}

void NewMessageDialog::startConversation()
{
    const QString user = chosenUser();
    if (user.isEmpty() || !m_account || !m_account->actions())
        return;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_account->actions()->openDirectMessage(
        user, this, [this](const core::RoomOperationResult &result) {
            m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
            if (!result.ok()) {
                m_status->setText(result.message);
                m_status->show();
                return;
            }
            m_openedRoom = result.room;
            accept();
        });
}

} // namespace conversa::ui
