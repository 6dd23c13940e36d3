// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "TrayIcon.h"

#include "RoomListDelegate.h"
#include "Theme.h"

#include <QEvent>
#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>

using namespace Qt::StringLiterals;

namespace conversa::ui {

TrayIcon::TrayIcon(QObject *parent)
    : QObject(parent)
    , m_tray(new QSystemTrayIcon(this))
    , m_menu(new QMenu)
{
    Theme::ensureResources();
    m_openAction = m_menu->addAction(QString(), this, &TrayIcon::showWindowRequested);
    m_menu->addSeparator();
    m_quitAction = m_menu->addAction(QString(), this, &TrayIcon::quitRequested);
    retranslate();
    // The menu is a widget and hears of a new language; the tray icon is not.
    m_menu->installEventFilter(this);
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    emit showWindowRequested();
            });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        if (!m_lastRoom.isEmpty())
            emit openRoomRequested(m_lastRoom);
        else
            emit showWindowRequested();
    });
    setUnreadCount(0);
}

TrayIcon::~TrayIcon()
{
    delete m_menu; // a QMenu cannot have a QObject parent
}

bool TrayIcon::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_menu && event->type() == QEvent::LanguageChange)
        retranslate();
    return QObject::eventFilter(watched, event);
}

void TrayIcon::retranslate()
{
    m_menu->setAccessibleName(tr("Conversa tray menu"));
    m_openAction->setText(tr("&Open Conversa"));
    m_quitAction->setText(tr("&Quit"));
    updateToolTip();
}

void TrayIcon::updateToolTip()
{
    m_tray->setToolTip(m_unread > 0 ? tr("Conversa — %n unread message(s)", nullptr, int(m_unread))
                                    : tr("Conversa"));
}

bool TrayIcon::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayIcon::show()
{
    m_tray->show();
}

QIcon TrayIcon::iconWithCount(qint64 unread)
{
    const QIcon base(u":/icons/conversa.svg"_s);
    if (unread <= 0)
        return base;
    QIcon icon;
    for (const int size : {16, 22, 32, 48, 64}) {
        QPixmap pixmap = base.pixmap(size, size);
        if (pixmap.isNull()) {
            pixmap = QPixmap(size, size);
            pixmap.fill(Qt::transparent);
        }
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const int badge = size * 5 / 8;
        const QRect circle(size - badge, 0, badge, badge);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0xd9, 0x30, 0x25));
        painter.drawEllipse(circle);
        QFont font;
        font.setBold(true);
        font.setPixelSize(qMax(6, badge * 2 / 3));
        painter.setFont(font);
        painter.setPen(Qt::white);
        painter.drawText(circle, Qt::AlignCenter, unread > 9 ? u"9+"_s : QString::number(unread));
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

void TrayIcon::setUnreadCount(qint64 unread)
{
    if (unread == m_unread)
        return;
    m_unread = unread;
    m_tray->setIcon(iconWithCount(unread));
    updateToolTip();
}

void TrayIcon::notify(const QString &room, const QString &roomTitle, const QString &sender,
                      const QString &body)
{
    m_lastRoom = room;
    QString preview = body.simplified();
    if (preview.size() > 160)
        preview = preview.left(159) + u'…';
    m_tray->showMessage(tr("%1 in #%2").arg(sender, roomTitle), preview,
                        QIcon(u":/icons/conversa.svg"_s), 8000);
}

} // namespace conversa::ui
