// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionState.h>

#include <QFrame>

class QLabel;
class QPushButton;
class QToolButton;

namespace conversa::ui {

// A strip above the messages, shown only while something is wrong that the reader should know
// about: the link is down ("You are offline · reconnecting in 4 s", with "Reconnect now"), the
// server no longer accepts the sign-in, or no keychain kept it. The status bar stays a one-line
// summary; this is where trouble is explained and acted on.
class ConnectionBanner : public QFrame
{
    Q_OBJECT
public:
    explicit ConnectionBanner(QWidget *parent = nullptr);

    void setStatus(const core::ConnectionStatus &status);
    // Messages waiting in the outbox: the offline line says they will be sent.
    void setPendingCount(int pending);
    // Shown (with a close button) until dismissed or replaced by connection trouble.
    void showSignInNotKept(const QString &detail);

    QString text() const;
    QPushButton *reconnectButton() const { return m_reconnect; }

signals:
    void reconnectRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void refresh();
    void updateColours();

    core::ConnectionStatus m_status;
    int m_pending = 0;
    QString m_notKeptDetail; // non-empty while that notice stands
    QLabel *m_icon = nullptr;
    QLabel *m_text = nullptr;
    QPushButton *m_reconnect = nullptr;
    QToolButton *m_dismiss = nullptr;
};

} // namespace conversa::ui
