// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End-to-end: files (POST /files, GET /files/<id>, `send` with `files`) against a real
// conversa-server, on SQLite and on a real PostgreSQL: round trips with equal SHA-256, who may
// read a file (uploader, members of a room where a message carries it; 404 for everyone else and
// after leaving), deletion and expiry removing the bytes, every refusal's status, and a full
// disk (the server runs under a file size limit, RLIMIT_FSIZE, set with prlimit).

#include "ConversaTest.h"
#include "HttpProbe.h"
#include "PostgresServer.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
QString password(const QString &user)
{
    return user + u"-Files-7"_s;
}

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          size / sizeof(quint32));
    return bytes;
}

// A PNG signature and IHDR chunk of width x height, then noise: enough for the server, which
// reads headers and never decodes.
QByteArray png(quint32 width, quint32 height, qsizetype size)
{
    QByteArray bytes("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    for (quint32 v : {width, height})
        for (int shift = 24; shift >= 0; shift -= 8)
            bytes.append(char((v >> shift) & 0xff));
    bytes.append(randomBytes(size - bytes.size()));
    return bytes;
}

QByteArray sha256(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

HttpResponse upload(const ServerProcess &server, const QString &token, const QByteArray &bytes,
                    const QByteArray &type, const QByteArray &name, HttpHeaders extra = {})
{
    HttpHeaders headers{{"Content-Type", type}, {"X-Filename", name.toPercentEncoding()}};
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token.toLatin1()});
    headers.append(extra);
    return httpRequest(server.httpUrl(u"/files"_s), "POST", headers, bytes, 30000);
}

HttpResponse download(const ServerProcess &server, const QString &token, const QString &fileId)
{
    HttpHeaders headers;
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token.toLatin1()});
    return httpGet(server.httpUrl(u"/files/"_s + fileId), headers, 30000);
}

QJsonObject json(const HttpResponse &response)
{
    return QJsonDocument::fromJson(response.body).object();
}

// The `limits` a fresh sign-in answers with.
QJsonObject limitsOf(const ServerProcess &server, const QString &user)
{
    TestClient client;
    if (!client.open(server.url()))
        return {};
    return client.login(user, password(user)).value("limits"_L1).toObject();
}

QString describe(const HttpResponse &response)
{
    return u"%1 %2 %3"_s.arg(QString::fromLatin1(response.statusLine),
                             QString::fromUtf8(response.body.left(300)), response.error);
}

QJsonObject sendFiles(TestClient &client, const QString &room, const QString &cid,
                      const QStringList &files, const QString &body = {})
{
    QJsonObject frame{{"type"_L1, "send"_L1},
                      {"room"_L1, room},
                      {"cid"_L1, cid},
                      {"files"_L1, QJsonArray::fromStringList(files)}};
    if (!body.isEmpty())
        frame.insert("body"_L1, body);
    return client.request(frame);
}

QJsonObject deleteMessage(TestClient &client, const QString &room, qint64 target,
                          const QString &cid)
{
    return client.request(QJsonObject{
        {"type"_L1, "delete"_L1}, {"room"_L1, room}, {"target"_L1, target}, {"cid"_L1, cid}});
}

// Bytes kept under <data>/files (not counting uploads in progress).
int storedBlobs(const QString &dataDir)
{
    int count = 0;
    QDirIterator it(dataDir + u"/files"_s, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        if (!it.next().contains(u"/incoming/"_s))
            ++count;
    }
    return count;
}

#define VERIFY_STATUS(response, code)                                                              \
    do {                                                                                           \
        const HttpResponse verifyStatus_ = (response);                                             \
        QVERIFY2(verifyStatus_.status == (code), qPrintable(describe(verifyStatus_)));             \
    } while (false)
} // namespace

class tst_server_files : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sqlite_roundTripAccessAndDeletion();
    void postgresql_roundTripAccessAndDeletion();
    void refusalsHaveTheirStatus();
    void unattachedUploadsExpire();
    void fullDiskAnswers507AndTheServerGoesOn();
    void backupAndRestoreKeepTheFiles();

private:
    // Runs the exchange on `server` (started, users alice bob carol added). `storedCount` says
    // how many uploads' bytes the storage holds.
    void converse(ServerProcess &server, const std::function<int()> &storedCount);
};

