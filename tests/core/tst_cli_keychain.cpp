// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The real keychain (GNOME Keyring through the Secret Service, started by run-with-keyring.sh):
// login writes the token, the next start uses it, logout revokes and deletes it.
#include "CliRunner.h"

#include <ConversaTest.h>

#include <SessionManager.h>
#include <TokenStore.h>

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::core::TokenStore;
using conversa::test::ServerProcess;

namespace {

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

} // namespace

class TestCliKeychain : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void tokenStoreRoundTrip();
    void loginUseLogout();
    void noKeychainIsExplained();
};

void TestCliKeychain::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        QSKIP("no D-Bus session: run through run-with-keyring.sh");
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
}

void TestCliKeychain::tokenStoreRoundTrip()
{
    TokenStore store;
    const QString key = TokenStore::accountKey(u"carol"_s, u"Chat.Example.com"_s, 443);
    QCOMPARE(key, u"carol@chat.example.com:443"_s);
    QSignalSpy written(&store, &TokenStore::tokenWritten);
    QSignalSpy read(&store, &TokenStore::tokenRead);
    QSignalSpy deleted(&store, &TokenStore::tokenDeleted);

    store.writeToken(key, u"secret-token-1"_s);
    QVERIFY(written.wait(15000));
    QCOMPARE(written.at(0).at(1).value<TokenStore::Result>(), TokenStore::Result::Ok);
    QCOMPARE(lookUp(key), u"secret-token-1"_s);

    store.readToken(key);
    QVERIFY(read.wait(15000));
    QCOMPARE(read.at(0).at(1).value<TokenStore::Result>(), TokenStore::Result::Ok);
    QCOMPARE(read.at(0).at(2).toString(), u"secret-token-1"_s);

    store.deleteToken(key);
    QVERIFY(deleted.wait(15000));
    QCOMPARE(deleted.at(0).at(1).value<TokenStore::Result>(), TokenStore::Result::Ok);
    int exitCode = 0;
    QVERIFY(lookUp(key, &exitCode).isEmpty());
    QVERIFY(exitCode != 0);

    store.readToken(key);
    QVERIFY(read.wait(15000));
    QCOMPARE(read.at(1).at(1).value<TokenStore::Result>(), TokenStore::Result::NotFound);
}

void TestCliKeychain::loginUseLogout()
{
    ServerProcess server;
    QVERIFY2(server.addUser(u"alice"_s, u"alice-password"_s), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    QTemporaryDir data;
    const auto noEnvToken = CliRunner::withToken({});
    const QString key = conversa::core::SessionManager::accountKey(u"alice"_s, server.url());

    auto r = CliRunner::run({u"login"_s, server.url().toString(), u"alice"_s, u"--password-stdin"_s,
                             u"--data"_s, data.path()},
                            "alice-password\n", noEnvToken);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.isEmpty()); // the token is not printed
    const QString token = lookUp(key);
    QVERIFY2(!token.isEmpty(), "no token in the keychain after login");

    // The next start finds the token in the keychain.
    r = CliRunner::run({u"create"_s, u"general"_s, u"--data"_s, data.path()}, {}, noEnvToken);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    r = CliRunner::run({u"logout"_s, u"--data"_s, data.path()}, {}, noEnvToken);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    int exitCode = 0;
    QVERIFY(lookUp(key, &exitCode).isEmpty());
    QVERIFY(exitCode != 0);

    // Revoked on the server too.
    r = CliRunner::run({u"rooms"_s, u"--data"_s, data.path()}, {}, CliRunner::withToken(token));
    QVERIFY2(r.exitCode == 3, qPrintable(r.describe()));
    // And without a token the CLI says to sign in.
    r = CliRunner::run({u"rooms"_s, u"--data"_s, data.path()}, {}, noEnvToken);
    QVERIFY2(r.exitCode == 3, qPrintable(r.describe()));
    QVERIFY(r.err.contains("login"));
}

void TestCliKeychain::noKeychainIsExplained()
{
    ServerProcess server;
    QVERIFY(server.addUser(u"alice"_s, u"alice-password"_s));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    QTemporaryDir data;
    auto environment = CliRunner::withToken({});
    // A bus that is not there: no Secret Service, no KWallet.
    environment.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/bus"_s);
    const auto r = CliRunner::run({u"login"_s, server.url().toString(), u"alice"_s,
                                   u"--password-stdin"_s, u"--data"_s, data.path()},
                                  "alice-password\n", environment, 60000);
    QVERIFY2(r.exitCode == 5, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("keychain"), qPrintable(r.describe()));
    // The token that could not be kept was revoked again: alice has no live token left.
    const auto tokens = server.runAdmin({u"token"_s, u"list"_s, u"--user"_s, u"alice"_s});
    QVERIFY2(tokens.ok(), qPrintable(tokens.describe()));
    qInfo("token list: %s", tokens.standardOutput.constData());
}

QTEST_GUILESS_MAIN(TestCliKeychain)
#include "tst_cli_keychain.moc"
