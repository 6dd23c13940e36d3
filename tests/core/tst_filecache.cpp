// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// core::FileCache against a real conversa-server: files are downloaded once however often they
// are asked for, a few at a time, kept within the size bound (least recently used out first,
// also across a restart), and every refusal comes in words.
#include <ConversaTest.h>
#include <FileCache.h>

#include <ClientFixtures.h>

#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;
using conversa::core::FileCache;

class TestFileCache : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void aFileIsDownloadedOnceHoweverOftenAsked();
    void theBoundEvictsTheLeastRecentlyUsed();
    void downloadsRunAFewAtATime();
    void refusalsComeInWords();

private:
    QString upload(const QByteArray &bytes, const QByteArray &name);
    QByteArray bytes(qsizetype size);
    void connectTo(FileCache &cache, const QString &token = {});

    std::unique_ptr<ServerProcess> m_server;
    QString m_token;
};

void TestFileCache::initTestCase()
{
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
    m_server = startServerWithAliceAndBob();
    QVERIFY(m_server);
    QString why;
    auto alice = openWithLogin(m_server->url(), u"alice"_s, kAlicePassword, &why);
    QVERIFY2(alice, qPrintable(why));
    m_token = alice->token();
    QVERIFY(!m_token.isEmpty());
}

QByteArray TestFileCache::bytes(qsizetype size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char(QRandomGenerator::global()->bounded(256));
    return data;
}

// Uploaded by alice (an uploader may always read her file): its id.
QString TestFileCache::upload(const QByteArray &data, const QByteArray &name)
{
    const HttpResponse answer = httpRequest(m_server->httpUrl(u"/files"_s), "POST",
                                            {{"Authorization", "Bearer " + m_token.toLatin1()},
                                             {"Content-Type", "application/octet-stream"},
                                             {"X-Filename", name}},
                                            data, 30000);
    if (answer.status != 201)
        qWarning("upload: %s %s", answer.statusLine.constData(), answer.body.constData());
    return QJsonDocument::fromJson(answer.body).object().value("file"_L1).toString();
}

void TestFileCache::connectTo(FileCache &cache, const QString &token)
{
    cache.setConnectionSource([url = m_server->url(), token] {
        FileCache::Connection connection;
        connection.options.url = url;
        connection.options.proxy = conversa::core::TransportOptions::Proxy::None;
        connection.token = token;
        return connection;
    });
}

void TestFileCache::aFileIsDownloadedOnceHoweverOftenAsked()
{
    const QByteArray data = bytes(3 << 20);
    const QString id = upload(data, "big.bin");
    QVERIFY(!id.isEmpty());
    QTemporaryDir dir;
    FileCache cache(dir.path());
    connectTo(cache, m_token);
    QSignalSpy ready(&cache, &FileCache::ready);
    QSignalSpy failed(&cache, &FileCache::failed);
    for (int i = 0; i < 5; ++i)
        cache.fetch(id, data.size());
    QVERIFY(cache.isFetching(id));
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 10000);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(cache.downloadsStarted(), 1);
    const QString path = ready.at(0).at(1).toString();
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll() == data);
    QCOMPARE(cache.usedBytes(), data.size());

    // Cached: answered from the disk, no second GET.
    cache.fetch(id, data.size());
    QTRY_COMPARE(ready.count(), 2);
    QCOMPARE(cache.downloadsStarted(), 1);
    QCOMPARE(cache.cachedPath(id), path);
}

