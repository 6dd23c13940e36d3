// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// TokenRevoker with the real keychain (GNOME Keyring through the Secret Service, started by
// run-with-keyring.sh) and a real conversa-server: the token of an offline sign-out lives only in
// the keychain, never in a file of the data folder, and is revoked at the next start.
#include <ClientFixtures.h>
#include <ConversaTest.h>

#include <SessionManager.h>
#include <TokenRevoker.h>
#include <TokenStore.h>

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::test::filesHolding;
using conversa::test::hasPrivateKeyring;
using conversa::test::kNeedsPrivateKeyring;
using conversa::test::ServerProcess;
using conversa::test::waitUntil;

namespace {

const QString kPassword = u"alice-password"_s;

// The token as secret-tool sees it (QtKeychain's attributes: server = service, user = key).
QString lookUp(const QString &key, int *exitCode = nullptr)
{
    QProcess tool;
    tool.start(u"secret-tool"_s, {u"lookup"_s, u"server"_s, TokenStore::kService, u"user"_s, key});
    tool.waitForFinished(10000);
    if (exitCode)
        *exitCode = tool.exitCode();
    return QString::fromUtf8(tool.readAllStandardOutput()).trimmed();
}

void direct(SessionManager &session)
{
    session.setProxy(SessionManager::ProxyMode::None);
    session.setWatchNetwork(false);
}

// A server address where nothing listens.
QUrl deadServer()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return QUrl(u"ws://127.0.0.1:%1"_s.arg(probe.serverPort()));
}

} // namespace

class TestRevoker : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void scanFindsTheToken();
    void offlineSignOutKeepsTheTokenOnlyInTheKeychain();
    void aNewSignInDoesNotOverwriteAPendingRevocation();
    void aMissingKeychainEntryDropsTheRevocation();
    void withoutAKeychainNothingIsKept();
    void keychainTurnedOffKeepsNothing();
};

void TestRevoker::initTestCase()
{
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
}

