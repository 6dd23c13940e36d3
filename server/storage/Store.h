// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Frames.h"
#include "storage/Database.h"

#include <QByteArray>
#include <QList>
#include <QSqlQuery>
#include <QString>

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
};

struct Membership {
    qint64 roomId = 0;
    qint64 userId = 0;
};

// Read-only queries on the serving thread's own connection. Every statement is prepared once.
// Writes go through StorageWriter, so reads here never wait on a commit in progress (WAL).
//
// A read that stops on an error (a damaged page, an I/O error) is logged and reported through
// `*error`, never passed off as a shorter list: a caller that serves the result gives `error`
// and answers `internal` when it is set.
class Store
{
public:
    // Opens the database and runs SQLite's quick check: a damaged file is refused (the error
    // says so in words) rather than served.
    QString open(const QString &dataDir);

    std::optional<UserRecord> userByName(const QString &name, QString *error = nullptr);
    std::optional<TokenRecord> validToken(const QByteArray &tokenHash, QString *error = nullptr);
    bool isTokenValid(qint64 tokenId, QString *error = nullptr);
    QList<RoomRecord> allRooms(QString *error = nullptr);
    QList<Membership> allMemberships(QString *error = nullptr);
    QList<protocol::RoomSummary> roomsOf(qint64 userId, QString *error = nullptr);
    QList<std::pair<qint64, QString>> membersOf(qint64 roomId, QString *error = nullptr);
    QList<protocol::MessageEvent> history(qint64 roomId, const QString &roomName, qint64 before,
                                          int limit, QString *error = nullptr);
    QList<protocol::MessageEvent> messagesAfter(qint64 roomId, const QString &roomName,
                                                qint64 after, int limit, QString *error = nullptr);
    // The room's newest seq.
    qint64 lastSeq(qint64 roomId, QString *error = nullptr);
    // See Database::historyEpoch(); read once at open (only `restore` changes it, offline).
    qint64 historyEpoch() const { return m_historyEpoch; }
    qint64 adminGeneration() { return m_database.adminGeneration(); }

private:
    QSqlQuery prepared(const QString &sql);
    QList<protocol::MessageEvent> readMessages(QSqlQuery &query, const QString &roomName,
                                               QString *error);

    Database m_database;
    QSqlQuery m_userByName;
    QSqlQuery m_validToken;
    QSqlQuery m_tokenValid;
    QSqlQuery m_roomsOf;
    QSqlQuery m_membersOf;
    QSqlQuery m_history;
    QSqlQuery m_after;
    QSqlQuery m_lastSeq;
    qint64 m_historyEpoch = 0;
};

} // namespace conversa::server
