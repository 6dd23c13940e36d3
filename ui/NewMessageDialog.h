// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>
#include <QPointer>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace conversa::core {
class Account;
}

namespace conversa::ui {

// "New message…": pick a person (those this account has seen in its rooms, filtered as one
// types) or type anyone's exact user name, and open the direct-message room with them. A
// refusal (no such person, offline) is said in words in the dialog, which stays open.
class NewMessageDialog : public QDialog
{
    Q_OBJECT
public:
    explicit NewMessageDialog(core::Account *account, QWidget *parent = nullptr);

    // The dm room opened (after the dialog was accepted).
    QString openedRoom() const { return m_openedRoom; }
    QLineEdit *searchField() const { return m_search; }
    QListWidget *peopleList() const { return m_people; }
    QLabel *statusLabel() const { return m_status; }
    // Whom "Message" would write to now: the selected person, else the typed name.
    QString chosenUser() const;

public slots:
    void startConversation();

private:
    void refill();

    QPointer<core::Account> m_account;
    QStringList m_known;
    QLineEdit *m_search = nullptr;
    QListWidget *m_people = nullptr;
    QLabel *m_status = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QString m_openedRoom;
};

} // namespace conversa::ui
