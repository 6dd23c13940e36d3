// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: conversa-server with storage=postgresql on a real PostgreSQL started here.
// Sign-in, live messages, sync after a reconnect, cid idempotency, two servers writing one room
// at once, PostgreSQL restarting under a running server, and migrate --from-sqlite.

#include "ConversaTest.h"
#include "PostgresServer.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

class tst_server_postgres : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void serve_needsNoDataFolder();
    void signIn_sendAndReceiveLive();
    void sync_afterReconnectGetsWhatWasMissed();
    void send_repeatedCid_sameSeqOneMessage();
    void twoServers_concurrentWritersGetGaplessSeqs();
    void adminCommands_reachARunningServer();
    void databaseRestart_writesFailThenRecover();
    void migrateFromSqlite_keepsEverything();
    void setupScript_makesARoleTheServerCanUse();

private:
    static QString password(const QString &user) { return user + u"-Secret-2"_s; }
    std::unique_ptr<TestClient> as(ServerProcess &server, const QString &user);
    static QStringList fastSends()
    {
        return {u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s, u"100000"_s};
    }

    std::unique_ptr<PostgresServer> m_postgres;
    std::unique_ptr<ServerProcess> m_server;
    QString m_url;
    QHash<QString, QString> m_tokens;
};

std::unique_ptr<TestClient> tst_server_postgres::as(ServerProcess &server, const QString &user)
{
    QString why;
    auto client = openWithToken(server.url(), m_tokens.value(user), &why);
    if (!client)
        qWarning().noquote() << "cannot open a session for" << user << ":" << why;
    return client;
}

void tst_server_postgres::initTestCase()
{
    if (!PostgresServer::isInstalled()) {
        if (PostgresServer::mustRun())
            QFAIL(qPrintable(PostgresServer::whyUnavailable()));
        QSKIP(qPrintable(PostgresServer::whyUnavailable()));
    }
    m_postgres = std::make_unique<PostgresServer>();
    QVERIFY2(m_postgres->start(), qPrintable(m_postgres->errorString()));
    m_url = m_postgres->createDatabase(u"chat"_s);
    QVERIFY2(!m_url.isEmpty(), qPrintable(m_postgres->errorString()));
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->isValid(), qPrintable(m_server->errorString()));
    m_server->setDatabaseUrl(m_url);
    for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s})
        QVERIFY2(m_server->addUser(user, password(user)), qPrintable(m_server->lastAdminError()));
    QVERIFY2(m_server->createRoom(u"lobby"_s, u"Lobby"_s), qPrintable(m_server->lastAdminError()));
    QVERIFY2(m_server->start(fastSends()), qPrintable(m_server->diagnostics()));
    for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s}) {
        QString why;
        auto client = openWithLogin(m_server->url(), user, password(user), &why);
        QVERIFY2(client, qPrintable(why));
        m_tokens.insert(user, client->token());
        VERIFY_OK(client->join(u"lobby"_s));
    }
}

void tst_server_postgres::cleanupTestCase()
{
    m_server.reset();
    m_postgres.reset();
}

void tst_server_postgres::serve_needsNoDataFolder()
{
    QVERIFY(!m_server->lastArguments().contains(u"--data"_s));
    QVERIFY(m_server->lastArguments().contains(u"--database-url"_s));
    // storage=postgresql without a URL, and a URL carrying a password, are refused in words.
    ServerProcess bad;
    QCOMPARE(bad.startExpectingExit({u"serve"_s, u"--storage"_s, u"postgresql"_s}), 2);
    QVERIFY2(bad.standardError().contains("needs database_url"), bad.standardError().constData());
    const AdminResult withPassword =
        bad.runRaw({u"user"_s, u"list"_s, u"--database-url"_s,
                    u"postgresql://conversa:secret@127.0.0.1:%1/chat"_s.arg(m_postgres->port())});
    QCOMPARE(withPassword.exitCode, 2);
    QVERIFY2(withPassword.standardError.contains("CONVERSA_DATABASE_PASSWORD"),
             withPassword.standardError.constData());
    QVERIFY(!withPassword.standardError.contains("secret"));
}

