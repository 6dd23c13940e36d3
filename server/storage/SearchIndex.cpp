// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/SearchIndex.h"

#include "Validation.h"
#include "storage/PostgresArrays.h"

#include <QSqlError>

namespace conversa::server {

using namespace Qt::StringLiterals;

QStringList searchTermsOf(const QString &body)
{
    return protocol::searchWords(body);
}

void SearchIndexWriter::prepare(QSqlDatabase &db, bool postgres)
{
    m_postgres = postgres;
    m_insert = QSqlQuery(db);
    m_delete = QSqlQuery(db);
    m_insertAll = QSqlQuery(db);
    if (postgres) {
        m_insertAll.prepare(u"INSERT INTO search_terms (term, ts, room_id, seq) SELECT * FROM "
                            "unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[]) ON CONFLICT "
                            "DO NOTHING"_s);
        m_insert.prepare(u"INSERT INTO search_terms (term, ts, room_id, seq) SELECT t, ?::bigint, "
                         "?::bigint, ?::bigint FROM unnest(?::text[]) AS t ON CONFLICT DO "
                         "NOTHING"_s);
        m_delete.prepare(u"DELETE FROM search_terms WHERE ts = ?::bigint AND room_id = ?::bigint "
                         "AND seq = ?::bigint AND term = ANY(?::text[])"_s);
    } else {
        m_insert.prepare(u"INSERT OR IGNORE INTO search_terms (ts, room_id, seq, term) VALUES "
                         "(?, ?, ?, ?)"_s);
        m_delete.prepare(u"DELETE FROM search_terms WHERE ts = ? AND room_id = ? AND seq = ? AND "
                         "term = ?"_s);
    }
}

void SearchIndexWriter::reset()
{
    m_insert = QSqlQuery();
    m_delete = QSqlQuery();
    m_insertAll = QSqlQuery();
}

bool SearchIndexWriter::addAll(const QList<IndexedMessage> &messages)
{
    if (!m_postgres) {
        for (const IndexedMessage &m : messages) {
            if (!add(m.roomId, m.seq, m.ts, m.body))
                return false;
        }
        return true;
    }
    QStringList terms;
    QList<qint64> tss, rooms, seqs;
    for (const IndexedMessage &m : messages) {
        for (const QString &term : searchTermsOf(m.body)) {
            terms.append(term);
            tss.append(m.ts);
            rooms.append(m.roomId);
            seqs.append(m.seq);
        }
    }
    if (terms.isEmpty())
        return true;
    m_insertAll.bindValue(0, postgres::textArray(terms));
    m_insertAll.bindValue(1, postgres::bigintArray(tss));
    m_insertAll.bindValue(2, postgres::bigintArray(rooms));
    m_insertAll.bindValue(3, postgres::bigintArray(seqs));
    const bool ok = m_insertAll.exec();
    if (!ok)
        m_lastError = m_insertAll.lastError().text();
    m_insertAll.finish();
    return ok;
}

bool SearchIndexWriter::add(qint64 roomId, qint64 seq, qint64 ts, const QString &body)
{
    return run(m_insert, searchTermsOf(body), roomId, seq, ts);
}

bool SearchIndexWriter::remove(qint64 roomId, qint64 seq, qint64 ts, const QString &body)
{
    return run(m_delete, searchTermsOf(body), roomId, seq, ts);
}

bool SearchIndexWriter::run(QSqlQuery &query, const QStringList &terms, qint64 roomId, qint64 seq,
                            qint64 ts)
{
    if (terms.isEmpty())
        return true;
    query.bindValue(0, ts);
    query.bindValue(1, roomId);
    query.bindValue(2, seq);
    // PostgreSQL: one round trip for all the words; SQLite: one cheap statement per word.
    const QStringList batches = m_postgres ? QStringList{postgres::textArray(terms)} : terms;
    for (const QString &batch : batches) {
        query.bindValue(3, batch);
        if (!query.exec()) {
            m_lastError = query.lastError().text();
            query.finish();
            return false;
        }
    }
    query.finish();
    return true;
}

QString indexExistingMessages(QSqlDatabase &db, bool postgres)
{
    // In pages (bounded memory, and one connection cannot interleave a running read with
    // writes on PostgreSQL), in key order.
    constexpr int kMessagesPerPage = 2000;
    QSqlQuery read(db);
    read.setForwardOnly(true);
    read.prepare(
        u"SELECT room_id, seq, ts, body FROM messages WHERE kind = 0 AND deleted = 0 "
        "AND (room_id > ? OR (room_id = ? AND seq > ?)) ORDER BY room_id, seq LIMIT %1"_s.arg(
            kMessagesPerPage));
    SearchIndexWriter writer;
    writer.prepare(db, postgres);
    qint64 lastRoom = -1, lastSeq = 0;
    for (;;) {
        read.bindValue(0, lastRoom);
        read.bindValue(1, lastRoom);
        read.bindValue(2, lastSeq);
        if (!read.exec())
            return read.lastError().text();
        QList<IndexedMessage> page;
        while (read.next())
            page.append({read.value(0).toLongLong(), read.value(1).toLongLong(),
                         read.value(2).toLongLong(), read.value(3).toString()});
        if (read.lastError().isValid())
            return read.lastError().text();
        read.finish();
        if (page.isEmpty())
            return {};
        if (!writer.addAll(page))
            return writer.lastError();
        lastRoom = page.last().roomId;
        lastSeq = page.last().seq;
    }
}

} // namespace conversa::server
