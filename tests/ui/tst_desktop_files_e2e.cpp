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
#include <DesktopApplication.h>
#include <MainWindow.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <Room.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <SignInPage.h>

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
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
    void initTestCase();
    void aPastedImageReachesACliPeer();

private:
    struct Run {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    Run cli(const QStringList &arguments, const QByteArray &input = {}) const;
    QProcessEnvironment cliEnvironment() const;

    QString m_url;
    QString m_bobToken;
    QStringList m_bobAccount;
};

void TestDesktopFilesE2e::initTestCase()
{
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
}

QProcessEnvironment TestDesktopFilesE2e::cliEnvironment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (!m_bobToken.isEmpty())
        environment.insert(u"CONVERSA_TOKEN"_s, m_bobToken);
    return environment;
}

TestDesktopFilesE2e::Run TestDesktopFilesE2e::cli(const QStringList &arguments,
                                                  const QByteArray &input) const
{
    QProcess process;
    process.setProcessEnvironment(cliEnvironment());
    process.start(QStringLiteral(CONVERSA_CLI_BIN), arguments + m_bobAccount);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(30000);
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

void TestDesktopFilesE2e::aPastedImageReachesACliPeer()
{
    ServerProcess server;
    QVERIFY2(server.addUser(u"alice"_s, u"alice-password"_s), qPrintable(server.lastAdminError()));
    QVERIFY2(server.addUser(u"bob"_s, u"bob-password"_s), qPrintable(server.lastAdminError()));
    QVERIFY2(server.start(), qPrintable(server.diagnostics()));
    m_url = server.url().toString();
    QTemporaryDir cliData;
    const Run login = cli({u"login"_s, m_url, u"bob"_s, u"--password-stdin"_s, u"--print-token"_s,
                           u"--data"_s, cliData.path()},
                          "bob-password\n");
    QCOMPARE(login.exitCode, 0);
    m_bobToken = QString::fromUtf8(login.out).trimmed().split(u'\n').last();
    m_bobAccount = {u"--server"_s, m_url, u"--user"_s, u"bob"_s, u"--data"_s, cliData.path()};
    QCOMPARE(cli({u"create"_s, u"general"_s, u"General"_s}).exitCode, 0);
    QString why;
    {
        auto alice = openWithLogin(server.url(), u"alice"_s, u"alice-password"_s, &why);
        QVERIFY2(alice, qPrintable(why));
        VERIFY_OK(alice->join(u"general"_s));
    }

    // bob follows the room from a terminal; his own first message says he is listening.
    QProcess tail;
    tail.setProcessEnvironment(cliEnvironment());
    tail.start(QStringLiteral(CONVERSA_CLI_BIN),
               QStringList{u"tail"_s, u"general"_s} + m_bobAccount);
    QVERIFY(tail.waitForStarted());
    QByteArray tailed;
    const auto readTail = [&] {
        tailed += tail.readAllStandardOutput();
        return tailed;
    };
    bool listening = false;
    for (int attempt = 0; attempt < 5 && !listening; ++attempt) {
        QCOMPARE(cli({u"send"_s, u"general"_s, u"listening %1"_s.arg(attempt)}).exitCode, 0);
        listening = waitUntil([&] { return readTail().contains("listening"); }, 3000);
    }
    QVERIFY2(listening, tail.readAllStandardError().constData());

    QTemporaryDir data;
    DesktopApplication::Options options;
    options.dataDir = data.path();
    options.server = m_url;
    options.user = u"alice"_s;
    options.useKeychain = false;
    auto app = std::make_unique<DesktopApplication>(options);
    app->start();
    ui::SignInPage *signIn = app->window()->signInPage();
    signIn->passwordEdit()->setText(u"alice-password"_s);
    QTest::mouseClick(signIn->signInButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(app->session()->state(), core::ConnectionState::Online, 15000);
    ui::ChatPage *chat = app->window()->chatPage();
    QTRY_VERIFY_WITH_TIMEOUT(app->roomModel()->rowOfRoom(u"general"_s) >= 0, 10000);
    chat->openRoom(u"general"_s);
    QTRY_VERIFY(chat->room());

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
    const QString saved = cliData.filePath(u"got.png"_s);
    const Run download = cli({u"download"_s, file.value("file"_L1).toString(), u"-o"_s, saved});
    QVERIFY2(download.exitCode == 0, download.err.constData());
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
    tail.kill();
    tail.waitForFinished();
}

QTEST_MAIN(TestDesktopFilesE2e)
#include "tst_desktop_files_e2e.moc"