void tst_server_postgres::signIn_sendAndReceiveLive()
{
    auto alice = as(*m_server, u"alice"_s);
    auto bob = as(*m_server, u"bob"_s);
    QVERIFY(alice && bob);
    const QJsonObject sent = alice->send(u"lobby"_s, u"hello from PostgreSQL ✓"_s);
    VERIFY_OK(sent);
    const qint64 seq = sent.value(u"seq"_s).toInteger(-1);
    QVERIFY(seq >= 1);
    const QJsonObject event = bob->waitForEvent(u"message"_s);
    QCOMPARE(event.value(u"seq"_s).toInteger(), seq);
    QCOMPARE(event.value(u"body"_s).toString(), u"hello from PostgreSQL ✓"_s);
    QCOMPARE(event.value(u"from"_s).toString(), u"alice"_s);
    const QJsonObject history = bob->history(u"lobby"_s);
    VERIFY_OK(history);
    QCOMPARE(seqsOf(messagesOf(history)).constLast(), seq);
    // The sender has read what they wrote; rooms report it.
    const QJsonObject row = roomRow(alice->rooms(), u"lobby"_s);
    QCOMPARE(row.value(u"last_seq"_s).toInteger(), seq);
    QCOMPARE(row.value(u"read_seq"_s).toInteger(), seq);
}

void tst_server_postgres::sync_afterReconnectGetsWhatWasMissed()
{
    auto alice = as(*m_server, u"alice"_s);
    QVERIFY(alice);
    const qint64 before = roomRow(alice->rooms(), u"lobby"_s).value(u"last_seq"_s).toInteger();
    QStringList bodies;
    for (int i = 0; i < 30; ++i)
        bodies << u"missed %1"_s.arg(i);
    for (const QJsonObject &reply : alice->sendBurst(u"lobby"_s, bodies))
        VERIFY_OK(reply);
    auto bob = as(*m_server, u"bob"_s);
    QVERIFY(bob);
    const QJsonObject sync = bob->sync(u"lobby"_s, before);
    VERIFY_OK(sync);
    QCOMPARE(seqsOf(messagesOf(sync)), range(before + 1, before + 30));
    QCOMPARE(messagesOf(sync).constLast().value(u"body"_s).toString(), u"missed 29"_s);
}

void tst_server_postgres::send_repeatedCid_sameSeqOneMessage()
{
    auto alice = as(*m_server, u"alice"_s);
    QVERIFY(alice);
    const QJsonObject first = alice->send(u"lobby"_s, u"once"_s, u"cid-pg-1"_s);
    const QJsonObject second = alice->send(u"lobby"_s, u"once"_s, u"cid-pg-1"_s);
    VERIFY_OK(first);
    VERIFY_OK(second);
    QCOMPARE(second.value(u"seq"_s).toInteger(), first.value(u"seq"_s).toInteger());
    QCOMPARE(second.value(u"ts"_s).toInteger(), first.value(u"ts"_s).toInteger());
    // Both in one burst (one batch on the server): still one message.
    const QJsonValue a = alice->post({{u"type"_s, u"send"_s},
                                      {u"room"_s, u"lobby"_s},
                                      {u"cid"_s, u"cid-pg-2"_s},
                                      {u"body"_s, u"twice"_s}});
    const QJsonValue b = alice->post({{u"type"_s, u"send"_s},
                                      {u"room"_s, u"lobby"_s},
                                      {u"cid"_s, u"cid-pg-2"_s},
                                      {u"body"_s, u"twice"_s}});
    const QJsonObject ra = alice->waitForReply(a);
    const QJsonObject rb = alice->waitForReply(b);
    VERIFY_OK(ra);
    VERIFY_OK(rb);
    QCOMPARE(rb.value(u"seq"_s).toInteger(), ra.value(u"seq"_s).toInteger());
    const QString count = m_postgres->psql(
        u"chat"_s, u"SELECT count(*) FROM messages WHERE cid IN ('cid-pg-1', 'cid-pg-2')"_s);
    QCOMPARE(count, u"2"_s);
}

