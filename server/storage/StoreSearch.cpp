// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Store's search: the hits come from `search_terms` (see SearchIndex.h), the messages themselves
// as `sync` reads them, so a result is the message in its current state.
#include "storage/Store.h"

#include "storage/PostgresArrays.h"

#include <QSqlError>

#include <algorithm>
#include <limits>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
// Counting a word's rows stops here: past it a word is common enough not to lead the search.
constexpr qint64 kRarityCap = 2000;
// protocol::Limits::maxSearchLimit: the most results one search may ask for.
constexpr int kMaxSearchLimit = protocol::Limits{}.maxSearchLimit;
} // namespace

void Store::prepareSearch()
{
    m_searchStatements.clear();
    m_termRows = prepared(
        u"SELECT count(*) FROM (SELECT 1 FROM search_terms WHERE term = ? LIMIT ?) AS found"_s);
    m_reactionsOfMany =
        m_database.isPostgres()
            ? prepared(u"SELECT r.room_id, r.target, r.emoji, u.name FROM reactions r JOIN users u "
                       "ON u.id = r.user_id WHERE (r.room_id, r.target) IN (SELECT * FROM "
                       "unnest(?::bigint[], ?::bigint[])) ORDER BY r.room_id, r.target, r.seq"_s)
            : QSqlQuery();
    m_roomsOfUser = prepared(u"SELECT room_id FROM members WHERE user_id = ?"_s);
}

QSqlQuery &Store::searchStatement(qsizetype words, bool inOneRoom, int limit)
{
    const int key = (int(words) * 2 + (inOneRoom ? 1 : 0)) * 100 + limit;
    auto it = m_searchStatements.find(key);
    if (it != m_searchStatements.end())
        return it.value();
    // The rarest word leads: its rows are walked newest first straight from the key, and each
    // is kept when the other words have a row for the same message and the caller is in its
    // room. So a search reads about `limit` rows of the leading word, not every match.
    //
    // PostgreSQL plans the same intent only when told plainly: the caller's rooms come as an
    // array (a subquery there becomes a join that reads every row of the word and sorts), kept
    // out of the index condition (`+ 0`: before PostgreSQL 17 an array condition on the index
    // loses its order, and all rows get sorted), each
    // other word's check has OFFSET 0 (so it stays a lookup per row instead of becoming a join
    // over all of that word's rows), and the limit is a constant (a parameter makes the cached
    // plan assume a large share of the rows): the request's, rounded up to one of a few, so
    // there are few statements; the reader stops at the request's own.
    const bool postgres = m_database.isPostgres();
    QString sql = postgres ? u"SELECT t.ts, t.room_id, t.seq FROM search_terms t WHERE t.term = ? "
                             "AND t.room_id + 0 = ANY(?::bigint[])"_s
                           : u"SELECT t.ts, t.room_id, t.seq FROM search_terms t WHERE t.term = ? "
                             "AND t.room_id IN (SELECT room_id FROM members WHERE user_id = ?)"_s;
    // Older than `before` in one room: the walk starts at that message's time (a minute later,
    // for instances whose clocks differ a little), not at the newest row of a common word.
    if (inOneRoom)
        sql += u" AND t.room_id = ? AND t.seq < ? AND t.ts <= COALESCE((SELECT m.ts + 60000 FROM "
               "messages m WHERE m.room_id = ? AND m.seq = ?), 9223372036854775807)"_s;
    for (qsizetype i = 1; i < words; ++i)
        sql += u" AND EXISTS (SELECT 1 FROM search_terms o%1 WHERE o%1.term = ? AND o%1.ts = t.ts "
               "AND o%1.room_id = t.room_id AND o%1.seq = t.seq%2)"_s.arg(i)
                   .arg(postgres ? u" OFFSET 0"_s : QString());
    sql += postgres ? u" ORDER BY t.ts DESC, t.room_id DESC, t.seq DESC LIMIT %1"_s.arg(limit)
                    : u" ORDER BY t.ts DESC, t.room_id DESC, t.seq DESC LIMIT ?"_s;
    // The messages themselves in the same statement (on PostgreSQL each statement is a round
    // trip), in their current state.
    sql = u"SELECT m.room_id, m.seq, m.ts, u.name, m.cid, m.body, m.reply_to, m.edited_ms, "
          "r.name FROM ("_s +
          sql +
          u") h JOIN messages m ON m.room_id = h.room_id AND m.seq = h.seq JOIN users u ON u.id = "
          "m.user_id JOIN rooms r ON r.id = m.room_id WHERE m.kind = 0 AND m.deleted = 0 ORDER BY "
          "h.ts DESC, h.room_id DESC, h.seq DESC"_s;
    return m_searchStatements.insert(key, prepared(sql)).value();
}

qint64 Store::termRows(const QString &term, qint64 cap, QString *error)
{
    m_termRows.bindValue(0, term);
    m_termRows.bindValue(1, cap);
    if (!m_termRows.exec()) {
        readFailed(m_termRows, error);
        return -1;
    }
    const qint64 rows = m_termRows.next() ? m_termRows.value(0).toLongLong() : 0;
    return endedCleanly(m_termRows, error) ? rows : -1;
}

