// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFrame>
#include <QList>

class QToolButton;

namespace conversa::ui {

// The quick reactions: a popup strip of large colour emoji, as Telegram and Element offer, and
// "More emoji…" at its end for the full picker. Each emoji is a real button with a tooltip and
// an accessible name, reached with Tab and the arrow keys.
class QuickReactionBar : public QFrame
{
    Q_OBJECT
public:
    QuickReactionBar(const QStringList &emoji, QWidget *parent = nullptr);

    // Opens below `anchor` (above it when there is no room below), the first emoji focused.
    void popup(QWidget *anchor);
    const QList<QToolButton *> &emojiButtons() const { return m_emojiButtons; }
    QToolButton *moreButton() const { return m_more; }

signals:
    void emojiChosen(const QString &emoji);
    void moreRequested();

protected:
    void changeEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void retranslateUi();

    QList<QToolButton *> m_emojiButtons;
    QToolButton *m_more = nullptr;
};

} // namespace conversa::ui