void TestRevoker::scanFindsTheToken()
{
    // The scan below must be able to fail.
    QTemporaryDir dir;
    QFile file(dir.filePath(u".hidden-wal"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("prefix secret-token-\xc3\xa9 suffix");
    file.close();
    QCOMPARE(filesHolding(dir.path(), u"secret-token-\u00e9"_s).size(), 1);
    QVERIFY(filesHolding(dir.path(), u"other-token"_s).isEmpty());
}

void TestRevoker::offlineSignOutKeepsTheTokenOnlyInTheKeychain()
{
    if (!hasPrivateKeyring())
        QSKIP(kNeedsPrivateKeyring);
    ServerProcess server;
    QVERIFY2(server.addUser(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    SessionManager alice;
    direct(alice);
    alice.setServerUrl(server.url());
    QString token;
    connect(&alice, &SessionManager::tokenIssued, this,
            [&token](const QString &, const QString &issued) { token = issued; });
    alice.signIn(u"alice"_s, kPassword);
    QVERIFY(waitUntil([&] { return alice.state() == ConnectionState::Online; }, 15000));
    QVERIFY(!token.isEmpty());
    server.kill();
    QVERIFY(waitUntil([&] { return alice.state() == ConnectionState::WaitingToReconnect; }, 10000));

    QTemporaryDir data;
    const QString path = data.filePath(u"revocations.sqlite"_s);
    QString key;
    {
        // Signing out while offline, then quitting before the server is back.
        TokenRevoker revoker;
        revoker.setSessionSetup(direct);
        QSignalSpy dropped(&revoker, &TokenRevoker::dropped);
        QVERIFY2(revoker.open(path), qPrintable(revoker.lastError()));
        QVERIFY(revoker.add(server.url(), u"alice"_s, token));
        alice.signOut();
        QVERIFY(waitUntil(
            [&] { return revoker.pendingCount() == 1 && revoker.storingCount() == 0; }, 15000));
        QCOMPARE(dropped.size(), 0);
        key = revoker.pendingKeys().value(0);
        const QString signInKey = SessionManager::accountKey(u"alice"_s, server.url());
        QVERIFY2(key.startsWith(u"revoke:"_s + signInKey + u'#'), qPrintable(key));
        QCOMPARE(lookUp(key), token);
        QTest::qWait(300); // its first attempt meets the stopped server
        QCOMPARE(revoker.pendingCount(), 1);
    }
    QVERIFY(QFile::exists(path));
    QStringList holding = filesHolding(data.path(), token);
    QVERIFY2(holding.isEmpty(), qPrintable(holding.join(u", "_s)));

    QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
    {
        // The next start: revoked, then gone from the keychain and the file.
        TokenRevoker revoker;
        revoker.setSessionSetup(direct);
        QSignalSpy revoked(&revoker, &TokenRevoker::revoked);
        QVERIFY(revoker.open(path));
        QCOMPARE(revoker.pendingCount(), 1);
        revoker.revokeAll();
        QVERIFY(waitUntil([&] { return revoker.pendingCount() == 0; }, 15000));
        QCOMPARE(revoked.size(), 1);
        QCOMPARE(revoked.first().first().toString(), u"alice"_s);
    }
    int exitCode = 0;
    QVERIFY(lookUp(key, &exitCode).isEmpty());
    QVERIFY(exitCode != 0);
    holding = filesHolding(data.path(), token);
    QVERIFY2(holding.isEmpty(), qPrintable(holding.join(u", "_s)));

    // The server no longer takes the token.
    SessionManager again;
    direct(again);
    again.setServerUrl(server.url());
    QSignalSpy rejected(&again, &SessionManager::tokenRejected);
    again.resume(u"alice"_s, token);
    QVERIFY(waitUntil([&] { return again.state() == ConnectionState::AuthFailed; }, 10000));
    QCOMPARE(rejected.size(), 1);
}

void TestRevoker::aNewSignInDoesNotOverwriteAPendingRevocation()
{
    if (!hasPrivateKeyring())
        QSKIP(kNeedsPrivateKeyring);
    const QUrl server = deadServer();
    QTemporaryDir data;
    TokenRevoker revoker;
    revoker.setSessionSetup(direct);
    revoker.setAttemptTimeout(300);
    revoker.setRetryInterval(600'000);
    QVERIFY(revoker.open(data.filePath(u"revocations.sqlite"_s)));
    QVERIFY(revoker.add(server, u"bob"_s, u"first-token"_s));
    QVERIFY(revoker.add(server, u"bob"_s, u"second-token"_s));
    QVERIFY(waitUntil([&] { return revoker.pendingCount() == 2; }, 15000));
    // The same account signs in again: its own key, next to the pending ones.
    TokenStore store;
    QSignalSpy written(&store, &TokenStore::tokenWritten);
    store.writeToken(SessionManager::accountKey(u"bob"_s, server), u"new-sign-in-token"_s);
    QVERIFY(written.wait(15000));
    const QStringList keys = revoker.pendingKeys();
    QCOMPARE(keys.size(), 2);
    QVERIFY(keys.at(0) != keys.at(1));
    QStringList tokens{lookUp(keys.at(0)), lookUp(keys.at(1))};
    tokens.sort();
    QCOMPARE(tokens, (QStringList{u"first-token"_s, u"second-token"_s}));
    const QStringList holding = filesHolding(data.path(), u"-token"_s);
    QVERIFY2(holding.isEmpty(), qPrintable(holding.join(u", "_s)));
}

void TestRevoker::aMissingKeychainEntryDropsTheRevocation()
{
    if (!hasPrivateKeyring())
        QSKIP(kNeedsPrivateKeyring);
    QTemporaryDir data;
    TokenRevoker revoker;
    revoker.setSessionSetup(direct);
    revoker.setAttemptTimeout(300);
    revoker.setRetryInterval(600'000);
    QSignalSpy revoked(&revoker, &TokenRevoker::revoked);
    QVERIFY(revoker.open(data.filePath(u"revocations.sqlite"_s)));
    QVERIFY(revoker.add(deadServer(), u"carol"_s, u"carol-token"_s));
    QVERIFY(waitUntil([&] { return revoker.pendingCount() == 1; }, 15000));
    QTest::qWait(600); // its first attempt gives up
    const QString key = revoker.pendingKeys().value(0);
    QCOMPARE(lookUp(key), u"carol-token"_s);
    TokenStore store;
    QSignalSpy deleted(&store, &TokenStore::tokenDeleted);
    store.deleteToken(key);
    QVERIFY(deleted.wait(15000));
    QCOMPARE(revoker.pendingCount(), 1);
    revoker.revokeAll();
    QVERIFY(waitUntil([&] { return revoker.pendingCount() == 0; }, 15000));
    QCOMPARE(revoked.size(), 0);
}

void TestRevoker::withoutAKeychainNothingIsKept()
{
    if (qEnvironmentVariable("CONVERSA_TEST_BROKEN_KEYCHAIN") != u"1"_s)
        QSKIP("needs a session bus that is not there (CONVERSA_TEST_BROKEN_KEYCHAIN=1)");
    QTemporaryDir data;
    TokenRevoker revoker;
    revoker.tokenStore()->setRetryPolicy(500, 100);
    QSignalSpy dropped(&revoker, &TokenRevoker::dropped);
    QVERIFY(revoker.open(data.filePath(u"revocations.sqlite"_s)));
    QVERIFY(revoker.add(deadServer(), u"erin"_s, u"erin-token"_s));
    QVERIFY(dropped.wait(30000));
    QCOMPARE(dropped.first().at(0).toString(), u"erin"_s);
    const QString message = dropped.first().at(1).toString();
    QVERIFY2(message.contains(u"keychain"_s) && message.contains(u"stays valid"_s),
             qPrintable(message));
    QCOMPARE(revoker.pendingCount(), 0);
    QCOMPARE(revoker.storingCount(), 0);
    const QStringList holding = filesHolding(data.path(), u"erin-token"_s);
    QVERIFY2(holding.isEmpty(), qPrintable(holding.join(u", "_s)));
}

void TestRevoker::keychainTurnedOffKeepsNothing()
{
    QTemporaryDir data;
    TokenRevoker revoker;
    revoker.setKeychainAllowed(false); // the desktop app's --no-keychain
    QSignalSpy dropped(&revoker, &TokenRevoker::dropped);
    QVERIFY(revoker.open(data.filePath(u"revocations.sqlite"_s)));
    QVERIFY(!revoker.add(deadServer(), u"frank"_s, u"frank-token"_s));
    QCOMPARE(dropped.size(), 1);
    QVERIFY2(dropped.first().at(1).toString().contains(u"stays valid"_s),
             qPrintable(dropped.first().at(1).toString()));
    QCOMPARE(revoker.pendingCount(), 0);
    QCOMPARE(revoker.storingCount(), 0);
    const QStringList holding = filesHolding(data.path(), u"frank-token"_s);
    QVERIFY2(holding.isEmpty(), qPrintable(holding.join(u", "_s)));
}

QTEST_GUILESS_MAIN(TestRevoker)
#include "tst_revoker.moc"
