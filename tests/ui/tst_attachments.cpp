// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Attaching files in the chat page (offscreen): the paperclip's API, a drop of file URLs and a
// paste of an image each fill the strip above the composer; × takes a file off; a file over the
// server's limit is refused in words; Enter sends the caption and every file as one pending
// message whose row carries the files (with their local copies).
#include <Account.h>
#include <ChatPage.h>
#include <Composer.h>
#include <ComposerAttachments.h>
#include <MessageModel.h>
#include <Outbox.h>
#include <Room.h>
#include <RoomListModel.h>
#include <SessionManager.h>

#include <Codec.h>
#include <FakeTransport.h>

#include <QAbstractButton>
#include <QApplication>
#include <QClipboard>
#include <QDropEvent>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QMimeData>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace protocol = conversa::protocol;
namespace ui = conversa::ui;
using conversa::test::FakeNetwork;
using conversa::test::FakeTransport;

class TestAttachments : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void paperclipAttachesChosenFiles();
    void dropOfFilesAttachesThem();
    void pasteOfAnImageAttachesAPng();
    void anImageBesideTextIsTextForDropAndPaste();
    void tooLargeAndTooManyAreRefusedInWords();
    void enterSendsOneMessageWithAllFiles();

private:
    QString makeFile(const QString &name, const QByteArray &bytes);
    QString makePng(const QString &name, int width, int height);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeNetwork> m_network;
    core::Account *m_account = nullptr;
    ui::ChatPage *m_page = nullptr;
    ui::ComposerAttachments *m_strip = nullptr;
};

QString TestAttachments::makeFile(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(bytes);
    return path;
}

QString TestAttachments::makePng(const QString &name, int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(QColor(30, 120, 200));
    const QString path = m_dir->filePath(name);
    return image.save(path, "PNG") ? path : QString();
}

void TestAttachments::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_network = std::make_unique<FakeNetwork>();
    m_network->setAutoAccept(true);
    m_network->setResponder(u"auth"_s, [](FakeTransport *, const QJsonObject &) {
        return FakeNetwork::Answer::ok({{"user"_L1, u"alice"_s}});
    });
    m_network->setResponder(u"rooms"_s, [](FakeTransport *, const QJsonObject &) {
        protocol::RoomSummary general{u"general"_s, u"General"_s, 0, 0, u"alice"_s};
        general.kind = u"public"_s;
        return FakeNetwork::Answer::ok(
            {{"rooms"_L1, QJsonArray{protocol::roomSummaryToJson(general)}}, {"epoch"_L1, 0}});
    });
    m_network->setResponder(u"sync"_s, [](FakeTransport *, const QJsonObject &request) {
        return FakeNetwork::Answer::ok({{"room"_L1, request.value("room"_L1)},
                                        {"messages"_L1, QJsonArray()},
                                        {"more"_L1, false}});
    });
    m_network->setResponder(u"history"_s, [](FakeTransport *, const QJsonObject &request) {
        return FakeNetwork::Answer::ok(
            {{"room"_L1, request.value("room"_L1)}, {"messages"_L1, QJsonArray()}});
    });
    m_network->setResponder(u"members"_s, [](FakeTransport *, const QJsonObject &request) {
        return FakeNetwork::Answer::ok(
            {{"room"_L1, request.value("room"_L1)}, {"members"_L1, QJsonArray()}});
    });
    m_network->setResponder(
        u"read"_s, [](FakeTransport *, const QJsonObject &) { return FakeNetwork::Answer::ok(); });

    core::Account::Options options;
    options.dataDirectory = m_dir->filePath(u"data"_s);
    options.useKeychain = false;
    m_account = new core::Account(options, this);
    m_account->session()->setWatchNetwork(false);
    m_account->session()->setTransportFactory(m_network->factory());
    // Uploads go over HTTP to this address: nothing listens there, so they wait and retry.
    QVERIFY2(m_account->open(QUrl(u"ws://127.0.0.1:9/ws"_s), u"alice"_s),
             qPrintable(m_account->lastError()));
    m_page = new ui::ChatPage;
    m_page->setAccount(m_account);
    m_page->setCurrentUser(u"alice"_s);
    m_page->resize(1000, 700);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
    m_account->resume(u"token"_s);
    QTRY_COMPARE(m_account->session()->state(), core::ConnectionState::Online);
    QTRY_COMPARE(m_account->rooms()->rowCount(), 1);
    m_page->setConnectionState(core::ConnectionState::Online);
    m_page->openRoom(u"general"_s);
    QTRY_VERIFY(m_page->room());
    m_strip = m_page->composerAttachments();
    QVERIFY(m_strip);
}

void TestAttachments::cleanup()
{
    delete m_page;
    m_page = nullptr;
    delete m_account;
    m_account = nullptr;
    m_network.reset();
    m_dir.reset();
}

