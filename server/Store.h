// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Database.h"
#include "Frames.h"

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
class Store
{
public:
    QString open(const QString &dataDir);

    std::optional<UserRecord> userByName(const QString &name);
    std::optional<TokenRecord> validToken(const QByteArray &tokenHash);
    bool isTokenValid(qint64 tokenId);
    QList<RoomRecord> allRooms();
    QList<Membership> allMemberships();
    QList<protocol::RoomSummary> roomsOf(qint64 userId);
    QList<std::pair<qint64, QString>> membersOf(qint64 roomId);
    QList<protocol::MessageEvent> history(qint64 roomId, const QString &roomName, qint64 before,
                                          int limit);
    QList<protocol::MessageEvent> messagesAfter(qint64 roomId, const QString &roomName,
                                                qint64 after, int limit);
    qint64 adminGeneration() { return m_database.adminGeneration(); }

private:
    QSqlQuery prepared(const QString &sql);
    QList<protocol::MessageEvent> readMessages(QSqlQuery &query, const QString &roomName);

    Database m_database;
    QSqlQuery m_userByName;
    QSqlQuery m_validToken;
    QSqlQuery m_tokenValid;
    QSqlQuery m_roomsOf;
    QSqlQuery m_membersOf;
    QSqlQuery m_history;
    QSqlQuery m_after;
};

} // namespace conversa::server
