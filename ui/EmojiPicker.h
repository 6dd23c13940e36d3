// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFrame>

class QListWidget;
class QTabWidget;

namespace conversa::ui {

// A small popup of common emoji by category. Arrow keys move, Enter or a click picks one and
// closes it, Escape closes it; Ctrl+Tab changes the category.
class EmojiPicker : public QFrame
{
    Q_OBJECT
public:
    explicit EmojiPicker(QWidget *parent = nullptr);

    // Opens below-left of `anchor` (above it when there is no room below), focused.
    void popup(QWidget *anchor);
    QTabWidget *tabs() const { return m_tabs; }
    QListWidget *currentGrid() const;

signals:
    void emojiChosen(const QString &emoji);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();

    QTabWidget *m_tabs = nullptr;
};

} // namespace conversa::ui