void TestAttachments::paperclipAttachesChosenFiles()
{
    QToolButton *paperclip = m_page->attachButton();
    QVERIFY(paperclip->isEnabled());
    QCOMPARE(paperclip->accessibleName(), u"Attach files"_s);
    QVERIFY(!paperclip->toolTip().isEmpty());
    QVERIFY(!m_strip->isVisible());
    // What the file dialog hands over.
    m_page->attachFiles({makePng(u"photo.png"_s, 640, 480), makeFile(u"notes.txt"_s, "hello\n")});
    QVERIFY(m_strip->isVisible());
    QCOMPARE(m_strip->count(), 2);
    const QList<core::OutboxFile> files = m_strip->files();
    QCOMPARE(files.at(0).name, u"photo.png"_s);
    QCOMPARE(files.at(0).type, u"image/png"_s);
    QCOMPARE(files.at(0).width, 640);
    QCOMPARE(files.at(0).height, 480);
    QCOMPARE(files.at(1).type, u"text/plain"_s);
    QCOMPARE(files.at(1).width, 0);
    // Each chip: a thumbnail, the name, the size and a remove button named for the file.
    const QList<QLabel *> names = m_strip->findChildren<QLabel *>(u"attachmentName"_s);
    QCOMPARE(names.size(), 2);
    QCOMPARE(names.at(1)->text(), u"notes.txt"_s);
    QVERIFY(
        m_strip->findChildren<QLabel *>(u"attachmentSize"_s).at(1)->text().startsWith(u"6 byte"_s));
    QVERIFY(!m_strip->findChildren<QLabel *>(u"attachmentThumbnail"_s).at(0)->pixmap().isNull());
    QVERIFY(m_page->sendButton()->isEnabled()); // files alone may be sent
    auto *remove = qobject_cast<QAbstractButton *>(m_strip->removeButtons().at(0));
    QCOMPARE(remove->accessibleName(), u"Remove photo.png"_s);
    remove->click();
    QCOMPARE(m_strip->count(), 1);
    QCOMPARE(m_strip->files().at(0).name, u"notes.txt"_s);
    qobject_cast<QAbstractButton *>(m_strip->removeButtons().at(0))->click();
    QVERIFY(!m_strip->isVisible());
    QVERIFY(!m_page->sendButton()->isEnabled());
}

void TestAttachments::dropOfFilesAttachesThem()
{
    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(makeFile(u"a.bin"_s, QByteArray(100, 'a'))),
                  QUrl::fromLocalFile(makeFile(u"b.bin"_s, QByteArray(200, 'b')))});
    QVERIFY(m_page->acceptDrops());
    const QPointF where(m_page->width() / 2.0, m_page->height() / 2.0);
    QDragEnterEvent enter(where.toPoint(), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_page, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(where, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_page, &drop);
    QVERIFY(drop.isAccepted());
    QCOMPARE(m_strip->count(), 2);
    QCOMPARE(m_strip->files().at(1).name, u"b.bin"_s);
    QCOMPARE(m_strip->files().at(1).size, 200);
    // Text is not a file: a drop of plain text is left to the composer.
    QMimeData text;
    text.setText(u"just words"_s);
    QVERIFY(!ui::ComposerAttachments::canAttach(&text));
}

void TestAttachments::pasteOfAnImageAttachesAPng()
{
    QImage image(320, 200, QImage::Format_ARGB32);
    image.fill(QColor(200, 60, 60));
    auto *data = new QMimeData; // the clipboard takes it
    data->setImageData(image);
    QApplication::clipboard()->setMimeData(data);
    ui::Composer *composer = m_page->composer();
    composer->setFocus();
    composer->paste();
    QCOMPARE(m_strip->count(), 1);
    const core::OutboxFile pasted = m_strip->files().at(0);
    QVERIFY2(pasted.name.startsWith(u"Pasted image "_s) && pasted.name.endsWith(u".png"_s),
             qPrintable(pasted.name));
    QCOMPARE(pasted.type, u"image/png"_s);
    QCOMPARE(pasted.width, 320);
    QCOMPARE(pasted.height, 200);
    QVERIFY(QFile::exists(pasted.source));
    QVERIFY(composer->toPlainText().isEmpty()); // nothing pasted as text
    // Files copied in a file manager come as URLs.
    auto *copied = new QMimeData;
    copied->setUrls({QUrl::fromLocalFile(makeFile(u"report.pdf"_s, "%PDF-1.4\n"))});
    QApplication::clipboard()->setMimeData(copied);
    composer->paste();
    QCOMPARE(m_strip->count(), 2);
    QCOMPARE(m_strip->files().at(1).name, u"report.pdf"_s);
    // Plain text still pastes as text.
    QApplication::clipboard()->setText(u"words"_s);
    composer->paste();
    QCOMPARE(composer->toPlainText(), u"words"_s);
    QCOMPARE(m_strip->count(), 2);
    // Taking the pasted image off removes its PNG.
    qobject_cast<QAbstractButton *>(m_strip->removeButtons().at(0))->click();
    QVERIFY(!QFile::exists(pasted.source));
}

