// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

namespace conversa::server {

// The search index: table `search_terms (term, ts, room_id, seq)`, one row per distinct word of
// each plain message that is not deleted, keyed in that order. So the rows of one word come
// newest first straight from the key (a search stops after `limit` hits instead of sorting every
// match), and removing a message's words deletes real rows: with SQLite's secure_delete their
// bytes are overwritten, nothing of a deleted or edited-away text stays in the file. (SQLite's
// FTS5 in the SQLite Debian 12 ships, 3.40, keeps a deleted row's words in its segments until
// they happen to be merged; its secure-delete option came in 3.42.) The same table and the same
// word rules serve SQLite and PostgreSQL, so both back ends find exactly the same messages.
//
// A message's terms are protocol::searchWords of its body (letters and digits, accents dropped,
// case folded), each at most protocol::kMaxSearchTermLength characters.
QStringList searchTermsOf(const QString &body);

struct IndexedMessage {
    qint64 roomId = 0;
    qint64 seq = 0;
    qint64 ts = 0;
    QString body;
};

// Keeps the index in step with the log, on the writer's connection inside its transaction.
class SearchIndexWriter
{
public:
    void prepare(QSqlDatabase &db, bool postgres);
    void reset();
    // The message (room, seq, stored at ts) now reads `body`: its words are added.
    bool add(qint64 roomId, qint64 seq, qint64 ts, const QString &body);
    // Several new messages at once (one statement on PostgreSQL).
    bool addAll(const QList<IndexedMessage> &messages);
    // The message read `body` until now (edited or deleted): its words are removed.
    bool remove(qint64 roomId, qint64 seq, qint64 ts, const QString &body);
    const QString &lastError() const { return m_lastError; }

private:
    bool run(QSqlQuery &query, const QStringList &terms, qint64 roomId, qint64 seq, qint64 ts);

    bool m_postgres = false;
    QSqlQuery m_insert;
    QSqlQuery m_delete;
    QSqlQuery m_insertAll; // PostgreSQL
    QString m_lastError;
};

// Indexes every plain message not deleted (the schema upgrade that brings the index). Returns
// an error in words, or an empty string.
QString indexExistingMessages(QSqlDatabase &db, bool postgres);

} // namespace conversa::server
