// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ServerContext.h"
#include "handlers/RequestRouter.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTemporaryDir>

#include <memory>

namespace conversa::test {

// Stands in for the sockets: keeps every frame and close a handler sends, by session.
class RecordingSink : public server::SessionSink
{
public:
    struct Close {
        quint64 session = 0;
        quint16 code = 0;
        QString reason;
    };

    bool send(server::Session &session, const QString &frame) override;
    void close(server::Session &session, quint16 code, const QString &reason) override;

    // Every frame `sessionId` got so far, parsed, oldest first.
    QList<QJsonObject> framesOf(quint64 sessionId) const;
    // Frames of `sessionId` with this `type` (events: "message", "typing", "presence").
    QList<QJsonObject> eventsOf(quint64 sessionId, const QString &type) const;
    // The reply to request `id`, or an empty object.
    QJsonObject replyTo(quint64 sessionId, const QJsonValue &id) const;
    QList<Close> closes;
    qsizetype frameCount() const { return m_frames.size(); }

private:
    QList<std::pair<quint64, QJsonObject>> m_frames;
};

// A server's request side without sockets: a real Store and StorageWriter on a temporary data
// folder (or, with CONVERSA_TEST_STORAGE=postgresql, a new PostgreSQL database: TestStorage.h),
// the real handlers behind a RequestRouter, and a RecordingSink where sockets would be.
class HandlerHarness
{
public:
    explicit HandlerHarness(server::ServerConfig config = {});
    ~HandlerHarness();

    // Creates the database with `users` (password: name + "-pw"; hashing is slow, so only
    // those named in `withPasswords` get a real hash), opens storage. Empty on success.
    QString start(const QStringList &users, const QStringList &withPasswords = {});
    // A device token for `user`, stored as `login` would.
    QString tokenFor(const QString &user);

    // A connection that finished its WebSocket handshake, not signed in.
    server::Session &connect(const QString &address = QStringLiteral("192.0.2.1"));
    // A connection signed in as `user` through `auth`; nullptr (and a warning) if that failed.
    server::Session *signedIn(const QString &user);

    // Hands `frame` to the router as text; with an `id`, waits for its reply and returns it.
    QJsonObject request(server::Session &session, const QJsonObject &frame, int timeoutMs = 10000);
    void sendText(server::Session &session, const QString &text);
    // Runs the event loop until `session` has a reply to `id` (writes answer after a commit).
    QJsonObject waitForReply(server::Session &session, const QJsonValue &id, int timeoutMs = 10000);

    server::ServerContext &context() { return *m_context; }
    server::RequestRouter &router() { return *m_router; }
    RecordingSink &sink() { return m_sink; }
    QString dataDir() const { return m_dir.path(); }
    const server::StorageLocation &storage() const { return m_storage; }

private:
    QTemporaryDir m_dir;
    server::StorageLocation m_storage;
    QObject m_eventContext;
    RecordingSink m_sink;
    std::unique_ptr<server::ServerContext> m_context;
    std::unique_ptr<server::RequestRouter> m_router;
    int m_nextId = 1000;
};

} // namespace conversa::test
