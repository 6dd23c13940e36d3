// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/Store.h"

#include "Log.h"
#include "Validation.h"

#include <QSqlError>

#include <algorithm>
#include <limits>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 kReconnectIntervalMs = 1000;
constexpr qint64 kGatedReconnectIntervalMs = 100;
// docs/security.md: what one `rooms` request reads at most.
constexpr int kMaxUnreadCounted = 10000;
constexpr int kMaxMentionsRead = 5000;
} // namespace

// A query whose exec() or next() stopped on an error: log it, fill `*error`, report failure.
bool Store::readFailed(QSqlQuery &query, QString *error)
{
    const QString text = query.lastError().text();
    qCCritical(lcServer).noquote() << u"event=read_failed error=\"%1\""_s.arg(text);
    query.finish();
    if (error)
        *error = text.isEmpty() ? u"the database read failed"_s : text;
    if (m_database.isPostgres() && !m_connectionLost && !m_database.isAlive()) {
        m_connectionLost = true;
        m_lastReconnectAttempt.start();
        qCCritical(lcServer).noquote() << u"event=database_unreachable reader=serving"_s;
    }
    return false;
}

// next() returns false both at the end and on an error; only lastError() tells them apart.
bool Store::endedCleanly(QSqlQuery &query, QString *error)
{
    if (query.lastError().isValid())
        return readFailed(query, error);
    query.finish();
    return true;
}

bool Store::ready(QString *error)
{
    if (!m_connectionLost)
        return true;
    auto unreachable = [&] {
        if (error)
            *error = u"the database is unreachable"_s;
        return false;
    };
    if (m_reconnectGate && !m_reconnectGate())
        return unreachable();
    const qint64 interval = m_reconnectGate ? kGatedReconnectIntervalMs : kReconnectIntervalMs;
    if (m_lastReconnectAttempt.isValid() && m_lastReconnectAttempt.elapsed() < interval)
        return unreachable();
    m_lastReconnectAttempt.start();
    if (const QString why = m_database.reconnect(); !why.isEmpty()) {
        qCWarning(lcServer).noquote()
            << u"event=database_reconnect_failed reader=serving error=\"%1\""_s.arg(why);
        return unreachable();
    }
    prepareAll();
    m_connectionLost = false;
    qCInfo(lcServer).noquote() << u"event=database_reconnected reader=serving"_s;
    return true;
}

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
    return open(StorageLocation::sqlite(dataDir));
}

QString Store::open(const StorageLocation &location)
{
    m_location = location;
    const QString dataDir = location.dataDir;
    if (QString error = m_database.open(location, u"conversa-read"_s); !error.isEmpty())
        return error;
    if (const QStringList problems =
            m_database.isPostgres() ? QStringList() : m_database.checkIntegrity(true);
        !problems.isEmpty())
        return u"the database in '%1' is damaged, so it is not served (SQLite's quick check "
               "says: %2). Restore the latest backup with 'conversa-server restore FILE --data "
               "%1'; 'conversa-server check --data %1' lists every problem"_s.arg(
                   dataDir, problems.mid(0, 5).join(u"; "_s));
    m_historyEpoch = m_database.historyEpoch();
    if (m_historyEpoch < 0)
        return u"cannot read the database in '%1': %2"_s.arg(location.describe(),
                                                             m_database.lastError());
    prepareAll();
    return {};
}

qint64 Store::adminGeneration()
{
    if (!ready(nullptr))
        return -1;
    const qint64 generation = m_database.adminGeneration();
    if (generation < 0 && m_database.isPostgres() && !m_database.isAlive()) {
        m_connectionLost = true;
        m_lastReconnectAttempt.start();
        qCCritical(lcServer).noquote() << u"event=database_unreachable reader=serving"_s;
    }
    return generation;
}

