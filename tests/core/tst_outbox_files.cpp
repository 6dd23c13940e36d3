// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Messages with files through the outbox, against a real conversa-server: copies kept by the
// outbox, uploads in order, resumed after a restart without uploading a file twice, the server's
// refusals in words, and a cancelled upload that leaves nothing behind.
#include <ClientFixtures.h>
#include <ConversaTest.h>

#include <Backoff.h>
#include <FileSize.h>
#include <FileTransfer.h>
#include <MessageCache.h>
#include <Outbox.h>
#include <OutboxFile.h>
#include <SessionManager.h>

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QLocale>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::protocol::FileRef;
using conversa::protocol::MessageEvent;
using conversa::test::kAlicePassword;
using conversa::test::kBobPassword;
using conversa::test::ServerProcess;
using conversa::test::startServerWithAliceAndBob;
using conversa::test::waitUntil;

namespace {

// One client whose cache and outbox live in `folder`, so that a second one can take them over
// (a restart of the app).
struct Client {
    MessageCache cache;
    Outbox outbox;
    SessionManager session;
    QList<MessageEvent> received;
    QString token;

    Client(const QUrl &url, const QString &folder)
    {
        cache.open(folder + u"/cache.sqlite"_s);
        outbox.open(folder + u"/outbox.sqlite"_s);
        session.setServerUrl(url);
        session.setCache(&cache);
        session.setOutbox(&outbox);
        session.setProxy(SessionManager::ProxyMode::None);
        session.setWatchNetwork(false);
        session.setBackoff(Backoff({200, 800, 60'000}));
        QObject::connect(&session, &SessionManager::messageReceived,
                         [this](const MessageEvent &m) { received.append(m); });
        QObject::connect(&session, &SessionManager::tokenIssued,
                         [this](const QString &, const QString &t) { token = t; });
    }
    bool online(int timeoutMs = 15000)
    {
        return waitUntil([&] { return session.state() == ConnectionState::Online; }, timeoutMs);
    }
    bool join(const QString &room)
    {
        bool done = false;
        bool ok = false;
        session.request(conversa::protocol::JoinRequest{{}, room}, [&](const RequestResult &r) {
            ok = r.isOk();
            done = true;
        });
        waitUntil([&] { return done; }, 10000);
        return ok && waitUntil(
                         [&] {
                             return cache.room(room).has_value() &&
                                    session.state() == ConnectionState::Online;
                         },
                         5000);
    }
};

QByteArray randomBytes(qsizetype size)
{
    QList<quint32> words((size + 3) / 4);
    QRandomGenerator generator{quint32(size)};
    generator.fillRange(words.data(), words.size());
    return QByteArray(reinterpret_cast<const char *>(words.constData()), size);
}

// A tiny valid PNG (1x1, 8-bit grey).
QByteArray tinyPng()
{
    return QByteArray::fromBase64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAA"
                                  "AgABSK+kcQAAAABJRU5ErkJggg==");
}

QString writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

// Uploads kept under the server's <data>/files (not those in progress).
int storedUploads(const QString &dataDir)
{
    int count = 0;
    QDirIterator it(dataDir + u"/files"_s, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        if (!it.next().contains(u"/incoming/"_s))
            ++count;
    }
    return count;
}

int filesIn(const QString &folder)
{
    return int(QDir(folder).entryList(QDir::Files | QDir::Hidden).size());
}

QByteArray download(SessionManager &session, const QString &token, const QString &fileId,
                    const QString &path)
{
    FileTransfer transfer(session.transportOptions(), token);
    bool done = false;
    QObject::connect(&transfer, &FileTransfer::finished, [&] { done = true; });
    QObject::connect(&transfer, &FileTransfer::failed, [&](const QString &why) {
        qWarning("download failed: %s", qPrintable(why));
        done = true;
    });
    transfer.download(fileId, path);
    waitUntil([&] { return done; }, 20000);
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestOutboxFiles : public QObject
{
    Q_OBJECT
private slots:
    void describeReadsTypeByContentAndRefusesInWords();
    void offlineMessageWithTwoFilesGoesOutOnce();
    void restartResumesWithoutUploadingTwice();
    void refusalsFailTheMessageInWords();
    void tooManyUploadsWaitsAndTriesAgain();
    void cancelStopsTheUploadAndRemovesCopies();

private:
    std::unique_ptr<Client> signedIn(ServerProcess &server, const QString &user,
                                     const QString &password, const QString &folder);
    QTemporaryDir m_dir;
};

std::unique_ptr<Client> TestOutboxFiles::signedIn(ServerProcess &server, const QString &user,
                                                  const QString &password, const QString &folder)
{
    QDir().mkpath(folder);
    auto client = std::make_unique<Client>(server.url(), folder);
    client->session.signIn(user, password);
    if (!client->online() || !client->join(u"general"_s))
        return nullptr;
    return client;
}

void TestOutboxFiles::describeReadsTypeByContentAndRefusesInWords()
{
    // A PNG named .jpg is sent as a PNG (the server refuses an image type its bytes are not).
    const QString png = writeFile(m_dir.filePath(u"photo.jpg"_s), tinyPng());
    QString error;
    OutboxFile file = AttachmentLimits::describe(png, &error);
    QCOMPARE(file.name, u"photo.jpg"_s);
    QCOMPARE(file.type, u"image/png"_s);
    QCOMPARE(file.size, tinyPng().size());
    const QString text = writeFile(m_dir.filePath(u"notes.txt"_s), "just words\n");
    QCOMPARE(AttachmentLimits::describe(text, &error).type, u"text/plain"_s);
    file = AttachmentLimits::describe(m_dir.filePath(u"missing.bin"_s), &error);
    QVERIFY(file.name.isEmpty());
    QVERIFY2(error.contains(u"missing.bin"_s), qPrintable(error));

    ServerLimits limits;
    limits.maxFileBytes = 1000;
    limits.maxFilesPerMessage = 2;
    OutboxFile big;
    big.name = u"big.bin"_s;
    big.size = 1001;
    QString problem = AttachmentLimits::problem(big, {}, limits, 0);
    QVERIFY2(problem.contains(u"big.bin"_s) && problem.contains(formatFileSize(1000)),
             qPrintable(problem));
    // Spelled as a file card spells it, not rounded up to "2 KB".
    QLocale::setDefault(QLocale(QLocale::English));
    QCOMPARE(AttachmentLimits::formatSize(1500), u"1.5 kB"_s);
    QCOMPARE(formatFileSize(1000), u"1.0 kB"_s);
    QLocale::setDefault(QLocale::system());
    OutboxFile small = big;
    small.size = 10;
    problem = AttachmentLimits::problem(small, {small, small}, limits, 0);
    QVERIFY2(problem.contains(u"2 file"_s), qPrintable(problem));
    problem = AttachmentLimits::problem(small, {}, limits, AttachmentLimits::kMaxOutboxBytes);
    QVERIFY2(!problem.isEmpty(), "the outbox's bound");
    QVERIFY(AttachmentLimits::problem(small, {small}, limits, 0).isEmpty());
}

void TestOutboxFiles::offlineMessageWithTwoFilesGoesOutOnce()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    const QString folder = m_dir.filePath(u"offline"_s);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword, folder + u"/alice"_s);
    QVERIFY(alice);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword, folder + u"/bob"_s);
    QVERIFY(bob);
    server->kill();
    QVERIFY(waitUntil([&] { return alice->session.state() != ConnectionState::Online; }, 10000));