void tst_server_postgres::twoServers_concurrentWritersGetGaplessSeqs()
{
    auto alice = as(*m_server, u"alice"_s);
    QVERIFY(alice);
    VERIFY_OK(alice->create(u"busy"_s, u"Busy"_s));
    // Started after the room exists: telling instances about new rooms is not storage's part.
    ServerProcess second;
    second.setDatabaseUrl(m_url);
    QVERIFY2(second.start(fastSends()), qPrintable(second.diagnostics()));
    auto bob = as(second, u"bob"_s);
    auto carol = as(second, u"carol"_s);
    QVERIFY(bob && carol);
    VERIFY_OK(bob->join(u"busy"_s));
    VERIFY_OK(carol->join(u"busy"_s));

    constexpr int kPerClient = 400;
    QList<std::pair<TestClient *, QJsonValue>> posted;
    for (int i = 0; i < kPerClient; ++i) {
        for (TestClient *client : {alice.get(), bob.get(), carol.get()}) {
            const QString cid = u"%1-%2"_s.arg(client->user()).arg(i);
            posted.append({client, client->post({{u"type"_s, u"send"_s},
                                                 {u"room"_s, u"busy"_s},
                                                 {u"cid"_s, cid},
                                                 {u"body"_s, cid}})});
        }
    }
    QSet<qint64> seqs;
    QHash<TestClient *, qint64> lastSeqOf;
    for (const auto &[client, id] : posted) {
        const QJsonObject reply = client->waitForReply(id, 60000);
        VERIFY_OK(reply);
        const qint64 seq = reply.value(u"seq"_s).toInteger();
        QVERIFY2(!seqs.contains(seq), qPrintable(u"seq %1 handed out twice"_s.arg(seq)));
        // One client's messages are stored in the order it sent them.
        QVERIFY(seq > lastSeqOf.value(client, 0));
        lastSeqOf[client] = seq;
        seqs.insert(seq);
    }
    const int total = 3 * kPerClient;
    QCOMPARE(seqs.size(), total);
    QCOMPARE(*std::min_element(seqs.cbegin(), seqs.cend()), 1);
    QCOMPARE(*std::max_element(seqs.cbegin(), seqs.cend()), total);
    // The database agrees: every message once, seqs 1..total, last_seq at the end.
    QCOMPARE(m_postgres->psql(u"chat"_s,
                              u"SELECT count(*), count(DISTINCT seq), min(seq), max(seq), "
                              "count(DISTINCT (user_id, cid)) FROM messages m JOIN rooms r ON "
                              "r.id = m.room_id WHERE r.name = 'busy'"_s),
             u"%1|%1|1|%1|%1"_s.arg(total));
    QCOMPARE(m_postgres->psql(u"chat"_s, u"SELECT last_seq FROM rooms WHERE name = 'busy'"_s),
             QString::number(total));
    // Either server serves all of it.
    for (auto [server, user] : {std::pair{m_server.get(), u"alice"_s}, {&second, u"carol"_s}}) {
        auto reader = as(*server, user);
        QVERIFY(reader);
        QList<qint64> all;
        qint64 after = 0;
        while (after < total) {
            const QJsonObject page = reader->sync(u"busy"_s, after, 500);
            VERIFY_OK(page);
            const QList<qint64> got = seqsOf(messagesOf(page));
            QVERIFY(!got.isEmpty());
            all += got;
            after = got.constLast();
        }
        QCOMPARE(all, range(1, total));
    }
}

void tst_server_postgres::adminCommands_reachARunningServer()
{
    auto carol = as(*m_server, u"carol"_s);
    QVERIFY(carol);
    QVERIFY2(m_server->revokeUserTokens(u"carol"_s), qPrintable(m_server->lastAdminError()));
    QVERIFY2(carol->waitForDisconnected(5000), "the revoked session stayed open");
    QCOMPARE(carol->closeCode(), 4001);
    QString why;
    auto again = openWithLogin(m_server->url(), u"carol"_s, password(u"carol"_s), &why);
    QVERIFY2(again, qPrintable(why));
    m_tokens.insert(u"carol"_s, again->token());
    const AdminResult rooms = m_server->runAdmin({u"room"_s, u"list"_s});
    QVERIFY2(rooms.ok(), qPrintable(rooms.describe()));
    QVERIFY(rooms.standardOutput.contains("lobby"));
    const AdminResult migrate = m_server->runAdmin({u"migrate"_s});
    QVERIFY2(migrate.ok(), qPrintable(migrate.describe()));
    // The schema's version grows with the protocol; that the server made it current is the point.
    QVERIFY2(QRegularExpression(u"up to date \\(version [1-9][0-9]*\\)"_s)
                 .match(QString::fromUtf8(migrate.standardOutput))
                 .hasMatch(),
             migrate.standardOutput.constData());
}

