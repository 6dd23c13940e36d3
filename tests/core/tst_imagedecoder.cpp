// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Image decoding with limits: a header that claims a huge size is refused before anything is
// allocated, QImageReader's allocation limit holds even when the size limits are raised, a
// thumbnail is scaled while decoding, and the thumbnail cache decodes each image once.
#include <ImageDecoder.h>
#include <ThumbnailCache.h>

#include <QElapsedTimer>
#include <QFile>
#include <QImageWriter>
#include <QPainter>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::core::DecodedImage;
using conversa::core::ImageDecoder;
using conversa::core::ImageLimits;
using conversa::core::ThumbnailCache;

namespace {

quint32 crc32(const QByteArray &bytes)
{
    quint32 crc = 0xffffffffu;
    for (const char c : bytes) {
        crc ^= quint8(c);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void appendBigEndian(QByteArray &bytes, quint32 value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        bytes.append(char((value >> shift) & 0xff));
}

void appendChunk(QByteArray &png, const QByteArray &type, const QByteArray &data)
{
    appendBigEndian(png, quint32(data.size()));
    const QByteArray chunk = type + data;
    png.append(chunk);
    appendBigEndian(png, crc32(chunk));
}

// A well-formed PNG (right CRCs) whose IHDR says width × height, 8-bit RGBA, with a few bytes of
// pixel data: a header that lies about a size nobody could hold.
QByteArray pngHeader(quint32 width, quint32 height)
{
    QByteArray header;
    appendBigEndian(header, width);
    appendBigEndian(header, height);
    header.append("\x08\x06\x00\x00\x00", 5);
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    appendChunk(png, "IHDR", header);
    appendChunk(png, "IDAT", QByteArray("\x78\x9c\x63\x00\x00\x00\x01\x00\x01", 9));
    appendChunk(png, "IEND", {});
    return png;
}

// The process's peak resident memory (Linux), in KiB; 0 elsewhere.
qint64 peakResidentKiB()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return 0;
}

// A photo-like picture (gradients and noise, so the encoder cannot cheat).
QImage photo(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    QPainter painter(&image);
    QLinearGradient gradient(0, 0, width, height);
    gradient.setColorAt(0, QColor(30, 90, 160));
    gradient.setColorAt(1, QColor(230, 180, 60));
    painter.fillRect(image.rect(), gradient);
    auto *random = QRandomGenerator::global();
    for (int i = 0; i < 4000; ++i) {
        painter.setBrush(QColor::fromRgb(random->generate()));
        painter.setPen(Qt::NoPen);
        painter.drawEllipse(QPoint(random->bounded(width), random->bounded(height)),
                            random->bounded(10, 80), random->bounded(10, 80));
    }
    return image;
}

} // namespace

class TestImageDecoder : public QObject
{
    Q_OBJECT
private slots:
    void hugeDeclaredSizeIsRefusedWithoutAllocating();
    void allocationLimitHoldsWhenSizeLimitsAreRaised();
    void thumbnailIsScaledWhileDecoding();
    void fittedKeepsAspectAndNeverEnlarges();
    void bigFilesAndNonImagesAreRefusedInWords();
    void thumbnailCacheDecodesEachImageOnce();

private:
    QTemporaryDir m_dir;
};

void TestImageDecoder::hugeDeclaredSizeIsRefusedWithoutAllocating()
{
    const QString path = m_dir.filePath(u"huge.png"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(pngHeader(100'000, 100'000));
    file.close();

    const qint64 before = peakResidentKiB();
    QElapsedTimer timer;
    timer.start();
    const DecodedImage decoded = ImageDecoder::decode(path, QSize(360, 280));
    const qint64 elapsed = timer.elapsed();
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.fullSize, QSize(100'000, 100'000));
    QVERIFY2(decoded.error.contains(u"too large"_s), qPrintable(decoded.error));
    QVERIFY2(elapsed < 1000, qPrintable(QString::number(elapsed)));
    // 100,000² pixels would be 40 GB: nothing near even a megapixel was allocated.
    if (before > 0)
        QVERIFY2(peakResidentKiB() - before < 8 * 1024,
                 qPrintable(u"%1 KiB more"_s.arg(peakResidentKiB() - before)));
    // Within the limits a smaller lie still fails cleanly (there are no pixels in the file).
    QFile small(m_dir.filePath(u"lie.png"_s));
    QVERIFY(small.open(QIODevice::WriteOnly));
    small.write(pngHeader(4000, 3000));
    small.close();
    const DecodedImage lie = ImageDecoder::decode(small.fileName(), QSize(360, 280));
    QVERIFY(!lie.ok());
    QVERIFY(!lie.error.isEmpty());
}

void TestImageDecoder::allocationLimitHoldsWhenSizeLimitsAreRaised()
{
    // A real 3000×3000 PNG (36 MB decoded) under an allocation limit of 16 MiB: refused by the
    // reader itself, however generous the size limits.
    QImage image(3000, 3000, QImage::Format_ARGB32);
    image.fill(QColor(20, 120, 200));
    const QString path = m_dir.filePath(u"square.png"_s);
    QVERIFY(image.save(path, "PNG"));

    ImageLimits generous;
    generous.maxSide = 1'000'000;
    generous.maxPixels = 1LL << 40;
    generous.allocationLimitMiB = 16;
    const DecodedImage refused = ImageDecoder::decode(path, {}, generous);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error.contains(u"cannot be read"_s), qPrintable(refused.error));