void TestFileCache::theBoundEvictsTheLeastRecentlyUsed()
{
    const QString a = upload(bytes(100'000), "a.bin");
    const QString b = upload(bytes(100'000), "b.bin");
    const QString c = upload(bytes(100'000), "c.bin");
    QTemporaryDir dir;
    {
        FileCache cache(dir.path());
        connectTo(cache, m_token);
        cache.setMaxBytes(250'000);
        QSignalSpy ready(&cache, &FileCache::ready);
        cache.fetch(a);
        QTRY_COMPARE(ready.count(), 1);
        QTest::qWait(20);
        cache.fetch(b);
        QTRY_COMPARE(ready.count(), 2);
        QTest::qWait(20);
        QVERIFY(!cache.cachedPath(a).isEmpty()); // a is used again: b is now the oldest
        QTest::qWait(20);
        cache.fetch(c);
        QTRY_COMPARE(ready.count(), 3);
        QCOMPARE(cache.cachedFiles(), 2);
        QVERIFY(cache.usedBytes() <= 250'000);
        QVERIFY(cache.cachedPath(b).isEmpty());
        QVERIFY(!QFile::exists(dir.filePath(b)));
        QVERIFY(!cache.cachedPath(a).isEmpty());
        QTest::qWait(20); // a use within the same millisecond would be a tie
        QVERIFY(!cache.cachedPath(c).isEmpty());
    }
    // After a restart the files and their order of use are still known; a smaller bound
    // evicts the older of the two (c was used last above).
    FileCache reopened(dir.path());
    QCOMPARE(reopened.cachedFiles(), 2);
    QCOMPARE(reopened.usedBytes(), 200'000);
    reopened.setMaxBytes(150'000);
    QCOMPARE(reopened.cachedFiles(), 1);
    QVERIFY(reopened.cachedPath(a).isEmpty());
    QVERIFY(!reopened.cachedPath(c).isEmpty());
}

void TestFileCache::downloadsRunAFewAtATime()
{
    QStringList ids;
    for (int i = 0; i < 6; ++i)
        ids.append(upload(bytes(200'000), "part.bin"));
    QTemporaryDir dir;
    FileCache cache(dir.path());
    connectTo(cache, m_token);
    cache.setMaxConcurrent(2);
    QSignalSpy ready(&cache, &FileCache::ready);
    int mostAtOnce = 0;
    QObject::connect(&cache, &FileCache::progress, this,
                     [&] { mostAtOnce = qMax(mostAtOnce, cache.activeDownloads()); });
    for (const QString &id : std::as_const(ids))
        cache.fetch(id);
    QCOMPARE(cache.activeDownloads(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 6, 15000);
    QVERIFY(mostAtOnce <= 2);
    QCOMPARE(cache.downloadsStarted(), 6);
    QCOMPARE(cache.activeDownloads(), 0);
}

void TestFileCache::refusalsComeInWords()
{
    QTemporaryDir dir;
    FileCache cache(dir.path());
    connectTo(cache, m_token);
    QSignalSpy failed(&cache, &FileCache::failed);
    const auto reasonFor = [&failed](const QString &id) {
        for (const QList<QVariant> &args : std::as_const(failed))
            if (args.at(0).toString() == id)
                return args.at(1).toString();
        return QString();
    };

    // An id nobody uploaded: the server's 404, said as "not available".
    const QString unknown = u"0123456789abcdef0123456789abcdef"_s;
    cache.fetch(unknown);
    QTRY_VERIFY(!reasonFor(unknown).isEmpty());
    QVERIFY2(reasonFor(unknown).contains(u"not available"_s), qPrintable(reasonFor(unknown)));
    QCOMPARE(cache.cachedFiles(), 0);

    cache.fetch(u"../../etc/passwd"_s);
    QTRY_VERIFY(!reasonFor(u"../../etc/passwd"_s).isEmpty());

    // The server sends more than the message said the file has: stopped, nothing kept.
    const QString liar = upload(bytes(300'000), "liar.bin");
    cache.fetch(liar, 1000);
    QTRY_VERIFY(!reasonFor(liar).isEmpty());
    QVERIFY2(reasonFor(liar).contains(u"more than"_s), qPrintable(reasonFor(liar)));
    QVERIFY(cache.cachedPath(liar).isEmpty());
    QTRY_VERIFY(!QFile::exists(dir.filePath(liar + u".part"_s)));

    // Larger than the whole cache: refused before any byte moves.
    const int started = cache.downloadsStarted();
    cache.setMaxBytes(100'000);
    const QString large = upload(bytes(150'000), "large.bin");
    cache.fetch(large, 150'000);
    QTRY_VERIFY(!reasonFor(large).isEmpty());
    QVERIFY2(reasonFor(large).contains(u"larger than"_s), qPrintable(reasonFor(large)));
    QCOMPARE(cache.downloadsStarted(), started);

    // Signed out, or a token the server no longer takes.
    FileCache signedOut(dir.filePath(u"out"_s));
    connectTo(signedOut, {});
    QSignalSpy signedOutFailed(&signedOut, &FileCache::failed);
    signedOut.fetch(unknown);
    QTRY_COMPARE(signedOutFailed.count(), 1);
    QVERIFY(signedOutFailed.at(0).at(1).toString().contains(u"signed in"_s));
    FileCache badToken(dir.filePath(u"bad"_s));
    connectTo(badToken, u"not-a-token"_s);
    QSignalSpy badTokenFailed(&badToken, &FileCache::failed);
    badToken.fetch(liar);
    QTRY_COMPARE(badTokenFailed.count(), 1);
    QVERIFY2(!badTokenFailed.at(0).at(1).toString().isEmpty(),
             qPrintable(badTokenFailed.at(0).at(1).toString()));
}

QTEST_GUILESS_MAIN(TestFileCache)
#include "tst_filecache.moc"