void tst_server_files::converse(ServerProcess &server, const std::function<int()> &storedCount)
{
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, password(u"alice"_s), &why);
    QVERIFY2(alice, qPrintable(why));
    auto bob = openWithLogin(server.url(), u"bob"_s, password(u"bob"_s), &why);
    QVERIFY2(bob, qPrintable(why));
    auto carol = openWithLogin(server.url(), u"carol"_s, password(u"carol"_s), &why);
    QVERIFY2(carol, qPrintable(why));
    const QJsonObject limits = limitsOf(server, u"alice"_s);
    QCOMPARE(limits.value("max_file_bytes"_L1).toInteger(), 25 * 1024 * 1024);
    QCOMPARE(limits.value("max_files_per_message"_L1).toInt(), 10);
    VERIFY_OK(alice->create(u"ops"_s));
    VERIFY_OK(bob->join(u"ops"_s));
    VERIFY_OK(carol->create(u"lobby"_s));

    const QByteArray picture = png(640, 480, 300 * 1024);
    const QByteArray report = randomBytes(3 * 1024 * 1024 + 17);
    const HttpResponse pictureUp =
        upload(server, alice->token(), picture, "image/png", "Ecrã 1.png");
    VERIFY_STATUS(pictureUp, 201);
    const QJsonObject pictureInfo = json(pictureUp);
    const QString pictureId = pictureInfo.value("file"_L1).toString();
    QCOMPARE(pictureId.size(), 32);
    QCOMPARE(pictureInfo.value("name"_L1).toString(), u"Ecrã 1.png"_s);
    QCOMPARE(pictureInfo.value("type"_L1).toString(), u"image/png"_s);
    QCOMPARE(pictureInfo.value("size"_L1).toInteger(), picture.size());
    QCOMPARE(pictureInfo.value("width"_L1).toInt(), 640);
    QCOMPARE(pictureInfo.value("height"_L1).toInt(), 480);
    const HttpResponse reportUp =
        upload(server, alice->token(), report, "application/pdf", "../../etc/report.pdf");
    VERIFY_STATUS(reportUp, 201);
    const QString reportId = json(reportUp).value("file"_L1).toString();
    QCOMPARE(json(reportUp).value("name"_L1).toString(), u"report.pdf"_s);
    QVERIFY(!json(reportUp).contains("width"_L1));
    QCOMPARE(storedCount(), 2);

    // The uploader reads both back, byte for byte, with the headers DESIGN.md asks for.
    HttpResponse got = download(server, alice->token(), pictureId);
    VERIFY_STATUS(got, 200);
    QCOMPARE(sha256(got.body), sha256(picture));
    QCOMPARE(got.header("Content-Type"), QByteArray("image/png"));
    QVERIFY(got.header("Content-Disposition").startsWith("inline"));
    QCOMPARE(got.header("X-Content-Type-Options"), QByteArray("nosniff"));
    QCOMPARE(got.header("Cache-Control"), QByteArray("private"));
    got = download(server, alice->token(), reportId);
    VERIFY_STATUS(got, 200);
    QCOMPARE(sha256(got.body), sha256(report));
    QVERIFY(got.header("Content-Disposition").startsWith("attachment"));

    // Nobody else may, until a message carries it.
    VERIFY_STATUS(download(server, bob->token(), pictureId), 404);
    VERIFY_STATUS(download(server, carol->token(), pictureId), 404);
    VERIFY_ERROR(sendFiles(*bob, u"ops"_s, u"bob-steal"_s, {pictureId}), u"forbidden"_s);

    const QJsonObject sent =
        sendFiles(*alice, u"ops"_s, u"alice-f1"_s, {pictureId, reportId}, u"the plan"_s);
    VERIFY_OK(sent);
    const QJsonObject event = bob->waitForEvent(u"message"_s);
    QCOMPARE(event.value("body"_L1).toString(), u"the plan"_s);
    const QJsonArray files = event.value("files"_L1).toArray();
    QCOMPARE(files.size(), 2);
    QCOMPARE(files.at(0).toObject().value("file"_L1).toString(), pictureId);
    QCOMPARE(files.at(0).toObject().value("width"_L1).toInt(), 640);
    QCOMPARE(files.at(0).toObject().value("height"_L1).toInt(), 480);
    QCOMPARE(files.at(1).toObject().value("file"_L1).toString(), reportId);
    QCOMPARE(files.at(1).toObject().value("type"_L1).toString(), u"application/pdf"_s);
    QCOMPARE(files.at(1).toObject().value("size"_L1).toInteger(), report.size());
    const QList<QJsonObject> history = messagesOf(bob->history(u"ops"_s));
    QCOMPARE(history.last().value("files"_L1).toArray(), files);

    // A member reads them now and may send them on; a stranger still gets 404 and cannot.
    got = download(server, bob->token(), reportId);
    VERIFY_STATUS(got, 200);
    QCOMPARE(sha256(got.body), sha256(report));
    VERIFY_STATUS(download(server, carol->token(), reportId), 404);
    VERIFY_ERROR(sendFiles(*carol, u"lobby"_s, u"carol-f1"_s, {pictureId}), u"forbidden"_s);
    const QJsonObject forwarded = sendFiles(*bob, u"ops"_s, u"bob-f1"_s, {pictureId});
    VERIFY_OK(forwarded);
    // A message of only files (no caption) is fine; a repeated cid stores it once.
    VERIFY_OK(sendFiles(*bob, u"ops"_s, u"bob-f1"_s, {pictureId}));

    // Without the membership, no file.
    VERIFY_OK(bob->leave(u"ops"_s));
    VERIFY_STATUS(download(server, bob->token(), pictureId), 404);
    VERIFY_STATUS(download(server, bob->token(), reportId), 404);

    // Deleting alice's message removes the report (nothing else carries it), for everyone; the
    // picture stays while bob's message carries it, and goes with that one.
    VERIFY_OK(deleteMessage(*alice, u"ops"_s, sent.value("seq"_L1).toInteger(), u"alice-d1"_s));
    VERIFY_STATUS(download(server, alice->token(), reportId), 404);
    VERIFY_STATUS(download(server, alice->token(), pictureId), 200);
    QVERIFY2(waitUntil([&] { return storedCount() == 1; }, 5000),
             qPrintable(QString::number(storedCount())));
    VERIFY_OK(
        deleteMessage(*alice, u"ops"_s, forwarded.value("seq"_L1).toInteger(), u"alice-d2"_s));
    VERIFY_STATUS(download(server, alice->token(), pictureId), 404);
    QVERIFY2(waitUntil([&] { return storedCount() == 0; }, 5000),
             qPrintable(QString::number(storedCount())));
    const QList<QJsonObject> after = messagesOf(alice->history(u"ops"_s));
    for (const QJsonObject &m : after)
        QVERIFY(!m.contains("files"_L1));
}

