// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <Frames.h>

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QSet>

namespace conversa::core {

class MessageCache;
class SessionManager;

// The account's rooms: name, title, unread count and a preview of the last message, kind (public,
// private, dm), a dm's peer and their presence, the owner. Filled from the cache at once, then
// kept current by the session: the server's `rooms` answer gives kind, peer, owner and the
// unread and mention counts (edits and reactions are never unread), live messages move them on.
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
        // "public", "private" or "dm" (from the server; a room named "dm-…" is a dm before it
        // answers), and for a dm the other person and whether they are online.
        KindRole,
        IsDirectRole,
        PeerRole,
        PeerOnlineRole,
        // Who owns the room (empty: an admin's room, a dm, or not known yet).
        OwnerRole,
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
    // The room's row as an index for data(role); invalid (every role empty) when not a member.
    QModelIndex indexOfRoom(const QString &room) const;
    // People this account has seen in its rooms (members, senders, dm peers), sorted, without
    // the account's own user: whom "New message…" offers.
    QStringList knownPeople() const;
    QString roomAt(int row) const;
    // Everything up to `seq` counts as read (the session sends the marker).
    void markRead(const QString &room, qint64 seq);

public slots:
    void reload();

private:
    // What the server's `rooms` answer says of a room, kept current by live messages.
    struct ServerInfo {
        QString kind;
        QString peer;
        QString owner;
        qint64 unread = 0;
        qint64 mentions = 0;
        qint64 countedUpTo = 0; // messages up to this seq are in the counts
    };
    struct Row {
        QString name;
        QString title;
        qint64 lastSeq = 0;
        qint64 readSeq = 0;
        QString lastSender;
        QString lastBody;
        qint64 lastTs = 0;
        int mentions = 0;          // unread ones
        qint64 lastMessageSeq = 0; // the message the preview shows
    };
    int countMentions(const QString &room, qint64 readSeq) const;
    // Plain messages from others after `readSeq` among the newest cached ones.
    int countUnread(const QString &room, qint64 readSeq) const;
    QString m_user;
    void onMessage(const protocol::MessageEvent &message);
    // An edit or deletion of the message the preview shows changes the preview.
    void onLogEntry(const protocol::MessageEvent &entry);
    void onRoomsUpdated(const QList<protocol::RoomSummary> &rooms);
    void onPresence(const QString &user, bool online);
    void onMembers(const QString &room, const QList<protocol::Member> &members);
    QString kindOf(const Row &row) const;
    QString peerOf(const Row &row) const;
    void emitRowChanged(int row);

    QHash<QString, ServerInfo> m_info;
    QHash<QString, bool> m_online; // dm peers by name
    QSet<QString> m_seenPeople;

    QPointer<MessageCache> m_cache;
    QPointer<SessionManager> m_session;
    QList<Row> m_rows;
};

} // namespace conversa::core
