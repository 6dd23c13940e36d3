// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End to end: a real conversa-server, the desktop app's own wiring and window, and a
// conversa-cli peer who sends an image and a PDF with `send --file`: the window shows the image
// inline (a placeholder of its final size, then its thumbnail, downloaded into the account's
// folder) and the PDF as a card, and the row never changes height on the way.
#include <Account.h>
#include <ChatPage.h>
#include <ConversaTest.h>
#include <DesktopFixture.h>
#include <FileCache.h>
#include <MainWindow.h>
#include <MessageDelegate.h>
#include <MessageFiles.h>
#include <MessageModel.h>
#include <MessageView.h>

#include <QApplication>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::test;
namespace core = conversa::core;
namespace ui = conversa::ui;

class TestDesktopImagesE2e : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { SKIP_WITHOUT_SERVER_BIN(); }
    void aCliPeerSendsAnImageAndAPdf();
};

void TestDesktopImagesE2e::aCliPeerSendsAnImageAndAPdf()
{
    QString why;
    const auto server = startServerWithUsersOnly(&why);
    QVERIFY2(server, qPrintable(why));
    CliPeer bob;
    QVERIFY2(bob.login(server->url(), u"bob"_s, u"bob-password"_s, &why), qPrintable(why));
    VERIFY_CLI_OK(bob.run({u"create"_s, u"general"_s, u"General"_s}));
    QVERIFY2(joinOverWire(server->url(), u"alice"_s, u"alice-password"_s, u"general"_s, &why),
             qPrintable(why));

    QTemporaryDir data;
    const auto app = startSignedIn(data.path(), server->url(), u"alice"_s, u"alice-password"_s,
                                   u"general"_s, &why);
    QVERIFY2(app, qPrintable(why));
    ui::MessageView *view = app->window()->chatPage()->messageView();

    // bob sends a 1600×1200 green photo and a PDF with one message.
    QImage photo(1600, 1200, QImage::Format_RGB32);
    photo.fill(QColor(40, 170, 90));
    QTemporaryDir files;
    const QString photoPath = files.filePath(u"garden.png"_s);
    QVERIFY(photo.save(photoPath));
    const QString pdfPath = files.filePath(u"minutes.pdf"_s);
    {
        QFile pdf(pdfPath);
        QVERIFY(pdf.open(QIODevice::WriteOnly));
        pdf.write("%PDF-1.4\n% minutes\n" + QByteArray(20'000, 'm') + "\n%%EOF\n");
    }
    VERIFY_CLI_OK(bob.run({u"send"_s, u"general"_s, u"From the garden"_s, u"--file"_s, photoPath,
                           u"--file"_s, pdfPath}));

    QModelIndex index;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int row = 0; row < view->model()->rowCount(); ++row) {
                const QModelIndex at = view->model()->index(row, 0);
                if (at.data(core::MessageModel::FilesRole).toList().size() == 2) {
                    index = at;
                    return true;
                }
            }
            return false;
        }(),
        10000);
    const QVariantList sent = index.data(core::MessageModel::FilesRole).toList();
    QCOMPARE(sent.at(0).toMap().value(u"name"_s).toString(), u"garden.png"_s);
    QCOMPARE(sent.at(0).toMap().value(u"width"_s).toInt(), 1600);
    QCOMPARE(sent.at(1).toMap().value(u"type"_s).toString(), u"application/pdf"_s);
    QVERIFY(index.data(Qt::AccessibleTextRole).toString().contains(u"garden.png"_s));

    view->scrollTo(index);
    QApplication::processEvents();
    const ui::MessageFiles::Layout layout =
        view->messageDelegate()->filesLayout(rowOption(view, index), index);
    QCOMPARE(layout.items.size(), 2);
    QVERIFY(layout.items.at(0).image);
    QCOMPARE(layout.items.at(0).rect.size(), QSize(360, 270));
    QVERIFY(!layout.items.at(1).image);
    const int rowHeight = view->visualRect(index).height();

    // The thumbnail arrives (downloaded into alice's folder) in the same box.
    const QRect box = layout.items.at(0).rect;
    const auto greenPixels = [&] {
        const QImage shot = view->viewport()->grab().toImage();
        int green = 0;
        for (int y = box.top(); y <= box.bottom(); ++y)
            for (int x = box.left(); x <= box.right(); ++x)
                if (shot.pixelColor(x, y) == QColor(40, 170, 90))
                    ++green;
        return green;
    };
    QTRY_VERIFY_WITH_TIMEOUT(greenPixels() > box.width() * box.height() * 9 / 10, 15000);
    QCOMPARE(view->visualRect(index).height(), rowHeight);
    const QString fileId = sent.at(0).toMap().value(u"file"_s).toString();
    QVERIFY(!app->account()->files()->cachedPath(fileId).isEmpty());
    QVERIFY(app->account()->files()->cachedPath(fileId).startsWith(data.path()));
}

QTEST_MAIN(TestDesktopImagesE2e)
#include "tst_desktop_images_e2e.moc"