void tst_server_files::sqlite_roundTripAccessAndDeletion()
{
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s})
        QVERIFY2(server.addUser(user, password(user)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    converse(server, [&] { return storedBlobs(server.dataDir()); });
}

void tst_server_files::postgresql_roundTripAccessAndDeletion()
{
    if (!PostgresServer::isInstalled()) {
        if (PostgresServer::mustRun())
            QFAIL(qPrintable(PostgresServer::whyUnavailable()));
        QSKIP(qPrintable(PostgresServer::whyUnavailable()));
    }
    PostgresServer postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    const QString url = postgres.createDatabase(u"files"_s);
    QVERIFY2(!url.isEmpty(), qPrintable(postgres.errorString()));
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    server.setDatabaseUrl(url);
    for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s})
        QVERIFY2(server.addUser(user, password(user)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    const QUrl parsed(url);
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, u"files-check"_s);
    db.setHostName(parsed.host());
    db.setPort(parsed.port());
    db.setUserName(parsed.userName());
    db.setDatabaseName(parsed.path().mid(1));
    QVERIFY2(db.open(), qPrintable(db.lastError().text()));
    converse(server, [&] {
        QSqlQuery query(db);
        if (!query.exec(u"SELECT count(DISTINCT file_id) FROM file_chunks"_s) || !query.next())
            return -1;
        return query.value(0).toInt();
    });
    db.close();
}

