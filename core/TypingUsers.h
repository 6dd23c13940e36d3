// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace conversa::core {

class SessionManager;

// Who is typing in one room. Each typing event counts for a few seconds; a message from that
// person ends it at once.
class TypingUsers : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>;

    explicit TypingUsers(QObject *parent = nullptr);

    void setSession(SessionManager *session);
    void setRoom(const QString &room);
    void setExpiry(int ms) { m_expiryMs = ms; }
    void setClock(Clock clock) { m_clock = std::move(clock); }

    QStringList users() const; // sorted
    // "alice is typing…", "alice and bob are typing…", "Several people are typing…"; empty
    // when nobody is.
    QString displayText() const;

public slots:
    void noteTyping(const QString &room, const QString &user);
    void noteMessage(const QString &room, const QString &user);
    // Drops entries that have expired (also runs on a timer).
    void expire();

signals:
    void changed();

private:
    QPointer<SessionManager> m_session;
    QString m_room;
    QHash<QString, qint64> m_until; // user -> expiry time
    int m_expiryMs = 6000;
    Clock m_clock;
    QTimer m_timer;
};

} // namespace conversa::core
