// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ConnectionBanner.h"

#include "Theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>

using namespace Qt::StringLiterals;
using conversa::core::ConnectionState;

namespace conversa::ui {

ConnectionBanner::ConnectionBanner(QWidget *parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_reconnect(new QPushButton(this))
    , m_dismiss(new QToolButton(this))
{
    setObjectName(u"connectionBanner"_s);
    setAutoFillBackground(true);
    setFrameShape(QFrame::NoFrame);
    m_text->setObjectName(u"connectionBannerText"_s);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_reconnect->setObjectName(u"bannerReconnectButton"_s);
    m_reconnect->setCursor(Qt::PointingHandCursor);
    m_dismiss->setObjectName(u"bannerDismissButton"_s);
    m_dismiss->setAutoRaise(true);
    m_dismiss->setText(u"✕"_s);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(16, 6, 12, 6);
    layout->setSpacing(10);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_reconnect);
    layout->addWidget(m_dismiss);

    connect(m_reconnect, &QPushButton::clicked, this, &ConnectionBanner::reconnectRequested);
    connect(m_dismiss, &QToolButton::clicked, this, [this] {
        m_notKeptDetail.clear();
        refresh();
    });
    updateColours();
    refresh();
}

void ConnectionBanner::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        refresh();
    else if (event->type() == QEvent::PaletteChange)
        updateColours();
}

void ConnectionBanner::updateColours()
{
    // Only the background is set here; text keeps the palette's (readable in both themes).
    QPalette p = palette();
    const QColor background = Theme::warningBackground();
    if (p.color(QPalette::Window) != background) {
        p.setColor(QPalette::Window, background);
        setPalette(p);
    }
    const int side = m_text->fontMetrics().height();
    m_icon->setPixmap(Theme::icon(u"offline"_s).pixmap(side, side));
    m_reconnect->setIcon(Theme::icon(u"reconnect"_s));
}

void ConnectionBanner::setStatus(const core::ConnectionStatus &status)
{
    m_status = status;
    refresh();
}

void ConnectionBanner::setPendingCount(int pending)
{
    if (pending == m_pending)
        return;
    m_pending = pending;
    refresh();
}

void ConnectionBanner::showSignInNotKept(const QString &detail)
{
    m_notKeptDetail = detail.isEmpty() ? u" "_s : detail;
    refresh();
}

QString ConnectionBanner::text() const
{
    return m_text->text();
}

void ConnectionBanner::refresh()
{
    m_reconnect->setText(tr("Reconnect now"));
    m_reconnect->setAccessibleName(tr("Reconnect now"));
    m_dismiss->setToolTip(tr("Dismiss"));
    m_dismiss->setAccessibleName(tr("Dismiss"));
    setAccessibleName(tr("Connection problem"));

    QString line;
    QString detail;
    bool canReconnect = false;
    switch (m_status.state) {
    case ConnectionState::WaitingToReconnect:
        line = m_pending > 0
                   ? tr("You are offline; %n message(s) will be sent when you are back. "
                        "Reconnecting in %1 s.",
                        nullptr, m_pending)
                         .arg(m_status.secondsLeft)
                   : tr("You are offline. Reconnecting in %n s.", nullptr, m_status.secondsLeft);
        detail = m_status.reason;
        canReconnect = true;
        break;
    case ConnectionState::AuthFailed:
        line = tr("The server no longer accepts your sign-in. Sign in again to keep chatting.");
        detail = m_status.reason;
        break;
    default:
        break;
    }
    const bool trouble = !line.isEmpty();
    if (!trouble && !m_notKeptDetail.isEmpty()) {
        line = tr("No keychain took your sign-in: you stay signed in until you quit.");
        detail = m_notKeptDetail.trimmed();
    }
    if (!detail.isEmpty() && trouble)
        line += u" "_s + detail;
    m_text->setText(line);
    m_text->setToolTip(detail);
    m_text->setAccessibleName(line);
    m_reconnect->setVisible(canReconnect);
    m_dismiss->setVisible(!trouble && !m_notKeptDetail.isEmpty());
    setVisible(!line.isEmpty());
}

} // namespace conversa::ui
