// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ConnectionState.h"

#include <Frames.h>

#include <QAbstractListModel>
#include <QList>
#include <QPointer>

namespace conversa::core {

class SessionManager;

// A room's members with their online flag: online first, then by name. Presence events keep it
// current without asking the server again. While the session is not live nobody's presence is
// known: every member shows as offline (presenceKnown() false) until the members list is asked
// for again after the reconnect.
class MemberListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role { UserRole = Qt::UserRole + 1, OnlineRole };
    Q_ENUM(Role)

    explicit MemberListModel(QObject *parent = nullptr);

    void setSession(SessionManager *session);
    // Shows `room` and asks the server for its members.
    void setRoom(const QString &room);
    QString room() const { return m_room; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    int onlineCount() const;
    // False while the session is offline (nobody is shown online) and before the first answer.
    bool presenceKnown() const { return m_presenceKnown; }

public slots:
    void setMembers(const QString &room, const QList<conversa::protocol::Member> &members);
    void setOnline(const QString &user, bool online);

signals:
    void presenceKnownChanged(bool known);

private:
    void sort();
    void onSessionState(ConnectionState state);
    void setPresenceKnown(bool known);

    QPointer<SessionManager> m_session;
    QString m_room;
    QList<protocol::Member> m_members;
    bool m_presenceKnown = false;
};

} // namespace conversa::core
