// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "HandlerHarness.h"

#include "PasswordHasher.h"
#include "TestStorage.h"
#include "storage/Database.h"
#include "storage/StorageWriter.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

namespace conversa::test {

using namespace Qt::StringLiterals;
using namespace conversa::server;

bool RecordingSink::send(Session &session, const QString &frame)
{
    m_frames.append({session.id, QJsonDocument::fromJson(frame.toUtf8()).object()});
    return true;
}

void RecordingSink::close(Session &session, quint16 code, const QString &reason)
{
    closes.append({session.id, code, reason});
    session.stage = Session::Stage::Closing;
}

QList<QJsonObject> RecordingSink::framesOf(quint64 sessionId) const
{
    QList<QJsonObject> frames;
    for (const auto &[id, frame] : m_frames) {
        if (id == sessionId)
            frames.append(frame);
    }
    return frames;
}

QList<QJsonObject> RecordingSink::eventsOf(quint64 sessionId, const QString &type) const
{
    QList<QJsonObject> events;
    for (const QJsonObject &frame : framesOf(sessionId)) {
        if (frame.value("type"_L1).toString() == type && !frame.contains("re"_L1))
            events.append(frame);
    }
    return events;
}

QJsonObject RecordingSink::replyTo(quint64 sessionId, const QJsonValue &id) const
{
    for (const QJsonObject &frame : framesOf(sessionId)) {
        if (frame.contains("re"_L1) && frame.value("re"_L1) == id)
            return frame;
    }
    return {};
}

HandlerHarness::HandlerHarness(ServerConfig config)
{
    config.dataDir = m_dir.path();
    config.syncMode = SyncMode::Normal;
    m_context = std::make_unique<ServerContext>(std::move(config));
    m_context->eventContext = &m_eventContext;
    m_context->sink = &m_sink;
    m_context->instanceName = u"test-instance"_s;
    m_router = std::make_unique<RequestRouter>(*m_context);
}

HandlerHarness::~HandlerHarness()
{
    m_router.reset();
    if (m_context->writer) {
        m_context->writer->stop();
        delete m_context->writer;
    }
    m_context.reset();
}

QString HandlerHarness::start(const QStringList &users, const QStringList &withPasswords)
{
    if (!m_dir.isValid())
        return u"no temporary folder"_s;
    if (!PasswordHasher::initialize())
        return u"libsodium could not be initialised"_s;
    QString storageError;
    m_storage = freshStorage(m_dir.path(), &storageError);
    if (!storageError.isEmpty())
        return storageError;
    m_context->config.storage = m_storage.kind;
    m_context->config.databaseUrl = m_storage.databaseUrl;
    {
        Database db;
        if (QString error = db.open(m_storage, u"harness-setup"_s); !error.isEmpty())
            return error;
        QSqlQuery query(db.db());
        query.prepare(u"INSERT INTO users (name, password_hash, created_ms) VALUES (?, ?, 0)"_s);
        for (const QString &user : users) {
            query.addBindValue(user);
            query.addBindValue(withPasswords.contains(user) ? PasswordHasher::hash(user + u"-pw"_s)
                                                            : QByteArray("no password"));
            if (!query.exec())
                return u"cannot add user %1"_s.arg(user);
        }
    }
    if (QString error = m_context->store.open(m_storage); !error.isEmpty())
        return error;
    m_context->writer = new StorageWriter(&m_eventContext);
    if (QString error = m_context->writer->start(m_storage); !error.isEmpty())
        return error;
    if (!m_context->rooms.load(m_context->store))
        return u"cannot load rooms"_s;
    return {};
}

QString HandlerHarness::tokenFor(const QString &user)
{
    const QString token = TokenSecrets::generate();
    Database db;
    if (!db.open(m_storage, u"harness-token"_s).isEmpty())
        return {};
    QSqlQuery query(db.db());
    query.prepare(u"INSERT INTO tokens (user_id, hash, device, created_ms) "
                  "SELECT id, ?, 'test', 0 FROM users WHERE name = ?"_s);
    query.addBindValue(TokenSecrets::hashOf(token));
    query.addBindValue(user);
    return query.exec() && query.numRowsAffected() == 1 ? token : QString();
}

Session &HandlerHarness::connect(const QString &address)
{
    Session &session = m_context->sessions.create();
    session.address = session.socketAddress = address;
    session.stage = Session::Stage::WebSocket;
    return session;
}

Session *HandlerHarness::signedIn(const QString &user)
{
    Session &session = connect();
    const QJsonObject reply =
        request(session, {{"type"_L1, "auth"_L1}, {"token"_L1, tokenFor(user)}});
    if (reply.value("type"_L1).toString() != "ok"_L1) {
        qWarning().noquote() << "auth as" << user << "failed:" << QJsonDocument(reply).toJson();
        return nullptr;
    }
    return &session;
}

QJsonObject HandlerHarness::request(Session &session, const QJsonObject &frame, int timeoutMs)
{
    QJsonObject withId = frame;
    if (!withId.contains("id"_L1) && frame.value("type"_L1).toString() != "typing"_L1)
        withId.insert("id"_L1, ++m_nextId);
    sendText(session, QString::fromUtf8(QJsonDocument(withId).toJson(QJsonDocument::Compact)));
    if (!withId.contains("id"_L1))
        return {};
    return waitForReply(session, withId.value("id"_L1), timeoutMs);
}

void HandlerHarness::sendText(Session &session, const QString &text)
{
    m_router->handleText(session, text);
}

QJsonObject HandlerHarness::waitForReply(Session &session, const QJsonValue &id, int timeoutMs)
{
    const quint64 sessionId = session.id;
    QDeadlineTimer deadline(timeoutMs);
    QJsonObject reply = m_sink.replyTo(sessionId, id);
    while (reply.isEmpty() && !deadline.hasExpired()) {
        QTest::qWait(5);
        reply = m_sink.replyTo(sessionId, id);
    }
    return reply;
}

} // namespace conversa::test
