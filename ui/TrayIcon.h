// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QIcon>
#include <QObject>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace conversa::ui {

// The tray (notification area) icon: the app icon with the unread count on it, a menu, and the
// desktop notification for a mention, which opens its room when clicked.
class TrayIcon : public QObject
{
    Q_OBJECT
public:
    explicit TrayIcon(QObject *parent = nullptr);
    ~TrayIcon() override;

    static bool isAvailable();
    void show();
    void setUnreadCount(qint64 unread);
    qint64 unreadCount() const { return m_unread; }
    // "#general — alice: @bob can you look?"
    void notify(const QString &room, const QString &roomTitle, const QString &sender,
                const QString &body);
    QString lastNotifiedRoom() const { return m_lastRoom; }
    // The icon with a badge, as shown in the tray (also used for tests and the window icon).
    static QIcon iconWithCount(qint64 unread);
    QSystemTrayIcon *systemTrayIcon() const { return m_tray; }

signals:
    void showWindowRequested();
    void openRoomRequested(const QString &room);
    void quitRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void retranslate();
    void updateToolTip();

    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_menu = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_quitAction = nullptr;
    qint64 m_unread = -1;
    QString m_lastRoom;
};

} // namespace conversa::ui
