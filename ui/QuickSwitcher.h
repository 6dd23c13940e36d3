// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QAbstractItemModel;
class QLabel;
class QLineEdit;
class QListView;

namespace conversa::ui {

class RoomFilterModel;

// Ctrl+K: type part of a room's name, arrows to pick, Enter to go there.
class QuickSwitcher : public QDialog
{
    Q_OBJECT
public:
    explicit QuickSwitcher(QAbstractItemModel *rooms, QWidget *parent = nullptr);

    // Clears the filter, selects the first room and shows the dialog centred on the parent.
    void popup();
    QLineEdit *filterEdit() const { return m_filter; }
    QListView *list() const { return m_list; }
    QString currentRoom() const;

signals:
    void roomChosen(const QString &room);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void choose();
    void selectRow(int row);

    RoomFilterModel *m_filtered = nullptr;
    QLineEdit *m_filter = nullptr;
    QListView *m_list = nullptr;
    QLabel *m_hint = nullptr;
};

} // namespace conversa::ui