    const QByteArray pngBytes = tinyPng();
    const QByteArray binBytes = randomBytes(300 * 1024);
    QString error;
    OutboxFile png =
        AttachmentLimits::describe(writeFile(m_dir.filePath(u"dot.png"_s), pngBytes), &error);
    png.width = 1;
    png.height = 1;
    const OutboxFile bin =
        AttachmentLimits::describe(writeFile(m_dir.filePath(u"data file.bin"_s), binBytes), &error);
    QVERIFY2(!bin.name.isEmpty(), qPrintable(error));
    QSignalSpy saved(&alice->outbox, &Outbox::saved);
    const QString cid = alice->session.sendMessage(u"general"_s, u"two files"_s, 0, {png, bin});
    QVERIFY(!cid.isEmpty());
    QVERIFY(saved.wait(5000));
    // The outbox holds copies: the originals may go.
    const std::optional<OutboxEntry> entry = alice->outbox.entry(cid);
    QVERIFY(entry);
    QCOMPARE(entry->files.size(), 2);
    QCOMPARE(entry->files.at(1).name, u"data file.bin"_s);
    QVERIFY(entry->files.at(0).path.startsWith(alice->outbox.filesDirectory()));
    QCOMPARE(filesIn(alice->outbox.filesDirectory()), 2);
    QVERIFY(QFile::remove(m_dir.filePath(u"data file.bin"_s)));
    QCOMPARE(alice->outbox.fileBytes(), qint64(pngBytes.size() + binBytes.size()));

