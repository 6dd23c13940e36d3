// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Store's search: the hits come from `search_terms` (see SearchIndex.h), the messages themselves
// as `sync` reads them, so a result is the message in its current state.
#include "storage/Store.h"

#include <algorithm>
#include <limits>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
// Counting a word's rows stops here: past it a word is common enough not to lead the search.
constexpr qint64 kRarityCap = 2000;
} // namespace

void Store::prepareSearch()
{
    m_searchStatements.clear();
    m_termRows = prepared(
        u"SELECT count(*) FROM (SELECT 1 FROM search_terms WHERE term = ? LIMIT ?) AS found"_s);
    m_roomName = prepared(u"SELECT name FROM rooms WHERE id = ?"_s);
}

QSqlQuery &Store::searchStatement(qsizetype words, bool inOneRoom)
{
    const int key = int(words) * 2 + (inOneRoom ? 1 : 0);
    auto it = m_searchStatements.find(key);
    if (it != m_searchStatements.end())
        return it.value();
    // The rarest word leads: its rows are walked newest first straight from the key, and each
    // is kept when the other words have a row for the same message and the caller is in its
    // room. So a search reads about `limit` rows of the leading word, not every match.
    QString sql = u"SELECT t.room_id, t.seq FROM search_terms t WHERE t.term = ? AND t.room_id "
                  "IN (SELECT room_id FROM members WHERE user_id = ?)"_s;
    if (inOneRoom)
        sql += u" AND t.room_id = ? AND t.seq < ?"_s;
    for (qsizetype i = 1; i < words; ++i)
        sql += u" AND EXISTS (SELECT 1 FROM search_terms o%1 WHERE o%1.term = ? AND o%1.ts = t.ts "
               "AND o%1.room_id = t.room_id AND o%1.seq = t.seq)"_s.arg(i);
    sql += u" ORDER BY t.ts DESC, t.room_id DESC, t.seq DESC LIMIT ?"_s;
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
    QSqlQuery &hits = searchStatement(words.size(), inOneRoom);
    int parameter = 0;
    hits.bindValue(parameter++, words.first());
    hits.bindValue(parameter++, userId);
    if (inOneRoom) {
        hits.bindValue(parameter++, scope.roomId);
        hits.bindValue(parameter++,
                       scope.before > 0 ? scope.before : std::numeric_limits<qint64>::max());
    }
    for (qsizetype i = 1; i < words.size(); ++i)
        hits.bindValue(parameter++, words.at(i));
    hits.bindValue(parameter++, scope.limit);
    if (!hits.exec()) {
        readFailed(hits, error);
        return {};
    }
    QList<std::pair<qint64, qint64>> found; // (room, seq), newest first
    while (hits.next())
        found.append({hits.value(0).toLongLong(), hits.value(1).toLongLong()});
    if (!endedCleanly(hits, error))
        return {};

    QHash<qint64, QString> roomNames;
    QList<protocol::MessageEvent> results;
    for (const auto &[roomId, seq] : std::as_const(found)) {
        auto name = roomNames.find(roomId);
        if (name == roomNames.end()) {
            m_roomName.bindValue(0, roomId);
            if (!m_roomName.exec()) {
                readFailed(m_roomName, error);
                return {};
            }
            const QString roomName = m_roomName.next() ? m_roomName.value(0).toString() : QString();
            if (!endedCleanly(m_roomName, error))
                return {};
            name = roomNames.insert(roomId, roomName);
        }
        QString readError;
        const QList<protocol::MessageEvent> message =
            messagesAfter(roomId, name.value(), seq - 1, 1, &readError);
        if (!readError.isEmpty()) {
            if (error)
                *error = readError;
            return {};
        }
        // The index and the log change in one transaction; this only guards against a reader
        // that sees them between two statements.
        if (message.size() == 1 && message.first().seq == seq && message.first().kind.isEmpty() &&
            !message.first().deleted)
            results.append(message.first());
    }
    return results;
}

} // namespace conversa::server
