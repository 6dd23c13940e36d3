// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "TypingUsers.h"

#include "SessionManager.h"

#include <QCoreApplication>
#include <QDateTime>

namespace conversa::core {

TypingUsers::TypingUsers(QObject *parent)
    : QObject(parent)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &TypingUsers::expire);
}

void TypingUsers::setSession(SessionManager *session)
{
    if (m_session)
        m_session->disconnect(this);
    m_session = session;
    if (!session)
        return;
    connect(session, &SessionManager::typingReceived, this, &TypingUsers::noteTyping);
    connect(session, &SessionManager::messageReceived, this,
            [this](const protocol::MessageEvent &m) { noteMessage(m.room, m.from); });
}

void TypingUsers::setRoom(const QString &room)
{
    if (room == m_room)
        return;
    m_room = room;
    const bool hadUsers = !m_until.isEmpty();
    m_until.clear();
    m_timer.stop();
    if (hadUsers)
        emit changed();
}

void TypingUsers::noteTyping(const QString &room, const QString &user)
{
    if (room != m_room || (m_session && user == m_session->user()))
        return;
    const bool isNew = !m_until.contains(user);
    m_until.insert(user, m_clock() + m_expiryMs);
    if (!m_timer.isActive())
        m_timer.start();
    if (isNew)
        emit changed();
}

void TypingUsers::noteMessage(const QString &room, const QString &user)
{
    if (room == m_room && m_until.remove(user))
        emit changed();
}

void TypingUsers::expire()
{
    const qint64 now = m_clock();
    const auto removed = m_until.removeIf([now](auto it) { return it.value() <= now; });
    if (m_until.isEmpty())
        m_timer.stop();
    if (removed > 0)
        emit changed();
}

QStringList TypingUsers::users() const
{
    QStringList list = m_until.keys();
    list.sort();
    return list;
}

QString TypingUsers::displayText() const
{
    const QStringList list = users();
    switch (list.size()) {
    case 0:
        return {};
    case 1:
        return QCoreApplication::translate("TypingUsers", "%1 is typing…").arg(list.at(0));
    case 2:
        return QCoreApplication::translate("TypingUsers", "%1 and %2 are typing…")
            .arg(list.at(0), list.at(1));
    default:
        return QCoreApplication::translate("TypingUsers", "Several people are typing…");
    }
}

} // namespace conversa::core