void tst_server_postgres::databaseRestart_writesFailThenRecover()
{
    auto alice = as(*m_server, u"alice"_s);
    QVERIFY(alice);
    VERIFY_OK(alice->send(u"lobby"_s, u"before the restart"_s));
    QVERIFY2(m_postgres->stop(), qPrintable(m_postgres->errorString()));
    // Never ok without a commit: the write answers internal, and the session stays.
    const QJsonObject down = alice->send(u"lobby"_s, u"while down"_s, u"cid-while-down"_s);
    VERIFY_ERROR(down, u"internal"_s);
    VERIFY_ERROR(alice->history(u"lobby"_s), u"internal"_s);
    QVERIFY(alice->isConnected());
    QVERIFY2(m_postgres->start(), qPrintable(m_postgres->errorString()));
    // Without restarting conversa-server: the retry with the same cid goes through.
    QJsonObject retried;
    QVERIFY(waitUntil(
        [&] {
            retried = alice->send(u"lobby"_s, u"while down"_s, u"cid-while-down"_s);
            if (TestClient::isOk(retried))
                return true;
            QTest::qWait(200);
            return false;
        },
        20000));
    // Reads come back too, within about a second of the writer seeing the database again.
    QJsonObject history;
    QVERIFY2(waitUntil(
                 [&] {
                     history = alice->history(u"lobby"_s);
                     return TestClient::isOk(history) || (QTest::qWait(100), false);
                 },
                 5000),
             qPrintable(TestClient::toText(history) + m_server->diagnostics()));
    auto bob = as(*m_server, u"bob"_s);
    QVERIFY(bob);
    QCOMPARE(m_postgres->psql(u"chat"_s,
                              u"SELECT count(*) FROM messages WHERE cid = 'cid-while-down'"_s),
             u"1"_s);
}

void tst_server_postgres::migrateFromSqlite_keepsEverything()
{
    // A SQLite server with some history and a signed-in device.
    ServerProcess sqlite;
    QVERIFY2(sqlite.addUser(u"dave"_s, password(u"dave"_s)), qPrintable(sqlite.lastAdminError()));
    QVERIFY2(sqlite.addUser(u"erin"_s, password(u"erin"_s)), qPrintable(sqlite.lastAdminError()));
    QVERIFY2(sqlite.start(fastSends()), qPrintable(sqlite.diagnostics()));
    QString why;
    auto dave = openWithLogin(sqlite.url(), u"dave"_s, password(u"dave"_s), &why);
    QVERIFY2(dave, qPrintable(why));
    const QString daveToken = dave->token();
    VERIFY_OK(dave->create(u"old"_s, u"Old times \"quoted\" \\ back"_s));
    QStringList bodies;
    for (int i = 0; i < 25; ++i)
        bodies << u"line %1 with 'quotes', \"doubles\", {braces}, \\backslash\\ and ünïcødé"_s.arg(
            i);
    for (const QJsonObject &reply : dave->sendBurst(u"old"_s, bodies))
        VERIFY_OK(reply);
    VERIFY_OK(dave->read(u"old"_s, 10));
    const QJsonObject before = dave->history(u"old"_s);
    dave.reset();
    QCOMPARE(sqlite.terminate(), 0);

    // Refused while a server still runs on the folder.
    QVERIFY2(sqlite.start(fastSends()), qPrintable(sqlite.diagnostics()));
    const QString target = m_postgres->createDatabase(u"moved"_s);
    QVERIFY2(!target.isEmpty(), qPrintable(m_postgres->errorString()));
    const QStringList migrate{u"migrate"_s, u"--from-sqlite"_s, sqlite.dataDir(),
                              u"--database-url"_s, target};
    const AdminResult busy = sqlite.runRaw(migrate);
    QCOMPARE(busy.exitCode, 1);
    QVERIFY2(busy.standardError.contains("stop it first"), busy.standardError.constData());
    QCOMPARE(sqlite.terminate(), 0);

    const AdminResult moved = sqlite.runRaw(migrate);
    QVERIFY2(moved.ok(), qPrintable(moved.describe()));
    QVERIFY2(moved.standardOutput.contains("2 user(s), 1 token(s), 1 room(s), 1 membership(s), "
                                           "25 message(s)"),
             moved.standardOutput.constData());
    // Into a database that is no longer empty: refused, nothing changes.
    const AdminResult twice = sqlite.runRaw(migrate);
    QCOMPARE(twice.exitCode, 1);
    QVERIFY2(twice.standardError.contains("empty database"), twice.standardError.constData());

    ServerProcess postgres;
    postgres.setDatabaseUrl(target);
    QVERIFY2(postgres.start(fastSends()), qPrintable(postgres.diagnostics()));
    // The saved token still works, history is the same, read markers are kept.
    auto back = openWithToken(postgres.url(), daveToken, &why);
    QVERIFY2(back, qPrintable(why));
    const QJsonObject after = back->history(u"old"_s);
    VERIFY_OK(after);
    QCOMPARE(messagesOf(after), messagesOf(before));
    const QJsonObject row = roomRow(back->rooms(), u"old"_s);
    QCOMPARE(row.value(u"last_seq"_s).toInteger(), 25);
    QCOMPARE(row.value(u"title"_s).toString(), u"Old times \"quoted\" \\ back"_s);
    QVERIFY(row.value(u"read_seq"_s).toInteger() >= 10);
    // Writing goes on at the next seq; new users and rooms get fresh ids.
    const QJsonObject next = back->send(u"old"_s, u"after the move"_s);
    VERIFY_OK(next);
    QCOMPARE(next.value(u"seq"_s).toInteger(), 26);
    VERIFY_OK(back->create(u"new-room"_s));
    QVERIFY2(postgres.addUser(u"frank"_s, password(u"frank"_s)),
             qPrintable(postgres.lastAdminError()));
    // Password hashes came along.
    auto erin = openWithLogin(postgres.url(), u"erin"_s, password(u"erin"_s), &why);
    QVERIFY2(erin, qPrintable(why));
    auto frank = openWithLogin(postgres.url(), u"frank"_s, password(u"frank"_s), &why);
    QVERIFY2(frank, qPrintable(why));
}

