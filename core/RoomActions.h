// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Transport.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace conversa::core {

class SessionManager;

// How a room operation (create, join, leave, dm, invite, rename, remove) ended.
struct RoomOperationResult {
    enum class Error {
        None,
        InvalidName,   // not a room (or user) name; nothing was sent
        Offline,       // no session, or it went down before the answer
        AlreadyExists, // create: the name is taken
        NotFound,      // join/leave: no such room; dm/invite/remove: no such user
        Forbidden,     // not allowed (a private room, a reserved name, not the owner)
        Refused,       // any other refusal; `message` has the server's words
    };
    Error error = Error::None;
    QString room;    // dm: the direct-message room
    QString message; // in words, for a person; empty when it worked
    bool ok() const { return error == Error::None; }
};

// A public room found by RoomActions::findRooms.
struct PublicRoom {
    QString name;
    QString title;
    qint64 members = 0;
};

// One page of the room directory.
struct DirectoryPage {
    QList<PublicRoom> rooms;
    bool more = false; // ask again with `after` = the last room's name
    RoomOperationResult result;
};

// What a person does to rooms and people beyond sending: direct messages, private rooms,
// invites, the public room directory, and an owner's rename and remove. Each answer comes in
// words (RoomOperationResult::message); the room list follows by itself (the server's `room`
// and `removed` events, and a refresh after each change).
class RoomActions : public QObject
{
    Q_OBJECT
public:
    explicit RoomActions(SessionManager *session, QObject *parent = nullptr);

    // `done` runs once, unless `context` is gone by then.
    using Handler = std::function<void(const RoomOperationResult &)>;
    using DirectoryHandler = std::function<void(const DirectoryPage &)>;

    // The dm room with `user` (made on first use); result.room names it.
    void openDirectMessage(const QString &user, const QObject *context, Handler done);
    void createRoom(const QString &name, const QString &title, bool isPrivate,
                    const QObject *context, Handler done);
    void joinRoom(const QString &name, const QObject *context, Handler done);
    void leaveRoom(const QString &name, const QObject *context, Handler done);
    void invite(const QString &room, const QString &user, const QObject *context, Handler done);
    void rename(const QString &room, const QString &title, const QObject *context, Handler done);
    void removeMember(const QString &room, const QString &user, const QObject *context,
                      Handler done);
    // Public rooms whose name or title contains `query` (all when empty), after `after`.
    void findRooms(const QString &query, const QString &after, const QObject *context,
                   DirectoryHandler done);

    // A reply as a result in words; `user` names who a not_found is about (empty: a room).
    static RoomOperationResult resultOf(const RequestResult &reply, const QString &room,
                                        const QString &user = {});

private:
    void run(const protocol::Request &request, const QString &room, const QString &user,
             const QObject *context, Handler done);

    QPointer<SessionManager> m_session;
};

} // namespace conversa::core
