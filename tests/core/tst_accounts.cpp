// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <AccountPaths.h>
#include <ConnectionState.h>
#include <Outbox.h>
#include <SessionManager.h>
#include <TokenStore.h>

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::core;

// Server addresses, account keys, per-account files and the words of the connection status.
class TestAccounts : public QObject
{
    Q_OBJECT
private slots:
    void normalizeServerUrl_data();
    void normalizeServerUrl();
    void accountKeys();
    void accountPaths();
    void statusInWords();
    void invalidMessagesAreNotQueued();
};

void TestAccounts::normalizeServerUrl_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("host:port") << u"127.0.0.1:8080"_s << u"ws://127.0.0.1:8080/ws"_s;
    QTest::newRow("ws full") << u"ws://127.0.0.1:8080/ws"_s << u"ws://127.0.0.1:8080/ws"_s;
    QTest::newRow("https") << u"https://chat.example.com"_s << u"wss://chat.example.com/ws"_s;
    QTest::newRow("http slash") << u"http://chat.example.com:81/"_s
                                << u"ws://chat.example.com:81/ws"_s;
    QTest::newRow("custom path") << u"wss://example.com/chat/ws"_s
                                 << u"wss://example.com/chat/ws"_s;
    QTest::newRow("spaces") << u"  wss://example.com  "_s << u"wss://example.com/ws"_s;
    QTest::newRow("ftp") << u"ftp://example.com"_s << QString();
    QTest::newRow("empty") << QString() << QString();
}

void TestAccounts::normalizeServerUrl()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    const QUrl url = SessionManager::normalizeServerUrl(input);
    QCOMPARE(url.isValid() ? url.toString() : QString(), expected);
}

void TestAccounts::accountKeys()
{
    QCOMPARE(SessionManager::accountKey(u"alice"_s, QUrl(u"wss://Chat.Example.com/ws"_s)),
             u"alice@chat.example.com:443"_s);
    QCOMPARE(SessionManager::accountKey(u"bob"_s, QUrl(u"ws://127.0.0.1:8080/ws"_s)),
             u"bob@127.0.0.1:8080"_s);
    QCOMPARE(SessionManager::accountKey(u"bob"_s, QUrl(u"ws://host/ws"_s)), u"bob@host:80"_s);
    QCOMPARE(TokenStore::accountKey(u"alice"_s, u"chat.example.com"_s, 443),
             SessionManager::accountKey(u"alice"_s, QUrl(u"wss://chat.example.com/ws"_s)));
}

void TestAccounts::accountPaths()
{
    QTemporaryDir dir;
    const AccountPaths paths(dir.path());
    QCOMPARE(AccountPaths::folderName(u"alice@[::1]:8080"_s), u"alice@___1__8080"_s);
    const QString key = u"alice@127.0.0.1:8080"_s;
    QCOMPARE(paths.accountDirectory(key), dir.filePath(u"accounts/alice@127.0.0.1_8080"_s));
    QCOMPARE(paths.outboxPath(key), dir.filePath(u"accounts/alice@127.0.0.1_8080/outbox.sqlite"_s));
    QCOMPARE(paths.cachePath(key), dir.filePath(u"accounts/alice@127.0.0.1_8080/cache.sqlite"_s));
    // Two accounts never share files.
    QVERIFY(paths.outboxPath(u"alice@a:1"_s) != paths.outboxPath(u"alice@b:1"_s));
}

void TestAccounts::statusInWords()
{
    QCOMPARE(stateDisplayName(ConnectionState::Online), u"Online"_s);
    QCOMPARE(stateDisplayName(ConnectionState::WaitingToReconnect, 4), u"Reconnecting in 4 s"_s);
    ConnectionStatus status{ConnectionState::WaitingToReconnect,
                            ConnectionProblem::ConnectionRefused, u"Refused."_s, 2};
    QCOMPARE(status.toDisplayString(), u"Reconnecting in 2 s · Refused."_s);
    for (int s = int(ConnectionState::SignedOut); s <= int(ConnectionState::AuthFailed); ++s)
        QVERIFY(!stateDisplayName(ConnectionState(s)).isEmpty());
}

void TestAccounts::invalidMessagesAreNotQueued()
{
    QTemporaryDir dir;
    Outbox outbox;
    QVERIFY(outbox.open(dir.filePath(u"o.sqlite"_s)));
    SessionManager session;
    session.setWatchNetwork(false);
    session.setOutbox(&outbox);
    QVERIFY(session.sendMessage(u"Not A Room"_s, u"hi"_s).isEmpty());
    QVERIFY(session.sendMessage(u"general"_s, u"  \n\t "_s).isEmpty());
    // Offline: queued, pending, nothing sent.
    const QString cid = session.sendMessage(u"general"_s, u"hi"_s);
    QVERIFY(!cid.isEmpty());
    QCOMPARE(outbox.pendingCount(), 1);
    QCOMPARE(session.state(), ConnectionState::SignedOut);
    QVERIFY(!session.outboxIdle());
}

QTEST_GUILESS_MAIN(TestAccounts)
#include "tst_accounts.moc"