void Store::prepareAll()
{
    m_userByName =
        prepared(u"SELECT id, name, password_hash, disabled FROM users WHERE name = ?"_s);
    m_userNameById = prepared(u"SELECT name FROM users WHERE id = ?"_s);
    m_validToken = prepared(u"SELECT t.id, u.id, u.name FROM tokens t JOIN users u ON u.id = "
                            "t.user_id WHERE t.hash = ? AND t.revoked = 0 AND u.disabled = 0"_s);
    m_tokenValid = prepared(u"SELECT 1 FROM tokens t JOIN users u ON u.id = t.user_id "
                            "WHERE t.id = ? AND t.revoked = 0 AND u.disabled = 0"_s);
    // Unread: plain messages (kind 0) from others after the read marker, not deleted, counted
    // up to kMaxUnreadCounted per room so a long backlog costs a bounded read.
    m_roomsOf = prepared(
        u"SELECT r.name, r.title, r.last_seq, m.read_seq, o.name, r.kind, p.name, "
        "(SELECT count(*) FROM (SELECT 1 FROM messages x WHERE x.room_id = r.id AND x.seq > "
        "m.read_seq AND x.kind = 0 AND x.deleted = 0 AND x.user_id <> m.user_id LIMIT %1) u) "
        "FROM members m JOIN rooms r ON r.id = m.room_id LEFT JOIN users o ON o.id = r.owner_id "
        "LEFT JOIN direct_rooms d ON d.room_id = r.id LEFT JOIN users p ON p.id = CASE WHEN "
        "d.user_low = m.user_id THEN d.user_high ELSE d.user_low END "
        "WHERE m.user_id = ? ORDER BY r.name"_s.arg(kMaxUnreadCounted));
    // Unread messages that may mention the user (the exact rule is protocol::mentionsUser).
    m_mentionCandidates = prepared(
        u"SELECT r.name, x.body FROM members m JOIN rooms r ON r.id = m.room_id JOIN messages x "
        "ON x.room_id = m.room_id AND x.seq > m.read_seq WHERE m.user_id = ? AND x.kind = 0 AND "
        "x.deleted = 0 AND x.user_id <> m.user_id AND lower(x.body) LIKE ? ESCAPE '!' "
        "LIMIT %1"_s.arg(kMaxMentionsRead));
    m_membersOf = prepared(u"SELECT u.id, u.name FROM members m JOIN users u ON u.id = m.user_id "
                           "WHERE m.room_id = ? ORDER BY u.name"_s);
    m_history = prepared(u"SELECT m.seq, m.ts, u.name, m.cid, m.body, m.reply_to, m.kind, "
                         "m.target, m.edited_ms, m.deleted, m.emoji, m.reaction_on FROM messages m "
                         "JOIN users u ON u.id = m.user_id WHERE m.room_id = ? AND m.seq < ? "
                         "ORDER BY m.seq DESC LIMIT ?"_s);
    m_after = prepared(u"SELECT m.seq, m.ts, u.name, m.cid, m.body, m.reply_to, m.kind, "
                       "m.target, m.edited_ms, m.deleted, m.emoji, m.reaction_on FROM messages m "
                       "JOIN users u ON u.id = m.user_id WHERE m.room_id = ? AND m.seq > ? "
                       "ORDER BY m.seq ASC LIMIT ?"_s);
    m_lastSeq = prepared(u"SELECT last_seq FROM rooms WHERE id = ?"_s);
    m_reactionsBetween = prepared(
        u"SELECT r.target, r.emoji, u.name FROM reactions r JOIN users u ON u.id = r.user_id "
        "WHERE r.room_id = ? AND r.target >= ? AND r.target <= ? ORDER BY r.target, r.seq"_s);
    m_entryExists = prepared(u"SELECT 1 FROM messages WHERE room_id = ? AND seq = ?"_s);
    prepareSearch();
    prepareFiles();
}

std::optional<UserRecord> Store::userByName(const QString &name, QString *error)
{
    if (!ready(error))
        return std::nullopt;
    m_userByName.bindValue(0, name);
    if (!m_userByName.exec()) {
        readFailed(m_userByName, error);
        return std::nullopt;
    }
    std::optional<UserRecord> user;
    if (m_userByName.next())
        user = UserRecord{m_userByName.value(0).toLongLong(), m_userByName.value(1).toString(),
                          m_userByName.value(2).toByteArray(), m_userByName.value(3).toBool()};
    endedCleanly(m_userByName, error);
    return user;
}

QString Store::userNameById(qint64 userId)
{
    QString error;
    if (!ready(&error))
        return {};
    m_userNameById.bindValue(0, userId);
    if (!m_userNameById.exec()) {
        readFailed(m_userNameById, &error);
        return {};
    }
    const QString name = m_userNameById.next() ? m_userNameById.value(0).toString() : QString();
    return endedCleanly(m_userNameById, &error) ? name : QString();
}

std::optional<TokenRecord> Store::validToken(const QByteArray &tokenHash, QString *error)
{
    if (!ready(error))
        return std::nullopt;
    m_validToken.bindValue(0, tokenHash);
    if (!m_validToken.exec()) {
        readFailed(m_validToken, error);
        return std::nullopt;
    }
    std::optional<TokenRecord> token;
    if (m_validToken.next())
        token = TokenRecord{m_validToken.value(0).toLongLong(), m_validToken.value(1).toLongLong(),
                            m_validToken.value(2).toString()};
    endedCleanly(m_validToken, error);
    return token;
}

