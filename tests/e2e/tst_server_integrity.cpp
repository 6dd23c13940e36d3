// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: a damaged database is never served as if it were fine. Pages in the middle of the
// messages table of a real server's database are overwritten with garbage; then `sync` and
// `history` answer `internal` instead of a shorter page with `ok`, `serve` refuses to start on
// the file, and `conversa-server check` reports it (exit 1) while it says `ok` for a sound one.
#include "ConversaTest.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"integrity-Secret-5"_s;
const QStringList kFastSends{u"--messages-per-second"_s, u"100000"_s, u"--message-burst"_s,
                             u"100000"_s};
// Enough rows for the messages table to span well over a hundred pages.
constexpr int kMessages = 1200;

QStringList bodies(int count)
{
    QStringList list;
    for (int i = 1; i <= count; ++i)
        list.append(u"message %1 "_s.arg(i) + QString(400, u'x'));
    return list;
}

struct Pages {
    QList<qint64> messageLeaves;
    qint64 pageSize = 0;
    QString error;
};

// Checkpoints the WAL into the file (so the file holds every page) and lists the leaf pages of
// the messages table, through SQLite's dbstat table, on a connection of the test's own.
Pages inspect(const QString &file)
{
    Pages pages;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"inspect"_s);
        db.setDatabaseName(file);
        QSqlQuery query(db);
        if (!db.open()) {
            pages.error = db.lastError().text();
        } else if (!query.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s) || !query.next() ||
                   query.value(0).toInt() != 0) {
            pages.error = u"checkpoint incomplete: "_s + query.lastError().text();
        } else if (!query.exec(u"PRAGMA page_size"_s) || !query.next()) {
            pages.error = query.lastError().text();
        } else {
            pages.pageSize = query.value(0).toLongLong();
            if (!query.exec(u"SELECT pageno FROM dbstat WHERE name = 'messages' AND "
                            "pagetype = 'leaf' ORDER BY pageno"_s))
                pages.error = query.lastError().text();
            while (query.next())
                pages.messageLeaves.append(query.value(0).toLongLong());
        }
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"inspect"_s);
    return pages;
}

bool overwritePage(const QString &file, qint64 page, qint64 pageSize)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadWrite) || !f.seek((page - 1) * pageSize))
        return false;
    const QByteArray garbage(pageSize, char(0xA5));
    return f.write(garbage) == pageSize && f.flush();
}
} // namespace