QList<protocol::MessageEvent> Store::search(qint64 userId, const SearchScope &scope, QString *error)
{
    if (!ready(error) || scope.words.isEmpty())
        return {};
    QStringList words = scope.words;
    if (words.size() > 1) {
        QList<std::pair<qint64, QString>> byRarity;
        for (const QString &word : std::as_const(words)) {
            const qint64 rows = termRows(word, kRarityCap, error);
            if (rows < 0)
                return {};
            if (rows == 0)
                return {}; // a word no message has: nothing can match them all
            byRarity.append({rows, word});
        }
        std::stable_sort(byRarity.begin(), byRarity.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
        words.clear();
        for (const auto &entry : std::as_const(byRarity))
            words.append(entry.second);
    }
    const bool inOneRoom = scope.roomId > 0;
    QVariant rooms = userId;
    if (m_database.isPostgres()) {
        m_roomsOfUser.bindValue(0, userId);
        if (!m_roomsOfUser.exec()) {
            readFailed(m_roomsOfUser, error);
            return {};
        }
        QList<qint64> ids;
        while (m_roomsOfUser.next())
            ids.append(m_roomsOfUser.value(0).toLongLong());
        if (!endedCleanly(m_roomsOfUser, error) || ids.isEmpty())
            return {};
        rooms = postgres::bigintArray(ids);
    }
    // SQLite takes the limit as a parameter; PostgreSQL one of these as a constant.
    int limitBucket = 0;
    if (m_database.isPostgres()) {
        for (const int bucket : {10, 20, 30, kMaxSearchLimit}) {
            if (scope.limit <= bucket) {
                limitBucket = bucket;
                break;
            }
        }
    }
    QSqlQuery &hits = searchStatement(words.size(), inOneRoom, limitBucket);
    int parameter = 0;
    hits.bindValue(parameter++, words.first());
    hits.bindValue(parameter++, rooms);
    if (inOneRoom) {
        const qint64 before = scope.before > 0 ? scope.before : std::numeric_limits<qint64>::max();
        for (int twice = 0; twice < 2; ++twice) {
            hits.bindValue(parameter++, scope.roomId);
            hits.bindValue(parameter++, before);
        }
    }
    for (qsizetype i = 1; i < words.size(); ++i)
        hits.bindValue(parameter++, words.at(i));
    if (!m_database.isPostgres())
        hits.bindValue(parameter++, scope.limit);
    if (!hits.exec()) {
        readFailed(hits, error);
        return {};
    }
    QList<protocol::MessageEvent> results;
    QList<qint64> roomIds; // of each result, for its reactions
    while (results.size() < scope.limit && hits.next()) {
        protocol::MessageEvent m;
        m.seq = hits.value(1).toLongLong();
        m.ts = hits.value(2).toLongLong();
        m.from = hits.value(3).toString();
        m.cid = hits.value(4).toString();
        m.body = hits.value(5).toString();
        m.replyTo = hits.value(6).toLongLong();
        m.edited = hits.value(7).toLongLong();
        m.room = hits.value(8).toString();
        results.append(std::move(m));
        roomIds.append(hits.value(0).toLongLong());
    }
    if (!endedCleanly(hits, error) || !attachSearchReactions(results, roomIds, error))
        return {};
    return results;
}

bool Store::attachSearchReactions(QList<protocol::MessageEvent> &results,
                                  const QList<qint64> &roomIds, QString *error)
{
    QHash<std::pair<qint64, qint64>, protocol::MessageEvent *> byKey; // (room id, seq)
    for (qsizetype i = 0; i < results.size(); ++i)
        byKey.insert({roomIds.at(i), results.at(i).seq}, &results[i]);
    const auto add = [&](qint64 roomId, qint64 seq, const QString &emoji, const QString &user) {
        if (protocol::MessageEvent *message = byKey.value({roomId, seq}))
            addReaction(*message, emoji, user);
    };
    if (results.isEmpty())
        return true;
    if (m_database.isPostgres()) {
        QList<qint64> rooms, seqs;
        for (auto it = byKey.cbegin(); it != byKey.cend(); ++it) {
            rooms.append(it.key().first);
            seqs.append(it.key().second);
        }
        m_reactionsOfMany.bindValue(0, postgres::bigintArray(rooms));
        m_reactionsOfMany.bindValue(1, postgres::bigintArray(seqs));
        if (!m_reactionsOfMany.exec())
            return readFailed(m_reactionsOfMany, error);
        while (m_reactionsOfMany.next())
            add(m_reactionsOfMany.value(0).toLongLong(), m_reactionsOfMany.value(1).toLongLong(),
                m_reactionsOfMany.value(2).toString(), m_reactionsOfMany.value(3).toString());
        return endedCleanly(m_reactionsOfMany, error);
    }
    // SQLite runs in this process: one cheap lookup per result.
    for (auto it = byKey.cbegin(); it != byKey.cend(); ++it) {
        const auto [roomId, seq] = it.key();
        m_reactionsBetween.bindValue(0, roomId);
        m_reactionsBetween.bindValue(1, seq);
        m_reactionsBetween.bindValue(2, seq);
        if (!m_reactionsBetween.exec())
            return readFailed(m_reactionsBetween, error);
        while (m_reactionsBetween.next())
            add(roomId, seq, m_reactionsBetween.value(1).toString(),
                m_reactionsBetween.value(2).toString());
        if (!endedCleanly(m_reactionsBetween, error))
            return false;
    }
    return true;
}

} // namespace conversa::server
