// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ConnectionStatusWidget.h"

#include "Theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>

using namespace Qt::StringLiterals;
using conversa::core::ConnectionState;

namespace conversa::ui {

ConnectionStatusWidget::ConnectionStatusWidget(QWidget *parent)
    : QWidget(parent)
    , m_dot(new QLabel(this))
    , m_label(new QLabel(this))
    , m_reconnect(new QPushButton(this))
    , m_details(new QPushButton(this))
{
    setObjectName(u"connectionStatus"_s);
    m_label->setObjectName(u"connectionStatusText"_s);
    m_dot->setFixedSize(10, 10);
    m_reconnect->setObjectName(u"reconnectNowButton"_s);
    m_reconnect->setFlat(true);
    m_reconnect->setCursor(Qt::PointingHandCursor);
    m_details->setObjectName(u"connectionDetailsButton"_s);
    m_details->setFlat(true);
    m_details->setCursor(Qt::PointingHandCursor);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 6, 0);
    layout->setSpacing(6);
    layout->addWidget(m_dot);
    layout->addWidget(m_label, 1);
    m_label->setMinimumWidth(40);
    m_label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(m_reconnect);
    layout->addWidget(m_details);

    connect(m_reconnect, &QPushButton::clicked, this, &ConnectionStatusWidget::reconnectRequested);
    connect(m_details, &QPushButton::clicked, this, &ConnectionStatusWidget::detailsRequested);
    refresh();
}

void ConnectionStatusWidget::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        refresh();
}

void ConnectionStatusWidget::setStatus(const core::ConnectionStatus &status)
{
    m_status = status;
    refresh();
}

void ConnectionStatusWidget::setPendingCount(int pending)
{
    if (pending == m_pending)
        return;
    m_pending = pending;
    refresh();
}

QString ConnectionStatusWidget::text() const
{
    return m_fullText;
}

void ConnectionStatusWidget::setOutboxProgress(int sent, int total)
{
    if (sent == m_sent && total == m_total)
        return;
    m_sent = sent;
    m_total = total;
    refresh();
}

QString ConnectionStatusWidget::describe(const core::ConnectionStatus &status, int pending)
{
    return describe(status, pending, 0, 0);
}

QString ConnectionStatusWidget::describe(const core::ConnectionStatus &status, int pending,
                                         int sent, int total)
{
    switch (status.state) {
    case ConnectionState::SignedOut:
        return tr("Signed out");
    case ConnectionState::Connecting:
        return tr("Connecting…");
    case ConnectionState::Authenticating:
        return tr("Signing in…");
    case ConnectionState::Syncing:
        return tr("Catching up…");
    case ConnectionState::Online:
        // A drain of more than one message says how far it got.
        if (total > 1 && sent < total)
            return tr("Online · sending %1 of %2…")
                .arg(QLocale().toString(sent), QLocale().toString(total));
        return pending > 0 ? tr("Online · sending %n message(s)…", nullptr, pending) : tr("Online");
    case ConnectionState::WaitingToReconnect: {
        const QString countdown = tr("Reconnecting in %n s", nullptr, status.secondsLeft);
        if (pending > 0)
            return tr("Offline — messages will be sent when you are back") + u" · "_s + countdown;
        return countdown;
    }
    case ConnectionState::AuthFailed:
        return tr("Sign-in needed");
    }
    return {};
}

QString ConnectionStatusWidget::describeCompact(const core::ConnectionStatus &status, int sent,
                                                int total)
{
    if (status.state == ConnectionState::WaitingToReconnect)
        return tr("Offline · reconnecting in %n s", nullptr, status.secondsLeft);
    return describe(status, 0, sent, total);
}

void ConnectionStatusWidget::setCompact(bool compact)
{
    if (m_compact == compact)
        return;
    m_compact = compact;
    refresh();
}

void ConnectionStatusWidget::refresh()
{
    m_reconnect->setText(tr("Reconnect now"));
    m_reconnect->setAccessibleName(tr("Reconnect now"));
    m_details->setText(tr("Connection details…"));
    m_details->setAccessibleName(tr("Connection details"));
    m_label->setAccessibleName(tr("Connection state"));
    m_dot->setAccessibleName(tr("Connection indicator"));
    QColor dot = Theme::offlineDot();
    switch (m_status.state) {
    case ConnectionState::Online:
        dot = Theme::onlineDot();
        break;
    case ConnectionState::Connecting:
    case ConnectionState::Authenticating:
    case ConnectionState::Syncing:
        dot = QColor(0xe0, 0xa8, 0x1e);
        break;
    case ConnectionState::WaitingToReconnect:
    case ConnectionState::AuthFailed:
        dot = Theme::failureText();
        break;
    case ConnectionState::SignedOut:
        break;
    }
    m_dot->setStyleSheet(u"background:%1;border-radius:5px;"_s.arg(dot.name()));
    QString line = describe(m_status, m_pending, m_sent, m_total);
    if (!m_status.reason.isEmpty() && m_status.state != ConnectionState::Online)
        line += u" — "_s + m_status.reason;
    m_fullText = m_compact ? describeCompact(m_status, m_sent, m_total) : line;
    m_label->setToolTip(line);
    m_reconnect->setVisible(!m_compact && m_status.state == ConnectionState::WaitingToReconnect);
    elide();
}

void ConnectionStatusWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    elide();
}

void ConnectionStatusWidget::elide()
{
    // The whole line is in the tooltip and the accessible description; the bar shows what fits.
    const int room = qMax(40, m_label->width());
    m_label->setText(m_label->fontMetrics().elidedText(m_fullText, Qt::ElideRight, room));
    m_label->setAccessibleDescription(m_label->toolTip());
}

} // namespace conversa::ui
