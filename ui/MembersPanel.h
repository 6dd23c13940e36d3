// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QListView;
class QAbstractItemModel;

namespace conversa::core {
class MemberListModel;
class TypingUsers;
} // namespace conversa::core

namespace conversa::ui {

// The room's members: an online dot per person, "typing…" beside those who are, and a header
// with how many are online.
class MembersPanel : public QWidget
{
    Q_OBJECT
public:
    explicit MembersPanel(QWidget *parent = nullptr);

    void setModels(core::MemberListModel *members, core::TypingUsers *typing);
    // Whose "typing…" to show (the open room's).
    void setTyping(core::TypingUsers *typing);
    void setCurrentUser(const QString &user);
    QListView *list() const { return m_list; }

signals:
    // "Send … a direct message" from a member's context menu.
    void messageRequested(const QString &user);

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateHeader();

    QPointer<core::MemberListModel> m_members;
    QPointer<core::TypingUsers> m_typing;
    QLabel *m_header = nullptr;
    QListView *m_list = nullptr;
    class MemberDelegate *m_delegate = nullptr;
};

} // namespace conversa::ui
