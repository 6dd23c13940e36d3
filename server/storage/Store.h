// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Frames.h"
#include "storage/Database.h"
#include "storage/RoomKind.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QSqlQuery>
#include <QString>

#include <functional>
#include <optional>

namespace conversa::server {

struct UserRecord {
    qint64 id = 0;
    QString name;
    QByteArray passwordHash;
    bool disabled = false;
};

struct TokenRecord {
    qint64 tokenId = 0;
    qint64 userId = 0;
    QString userName;
};

struct RoomRecord {
    qint64 id = 0;
    QString name;
    QString title;
    write::RoomKind kind = write::RoomKind::Public;
    qint64 ownerId = 0;
};

// The two people of a direct-message room.
struct DirectPair {
    qint64 roomId = 0;
    qint64 userLow = 0;
    qint64 userHigh = 0;
};

// An upload as stored: its id, who uploaded it, its bytes' SHA-256 and what a message shows.
struct FileRecord {
    qint64 uploaderId = 0;
    QString sha256;
    protocol::FileRef ref;
};

struct Membership {
    qint64 roomId = 0;
    qint64 userId = 0;
};

// What a `search` looks for: every one of `words` (protocol::searchWords), in the caller's rooms
// or only in `roomId`, older than `before` there (0: from the newest).
struct SearchScope {
    QStringList words;
    qint64 roomId = 0;
    qint64 before = 0;
    int limit = 20;
};

// Read-only queries on the serving thread's own connection. Every statement is prepared once.
// Writes go through StorageWriter, so reads here never wait on a commit in progress (WAL).
//
// A read that stops on an error (a damaged page, an I/O error, a lost PostgreSQL connection) is
// logged and reported through `*error`, never passed off as a shorter list: a caller that serves
// the result gives `error` and answers `internal` when it is set.
//
// On PostgreSQL a failed read checks the connection; when it is gone, reads fail at once with
// "the database is unreachable" until the reconnect gate (the writer thread, which probes the
// database every second) says it answers again; then the next read connects again and prepares
// the statements anew. So the server comes back by itself with the database, and the serving
// thread never waits on connection attempts to a database that is down.
class Store
{
public:
    // Opens the database and runs SQLite's quick check: a damaged file is refused (the error
    // says so in words) rather than served.
    QString open(const QString &dataDir);
    QString open(const StorageLocation &location);