// installer/postgresql/setup.sh against the test cluster (its superuser through PGUSER): a
// role that is not a superuser and its database, in which conversa-server creates its tables.
void tst_server_postgres::setupScript_makesARoleTheServerCanUse()
{
    QTemporaryDir dir;
    const QString envFile = dir.filePath(u"database.env"_s);
    QProcess setup;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PGHOST"_s, u"127.0.0.1"_s);
    env.insert(u"PGPORT"_s, QString::number(m_postgres->port()));
    env.insert(u"PGUSER"_s, u"conversa"_s);
    setup.setProcessEnvironment(env);
    setup.setProcessChannelMode(QProcess::MergedChannels);
    const QStringList arguments{
        QStringLiteral(CONVERSA_SOURCE_DIR "/installer/postgresql/setup.sh"),
        u"--role"_s,
        u"chat_role"_s,
        u"--database"_s,
        u"chat_db"_s,
        u"--host"_s,
        u"127.0.0.1"_s,
        u"--port"_s,
        QString::number(m_postgres->port()),
        u"--env-file"_s,
        envFile};
    setup.start(u"bash"_s, arguments);
    QVERIFY(setup.waitForFinished(60000));
    const QByteArray output = setup.readAll();
    QVERIFY2(setup.exitCode() == 0, output.constData());
    const QString url = u"postgresql://chat_role@127.0.0.1:%1/chat_db"_s.arg(m_postgres->port());
    QVERIFY2(output.contains((u"database_url = "_s + url).toUtf8()), output.constData());
    QFile file(envFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray line = file.readAll().trimmed();
    QVERIFY2(line.startsWith("CONVERSA_DATABASE_PASSWORD=") && line.size() > 40, line.constData());
    QCOMPARE(file.permissions() & (QFile::ReadOther | QFile::WriteOther), QFile::Permissions());
    QCOMPARE(m_postgres->psql(u"postgres"_s,
                              u"SELECT rolsuper FROM pg_roles WHERE rolname = 'chat_role'"_s),
             u"f"_s);
    ServerProcess server;
    server.setDatabaseUrl(url);
    QProcessEnvironment serverEnv = server.environment();
    serverEnv.insert(u"CONVERSA_DATABASE_PASSWORD"_s, QString::fromLatin1(line.mid(27)));
    server.setEnvironment(serverEnv);
    QVERIFY2(server.addUser(u"gina"_s, password(u"gina"_s)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    QString why;
    auto gina = openWithLogin(server.url(), u"gina"_s, password(u"gina"_s), &why);
    QVERIFY2(gina, qPrintable(why));
    VERIFY_OK(gina->create(u"made-by-role"_s));
    VERIFY_OK(gina->send(u"made-by-role"_s, u"hi"_s));
    // Run again: the data stays, the role gets a new password.
    setup.start(u"bash"_s, arguments);
    QVERIFY(setup.waitForFinished(60000));
    QCOMPARE(setup.exitCode(), 0);
    QFile rewritten(envFile); // replaced by a rename, so opened anew
    QVERIFY(rewritten.open(QIODevice::ReadOnly));
    QVERIFY(rewritten.readAll().trimmed() != line);
    QCOMPARE(m_postgres->psql(u"chat_db"_s, u"SELECT count(*) FROM messages"_s), u"1"_s);
}

QTEST_GUILESS_MAIN(tst_server_postgres)
#include "tst_server_postgres.moc"