void TestAttachments::anImageBesideTextIsTextForDropAndPaste()
{
    // What an office program copies: the text, and a picture of it.
    QImage picture(80, 20, QImage::Format_ARGB32);
    picture.fill(Qt::white);
    const auto officeCopy = [&picture] {
        auto *data = new QMimeData;
        data->setText(u"quarterly numbers"_s);
        data->setImageData(picture);
        return data;
    };
    QVERIFY(!ui::ComposerAttachments::canAttach(std::unique_ptr<QMimeData>(officeCopy()).get()));

    // Dropped on the page: left alone, nothing attached.
    const std::unique_ptr<QMimeData> dropped(officeCopy());
    const QPointF where(m_page->width() / 2.0, m_page->height() / 2.0);
    QDragEnterEvent enter(where.toPoint(), Qt::CopyAction, dropped.get(), Qt::LeftButton,
                          Qt::NoModifier);
    enter.setAccepted(false);
    QApplication::sendEvent(m_page, &enter);
    QVERIFY(!enter.isAccepted());
    QDropEvent drop(where, Qt::CopyAction, dropped.get(), Qt::LeftButton, Qt::NoModifier);
    drop.setAccepted(false);
    QApplication::sendEvent(m_page, &drop);
    QVERIFY(!drop.isAccepted());
    QCOMPARE(m_strip->count(), 0);

    // Pasted into the composer: the text, nothing attached.
    QApplication::clipboard()->setMimeData(officeCopy());
    ui::Composer *composer = m_page->composer();
    composer->setFocus();
    composer->paste();
    QCOMPARE(composer->toPlainText(), u"quarterly numbers"_s);
    QCOMPARE(m_strip->count(), 0);
}

void TestAttachments::tooLargeAndTooManyAreRefusedInWords()
{
    // Over the server's max_file_bytes (25 MiB until it says otherwise); sparse, so cheap.
    const QString big = m_dir->filePath(u"huge video.mkv"_s);
    QFile file(big);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.resize(26 * 1024 * 1024));
    file.close();
    m_page->attachFiles({big});
    QCOMPARE(m_strip->count(), 0);
    QLabel *error = m_page->sendErrorLabel();
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(u"huge video.mkv"_s) && error->text().contains(u"MB"_s),
             qPrintable(error->text()));
    QStringList many;
    for (int i = 0; i < 11; ++i)
        many.append(makeFile(u"f%1.txt"_s.arg(i), "x"));
    m_page->attachFiles(many);
    QCOMPARE(m_strip->count(), 10);
    QVERIFY2(error->text().contains(u"10 file"_s), qPrintable(error->text()));
}

void TestAttachments::enterSendsOneMessageWithAllFiles()
{
    m_page->attachFiles({makePng(u"one.png"_s, 64, 32), makeFile(u"two.txt"_s, "second\n")});
    ui::Composer *composer = m_page->composer();
    composer->setFocus();
    QTest::keyClicks(composer, u"both files"_s);
    core::MessageModel *model = m_page->room()->messages();
    const int before = model->rowCount();
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_COMPARE(model->rowCount(), before + 1);
    const QModelIndex row = model->index(model->rowCount() - 1);
    QCOMPARE(row.data(core::MessageModel::BodyRole).toString(), u"both files"_s);
    QCOMPARE(row.data(core::MessageModel::StateRole).value<core::MessageModel::DeliveryState>(),
             core::MessageModel::DeliveryState::Pending);
    // Saved: the composer and the strip are empty, the row shows the outbox's copies.
    QTRY_VERIFY(composer->toPlainText().isEmpty());
    QVERIFY(m_strip->isEmpty());
    QTRY_VERIFY(row.data(core::MessageModel::FilesRole)
                    .toList()
                    .value(0)
                    .toMap()
                    .value(u"localPath"_s)
                    .toString()
                    .startsWith(m_account->outbox()->filesDirectory()));
    const QVariantList files = row.data(core::MessageModel::FilesRole).toList();
    QCOMPARE(files.size(), 2);
    const QVariantMap first = files.at(0).toMap();
    QCOMPARE(first.value(u"name"_s).toString(), u"one.png"_s);
    QCOMPARE(first.value(u"file"_s).toString(), QString()); // not uploaded
    QCOMPARE(first.value(u"width"_s).toInt(), 64);
    QCOMPARE(first.value(u"height"_s).toInt(), 32);
    QVERIFY(QFile::exists(first.value(u"localPath"_s).toString()));
    QCOMPARE(files.at(1).toMap().value(u"name"_s).toString(), u"two.txt"_s);
    QCOMPARE(m_account->outbox()->pendingCount(u"general"_s), 1);
    const core::OutboxEntry entry = m_account->outbox()->unsent(u"general"_s).constFirst();
    QCOMPARE(entry.files.size(), 2);
    // Nothing listens where the files would go: still uploading (or waiting to try again).
    QCOMPARE(row.data(core::MessageModel::StateRole).value<core::MessageModel::DeliveryState>(),
             core::MessageModel::DeliveryState::Pending);
    // Cancel upload: the row and the outbox's copies go.
    const QString copy = first.value(u"localPath"_s).toString();
    m_page->cancelUpload(entry.cid);
    QTRY_COMPARE(model->rowCount(), before);
    QCOMPARE(m_account->outbox()->pendingCount(u"general"_s), 0);
    QVERIFY(!QFile::exists(copy));
}

QTEST_MAIN(TestAttachments)
#include "tst_attachments.moc"