bool Store::isTokenValid(qint64 tokenId, QString *error)
{
    if (!ready(error))
        return false;
    m_tokenValid.bindValue(0, tokenId);
    if (!m_tokenValid.exec())
        return readFailed(m_tokenValid, error);
    const bool valid = m_tokenValid.next();
    return endedCleanly(m_tokenValid, error) && valid;
}

QList<RoomRecord> Store::allRooms(QString *error)
{
    if (!ready(error))
        return {};
    QSqlQuery query(m_database.db());
    QList<RoomRecord> rooms;
    if (!query.exec(u"SELECT id, name, title, kind, owner_id FROM rooms"_s)) {
        readFailed(query, error);
        return rooms;
    }
    while (query.next())
        rooms.append(
            {query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
             static_cast<write::RoomKind>(query.value(3).toInt()), query.value(4).toLongLong()});
    endedCleanly(query, error);
    return rooms;
}

QList<DirectPair> Store::allDirectPairs(QString *error)
{
    if (!ready(error))
        return {};
    QSqlQuery query(m_database.db());
    QList<DirectPair> pairs;
    if (!query.exec(u"SELECT room_id, user_low, user_high FROM direct_rooms"_s)) {
        readFailed(query, error);
        return pairs;
    }
    while (query.next())
        pairs.append({query.value(0).toLongLong(), query.value(1).toLongLong(),
                      query.value(2).toLongLong()});
    endedCleanly(query, error);
    return pairs;
}

QList<Membership> Store::allMemberships(QString *error)
{
    if (!ready(error))
        return {};
    QSqlQuery query(m_database.db());
    QList<Membership> members;
    if (!query.exec(u"SELECT room_id, user_id FROM members"_s)) {
        readFailed(query, error);
        return members;
    }
    while (query.next())
        members.append({query.value(0).toLongLong(), query.value(1).toLongLong()});
    endedCleanly(query, error);
    return members;
}

QList<protocol::RoomSummary> Store::roomsOf(qint64 userId, const QString &userName, QString *error)
{
    if (!ready(error))
        return {};
    m_roomsOf.bindValue(0, userId);
    QList<protocol::RoomSummary> rooms;
    if (!m_roomsOf.exec()) {
        readFailed(m_roomsOf, error);
        return rooms;
    }
    while (m_roomsOf.next()) {
        protocol::RoomSummary room{m_roomsOf.value(0).toString(), m_roomsOf.value(1).toString(),
                                   m_roomsOf.value(2).toLongLong(), m_roomsOf.value(3).toLongLong(),
                                   m_roomsOf.value(4).toString()};
        const auto kind = static_cast<write::RoomKind>(m_roomsOf.value(5).toInt());
        room.kind = write::kindName(kind);
        if (kind == write::RoomKind::Direct) {
            room.peer = m_roomsOf.value(6).toString();
            room.title = room.peer;
            room.owner.clear();
        }
        room.unread = m_roomsOf.value(7).toLongLong();
        rooms.append(std::move(room));
    }
    if (!endedCleanly(m_roomsOf, error)) {
        rooms.clear();
        return rooms;
    }
    // User names hold no '%' nor '!'; '_' is LIKE's one-character wildcard.
    QString pattern = u"%@"_s + userName.toLower();
    pattern.replace(u'_', u"!_"_s);
    m_mentionCandidates.bindValue(0, userId);
    m_mentionCandidates.bindValue(1, pattern + u'%');
    if (!m_mentionCandidates.exec()) {
        readFailed(m_mentionCandidates, error);
        return {};
    }
    QHash<QString, qint64> mentions;
    while (m_mentionCandidates.next()) {
        if (protocol::mentionsUser(m_mentionCandidates.value(1).toString(), userName))
            ++mentions[m_mentionCandidates.value(0).toString()];
    }
    if (!endedCleanly(m_mentionCandidates, error))
        return {};
    for (protocol::RoomSummary &room : rooms)
        room.mentions = mentions.value(room.room);
    return rooms;
}

QList<std::pair<qint64, QString>> Store::membersOf(qint64 roomId, QString *error)
{
    if (!ready(error))
        return {};
    m_membersOf.bindValue(0, roomId);
    QList<std::pair<qint64, QString>> members;
    if (!m_membersOf.exec()) {
        readFailed(m_membersOf, error);
        return members;
    }
    while (m_membersOf.next())
        members.append({m_membersOf.value(0).toLongLong(), m_membersOf.value(1).toString()});
    if (!endedCleanly(m_membersOf, error))
        members.clear();
    return members;
}