    generous.allocationLimitMiB = 256;
    const DecodedImage shown = ImageDecoder::decode(path, {}, generous);
    QVERIFY2(shown.ok(), qPrintable(shown.error));
    QCOMPARE(shown.image.size(), QSize(3000, 3000));
}

void TestImageDecoder::thumbnailIsScaledWhileDecoding()
{
    const QString path = m_dir.filePath(u"photo.jpg"_s);
    QImageWriter writer(path, "jpeg");
    writer.setQuality(90);
    QVERIFY2(writer.write(photo(4000, 3000)), qPrintable(writer.errorString()));

    QElapsedTimer timer;
    timer.start();
    const DecodedImage thumbnail = ImageDecoder::decode(path, QSize(360, 280));
    const qint64 thumbnailMs = timer.restart();
    QVERIFY2(thumbnail.ok(), qPrintable(thumbnail.error));
    QCOMPARE(thumbnail.fullSize, QSize(4000, 3000));
    QCOMPARE(thumbnail.image.size(), QSize(360, 270));
    const DecodedImage full = ImageDecoder::decode(path, {});
    const qint64 fullMs = timer.elapsed();
    QVERIFY2(full.ok(), qPrintable(full.error));
    QCOMPARE(full.image.size(), QSize(4000, 3000));
    qInfo("4000x3000 JPEG (%lld KB): thumbnail 360x270 in %lld ms (%lld KB of pixels), full "
          "decode in %lld ms (%lld KB)",
          QFileInfo(path).size() / 1000, thumbnailMs, thumbnail.image.sizeInBytes() / 1000, fullMs,
          full.image.sizeInBytes() / 1000);
}

void TestImageDecoder::fittedKeepsAspectAndNeverEnlarges()
{
    QCOMPARE(ImageDecoder::fitted(QSize(4000, 3000), QSize(360, 280)), QSize(360, 270));
    QCOMPARE(ImageDecoder::fitted(QSize(1000, 4000), QSize(360, 280)), QSize(70, 280));
    QCOMPARE(ImageDecoder::fitted(QSize(100, 50), QSize(360, 280)), QSize(100, 50));
    QCOMPARE(ImageDecoder::fitted(QSize(100'000, 1), QSize(360, 280)), QSize(360, 1));
    QCOMPARE(ImageDecoder::fitted(QSize(640, 480), QSize()), QSize(640, 480));
}

void TestImageDecoder::bigFilesAndNonImagesAreRefusedInWords()
{
    QImage image(64, 64, QImage::Format_RGB32);
    image.fill(Qt::red);
    const QString path = m_dir.filePath(u"red.png"_s);
    QVERIFY(image.save(path));
    ImageLimits tight;
    tight.maxFileBytes = 10;
    const DecodedImage tooBig = ImageDecoder::decode(path, {}, tight);
    QVERIFY(!tooBig.ok());
    QVERIFY2(tooBig.error.contains(u"too large"_s), qPrintable(tooBig.error));

    const QString text = m_dir.filePath(u"notes.png"_s);
    QFile file(text);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not an image at all\n");
    file.close();
    const DecodedImage notImage = ImageDecoder::decode(text, {});
    QVERIFY(!notImage.ok());
    QVERIFY(!notImage.error.isEmpty());
    const DecodedImage missing = ImageDecoder::decode(m_dir.filePath(u"gone.png"_s), {});
    QVERIFY(!missing.ok());
    QVERIFY(!missing.error.isEmpty());
}

void TestImageDecoder::thumbnailCacheDecodesEachImageOnce()
{
    QImage image(800, 600, QImage::Format_RGB32);
    image.fill(Qt::darkGreen);
    const QString path = m_dir.filePath(u"local.png"_s);
    QVERIFY(image.save(path));

    ThumbnailCache thumbnails(nullptr);
    QSignalSpy changed(&thumbnails, &ThumbnailCache::changed);
    const QSize box(200, 150);
    QCOMPARE(thumbnails.thumbnail({}, path, box).state, ThumbnailCache::State::Loading);
    // Asked again while decoding: still one decode.
    QCOMPARE(thumbnails.thumbnail({}, path, box).state, ThumbnailCache::State::Loading);
    QTRY_COMPARE(changed.count(), 1);
    const ThumbnailCache::Thumbnail ready = thumbnails.thumbnail({}, path, box);
    QCOMPARE(ready.state, ThumbnailCache::State::Ready);
    QCOMPARE(ready.image.size(), QSize(200, 150));
    QCOMPARE(thumbnails.decodesStarted(), 1);
    QCOMPARE(thumbnails.cachedBytes(), ready.image.sizeInBytes());

    // A failure is remembered, in words, until retried.
    const QString broken = m_dir.filePath(u"broken.png"_s);
    QFile file(broken);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(pngHeader(100'000, 100'000));
    file.close();
    thumbnails.thumbnail({}, broken, box);
    QTRY_COMPARE(changed.count(), 2);
    const ThumbnailCache::Thumbnail failed = thumbnails.thumbnail({}, broken, box);
    QCOMPARE(failed.state, ThumbnailCache::State::Failed);
    QVERIFY(failed.reason.contains(u"too large"_s));
    QCOMPARE(thumbnails.decodesStarted(), 2);
    thumbnails.retry({}, broken);
    QCOMPARE(thumbnails.thumbnail({}, broken, box).state, ThumbnailCache::State::Loading);
    QTRY_COMPARE(changed.count(), 3);
}

QTEST_GUILESS_MAIN(TestImageDecoder)
#include "tst_imagedecoder.moc"
