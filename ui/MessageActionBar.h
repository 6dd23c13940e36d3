// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFrame>

class QToolButton;

namespace conversa::ui {

// The actions offered on the message under the pointer, floating at its top right as Telegram
// and Element do: reply, react, edit and delete (when allowed), copy link. Real buttons, so they
// have tooltips and accessible names and take the keyboard.
class MessageActionBar : public QFrame
{
    Q_OBJECT
public:
    explicit MessageActionBar(QWidget *parent = nullptr);

    // The message the buttons act on, and which of them it allows.
    void showFor(qint64 seq, bool canEdit, bool canDelete);
    qint64 seq() const { return m_seq; }

    QToolButton *replyButton() const { return m_reply; }
    QToolButton *reactButton() const { return m_react; }
    QToolButton *editButton() const { return m_edit; }
    QToolButton *deleteButton() const { return m_delete; }
    QToolButton *copyLinkButton() const { return m_copyLink; }

signals:
    void replyRequested(qint64 seq);
    // `anchor`: the react button, for a picker to open beside it.
    void reactRequested(qint64 seq, QWidget *anchor);
    void editRequested(qint64 seq);
    void deleteRequested(qint64 seq);
    void copyLinkRequested(qint64 seq);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void updateIcons();

    qint64 m_seq = 0;
    QToolButton *m_reply = nullptr;
    QToolButton *m_react = nullptr;
    QToolButton *m_edit = nullptr;
    QToolButton *m_delete = nullptr;
    QToolButton *m_copyLink = nullptr;
};

} // namespace conversa::ui