    std::optional<UserRecord> userByName(const QString &name, QString *error = nullptr);
    // Empty when there is no such user or it cannot be read.
    QString userNameById(qint64 userId);
    std::optional<TokenRecord> validToken(const QByteArray &tokenHash, QString *error = nullptr);
    bool isTokenValid(qint64 tokenId, QString *error = nullptr);
    QList<RoomRecord> allRooms(QString *error = nullptr);
    QList<Membership> allMemberships(QString *error = nullptr);
    QList<DirectPair> allDirectPairs(QString *error = nullptr);
    // The user's rooms with kind, peer, owner, and unread and mention counts (bounded: see
    // docs/security.md).
    QList<protocol::RoomSummary> roomsOf(qint64 userId, const QString &userName,
                                         QString *error = nullptr);
    QList<std::pair<qint64, QString>> membersOf(qint64 roomId, QString *error = nullptr);
    QList<protocol::MessageEvent> history(qint64 roomId, const QString &roomName, qint64 before,
                                          int limit, QString *error = nullptr);
    QList<protocol::MessageEvent> messagesAfter(qint64 roomId, const QString &roomName,
                                                qint64 after, int limit, QString *error = nullptr);
    // Plain messages (in their current state) with every word of `scope`, newest first, from
    // the rooms `userId` is a member of (StoreSearch.cpp).
    QList<protocol::MessageEvent> search(qint64 userId, const SearchScope &scope,
                                         QString *error = nullptr);
    // Files (StoreFiles.cpp). The upload `id` if `userId` may read it: they uploaded it, or a
    // message in a room they are a member of carries it. Anyone else gets nothing, as for an id
    // that never existed.
    std::optional<FileRecord> readableFile(const QString &id, qint64 userId,
                                           QString *error = nullptr);
    // What the user's uploads take (each counted, even where the bytes are shared); -1 on error.
    qint64 storedFileBytes(qint64 userId, QString *error = nullptr);
    // PostgreSQL: the bytes of an upload, chunk `n` (from 0); empty past the last one.
    QByteArray fileChunk(const QString &id, int n, QString *error = nullptr);
    // The room's newest seq.
    qint64 lastSeq(qint64 roomId, QString *error = nullptr);
    // Whether the room's log has an entry with this seq.
    bool entryExists(qint64 roomId, qint64 seq, QString *error = nullptr);
    // See Database::historyEpoch(); read once at open (only `restore` changes it, offline).
    qint64 historyEpoch() const { return m_historyEpoch; }
    // -1 when it cannot be read.
    qint64 adminGeneration();
    bool isPostgres() const { return m_database.isPostgres(); }
    // Whether the database answers (as far as someone who checks knows): StorageWriter's
    // databaseReachable. Without a gate, reconnecting is tried at most once a second.
    void setReconnectGate(std::function<bool()> gate) { m_reconnectGate = std::move(gate); }

private:
    void prepareAll();
    void prepareSearch();
    // The hits' statement for this many words, in one room or in all the caller's (with a
    // constant limit on PostgreSQL, 0 on SQLite where it is a parameter).
    QSqlQuery &searchStatement(qsizetype words, bool inOneRoom, int limit);
    // How many messages have `term`, counted up to `cap` (which word is rarest).
    qint64 termRows(const QString &term, qint64 cap, QString *error);
    // Fills the results' `reactions`; `roomIds[i]` is the id of the room of `results[i]`.
    bool attachSearchReactions(QList<protocol::MessageEvent> &results, const QList<qint64> &roomIds,
                               QString *error);
    // False (with `*error`) while the connection is known lost and cannot be opened again yet.
    bool ready(QString *error);
    // Logs the failed read, fills `*error`, and notices a lost connection.
    bool readFailed(QSqlQuery &query, QString *error);
    bool endedCleanly(QSqlQuery &query, QString *error);
    QSqlQuery prepared(const QString &sql);
    QList<protocol::MessageEvent> readMessages(QSqlQuery &query, qint64 roomId,
                                               const QString &roomName, QString *error);
    void prepareFiles();
    // Fills the plain messages' `files`.
    void attachFiles(qint64 roomId, QList<protocol::MessageEvent> &messages, QString *error);
    // Fills the plain messages' `reactions` (who reacts now).
    void attachReactions(qint64 roomId, QList<protocol::MessageEvent> &messages, QString *error);
    // `user` among those reacting with `emoji`; an emoji new to the message goes last, so the
    // reactions keep the order they were first given in.
    static void addReaction(protocol::MessageEvent &message, const QString &emoji,
                            const QString &user);

    Database m_database;
    QSqlQuery m_userByName;
    QSqlQuery m_userNameById;
    QSqlQuery m_validToken;
    QSqlQuery m_tokenValid;
    QSqlQuery m_roomsOf;
    QSqlQuery m_mentionCandidates;
    QSqlQuery m_membersOf;
    QSqlQuery m_history;
    QSqlQuery m_after;
    QSqlQuery m_lastSeq;
    QSqlQuery m_entryExists;
    QSqlQuery m_reactionsBetween;
    QSqlQuery m_termRows;
    QSqlQuery m_reactionsOfMany; // PostgreSQL
    QSqlQuery m_roomsOfUser;
    QHash<int, QSqlQuery> m_searchStatements;
    QSqlQuery m_readableFile, m_storedFileBytes, m_fileChunk, m_filesBetween;
    qint64 m_historyEpoch = 0;
    StorageLocation m_location;
    bool m_connectionLost = false;
    std::function<bool()> m_reconnectGate;
    QElapsedTimer m_lastReconnectAttempt;
};

} // namespace conversa::server
