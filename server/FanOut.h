// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSet>
#include <QString>

namespace conversa::server {

class ServerContext;
struct Room;
struct Session;

// Sends one event, serialized once, to the sessions of many users.
class FanOut
{
public:
    explicit FanOut(ServerContext &context)
        : m_context(context)
    {}

    // To every session of every member of `room`, except the sessions of `skipUserId` (0: none)
    // and `skipSession`. Counts each frame sent as a delivery.
    void toRoom(const Room &room, const QString &frame, qint64 skipUserId = 0,
                const Session *skipSession = nullptr);
    // To every session of each of `users`.
    void toUsers(const QSet<qint64> &users, const QString &frame);
    // `text` as one unmasked, unfragmented WebSocket text frame.
    static QByteArray encodeTextFrame(const QString &text);

private:
    ServerContext &m_context;
};

} // namespace conversa::server
