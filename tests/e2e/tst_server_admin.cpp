// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: the admin commands against a running server. A new password or a disabled
// account signs the user out everywhere (4001 within about a second) and enabling the account
// brings no old device back; `token list` and `token revoke` tell the truth; backups are not
// world-readable; `restore` refuses while serving, installs a backup, and the restored server
// tells clients that saw later messages to drop their copy (`conflict`, a new `epoch`).
#include "ConversaTest.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"admin-Secret-7"_s;
const QString kNewPassword = u"admin-Secret-8"_s;

QStringList lines(const QByteArray &text)
{
    return QString::fromUtf8(text).split(u'\n', Qt::SkipEmptyParts);
}
} // namespace

class tst_server_admin : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // What a shell usually has: files the server makes would be world-readable under it.
        ::umask(022);
    }

    void passwdAndDisable_signOutEverywhere_enableRevivesNothing()
    {
        ServerProcess server;
        QVERIFY2(server.addUser(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.addUser(u"bob"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.start(), qPrintable(server.diagnostics()));
        QString why;
        auto laptop = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(laptop, qPrintable(why));
        auto phone = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(phone, qPrintable(why));
        auto bob = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
        QVERIFY2(bob, qPrintable(why));
        const QString aliceToken = laptop->token();
        const QString bobToken = bob->token();

        AdminResult result =
            server.runAdmin({u"user"_s, u"passwd"_s, u"alice"_s, u"--password-stdin"_s},
                            kNewPassword.toUtf8() + '\n');
        QVERIFY2(result.ok(), qPrintable(result.describe()));
        QVERIFY2(result.standardOutput.contains("signed out 2 device(s)"),
                 qPrintable(result.describe()));
        VERIFY_CLOSED(*laptop, 4001, 3000);
        VERIFY_CLOSED(*phone, 4001, 3000);
        VERIFY_OK(bob->rooms()); // others are untouched
        QVERIFY(!openWithToken(server.url(), aliceToken, &why));
        QVERIFY(!openWithLogin(server.url(), u"alice"_s, kPassword, &why));
        QVERIFY2(openWithLogin(server.url(), u"alice"_s, kNewPassword, &why), qPrintable(why));

        result = server.runAdmin({u"user"_s, u"disable"_s, u"bob"_s});
        QVERIFY2(result.ok(), qPrintable(result.describe()));
        QVERIFY2(result.standardOutput.contains("signed out 1 device(s)"),
                 qPrintable(result.describe()));
        VERIFY_CLOSED(*bob, 4001, 3000);
        QVERIFY2(server.enableUser(u"bob"_s), qPrintable(server.lastAdminError()));
        // Enabling does not bring the old device back: it signs in again with the password.
        auto stale = std::make_unique<TestClient>();
        QVERIFY(stale->open(server.url()));
        VERIFY_ERROR(stale->auth(bobToken), u"unauthorized"_s);
        QVERIFY2(openWithLogin(server.url(), u"bob"_s, kPassword, &why), qPrintable(why));

        QCOMPARE(server.runAdmin({u"user"_s, u"disable"_s, u"nobody"_s}).exitCode, 1);
    }

    void tokenListAndRevoke_tellTheTruth()
    {
        ServerProcess server;
        QVERIFY2(server.addUser(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.addUser(u"bob"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.start(), qPrintable(server.diagnostics()));
        QString why;
        std::vector<std::unique_ptr<TestClient>> alice;
        for (int i = 0; i < 3; ++i) {
            alice.push_back(openWithLogin(server.url(), u"alice"_s, kPassword, &why));
            QVERIFY2(alice.back(), qPrintable(why));
        }
        auto bob = openWithLogin(server.url(), u"bob"_s, kPassword, &why);
        QVERIFY2(bob, qPrintable(why));

        AdminResult list = server.runAdmin({u"token"_s, u"list"_s});
        QVERIFY2(list.ok(), qPrintable(list.describe()));
        QCOMPARE(lines(list.standardOutput).size(), 1 + 4); // header and every token
        list = server.runAdmin({u"token"_s, u"list"_s, u"--user"_s, u"alice"_s});
        QCOMPARE(lines(list.standardOutput).size(), 1 + 3);

        AdminResult revoke = server.runAdmin({u"token"_s, u"revoke"_s, u"--user"_s, u"alice"_s});
        QVERIFY2(revoke.ok(), qPrintable(revoke.describe()));
        QCOMPARE(revoke.standardOutput, QByteArray("revoked 3 token(s)\n"));
        for (const auto &client : alice)
            VERIFY_CLOSED(*client, 4001, 3000);
        VERIFY_OK(bob->rooms());
        list = server.runAdmin({u"token"_s, u"list"_s});
        QCOMPARE(lines(list.standardOutput).size(), 1 + 1);
        revoke = server.runAdmin({u"token"_s, u"revoke"_s, u"--user"_s, u"alice"_s});
        QCOMPARE(revoke.standardOutput, QByteArray("revoked 0 token(s)\n"));
        QCOMPARE(server.runAdmin({u"token"_s, u"revoke"_s, u"--user"_s, u"nobody"_s}).exitCode, 1);
    }

    void backupAndDatabase_notWorldReadable()
    {
        ServerProcess server;
        QVERIFY2(server.addUser(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.start(), qPrintable(server.diagnostics()));
        QTemporaryDir backups;
        const QString file = backups.filePath(u"conversa.db"_s);
        const AdminResult backup = server.runAdmin({u"backup"_s, file});
        QVERIFY2(backup.ok(), qPrintable(backup.describe()));
        const QFile::Permissions world = QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
        for (const QString &path : {file, server.dataDir() + u"/conversa.db"_s})
            QVERIFY2(!(QFileInfo(path).permissions() & world),
                     qPrintable(u"%1 is world-accessible: %2"_s.arg(path).arg(
                         int(QFileInfo(path).permissions()), 0, 16)));
    }

    void restore_refusedWhileServing_clientsFromTheLostFutureAreTold()
    {
        ServerProcess server;
        QVERIFY2(server.addUser(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.start(), qPrintable(server.diagnostics()));
        QString why;
        auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(alice, qPrintable(why));
        VERIFY_OK(alice->create(u"general"_s));
        for (int i = 1; i <= 5; ++i)
            VERIFY_OK(alice->send(u"general"_s, u"kept %1"_s.arg(i)));
        QJsonObject rooms = alice->rooms();
        VERIFY_OK(rooms);
        const qint64 epochBefore = rooms.value(u"epoch"_s).toInteger(-1);
        QCOMPARE(epochBefore, 0); // never restored
        QTemporaryDir backups;
        const QString file = backups.filePath(u"before.db"_s);
        QVERIFY2(server.runAdmin({u"backup"_s, file}).ok(), "backup failed");
        for (int i = 6; i <= 10; ++i)
            VERIFY_OK(alice->send(u"general"_s, u"lost %1"_s.arg(i)));

        AdminResult restore = server.runAdmin({u"restore"_s, file});
        QCOMPARE(restore.exitCode, 1);
        QVERIFY2(restore.standardError.contains("stop it first"), qPrintable(restore.describe()));
        VERIFY_OK(alice->sync(u"general"_s, 0)); // untouched

        QCOMPARE(server.terminate(), 0);
        // Not a database: refused, nothing changed.
        const QString junk = backups.filePath(u"junk.db"_s);
        {
            QFile f(junk);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(8192, 'j'));
        }
        restore = server.runAdmin({u"restore"_s, junk});
        QCOMPARE(restore.exitCode, 1);
        QVERIFY2(restore.standardError.contains("nothing was changed"),
                 qPrintable(restore.describe()));

        restore = server.runAdmin({u"restore"_s, file});
        QVERIFY2(restore.ok(), qPrintable(restore.describe()));
        const QStringList kept = QDir(server.dataDir()).entryList({u"conversa.db.replaced-*"_s});
        QVERIFY2(!kept.isEmpty(), qPrintable(restore.describe()));
        QVERIFY(
            !(QFileInfo(server.dataDir() + u"/conversa.db"_s).permissions() & QFile::ReadOther));

        QVERIFY2(server.restart(), qPrintable(server.diagnostics()));
        alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(alice, qPrintable(why));
        rooms = alice->rooms();
        VERIFY_OK(rooms);
        QCOMPARE(roomRow(rooms, u"general"_s).value(u"last_seq"_s).toInteger(), 5);
        const qint64 epochAfter = rooms.value(u"epoch"_s).toInteger(-1);
        QVERIFY2(epochAfter > 0 && epochAfter != epochBefore, TestClient::describe(rooms));

        // A client that saw seq 10 is told, in words, that its copy is from another history.
        QJsonObject page = alice->sync(u"general"_s, 10);
        VERIFY_ERROR(page, u"conflict"_s);
        QVERIFY2(page.value(u"message"_s).toString().contains(u"restored"_s),
                 TestClient::describe(page));
        // One that stopped within the backup goes on as before.
        page = alice->sync(u"general"_s, 3);
        VERIFY_OK(page);
        QCOMPARE(seqsOf(messagesOf(page)), range(4, 5));
        VERIFY_OK(alice->sync(u"general"_s, 5));
        // New messages continue the restored log, gapless.
        const QJsonObject sent = alice->send(u"general"_s, u"after the restore"_s);
        VERIFY_OK(sent);
        QCOMPARE(sent.value(u"seq"_s).toInteger(), 6);
        VERIFY_ERROR(alice->sync(u"general"_s, 10), u"conflict"_s);
    }
};

QTEST_GUILESS_MAIN(tst_server_admin)
#include "tst_server_admin.moc"