void tst_server_files::refusalsHaveTheirStatus()
{
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    for (const QString &user : {u"alice"_s, u"bob"_s})
        QVERIFY2(server.addUser(user, password(user)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start({u"--max-file-bytes"_s, u"2097152"_s, u"--file-quota-bytes-per-user"_s,
                           u"3000000"_s, u"--uploads-per-minute"_s, u"8"_s}),
             qPrintable(server.diagnostics()));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, password(u"alice"_s), &why);
    QVERIFY2(alice, qPrintable(why));
    auto bob = openWithLogin(server.url(), u"bob"_s, password(u"bob"_s), &why);
    QVERIFY2(bob, qPrintable(why));
    QCOMPARE(limitsOf(server, u"alice"_s).value("max_file_bytes"_L1).toInteger(), 2097152);
    const QByteArray small = randomBytes(1000);

    // 401: no token, a wrong one; 404 for ids that are not there or not ids at all.
    VERIFY_STATUS(upload(server, {}, small, "text/plain", "a.txt"), 401);
    VERIFY_STATUS(upload(server, u"not-a-token"_s, small, "text/plain", "a.txt"), 401);
    VERIFY_STATUS(download(server, {}, u"0123456789abcdef0123456789abcdef"_s), 401);
    VERIFY_STATUS(download(server, alice->token(), u"0123456789abcdef0123456789abcdef"_s), 404);
    VERIFY_STATUS(download(server, alice->token(), u"..%2F..%2Fconversa.db"_s), 404);
    // 405: other methods.
    VERIFY_STATUS(httpRequest(server.httpUrl(u"/files"_s), "PUT",
                              {{"Authorization", "Bearer " + alice->token().toLatin1()}}, small),
                  405);
    // 411: no length, or a chunked body.
    VERIFY_STATUS(httpRequest(server.httpUrl(u"/files"_s), "POST",
                              {{"Authorization", "Bearer " + alice->token().toLatin1()}}, {}),
                  411);
    VERIFY_STATUS(upload(server, alice->token(), {}, "text/plain", "a.txt",
                         {{"Transfer-Encoding", "chunked"}}),
                  411);
    // 400: a Content-Type that is no media type; a name that is not UTF-8.
    VERIFY_STATUS(upload(server, alice->token(), small, "text", "a.txt"), 400);
    VERIFY_STATUS(httpRequest(server.httpUrl(u"/files"_s), "POST",
                              {{"Authorization", "Bearer " + alice->token().toLatin1()},
                               {"X-Filename", "%ff%fe.txt"}},
                              small),
                  400);
    // 413: over max_file_bytes (told before the body is read, then the body is dropped).
    const HttpResponse tooLarge =
        upload(server, alice->token(), randomBytes(2097153), "application/zip", "big.zip");
    VERIFY_STATUS(tooLarge, 413);
    QVERIFY2(json(tooLarge).value("message"_L1).toString().contains(u"2097152"_s),
             tooLarge.body.constData());
    // 415: an image type the bytes are not.
    const HttpResponse notPng = upload(server, alice->token(), small, "image/png", "x.png");
    VERIFY_STATUS(notPng, 415);
    // A file of a type the browser would render is served as bytes, as an attachment.
    const HttpResponse page =
        upload(server, alice->token(), "<script>alert(1)</script>", "text/html", "x.html");
    VERIFY_STATUS(page, 201);
    const HttpResponse pageBack =
        download(server, alice->token(), json(page).value("file"_L1).toString());
    VERIFY_STATUS(pageBack, 200);
    QCOMPARE(pageBack.header("Content-Type"), QByteArray("application/octet-stream"));
    QVERIFY(pageBack.header("Content-Disposition").startsWith("attachment"));
    // A message carries at most max_files_per_message files.
    QStringList eleven;
    for (int i = 0; i < 11; ++i)
        eleven.append(QString::number(i).rightJustified(32, u'0'));
    VERIFY_OK(alice->create(u"ops"_s));
    VERIFY_ERROR(sendFiles(*alice, u"ops"_s, u"eleven"_s, eleven), u"too_large"_s);
    VERIFY_ERROR(sendFiles(*alice, u"ops"_s, u"bad-id"_s, {u"../conversa.db"_s}), u"bad_request"_s);

    // 413 for the quota: 2 x 1.5 MB fit in 3 MB with what alice has; the third does not.
    VERIFY_STATUS(upload(server, bob->token(), randomBytes(1400000), "application/zip", "1.zip"),
                  201);
    VERIFY_STATUS(upload(server, bob->token(), randomBytes(1400000), "application/zip", "2.zip"),
                  201);
    const HttpResponse overQuota =
        upload(server, bob->token(), randomBytes(1400000), "application/zip", "3.zip");
    VERIFY_STATUS(overQuota, 413);
    QVERIFY2(json(overQuota).value("message"_L1).toString().contains(u"3000000"_s),
             overQuota.body.constData());
    // 429: alice has started 7 uploads this minute (refused ones before the count included
    // only where they passed the checks before it); the limit is 8.
    int accepted = 0;
    HttpResponse last;
    for (int i = 0; i < 10; ++i) {
        last = upload(server, alice->token(), small, "text/plain", "n.txt");
        if (last.status != 201)
            break;
        ++accepted;
    }
    VERIFY_STATUS(last, 429);
    QVERIFY(accepted < 10);
    // The server went on serving through all of that.
    VERIFY_OK(alice->send(u"ops"_s, u"still here"_s));
}

