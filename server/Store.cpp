// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Store.h"

#include "Log.h"

#include <QSqlError>

#include <algorithm>

namespace conversa::server {

using namespace Qt::StringLiterals;

QSqlQuery Store::prepared(const QString &sql)
{
    QSqlQuery query(m_database.db());
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        qCCritical(lcServer) << "cannot prepare" << sql << query.lastError().text();
    return query;
}

QString Store::open(const QString &dataDir)
{
    if (QString error = m_database.open(dataDir, u"conversa-read"_s); !error.isEmpty())
        return error;
    m_userByName =
        prepared(u"SELECT id, name, password_hash, disabled FROM users WHERE name = ?"_s);
    m_validToken = prepared(u"SELECT t.id, u.id, u.name FROM tokens t JOIN users u ON u.id = "
                            "t.user_id WHERE t.hash = ? AND t.revoked = 0 AND u.disabled = 0"_s);
    m_tokenValid = prepared(u"SELECT 1 FROM tokens t JOIN users u ON u.id = t.user_id "
                            "WHERE t.id = ? AND t.revoked = 0 AND u.disabled = 0"_s);
    m_roomsOf = prepared(u"SELECT r.name, r.title, r.last_seq, m.read_seq FROM members m "
                         "JOIN rooms r ON r.id = m.room_id WHERE m.user_id = ? ORDER BY r.name"_s);
    m_membersOf = prepared(u"SELECT u.id, u.name FROM members m JOIN users u ON u.id = m.user_id "
                           "WHERE m.room_id = ? ORDER BY u.name"_s);
    m_history = prepared(u"SELECT m.seq, m.ts, u.name, m.cid, m.body FROM messages m "
                         "JOIN users u ON u.id = m.user_id WHERE m.room_id = ? AND m.seq < ? "
                         "ORDER BY m.seq DESC LIMIT ?"_s);
    m_after = prepared(u"SELECT m.seq, m.ts, u.name, m.cid, m.body FROM messages m "
                       "JOIN users u ON u.id = m.user_id WHERE m.room_id = ? AND m.seq > ? "
                       "ORDER BY m.seq ASC LIMIT ?"_s);
    return {};
}

std::optional<UserRecord> Store::userByName(const QString &name)
{
    m_userByName.bindValue(0, name);
    std::optional<UserRecord> user;
    if (m_userByName.exec() && m_userByName.next())
        user = UserRecord{m_userByName.value(0).toLongLong(), m_userByName.value(1).toString(),
                          m_userByName.value(2).toByteArray(), m_userByName.value(3).toBool()};
    m_userByName.finish();
    return user;
}

std::optional<TokenRecord> Store::validToken(const QByteArray &tokenHash)
{
    m_validToken.bindValue(0, tokenHash);
    std::optional<TokenRecord> token;
    if (m_validToken.exec() && m_validToken.next())
        token = TokenRecord{m_validToken.value(0).toLongLong(), m_validToken.value(1).toLongLong(),
                            m_validToken.value(2).toString()};
    m_validToken.finish();
    return token;
}

bool Store::isTokenValid(qint64 tokenId)
{
    m_tokenValid.bindValue(0, tokenId);
    const bool valid = m_tokenValid.exec() && m_tokenValid.next();
    m_tokenValid.finish();
    return valid;
}

QList<RoomRecord> Store::allRooms()
{
    QSqlQuery query(m_database.db());
    QList<RoomRecord> rooms;
    if (query.exec(u"SELECT id, name, title FROM rooms"_s)) {
        while (query.next())
            rooms.append({query.value(0).toLongLong(), query.value(1).toString(),
                          query.value(2).toString()});
    }
    return rooms;
}

QList<Membership> Store::allMemberships()
{
    QSqlQuery query(m_database.db());
    QList<Membership> members;
    if (query.exec(u"SELECT room_id, user_id FROM members"_s)) {
        while (query.next())
            members.append({query.value(0).toLongLong(), query.value(1).toLongLong()});
    }
    return members;
}

QList<protocol::RoomSummary> Store::roomsOf(qint64 userId)
{
    m_roomsOf.bindValue(0, userId);
    QList<protocol::RoomSummary> rooms;
    if (m_roomsOf.exec()) {
        while (m_roomsOf.next())
            rooms.append({m_roomsOf.value(0).toString(), m_roomsOf.value(1).toString(),
                          m_roomsOf.value(2).toLongLong(), m_roomsOf.value(3).toLongLong()});
    }
    m_roomsOf.finish();
    return rooms;
}

QList<std::pair<qint64, QString>> Store::membersOf(qint64 roomId)
{
    m_membersOf.bindValue(0, roomId);
    QList<std::pair<qint64, QString>> members;
    if (m_membersOf.exec()) {
        while (m_membersOf.next())
            members.append({m_membersOf.value(0).toLongLong(), m_membersOf.value(1).toString()});
    }
    m_membersOf.finish();
    return members;
}

QList<protocol::MessageEvent> Store::readMessages(QSqlQuery &query, const QString &roomName)
{
    QList<protocol::MessageEvent> messages;
    if (!query.exec()) {
        qCCritical(lcServer) << "event=query_failed" << query.lastError().text();
        return messages;
    }
    while (query.next())
        messages.append({roomName, query.value(0).toLongLong(), query.value(1).toLongLong(),
                         query.value(2).toString(), query.value(3).toString(),
                         query.value(4).toString()});
    query.finish();
    return messages;
}

QList<protocol::MessageEvent> Store::history(qint64 roomId, const QString &roomName, qint64 before,
                                             int limit)
{
    m_history.bindValue(0, roomId);
    m_history.bindValue(1, before > 0 ? before : std::numeric_limits<qint64>::max());
    m_history.bindValue(2, limit);
    QList<protocol::MessageEvent> messages = readMessages(m_history, roomName);
    std::reverse(messages.begin(), messages.end());
    return messages;
}

QList<protocol::MessageEvent> Store::messagesAfter(qint64 roomId, const QString &roomName,
                                                   qint64 after, int limit)
{
    m_after.bindValue(0, roomId);
    m_after.bindValue(1, after);
    m_after.bindValue(2, limit);
    return readMessages(m_after, roomName);
}

} // namespace conversa::server