class tst_server_integrity : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void damagedDatabase_readsFail_startRefused_checkReports()
    {
        ServerProcess server;
        QVERIFY2(server.addUser(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.createRoom(u"general"_s), qPrintable(server.lastAdminError()));
        QVERIFY2(server.start(kFastSends), qPrintable(server.diagnostics()));
        QString why;
        auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(alice, qPrintable(why));
        VERIFY_OK(alice->join(u"general"_s));
        const auto acks = alice->sendBurst(u"general"_s, bodies(kMessages), 60000);
        for (const QJsonObject &ack : acks)
            VERIFY_OK(ack);

        // Damage two leaf pages in the middle of the messages table.
        const QString file = server.dataDir() + u"/conversa.db"_s;
        const Pages pages = inspect(file);
        QVERIFY2(pages.error.isEmpty(), qPrintable(pages.error));
        QVERIFY2(pages.messageLeaves.size() > 50,
                 qPrintable(QString::number(pages.messageLeaves.size())));
        const qsizetype middle = pages.messageLeaves.size() / 2;
        for (qint64 page : {pages.messageLeaves.at(middle), pages.messageLeaves.at(middle + 1)})
            QVERIFY(overwritePage(file, page, pages.pageSize));
        // A write by another process makes the server's read connection drop its page cache,
        // so its next reads come from the damaged file.
        QVERIFY2(server.createRoom(u"other"_s), qPrintable(server.lastAdminError()));

        // sync from the start: an `internal` error where the damage is, never a short `ok`.
        qint64 after = 0;
        qsizetype received = 0;
        QJsonObject failure;
        for (int page = 0; page < 10 && failure.isEmpty(); ++page) {
            const QJsonObject reply = alice->sync(u"general"_s, after, 500);
            if (!TestClient::isOk(reply)) {
                failure = reply;
                break;
            }
            const QList<QJsonObject> messages = messagesOf(reply);
            received += messages.size();
            QVERIFY2(reply.value(u"more"_s).toBool() || received == kMessages,
                     qPrintable(
                         u"sync said ok and more:false after %1 of %2 messages"_s.arg(received).arg(
                             kMessages)));
            if (!reply.value(u"more"_s).toBool())
                break;
            after = messages.constLast().value(u"seq"_s).toInteger();
        }
        VERIFY_ERROR(failure, u"internal"_s);
        QVERIFY2(failure.value(u"message"_s).toString().contains(u"could not read"_s),
                 TestClient::describe(failure));

        // history from the newest page backwards: the same.
        qint64 before = 0;
        received = 0;
        failure = {};
        for (int page = 0; page < 20 && failure.isEmpty(); ++page) {
            const QJsonObject reply = alice->history(
                u"general"_s, before > 0 ? std::optional<qint64>(before) : std::nullopt, 200);
            if (!TestClient::isOk(reply)) {
                failure = reply;
                break;
            }
            const QList<QJsonObject> messages = messagesOf(reply);
            received += messages.size();
            QVERIFY2(messages.size() == 200 || received == kMessages,
                     qPrintable(u"history said ok with a short page after %1 of %2 messages"_s
                                    .arg(received)
                                    .arg(kMessages)));
            if (messages.size() < 200)
                break;
            before = messages.constFirst().value(u"seq"_s).toInteger();
        }
        VERIFY_ERROR(failure, u"internal"_s);

        // The server keeps serving what it can read.
        VERIFY_OK(alice->rooms());
        QCOMPARE(server.terminate(), 0);

        // `check`: the full integrity check lists the problems and fails.
        const AdminResult check = server.runAdmin({u"check"_s});
        QCOMPARE(check.exitCode, 1);
        QVERIFY2(!check.standardOutput.trimmed().isEmpty(), qPrintable(check.describe()));
        QVERIFY2(check.standardError.contains("is damaged"), qPrintable(check.describe()));

        // `serve` refuses the damaged file, in words.
        const qsizetype logBefore = server.standardError().size();
        QCOMPARE(server.startExpectingExit(server.lastArguments()), 1);
        const QByteArray log = server.standardError().mid(logBefore);
        QVERIFY2(log.contains("is damaged") && log.contains("restore"), log.constData());
    }

    void soundDatabase_checkSaysOk()
    {
        ServerProcess server;
        QVERIFY2(server.addUser(u"alice"_s, kPassword), qPrintable(server.lastAdminError()));
        QVERIFY2(server.createRoom(u"general"_s), qPrintable(server.lastAdminError()));
        QVERIFY2(server.start(kFastSends), qPrintable(server.diagnostics()));
        QString why;
        auto alice = openWithLogin(server.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(alice, qPrintable(why));
        VERIFY_OK(alice->join(u"general"_s));
        for (const QJsonObject &ack : alice->sendBurst(u"general"_s, bodies(50)))
            VERIFY_OK(ack);
        // While serving, too.
        AdminResult check = server.runAdmin({u"check"_s});
        QVERIFY2(check.ok(), qPrintable(check.describe()));
        QCOMPARE(check.standardOutput, QByteArray("ok\n"));
        QCOMPARE(server.terminate(), 0);
        check = server.runAdmin({u"check"_s});
        QVERIFY2(check.ok(), qPrintable(check.describe()));

        // No database at all is a failure, and `check` does not create one.
        ServerProcess empty;
        check = empty.runAdmin({u"check"_s});
        QCOMPARE(check.exitCode, 1);
        QVERIFY(!QFile::exists(empty.dataDir() + u"/conversa.db"_s));
    }
};

QTEST_GUILESS_MAIN(tst_server_integrity)
#include "tst_server_integrity.moc"