qint64 Store::lastSeq(qint64 roomId, QString *error)
{
    if (!ready(error))
        return 0;
    m_lastSeq.bindValue(0, roomId);
    if (!m_lastSeq.exec()) {
        readFailed(m_lastSeq, error);
        return 0;
    }
    const qint64 seq = m_lastSeq.next() ? m_lastSeq.value(0).toLongLong() : 0;
    return endedCleanly(m_lastSeq, error) ? seq : 0;
}

bool Store::entryExists(qint64 roomId, qint64 seq, QString *error)
{
    if (!ready(error))
        return false;
    m_entryExists.bindValue(0, roomId);
    m_entryExists.bindValue(1, seq);
    if (!m_entryExists.exec())
        return readFailed(m_entryExists, error);
    const bool found = m_entryExists.next();
    return endedCleanly(m_entryExists, error) && found;
}

void Store::addReaction(protocol::MessageEvent &message, const QString &emoji, const QString &user)
{
    auto it = std::find_if(message.reactions.begin(), message.reactions.end(),
                           [&](const protocol::Reaction &r) { return r.emoji == emoji; });
    if (it == message.reactions.end())
        it = message.reactions.insert(message.reactions.end(), {emoji, {}});
    it->users.append(user);
}

void Store::attachReactions(qint64 roomId, QList<protocol::MessageEvent> &messages, QString *error)
{
    if (messages.isEmpty())
        return;
    qint64 low = messages.first().seq, high = low;
    for (const protocol::MessageEvent &m : std::as_const(messages)) {
        low = qMin(low, m.seq);
        high = qMax(high, m.seq);
    }
    m_reactionsBetween.bindValue(0, roomId);
    m_reactionsBetween.bindValue(1, low);
    m_reactionsBetween.bindValue(2, high);
    if (!m_reactionsBetween.exec()) {
        readFailed(m_reactionsBetween, error);
        messages.clear();
        return;
    }
    QHash<qint64, protocol::MessageEvent *> bySeq;
    for (protocol::MessageEvent &m : messages) {
        if (m.kind.isEmpty() && !m.deleted)
            bySeq.insert(m.seq, &m);
    }
    while (m_reactionsBetween.next()) {
        if (protocol::MessageEvent *message = bySeq.value(m_reactionsBetween.value(0).toLongLong()))
            addReaction(*message, m_reactionsBetween.value(1).toString(),
                        m_reactionsBetween.value(2).toString());
    }
    if (!endedCleanly(m_reactionsBetween, error))
        messages.clear();
}

QList<protocol::MessageEvent> Store::readMessages(QSqlQuery &query, qint64 roomId,
                                                  const QString &roomName, QString *error)
{
    QList<protocol::MessageEvent> messages;
    if (!query.exec()) {
        readFailed(query, error);
        return messages;
    }
    static const QString kinds[] = {QString(), u"edit"_s, u"delete"_s, u"reaction"_s};
    while (query.next()) {
        const int kind = query.value(6).toInt();
        messages.append({roomName, query.value(0).toLongLong(), query.value(1).toLongLong(),
                         query.value(2).toString(), query.value(3).toString(),
                         query.value(4).toString(), query.value(5).toLongLong(),
                         kind >= 0 && kind < 4 ? kinds[kind] : u"unknown"_s,
                         query.value(7).toLongLong(), query.value(8).toLongLong(),
                         query.value(9).toInt() != 0});
        messages.last().emoji = query.value(10).toString();
        messages.last().on = query.value(11).toInt() != 0;
    }
    if (!endedCleanly(query, error)) {
        messages.clear();
        return messages;
    }
    attachReactions(roomId, messages, error);
    attachFiles(roomId, messages, error);
    return messages;
}

QList<protocol::MessageEvent> Store::history(qint64 roomId, const QString &roomName, qint64 before,
                                             int limit, QString *error)
{
    if (!ready(error))
        return {};
    m_history.bindValue(0, roomId);
    m_history.bindValue(1, before > 0 ? before : std::numeric_limits<qint64>::max());
    m_history.bindValue(2, limit);
    QList<protocol::MessageEvent> messages = readMessages(m_history, roomId, roomName, error);
    std::reverse(messages.begin(), messages.end());
    return messages;
}

QList<protocol::MessageEvent> Store::messagesAfter(qint64 roomId, const QString &roomName,
                                                   qint64 after, int limit, QString *error)
{
    if (!ready(error))
        return {};
    m_after.bindValue(0, roomId);
    m_after.bindValue(1, after);
    m_after.bindValue(2, limit);
    return readMessages(m_after, roomId, roomName, error);
}

} // namespace conversa::server
