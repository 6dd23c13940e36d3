// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionState.h>

#include <QWidget>

class QLabel;
class QPushButton;

namespace conversa::ui {

// The status bar's account of the connection, always the true state: a coloured dot, the state
// in words ("Online", "Reconnecting in 4 s", "Offline — messages will be sent when you are
// back"), the reason on hover, "Reconnect now" while waiting, and a way to the details.
class ConnectionStatusWidget : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionStatusWidget(QWidget *parent = nullptr);

    void setStatus(const core::ConnectionStatus &status);
    // Messages waiting in the outbox change what "offline" means to the reader.
    void setPendingCount(int pending);
    // The outbox draining: `sent` of `total` answered by the server since it was last empty
    // ("Online · sending 120 of 5,000…" while sent < total).
    void setOutboxProgress(int sent, int total);
    // While the chat page's banner tells the whole story (the reason, what waits, "Reconnect
    // now"), the status bar keeps to the state in a few words; the reason stays in the tooltip.
    void setCompact(bool compact);
    bool isCompact() const { return m_compact; }
    // The line the bar shows (before eliding).
    QString text() const;
    core::ConnectionStatus status() const { return m_status; }

    static QString describe(const core::ConnectionStatus &status, int pending);
    static QString describe(const core::ConnectionStatus &status, int pending, int sent, int total);
    static QString describeCompact(const core::ConnectionStatus &status, int sent, int total);

signals:
    void reconnectRequested();
    void detailsRequested();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void refresh();
    void elide();

    core::ConnectionStatus m_status;
    int m_pending = 0;
    int m_sent = 0;
    int m_total = 0;
    bool m_compact = false;
    QString m_fullText;
    QLabel *m_dot = nullptr;
    QLabel *m_label = nullptr;
    QPushButton *m_reconnect = nullptr;
    QPushButton *m_details = nullptr;
};

} // namespace conversa::ui
