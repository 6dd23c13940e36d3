// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace conversa::ui {

// The strip over the composer that says what Enter will do when it is not a new message:
// "Replying to alice: …" or "Editing your message", with a button (and Esc) to cancel.
class ComposerContextBar : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { None, Reply, Edit };

    explicit ComposerContextBar(QWidget *parent = nullptr);

    void startReply(qint64 seq, const QString &sender, const QString &preview);
    void startEdit(qint64 seq, const QString &preview);
    void clear();

    Mode mode() const { return m_mode; }
    qint64 seq() const { return m_seq; }
    QLabel *label() const { return m_label; }
    QToolButton *cancelButton() const { return m_cancel; }

signals:
    // Cancelled by the button (Esc in the composer calls clear() and emits it too).
    void cancelled(conversa::ui::ComposerContextBar::Mode mode);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();

    Mode m_mode = Mode::None;
    qint64 m_seq = 0;
    QString m_sender;
    QString m_preview;
    QLabel *m_icon = nullptr;
    QLabel *m_label = nullptr;
    QToolButton *m_cancel = nullptr;
};

} // namespace conversa::ui
