// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End to end: a real conversa-server, the desktop app's own wiring and window, and a
// conversa-cli peer following the room (`tail`). Ctrl+V of an image in the composer attaches it,
// Enter sends it with a caption; the peer sees the message with the file within a second on
// loopback, and `conversa-cli download` gets the very bytes that were pasted.
#include <ChatPage.h>
#include <Composer.h>
#include <ComposerAttachments.h>
#include <ConversaTest.h>
#include <DesktopFixture.h>
#include <MainWindow.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Room.h>

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;
namespace core = conversa::core;
namespace ui = conversa::ui;

class TestDesktopFilesE2e : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { SKIP_WITHOUT_SERVER_BIN(); }
    void aPastedImageReachesACliPeer();
};

void TestDesktopFilesE2e::aPastedImageReachesACliPeer()
{
    QString why;
    const auto server = startServerWithUsersOnly(&why);
    QVERIFY2(server, qPrintable(why));
    CliPeer bob;
    QVERIFY2(bob.login(server->url(), u"bob"_s, u"bob-password"_s, &why), qPrintable(why));
    VERIFY_CLI_OK(bob.run({u"create"_s, u"general"_s, u"General"_s}));
    QVERIFY2(joinOverWire(server->url(), u"alice"_s, u"alice-password"_s, u"general"_s, &why),
             qPrintable(why));

    // bob follows the room from a terminal; his own first message says he is listening.
    const auto tail = bob.tail(u"general"_s);
    QVERIFY(tail);
    QByteArray tailed;
    const auto readTail = [&] {
        tailed += tail->readAllStandardOutput();
        return tailed;
    };
    bool listening = false;
    for (int attempt = 0; attempt < 5 && !listening; ++attempt) {
        VERIFY_CLI_OK(bob.run({u"send"_s, u"general"_s, u"listening %1"_s.arg(attempt)}));
        listening = waitUntil([&] { return readTail().contains("listening"); }, 3000);
    }
    QVERIFY2(listening, tail->readAllStandardError().constData());

    QTemporaryDir data;
    const auto app = startSignedIn(data.path(), server->url(), u"alice"_s, u"alice-password"_s,
                                   u"general"_s, &why);
    QVERIFY2(app, qPrintable(why));
    ui::ChatPage *chat = app->window()->chatPage();

    // A screenshot on the clipboard, Ctrl+V in the composer.
    QImage image(400, 300, QImage::Format_RGB32);
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            image.setPixel(x, y, qRgb(x % 256, y % 256, (x * y) % 256));
    auto *clip = new QMimeData;
    clip->setImageData(image);
    QApplication::clipboard()->setMimeData(clip);
    ui::Composer *composer = chat->composer();
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_V, Qt::ControlModifier);
    ui::ComposerAttachments *strip = chat->composerAttachments();
    QCOMPARE(strip->count(), 1);
    // Under X11 a clipboard still owned at exit is offered to a clipboard manager, which Xvfb
    // lacks: Qt would wait for it.
    QApplication::clipboard()->clear();
    const core::OutboxFile pasted = strip->files().constFirst();
    QFile pastedFile(pasted.source);
    QVERIFY(pastedFile.open(QIODevice::ReadOnly));
    const QByteArray pastedBytes = pastedFile.readAll();
    pastedFile.close();
    QVERIFY(pastedBytes.startsWith("\x89PNG"));
    QTest::keyClicks(composer, u"the chart"_s);

    QElapsedTimer sinceEnter;
    sinceEnter.start();
    QTest::keyClick(composer, Qt::Key_Return);
    QJsonObject seen;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QByteArray &line : readTail().split('\n')) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                if (o.value("body"_L1).toString() == u"the chart"_s) {
                    seen = o;
                    return true;
                }
            }
            return false;
        }(),
        10000);
    const qint64 latencyMs = sinceEnter.elapsed();
    qInfo("paste, Enter -> the peer's tail has the message with its file: %lld ms", latencyMs);
    QVERIFY2(latencyMs < 1000, qPrintable(QString::number(latencyMs)));
    const QJsonArray files = seen.value("files"_L1).toArray();
    QCOMPARE(files.size(), 1);
    const QJsonObject file = files.at(0).toObject();
    QCOMPARE(file.value("name"_L1).toString(), pasted.name);
    QCOMPARE(file.value("type"_L1).toString(), u"image/png"_s);
    QCOMPARE(file.value("width"_L1).toInt(), 400);
    QCOMPARE(file.value("height"_L1).toInt(), 300);
    QCOMPARE(file.value("size"_L1).toInteger(), pastedBytes.size());

    // The same bytes, downloaded by the peer.
    const QString saved = bob.dataDir() + u"/got.png"_s;
    VERIFY_CLI_OK(bob.run({u"download"_s, file.value("file"_L1).toString(), u"-o"_s, saved}));
    QFile got(saved);
    QVERIFY(got.open(QIODevice::ReadOnly));
    QCOMPARE(got.readAll(), pastedBytes);

    // The window's row is delivered, carries the file's id, and the outbox's copy is gone.
    core::MessageModel *model = chat->room()->messages();
    QTRY_VERIFY([&] {
        const QModelIndex last = model->index(model->rowCount() - 1);
        return last.data(core::MessageModel::StateRole)
                       .value<core::MessageModel::DeliveryState>() ==
                   core::MessageModel::DeliveryState::Delivered &&
               last.data(core::MessageModel::FilesRole)
                       .toList()
                       .value(0)
                       .toMap()
                       .value(u"file"_s) == file.value("file"_L1).toString();
    }());
    QVERIFY(strip->isEmpty());
}

QTEST_MAIN(TestDesktopFilesE2e)
#include "tst_desktop_files_e2e.moc"