    QVERIFY2(server->restart(), qPrintable(server->diagnostics()));
    QVERIFY(waitUntil([&] { return alice->outbox.pendingCount() == 0; }, 30000));
    QVERIFY(waitUntil([&] { return !bob->received.isEmpty(); }, 15000));
    QTest::qWait(300);
    QCOMPARE(bob->received.size(), 1);
    const MessageEvent got = bob->received.constFirst();
    QCOMPARE(got.cid, cid);
    QCOMPARE(got.body, u"two files"_s);
    QCOMPARE(got.files.size(), 2);
    QCOMPARE(got.files.at(0).name, u"dot.png"_s);
    QCOMPARE(got.files.at(0).type, u"image/png"_s);
    QCOMPARE(got.files.at(0).width, 1);
    QCOMPARE(got.files.at(1).name, u"data file.bin"_s);
    QCOMPARE(got.files.at(1).size, binBytes.size());
    QCOMPARE(storedUploads(server->dataDir()), 2);
    // Acknowledged: the copies are gone.
    QVERIFY(waitUntil([&] { return filesIn(alice->outbox.filesDirectory()) == 0; }, 5000));
    QCOMPARE(alice->outbox.fileBytes(), 0);
    QCOMPARE(download(bob->session, bob->token, got.files.at(1).file, m_dir.filePath(u"back"_s)),
             binBytes);
}

void TestOutboxFiles::restartResumesWithoutUploadingTwice()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    const QString folder = m_dir.filePath(u"restart/alice"_s);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword, folder);
    QVERIFY(alice);
    const QString token = alice->token;
    QVERIFY(!token.isEmpty());

    // A small file, then one large enough to be cut off in the middle.
    const QByteArray first = randomBytes(64 * 1024);
    const QByteArray second = randomBytes(20 * 1024 * 1024);
    QString error;
    const OutboxFile a =
        AttachmentLimits::describe(writeFile(m_dir.filePath(u"first.bin"_s), first), &error);
    const OutboxFile b =
        AttachmentLimits::describe(writeFile(m_dir.filePath(u"second.bin"_s), second), &error);
    QString firstId;
    bool cut = false;
    // The moment the first file's id is noted, the app "dies": the second upload is cut off.
    QObject::connect(&alice->session, &SessionManager::uploadProgress,
                     [&](const QString &, const QString &cid, double fraction) {
                         if (cut || fraction <= 0)
                             return;
                         const auto entry = alice->outbox.entry(cid);
                         if (entry && entry->files.at(0).uploaded()) {
                             firstId = entry->files.at(0).fileId;
                             cut = true;
                         }
                     });
    const QString cid = alice->session.sendMessage(u"general"_s, {}, 0, {a, b});
    QVERIFY(!cid.isEmpty());
    QVERIFY(waitUntil([&] { return cut; }, 20000));
    alice.reset(); // session and outbox closed mid-upload
    QVERIFY(!firstId.isEmpty());
    QCOMPARE(storedUploads(server->dataDir()), 1);

    // The app again, on the same outbox.
    Client again(server->url(), folder);
    QSignalSpy uploads(&again.session, &SessionManager::uploadProgress);
    again.session.resume(u"alice"_s, token);
    QVERIFY(again.online());
    QVERIFY(waitUntil([&] { return again.outbox.pendingCount() == 0; }, 30000));
    const std::optional<OutboxEntry> sent = again.outbox.entry(cid);
    QVERIFY(!sent || sent->state == OutboxState::Sent);
    // The first file once, the second once: two uploads on the server, not three.
    QCOMPARE(storedUploads(server->dataDir()), 2);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword, m_dir.filePath(u"restart/bob"_s));
    QVERIFY(bob);
    QVERIFY(waitUntil([&] { return !bob->received.isEmpty(); }, 5000));
    QTest::qWait(200);
    const QList<MessageEvent> history = bob->received;
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.constFirst().cid, cid);
    QCOMPARE(history.constFirst().files.size(), 2);
    QCOMPARE(history.constFirst().files.at(0).file, firstId);
    QCOMPARE(download(bob->session, bob->token, history.constFirst().files.at(1).file,
                      m_dir.filePath(u"second-back.bin"_s)),
             second);
    QCOMPARE(filesIn(again.outbox.filesDirectory()), 0);
}

