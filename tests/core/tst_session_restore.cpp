// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// SessionManager against a real conversa-server that is restored from a backup while the client
// holds messages the backup lacks. The server then hands those seqs out again for new messages;
// the client must drop its copy instead of keeping messages that no longer exist and ignoring
// the new ones. Two ways to learn it: the `epoch` of the `rooms` answer changed, or (a cache that
// already has the new epoch) `sync` answers `conflict`.
#include <ConversaTest.h>

#include <MessageCache.h>
#include <Outbox.h>
#include <SessionManager.h>

#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::protocol::MessageEvent;
using conversa::test::ServerProcess;
using conversa::test::waitUntil;

namespace {

const QString kPassword = u"restore-password"_s;

struct Client {
    QTemporaryDir dir;
    MessageCache cache;
    Outbox outbox;
    SessionManager session;
    QList<MessageEvent> received;
    QString token;

    explicit Client(const QUrl &url)
    {
        cache.open(dir.filePath(u"cache.sqlite"_s));
        outbox.open(dir.filePath(u"outbox.sqlite"_s));
        session.setServerUrl(url);
        session.setCache(&cache);
        session.setOutbox(&outbox);
        session.setProxy(SessionManager::ProxyMode::None);
        session.setWatchNetwork(false);
        QObject::connect(&session, &SessionManager::messageReceived,
                         [this](const MessageEvent &m) { received.append(m); });
        QObject::connect(&session, &SessionManager::tokenIssued,
                         [this](const QString &, const QString &t) { token = t; });
    }
    bool online(int timeoutMs = 10000)
    {
        return waitUntil([&] { return session.state() == ConnectionState::Online; }, timeoutMs);
    }
    bool join(const QString &room)
    {
        bool done = false, ok = false;
        session.request(conversa::protocol::JoinRequest{{}, room}, [&](const RequestResult &r) {
            ok = r.isOk();
            done = true;
        });
        waitUntil([&] { return done; }, 10000);
        // The session learns the new room, syncs it and is online again.
        waitUntil(
            [&] {
                return cache.room(room).has_value() && session.state() == ConnectionState::Online;
            },
            5000);
        return ok;
    }
    QStringList cachedBodies()
    {
        QStringList bodies;
        for (const MessageEvent &m : cache.latest(u"general"_s, 100))
            bodies.append(u"%1:%2"_s.arg(m.seq).arg(m.body));
        return bodies;
    }
};

} // namespace

class TestSessionRestore : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (ServerProcess::defaultBinary().isEmpty())
            QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
    }

    void restoredServer_clientDropsTheLostFuture()
    {
        ServerProcess server;
        QVERIFY2(server.addUser(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.addUser(u"bob"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.createRoom(u"general"_s), qPrintable(server.lastAdminError()));
        QVERIFY2(server.start(), qPrintable(server.diagnostics()));

        // Two clients of bob's: one learns of the restore from the epoch, one from `conflict`.
        Client byEpoch(server.url()), byConflict(server.url());
        for (Client *client : {&byEpoch, &byConflict}) {
            client->session.signIn(u"bob"_s, kPassword);
            QVERIFY(client->online());
            QVERIFY(client->join(u"general"_s));
        }
        QString why;
        auto alice = conversa::test::openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(alice, qPrintable(why));
        VERIFY_OK(alice->join(u"general"_s));
        for (int i = 1; i <= 3; ++i)
            VERIFY_OK(alice->send(u"general"_s, u"kept %1"_s.arg(i)));
        QTemporaryDir backups;
        const QString file = backups.filePath(u"backup.db"_s);
        QVERIFY(server.runAdmin({u"backup"_s, file}).ok());
        for (int i = 4; i <= 6; ++i)
            VERIFY_OK(alice->send(u"general"_s, u"lost %1"_s.arg(i)));
        for (Client *client : {&byEpoch, &byConflict}) {
            QVERIFY2(waitUntil([&] { return client->cache.syncedSeq(u"general"_s) == 6; }, 10000),
                     qPrintable(client->cachedBodies().join(u", "_s)));
            client->session.signOut();
        }

        QCOMPARE(server.terminate(), 0);
        const conversa::test::AdminResult restore = server.runAdmin({u"restore"_s, file});
        QVERIFY2(restore.ok(), qPrintable(restore.describe()));
        const auto match = QRegularExpression(u"history epoch (\\d+)"_s)
                               .match(QString::fromUtf8(restore.standardOutput));
        QVERIFY2(match.hasMatch(), qPrintable(restore.describe()));
        // This cache already claims the new epoch, so only `conflict` can tell it.
        {
            QVERIFY(byConflict.cache.database().exec(u"CREATE TABLE IF NOT EXISTS meta (key TEXT "
                                                     "PRIMARY KEY, value INTEGER NOT NULL)"_s));
            QSqlQuery set(byConflict.cache.database().prepare(
                u"INSERT OR REPLACE INTO meta(key, value) VALUES('history_epoch', ?)"_s));
            set.addBindValue(match.captured(1).toLongLong());
            QVERIFY(byConflict.cache.database().exec(set));
        }
        QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
        alice = conversa::test::openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(alice, qPrintable(why));
        for (int i = 4; i <= 5; ++i)
            VERIFY_OK(alice->send(u"general"_s, u"new %1"_s.arg(i)));

        const QStringList expected{u"1:kept 1"_s, u"2:kept 2"_s, u"3:kept 3"_s, u"4:new 4"_s,
                                   u"5:new 5"_s};
        for (Client *client : {&byEpoch, &byConflict}) {
            client->session.resume(u"bob"_s, client->token);
            QVERIFY(client->online());
            QVERIFY2(waitUntil([&] { return client->cachedBodies() == expected; }, 10000),
                     qPrintable(client->cachedBodies().join(u", "_s)));
        }
        // Live messages go on from there.
        VERIFY_OK(alice->send(u"general"_s, u"new 6"_s));
        for (Client *client : {&byEpoch, &byConflict}) {
            QVERIFY2(waitUntil([&] { return client->cachedBodies().size() == 6; }, 10000),
                     qPrintable(client->cachedBodies().join(u", "_s)));
            QCOMPARE(client->cachedBodies().constLast(), u"6:new 6"_s);
            QCOMPARE(client->received.constLast().body, u"new 6"_s);
        }
    }
};

QTEST_GUILESS_MAIN(TestSessionRestore)
#include "tst_session_restore.moc"
