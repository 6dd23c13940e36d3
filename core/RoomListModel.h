// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <Frames.h>

#include <QAbstractListModel>
#include <QList>
#include <QPointer>

namespace conversa::core {

class MessageCache;
class SessionManager;

// The account's rooms: name, title, unread count and a preview of the last message. Filled from
// the cache at once, then kept current by the session.
class RoomListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        TitleRole,
        UnreadCountRole,
        LastMessagePreviewRole,
        LastSenderRole,
        LastSeqRole,
        LastTimeRole,
        // Unread messages from others that mention the signed-in user (of the newest
        // kMentionScan cached ones).
        MentionCountRole,
    };
    Q_ENUM(Role)

    explicit RoomListModel(QObject *parent = nullptr);
    // How many of a room's newest cached messages a reload reads to count its mentions.
    static constexpr int kMentionScan = 500;

    void setCache(MessageCache *cache);
    void setSession(SessionManager *session);
    // Whose mentions MentionCountRole counts (the account's user, known before any sign-in).
    void setCurrentUser(const QString &user) { m_user = user; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int rowOfRoom(const QString &room) const;
    QString roomAt(int row) const;
    // Everything up to `seq` counts as read (the session sends the marker).
    void markRead(const QString &room, qint64 seq);

public slots:
    void reload();

private:
    struct Row {
        QString name;
        QString title;
        qint64 lastSeq = 0;
        qint64 readSeq = 0;
        QString lastSender;
        QString lastBody;
        qint64 lastTs = 0;
        int mentions = 0; // unread ones
    };
    int countMentions(const QString &room, qint64 readSeq) const;
    QString m_user;
    void onMessage(const protocol::MessageEvent &message);

    QPointer<MessageCache> m_cache;
    QPointer<SessionManager> m_session;
    QList<Row> m_rows;
};

} // namespace conversa::core
