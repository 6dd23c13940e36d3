// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "cluster/ClusterListener.h"

#include "Log.h"
#include "ServerContext.h"
#include "cluster/MembershipNews.h"
#include "cluster/RoomFeed.h"
#include "storage/DatabaseUrl.h"
#include "storage/StorageWriter.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
const QString kEntries = u"conversa_entries"_s;
const QString kRooms = u"conversa_rooms"_s;
const QString kAdmin = u"conversa_admin"_s;
} // namespace

ClusterListener::ClusterListener(ServerContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_connectionName(u"conversa-listen-%1"_s.arg(quintptr(this), 0, 16))
{
    m_checkTimer.setInterval(kCheckIntervalMs);
    m_entriesTimer.setSingleShot(true);
    m_entriesTimer.setInterval(kEntriesDelayMs);
    connect(&m_entriesTimer, &QTimer::timeout, this, &ClusterListener::deliverPendingEntries);
    connect(&m_checkTimer, &QTimer::timeout, this, &ClusterListener::check);
}

ClusterListener::~ClusterListener()
{
    stop();
}

QString ClusterListener::start()
{
    QString error;
    if (!connectAndListen(&error))
        return error;
    m_checkTimer.start();
    if (m_context.writer) {
        // Back from an outage: look at once rather than at the next check.
        connect(m_context.writer, &StorageWriter::databaseReachableChanged, this,
                [this](bool reachable) {
                    if (reachable)
                        check();
                });
    }
    return {};
}

void ClusterListener::stop()
{
    m_checkTimer.stop();
    dropConnection();
}

bool ClusterListener::connectAndListen(QString *error)
{
    const auto url = parseDatabaseUrl(m_context.config.databaseUrl, error);
    if (!url)
        return false;
    dropConnection();
    m_db = QSqlDatabase::addDatabase(u"QPSQL"_s, m_connectionName);
    url->configure(m_db);
    if (!m_db.open()) {
        *error = u"cannot connect to the database %1 to listen for other instances: %2"_s.arg(
            url->display(), m_db.lastError().text().trimmed());
        dropConnection();
        return false;
    }
    QSqlDriver *driver = m_db.driver();
    for (const QString &channel : {kEntries, kRooms, kAdmin}) {
        if (!driver->subscribeToNotification(channel)) {
            *error = u"cannot LISTEN %1 on %2: %3"_s.arg(channel, url->display(),
                                                         driver->lastError().text().trimmed());
            dropConnection();
            return false;
        }
    }
    connect(driver, &QSqlDriver::notification, this, &ClusterListener::onNotification);
    m_listening = true;
    return true;
}

void ClusterListener::dropConnection()
{
    m_listening = false;
    if (m_db.isValid()) {
        m_db.driver()->disconnect(this);
        m_db.close();
    }
    m_db = QSqlDatabase();
    if (QSqlDatabase::contains(m_connectionName))
        QSqlDatabase::removeDatabase(m_connectionName);
}

void ClusterListener::onNotification(const QString &channel, QSqlDriver::NotificationSource,
                                     const QVariant &payload)
{
    if (channel == kEntries) {
        // Held for a moment: this instance's own commits are announced too, and their answers
        // (the fast path) are usually on their way here already; several notifications for one
        // room become one read.
        for (const auto &[roomId, lastSeq] : RoomFeed::parsePayload(payload.toString())) {
            qint64 &pending = m_pendingEntries[roomId];
            pending = qMax(pending, lastSeq);
        }
        if (!m_entriesTimer.isActive())
            m_entriesTimer.start();
    } else if (channel == kRooms) {
        // Someone may sign in here right after joining through another instance. Answers to
        // this instance's own commits that are queued go first: their handlers tell who was
        // added or removed, so the reload has nothing left to tell of them.
        if (m_context.eventContext)
            QCoreApplication::sendPostedEvents(m_context.eventContext);
        reloadRooms();
    } else if (channel == kAdmin) {
        // Also held: a sign-out here announces itself, and its session gets `ok` before the
        // revoked token's sessions are closed.
        m_adminPending = true;
        if (!m_entriesTimer.isActive())
            m_entriesTimer.start();
    }
}

void ClusterListener::deliverPendingEntries()
{
    // Answers to this instance's own commits that are already queued go first.
    if (m_context.eventContext)
        QCoreApplication::sendPostedEvents(m_context.eventContext);
    const QHash<qint64, qint64> entries = std::exchange(m_pendingEntries, {});
    for (auto it = entries.cbegin(); it != entries.cend(); ++it) {
        // A room made elsewhere that the directory has not read yet: read it first.
        if (!m_context.rooms.findById(it.key()))
            reloadRooms();
        m_context.roomFeed.notified(it.key(), it.value());
    }
    if (std::exchange(m_adminPending, false))
        emit adminChanged();
}

void ClusterListener::reloadRooms()
{
    if (reloadRoomsAndTellMembers(m_context))
        m_context.roomFeed.adoptNewRooms();
}

void ClusterListener::catchUpEverything()
{
    reloadRooms();
    m_context.roomFeed.checkAll();
    emit adminChanged();
}

void ClusterListener::check()
{
    if (m_listening) {
        // A listening connection that died says nothing: ask it something.
        QSqlQuery ping(m_db);
        if (!ping.exec(u"SELECT 1"_s)) {
            qCWarning(lcServer).noquote()
                << u"event=listen_lost error=%1"_s.arg(logValue(ping.lastError().text().trimmed()));
            dropConnection();
        }
    }
    if (!m_listening) {
        // Connecting blocks this thread, so only once the writer reaches the database again.
        if (m_context.writer && !m_context.writer->databaseReachable())
            return;
        QString error;
        if (!connectAndListen(&error)) {
            qCWarning(lcServer).noquote() << u"event=listen_failed error=%1"_s.arg(logValue(error));
            return;
        }
        qCInfo(lcServer).noquote() << u"event=listen_restored"_s;
        // Whatever was notified while nobody listened is read now.
        catchUpEverything();
        return;
    }
    m_context.roomFeed.checkAll();
}

} // namespace conversa::server