void TestOutboxFiles::refusalsFailTheMessageInWords()
{
    // The server keeps 3000 bytes per user (its quota): a 5000-byte file is refused (413) in
    // its words.
    auto server = startServerWithAliceAndBob(
        {u"--max-file-bytes"_s, u"10000"_s, u"--file-quota-bytes-per-user"_s, u"3000"_s});
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword, m_dir.filePath(u"refused/alice"_s));
    QVERIFY(alice);
    QCOMPARE(alice->session.serverLimits().maxFileBytes, 10000);
    QString error;
    const OutboxFile over = AttachmentLimits::describe(
        writeFile(m_dir.filePath(u"over.bin"_s), randomBytes(5000)), &error);
    QVERIFY(AttachmentLimits::problem(over, {}, alice->session.serverLimits(), 0).isEmpty());
    const QString cid = alice->session.sendMessage(u"general"_s, u"over quota"_s, 0, {over});
    QVERIFY(waitUntil(
        [&] {
            const auto e = alice->outbox.entry(cid);
            return e && e->state == OutboxState::Failed;
        },
        15000));
    const QString reason = alice->outbox.entry(cid)->reason;
    QVERIFY2(reason.contains(u"413"_s) && reason.contains(u"3000 bytes"_s), qPrintable(reason));
    // The copy stays for a retry; a discard removes it.
    QCOMPARE(filesIn(alice->outbox.filesDirectory()), 1);
    QVERIFY(alice->outbox.discard(cid));
    QCOMPARE(filesIn(alice->outbox.filesDirectory()), 0);

    // Larger than the server takes at all: refused before any byte goes, in words.
    const OutboxFile huge = AttachmentLimits::describe(
        writeFile(m_dir.filePath(u"huge.bin"_s), randomBytes(20000)), &error);
    const QString problem = AttachmentLimits::problem(huge, {}, alice->session.serverLimits(), 0);
    QVERIFY2(problem.contains(u"huge.bin"_s) && problem.contains(formatFileSize(10000)),
             qPrintable(problem));
    // Queued anyway (an older client's outbox, a server that lowered its limit): it fails.
    const QString hugeCid = alice->session.sendMessage(u"general"_s, {}, 0, {huge});
    QVERIFY(waitUntil(
        [&] {
            const auto e = alice->outbox.entry(hugeCid);
            return e && e->state == OutboxState::Failed;
        },
        15000));
    QVERIFY2(alice->outbox.entry(hugeCid)->reason.contains(u"10000"_s),
             qPrintable(alice->outbox.entry(hugeCid)->reason));
    QCOMPARE(storedUploads(server->dataDir()), 0);
}

void TestOutboxFiles::tooManyUploadsWaitsAndTriesAgain()
{
    // One upload a minute: the second file of the message is refused with 429. The message is
    // not failed: it waits and tries the same file again, as often as the delay says.
    auto server = startServerWithAliceAndBob({u"--uploads-per-minute"_s, u"1"_s});
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword, m_dir.filePath(u"429/alice"_s));
    QVERIFY(alice);
    SessionManager::Timing timing;
    timing.uploadRetryMs = 300;
    alice->session.setTiming(timing);
    QString error;
    const OutboxFile one = AttachmentLimits::describe(
        writeFile(m_dir.filePath(u"one.bin"_s), randomBytes(1000)), &error);
    const OutboxFile two = AttachmentLimits::describe(
        writeFile(m_dir.filePath(u"two.bin"_s), randomBytes(1000)), &error);
    const QString cid = alice->session.sendMessage(u"general"_s, u"two at once"_s, 0, {one, two});
    QVERIFY(waitUntil([&] { return alice->session.outboxRefusals() >= 3; }, 10000));
    const std::optional<OutboxEntry> entry = alice->outbox.entry(cid);
    QVERIFY(entry);
    QCOMPARE(entry->state, OutboxState::Pending);
    QVERIFY(entry->files.at(0).uploaded());
    QVERIFY(!entry->files.at(1).uploaded());
    // The first file is not uploaded again meanwhile.
    QCOMPARE(storedUploads(server->dataDir()), 1);
    QVERIFY(alice->session.cancelUpload(cid));
}

void TestOutboxFiles::cancelStopsTheUploadAndRemovesCopies()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword, m_dir.filePath(u"cancel/alice"_s));
    QVERIFY(alice);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword, m_dir.filePath(u"cancel/bob"_s));
    QVERIFY(bob);
    QString error;
    const OutboxFile big = AttachmentLimits::describe(
        writeFile(m_dir.filePath(u"big.bin"_s), randomBytes(24 * 1024 * 1024)), &error);
    QSignalSpy progress(&alice->session, &SessionManager::uploadProgress);
    const QString cid = alice->session.sendMessage(u"general"_s, u"never mind"_s, 0, {big});
    QVERIFY(waitUntil([&] { return !alice->session.uploadingIn(u"general"_s).isEmpty(); }, 10000));
    QCOMPARE(alice->session.uploadingIn(u"general"_s), cid);
    QVERIFY(alice->session.cancelUpload(cid));
    QVERIFY(!alice->outbox.entry(cid));
    QCOMPARE(filesIn(alice->outbox.filesDirectory()), 0);
    QVERIFY(alice->session.uploadingIn(u"general"_s).isEmpty());
    QCOMPARE(progress.constLast().at(2).toDouble(), -1.0);
    // A message after it goes out at once.
    const QString next = alice->session.sendMessage(u"general"_s, u"after"_s);
    QVERIFY(waitUntil([&] { return !bob->received.isEmpty(); }, 10000));
    QTest::qWait(300);
    QCOMPARE(bob->received.size(), 1);
    QCOMPARE(bob->received.constFirst().cid, next);
    QCOMPARE(storedUploads(server->dataDir()), 0);
}

QTEST_GUILESS_MAIN(TestOutboxFiles)
#include "tst_outbox_files.moc"
