// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: `conversa-server backup FILE` copies the live database while the server keeps
// accepting messages, and a server started on the restored copy has every message that was
// acknowledged before the backup, gapless.
#include "ConversaTest.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"backup-Secret-9"_s;
const QStringList kFastSends{u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s,
                             u"100000"_s};

QStringList bodies(int from, int count)
{
    QStringList list;
    for (int i = 0; i < count; ++i)
        list.append(u"message %1"_s.arg(from + i));
    return list;
}
} // namespace

class tst_server_backup : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void backupWhileServing_restoresEveryEarlierMessage()
    {
        ServerProcess server;
        QVERIFY2(server.addUser(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.createRoom(u"general"_s), qPrintable(server.lastAdminError()));
        QVERIFY2(server.start(kFastSends), qPrintable(server.diagnostics()));
        QString why;
        auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(alice, qPrintable(why));
        QVERIFY(TestClient::isOk(alice->join(u"general"_s)));
        const auto before = alice->sendBurst(u"general"_s, bodies(1, 150));
        QCOMPARE(before.size(), 150);

        // Sends in flight while the backup runs: the server must not stall or fail them.
        for (const QString &body : bodies(151, 100))
            alice->post(QJsonObject{{u"type"_s, u"send"_s},
                                    {u"room"_s, u"general"_s},
                                    {u"cid"_s, QString(body).replace(u' ', u'-')},
                                    {u"body"_s, body}});
        QTemporaryDir backups;
        const QString file = backups.filePath(u"conversa-backup.db"_s);
        const AdminResult backup = server.runAdmin({u"backup"_s, file});
        QVERIFY2(backup.ok(), qPrintable(backup.describe()));
        QVERIFY(QFile::exists(file));
        for (int i = 0; i < 100; ++i)
            QVERIFY(TestClient::isOk(alice->waitForAnyReply()));

        // A second backup to the same file is refused rather than overwriting it.
        QCOMPARE(server.runAdmin({u"backup"_s, file}).exitCode, 1);

        // Restore: a fresh data folder holding only the backup.
        QTemporaryDir restoredDir;
        QVERIFY(QFile::copy(file, QDir(restoredDir.path()).filePath(u"conversa.db"_s)));
        ServerProcess restored(restoredDir.path());
        QVERIFY2(restored.start(), qPrintable(restored.diagnostics()));
        auto again = openWithLogin(restored.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(again, qPrintable(why));
        const QJsonObject page = again->sync(u"general"_s, 0, 500);
        QVERIFY2(TestClient::isOk(page), TestClient::describe(page));
        const QJsonArray messages = page.value(u"messages"_s).toArray();
        QVERIFY2(messages.size() >= 150, qPrintable(QString::number(messages.size())));
        QVERIFY(messages.size() <= 250);
        for (qsizetype i = 0; i < messages.size(); ++i) {
            const QJsonObject m = messages.at(i).toObject();
            QCOMPARE(m.value(u"seq"_s).toInteger(), i + 1);
            QCOMPARE(m.value(u"body"_s).toString(), u"message %1"_s.arg(i + 1));
        }
    }
};

QTEST_GUILESS_MAIN(tst_server_backup)
#include "tst_server_backup.moc"