void tst_server_files::unattachedUploadsExpire()
{
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    QVERIFY2(server.addUser(u"alice"_s, password(u"alice"_s)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start({u"--unattached-file-ttl-seconds"_s, u"2"_s}),
             qPrintable(server.diagnostics()));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, password(u"alice"_s), &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->create(u"ops"_s));
    const HttpResponse loose =
        upload(server, alice->token(), randomBytes(5000), "text/plain", "loose.txt");
    VERIFY_STATUS(loose, 201);
    const HttpResponse kept =
        upload(server, alice->token(), randomBytes(6000), "text/plain", "kept.txt");
    VERIFY_STATUS(kept, 201);
    const QString keptId = json(kept).value("file"_L1).toString();
    VERIFY_OK(sendFiles(*alice, u"ops"_s, u"keep"_s, {keptId}));
    const QString looseId = json(loose).value("file"_L1).toString();
    VERIFY_STATUS(download(server, alice->token(), looseId), 200);
    QVERIFY2(
        waitUntil([&] { return download(server, alice->token(), looseId).status == 404; }, 10000),
        "the unattached upload is still there");
    QVERIFY(waitUntil([&] { return storedBlobs(server.dataDir()) == 1; }, 5000));
    VERIFY_STATUS(download(server, alice->token(), keptId), 200);
}

void tst_server_files::fullDiskAnswers507AndTheServerGoesOn()
{
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    QVERIFY2(server.addUser(u"alice"_s, password(u"alice"_s)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, password(u"alice"_s), &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->create(u"ops"_s));
    // No file the server writes may grow past 2 MiB from now on: to a file being written, that
    // is a full disk (EFBIG where ENOSPC would be).
    QProcess prlimit;
    prlimit.start(u"prlimit"_s, {u"--pid"_s, QString::number(server.pid()),
                                 u"--fsize=%1"_s.arg(2 * 1024 * 1024)});
    QVERIFY(prlimit.waitForFinished(10000));
    QVERIFY2(prlimit.exitCode() == 0, prlimit.readAllStandardError().constData());
    const HttpResponse full =
        upload(server, alice->token(), randomBytes(3 * 1024 * 1024), "application/zip", "f.zip");
    VERIFY_STATUS(full, 507);
    QVERIFY(storedBlobs(server.dataDir()) == 0);
    QVERIFY(QDir(server.dataDir() + u"/files/incoming"_s).isEmpty());
    // Smaller files still fit, messages still go, and the server is still up.
    const HttpResponse fits =
        upload(server, alice->token(), randomBytes(100 * 1024), "application/zip", "s.zip");
    VERIFY_STATUS(fits, 201);
    VERIFY_OK(sendFiles(*alice, u"ops"_s, u"after-full"_s, {json(fits).value("file"_L1).toString()},
                        u"still here"_s));
    QVERIFY(server.isRunning());
    QVERIFY2(server.diagnostics().contains(u"event=file_write_failed"_s),
             qPrintable(server.diagnostics()));
}

void tst_server_files::backupAndRestoreKeepTheFiles()
{
    ServerProcess server;
    QVERIFY2(server.isValid(), qPrintable(server.errorString()));
    QVERIFY2(server.addUser(u"alice"_s, password(u"alice"_s)), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    QString why;
    auto alice = openWithLogin(server.url(), u"alice"_s, password(u"alice"_s), &why);
    QVERIFY2(alice, qPrintable(why));
    VERIFY_OK(alice->create(u"ops"_s));
    const QByteArray bytes = randomBytes(700 * 1024);
    const HttpResponse up = upload(server, alice->token(), bytes, "application/zip", "a.zip");
    VERIFY_STATUS(up, 201);
    const QString fileId = json(up).value("file"_L1).toString();
    VERIFY_OK(sendFiles(*alice, u"ops"_s, u"with-file"_s, {fileId}));

    QTemporaryDir backups;
    const QString backupFile = backups.filePath(u"conversa.db"_s);
    const AdminResult backedUp = server.runAdmin({u"backup"_s, backupFile});
    QVERIFY2(backedUp.ok(), qPrintable(backedUp.describe()));
    QVERIFY2(backedUp.standardOutput.contains("1 file(s)"), backedUp.standardOutput.constData());
    QCOMPARE(server.terminate(), 0);

    ServerProcess restored;
    QVERIFY2(restored.isValid(), qPrintable(restored.errorString()));
    const AdminResult back = restored.runAdmin({u"restore"_s, backupFile});
    QVERIFY2(back.ok(), qPrintable(back.describe()));
    QCOMPARE(storedBlobs(restored.dataDir()), 1);
    QVERIFY2(restored.start(), qPrintable(restored.diagnostics()));
    alice = openWithLogin(restored.url(), u"alice"_s, password(u"alice"_s), &why);
    QVERIFY2(alice, qPrintable(why));
    const HttpResponse got = download(restored, alice->token(), fileId);
    VERIFY_STATUS(got, 200);
    QCOMPARE(sha256(got.body), sha256(bytes));
}

QTEST_GUILESS_MAIN(tst_server_files)
#include "tst_server_files.moc"
