// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// End to end: a real conversa-server, the desktop app's own wiring and window, and a
// conversa-cli peer who sends an image and a PDF with `send --file`: the window shows the image
// inline (a placeholder of its final size, then its thumbnail, downloaded into the account's
// folder) and the PDF as a card, and the row never changes height on the way.
#include <Account.h>
#include <ChatPage.h>
#include <ConversaTest.h>
#include <DesktopApplication.h>
#include <FileCache.h>
#include <MainWindow.h>
#include <MessageDelegate.h>
#include <MessageFiles.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <SignInPage.h>

#include <QApplication>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
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
    void initTestCase();
    void aCliPeerSendsAnImageAndAPdf();

private:
    int cli(const QStringList &arguments, const QByteArray &input = {}, QByteArray *out = nullptr);

    QString m_bobToken;
    QStringList m_bobAccount;
};

void TestDesktopImagesE2e::initTestCase()
{
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
}

int TestDesktopImagesE2e::cli(const QStringList &arguments, const QByteArray &input,
                              QByteArray *out)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (!m_bobToken.isEmpty())
        environment.insert(u"CONVERSA_TOKEN"_s, m_bobToken);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(CONVERSA_CLI_BIN), arguments + m_bobAccount);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(30000);
    if (out)
        *out = process.readAllStandardOutput();
    if (process.exitCode() != 0)
        qWarning("conversa-cli %s: %s", qPrintable(arguments.join(u' ')),
                 process.readAllStandardError().constData());
    return process.exitCode();
}

void TestDesktopImagesE2e::aCliPeerSendsAnImageAndAPdf()
{
    ServerProcess server;
    QVERIFY2(server.addUser(u"alice"_s, u"alice-password"_s), qPrintable(server.lastAdminError()));
    QVERIFY2(server.addUser(u"bob"_s, u"bob-password"_s), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    const QString url = server.url().toString();
    QTemporaryDir cliData;
    QByteArray out;
    QCOMPARE(cli({u"login"_s, url, u"bob"_s, u"--password-stdin"_s, u"--print-token"_s, u"--data"_s,
                  cliData.path()},
                 "bob-password\n", &out),
             0);
    m_bobToken = QString::fromUtf8(out).trimmed().split(u'\n').last();
    m_bobAccount = {u"--server"_s, url, u"--user"_s, u"bob"_s, u"--data"_s, cliData.path()};
    QCOMPARE(cli({u"create"_s, u"general"_s, u"General"_s}), 0);
    QString why;
    {
        auto alice = openWithLogin(server.url(), u"alice"_s, u"alice-password"_s, &why);
        QVERIFY2(alice, qPrintable(why));
        VERIFY_OK(alice->join(u"general"_s));
    }

    DesktopApplication::Options options;
    QTemporaryDir data;
    options.dataDir = data.path();
    options.server = url;
    options.user = u"alice"_s;
    options.useKeychain = false;
    DesktopApplication app(options);
    app.start();
    ui::SignInPage *signIn = app.window()->signInPage();
    signIn->passwordEdit()->setText(u"alice-password"_s);
    QTest::mouseClick(signIn->signInButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(app.session()->state(), core::ConnectionState::Online, 15000);
    ui::ChatPage *chat = app.window()->chatPage();
    QTRY_VERIFY_WITH_TIMEOUT(app.roomModel()->rowOfRoom(u"general"_s) >= 0, 10000);
    chat->openRoom(u"general"_s);
    ui::MessageView *view = chat->messageView();

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
    QCOMPARE(cli({u"send"_s, u"general"_s, u"From the garden"_s, u"--file"_s, photoPath,
                  u"--file"_s, pdfPath}),
             0);

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
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.font = view->font();
    option.rect = view->visualRect(index);
    option.widget = view;
    const ui::MessageFiles::Layout layout = view->messageDelegate()->filesLayout(option, index);
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
    QVERIFY(!app.account()->files()->cachedPath(fileId).isEmpty());
    QVERIFY(app.account()->files()->cachedPath(fileId).startsWith(data.path()));
}

QTEST_MAIN(TestDesktopImagesE2e)
#include "tst_desktop_images_e2e.moc"
