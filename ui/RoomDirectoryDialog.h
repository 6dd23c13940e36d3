// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>
#include <QPointer>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTimer;

namespace conversa::core {
class Account;
struct DirectoryPage;
} // namespace conversa::core

namespace conversa::ui {

// "Find rooms": the server's public rooms (title, name, how many members), searched by name or
// title as one types, and joined with a click. A room's exact name may also be typed.
class RoomDirectoryDialog : public QDialog
{
    Q_OBJECT
public:
    explicit RoomDirectoryDialog(core::Account *account, QWidget *parent = nullptr);

    // The room joined (after the dialog was accepted).
    QString joinedRoom() const { return m_joinedRoom; }
    QLineEdit *searchField() const { return m_search; }
    QListWidget *roomList() const { return m_rooms; }
    QLabel *statusLabel() const { return m_status; }
    QPushButton *joinButton() const { return m_join; }

public slots:
    void search();
    void joinChosenRoom();

private:
    void showPage(const core::DirectoryPage &page, bool append);
    QString chosenRoom() const;

    QPointer<core::Account> m_account;
    QLineEdit *m_search = nullptr;
    QListWidget *m_rooms = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_join = nullptr;
    QPushButton *m_more = nullptr;
    QTimer *m_debounce = nullptr;
    QString m_joinedRoom;
    QString m_lastRoom; // of the shown pages, for "More"
    quint64 m_generation = 0;
};

} // namespace conversa::ui
