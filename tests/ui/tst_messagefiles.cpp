// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Files in the message view, with a real conversa-server behind the download cache: an image
// is a placeholder of its final size until its thumbnail is decoded (the row never changes
// height), a PDF is a card whose Open and Save as… work, a click on an image opens the viewer,
// and a deleted message shows no files.
#include <ClientFixtures.h>
#include <ConversaTest.h>
#include <FileActions.h>
#include <FileCache.h>
#include <ImageViewer.h>
#include <MessageDelegate.h>
#include <MessageFiles.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <ThumbnailCache.h>

#include <QApplication>
#include <QContextMenuEvent>
#include <QFile>
#include <QJsonDocument>
#include <QMenu>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace conversa::test;
using conversa::core::FileCache;
using conversa::core::MessageModel;
using conversa::core::ThumbnailCache;
using conversa::ui::MessageFiles;
using conversa::ui::MessageView;

class TestMessageFiles : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void anImageIsAPlaceholderOfItsSizeThenItsThumbnail();
    void aPdfIsACardThatOpensAndSaves();
    void aClickOnAnImageOpensTheViewer();
    void aDeletedMessageShowsNoFiles();
    void aFileBeingSentShowsFromItsLocalCopy();
    void theContextMenuOpensAndSavesFiles();
    void sizesAreHuman();

private:
    QVariantMap upload(const QByteArray &bytes, const QByteArray &type, const QByteArray &name);
    QStandardItemModel *modelWith(const QVariantList &files, const QString &body = {});
    QStyleOptionViewItem optionFor(MessageView *view, const QModelIndex &index) const;
    int pixelsLike(const QImage &image, const QRect &rect, QColor color) const;

    std::unique_ptr<ServerProcess> m_server;
    QString m_token;
    QTemporaryDir m_dir;
    FileCache *m_files = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    QVariantMap m_image; // 1200×800, red
    QVariantMap m_pdf;
    QByteArray m_pdfBytes;
};

void TestMessageFiles::initTestCase()
{
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
    m_server = startServerWithAliceAndBob();
    QVERIFY(m_server);
    QString why;
    auto alice = openWithLogin(m_server->url(), u"alice"_s, kAlicePassword, &why);
    QVERIFY2(alice, qPrintable(why));
    m_token = alice->token();

    QImage red(1200, 800, QImage::Format_RGB32);
    red.fill(QColor(220, 30, 30));
    const QString pngPath = m_dir.filePath(u"red.png"_s);
    QVERIFY(red.save(pngPath));
    QFile png(pngPath);
    QVERIFY(png.open(QIODevice::ReadOnly));
    m_image = upload(png.readAll(), "image/png", "sunset.png");
    QCOMPARE(m_image.value(u"width"_s).toInt(), 1200); // the server read the header
    m_pdfBytes = "%PDF-1.4\n% a report\n" + QByteArray(50'000, 'x') + "\n%%EOF\n";
    m_pdf = upload(m_pdfBytes, "application/pdf", "Quarterly report.pdf");
    QVERIFY(!m_pdf.value(u"file"_s).toString().isEmpty());

    m_files = new FileCache(m_dir.filePath(u"cache"_s), this);
    m_files->setConnectionSource([url = m_server->url(), token = m_token] {
        FileCache::Connection connection;
        connection.options.url = url;
        connection.options.proxy = conversa::core::TransportOptions::Proxy::None;
        connection.token = token;
        return connection;
    });
    m_thumbnails = new ThumbnailCache(m_files, this);
}

QVariantMap TestMessageFiles::upload(const QByteArray &bytes, const QByteArray &type,
                                     const QByteArray &name)
{
    const HttpResponse answer = httpRequest(m_server->httpUrl(u"/files"_s), "POST",
                                            {{"Authorization", "Bearer " + m_token.toLatin1()},
                                             {"Content-Type", type},
                                             {"X-Filename", name.toPercentEncoding()}},
                                            bytes, 30000);
    if (answer.status != 201)
        qWarning("upload: %s %s", answer.statusLine.constData(), answer.body.constData());
    return QJsonDocument::fromJson(answer.body).object().toVariantMap();
}

QStandardItemModel *TestMessageFiles::modelWith(const QVariantList &files, const QString &body)
{
    auto *model = new QStandardItemModel(this);
    auto *item = new QStandardItem;
    item->setData(body, MessageModel::BodyRole);
    item->setData(u"bob"_s, MessageModel::SenderRole);
    item->setData(QDateTime::currentDateTime(), MessageModel::TimeRole);
    item->setData(qint64(1), MessageModel::SeqRole);
    item->setData(QUuid::createUuid().toString(), MessageModel::CidRole);
    item->setData(QVariant::fromValue(MessageModel::DeliveryState::Delivered),
                  MessageModel::StateRole);
    item->setData(files, MessageModel::FilesRole);
    model->appendRow(item);
    return model;
}

QStyleOptionViewItem TestMessageFiles::optionFor(MessageView *view, const QModelIndex &index) const
{
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.font = view->font();
    option.rect = view->visualRect(index);
    option.widget = view;
    return option;
}

int TestMessageFiles::pixelsLike(const QImage &image, const QRect &rect, QColor color) const
{
    int count = 0;
    const QRect inside = rect.intersected(image.rect());
    for (int y = inside.top(); y <= inside.bottom(); ++y)
        for (int x = inside.left(); x <= inside.right(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (qAbs(c.red() - color.red()) < 8 && qAbs(c.green() - color.green()) < 8 &&
                qAbs(c.blue() - color.blue()) < 8)
                ++count;
        }
    return count;
}

// The row has its final height from the metadata alone; the box is grey until the thumbnail
// comes, then red, and the row keeps its height.
void TestMessageFiles::anImageIsAPlaceholderOfItsSizeThenItsThumbnail()
{
    MessageView view;
    view.resize(800, 600);
    QStandardItemModel *model = modelWith({m_image}, u"look at this"_s);
    // No thumbnails yet: the view shows placeholders.
    view.setModel(model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QModelIndex index = model->index(0, 0);
    const MessageFiles::Layout before =
        view.messageDelegate()->filesLayout(optionFor(&view, index), index);
    QCOMPARE(before.items.size(), 1);
    QVERIFY(before.items.at(0).image);
    QCOMPARE(before.items.at(0).rect.size(), QSize(360, 240)); // 1200×800 into 360×280
    const int rowHeight = view.visualRect(index).height();
    QImage shot = view.viewport()->grab().toImage();
    QCOMPARE(pixelsLike(shot, before.items.at(0).rect, QColor(220, 30, 30)), 0);

    view.setFiles(m_files, m_thumbnails);
    QSignalSpy changed(m_thumbnails, &ThumbnailCache::changed);
    view.viewport()->repaint(); // asks for the thumbnail
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, 10000);
    QApplication::processEvents();
    shot = view.viewport()->grab().toImage();
    const QRect box =
        view.messageDelegate()->filesLayout(optionFor(&view, index), index).items.at(0).rect;
    QCOMPARE(box, before.items.at(0).rect);
    QCOMPARE(view.visualRect(index).height(), rowHeight);
    const int red = pixelsLike(shot, box, QColor(220, 30, 30));
    // All of the box but its rounded corners.
    QVERIFY2(red > box.width() * box.height() * 95 / 100, qPrintable(QString::number(red)));
    QCOMPARE(m_files->downloadsStarted(), 1);
}

void TestMessageFiles::aPdfIsACardThatOpensAndSaves()
{
    MessageView view;
    view.resize(800, 600);
    QStandardItemModel *model = modelWith({m_pdf});
    view.setModel(model);
    view.setFiles(m_files, m_thumbnails);
    view.fileActions()->setShowProblems(false);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QModelIndex index = model->index(0, 0);
    const QStyleOptionViewItem option = optionFor(&view, index);
    const MessageFiles::Layout layout = view.messageDelegate()->filesLayout(option, index);
    QCOMPARE(layout.items.size(), 1);
    const MessageFiles::Item card = layout.items.at(0);
    QVERIFY(!card.image);
    QCOMPARE(card.rect.width(), MessageFiles::kCardWidth);
    QVERIFY(!card.open.isEmpty() && !card.save.isEmpty());
    QCOMPARE(view.messageDelegate()->fileAt(option, index, card.open.center()).part,
             MessageFiles::Part::Open);
    QCOMPARE(view.messageDelegate()->fileAt(option, index, card.save.center()).part,
             MessageFiles::Part::Save);
    QCOMPARE(MessageFiles::describe(m_pdf),
             u"Quarterly report.pdf, %1"_s.arg(MessageFiles::sizeText(m_pdfBytes.size())));

    QString openedPath;
    view.fileActions()->setOpener([&openedPath](const QString &path) {
        openedPath = path;
        return true;
    });
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, card.open.center());
    QTRY_VERIFY_WITH_TIMEOUT(!openedPath.isEmpty(), 10000);
    QCOMPARE(QFileInfo(openedPath).fileName(), u"Quarterly report.pdf"_s);
    QFile opened(openedPath);
    QVERIFY(opened.open(QIODevice::ReadOnly));
    QVERIFY(opened.readAll() == m_pdfBytes);

    const QString target = m_dir.filePath(u"saved.pdf"_s);
    QString suggested;
    view.fileActions()->setPathChooser([&](const QString &name) {
        suggested = name;
        return target;
    });
    QSignalSpy saved(view.fileActions(), &conversa::ui::FileActions::saved);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, card.save.center());
    QTRY_COMPARE(saved.count(), 1);
    QCOMPARE(suggested, u"Quarterly report.pdf"_s);
    QFile savedFile(target);
    QVERIFY(savedFile.open(QIODevice::ReadOnly));
    QVERIFY(savedFile.readAll() == m_pdfBytes);

    // A program is never opened, only saved; the refusal says so.
    QVariantMap program = m_pdf;
    program.insert(u"name"_s, u"invoice.pdf.exe"_s);
    QSignalSpy problem(view.fileActions(), &conversa::ui::FileActions::problem);
    openedPath.clear();
    view.fileActions()->openFile(program);
    QCOMPARE(problem.count(), 1);
    QVERIFY(problem.at(0).at(0).toString().contains(u"Save as"_s));
    QVERIFY(openedPath.isEmpty());
    // A file that is gone: the reason in words.
    QVariantMap gone = m_pdf;
    gone.insert(u"file"_s, u"00000000000000000000000000000000"_s);
    view.fileActions()->openFile(gone);
    QTRY_COMPARE_WITH_TIMEOUT(problem.count(), 2, 10000);
    QVERIFY2(problem.at(1).at(0).toString().contains(u"not available"_s),
             qPrintable(problem.at(1).at(0).toString()));
}

void TestMessageFiles::aClickOnAnImageOpensTheViewer()
{
    MessageView view;
    view.resize(800, 600);
    QStandardItemModel *model = modelWith({m_image});
    view.setModel(model);
    view.setFiles(m_files, m_thumbnails);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QModelIndex index = model->index(0, 0);
    const QRect box =
        view.messageDelegate()->filesLayout(optionFor(&view, index), index).items.at(0).rect;
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, box.center());
    conversa::ui::ImageViewer *viewer = view.fileActions()->viewer();
    QVERIFY(viewer);
    QTRY_COMPARE_WITH_TIMEOUT(viewer->image().size(), QSize(1200, 800), 10000);
    QVERIFY(viewer->isFitted());
    QVERIFY(viewer->windowTitle().contains(u"sunset.png"_s));
    viewer->zoomToActualSize();
    QCOMPARE(viewer->zoom(), 1.0);
    viewer->zoomIn();
    QVERIFY(viewer->zoom() > 1.0);
    QTest::keyClick(viewer, Qt::Key_Escape);
    QTRY_VERIFY(!view.fileActions()->viewer());
}

void TestMessageFiles::aDeletedMessageShowsNoFiles()
{
    MessageView view;
    view.resize(800, 600);
    QStandardItemModel *model = modelWith({m_image, m_pdf}, u"two files"_s);
    view.setModel(model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QModelIndex index = model->index(0, 0);
    QCOMPARE(view.messageDelegate()->filesLayout(optionFor(&view, index), index).items.size(), 2);
    const int withFiles = view.visualRect(index).height();
    model->setData(index, true, MessageModel::DeletedRole);
    view.doItemsLayout(); // MessageView does this for its own MessageModel
    QApplication::processEvents();
    QVERIFY(view.messageDelegate()->filesLayout(optionFor(&view, index), index).items.isEmpty());
    QTRY_VERIFY(view.visualRect(index).height() < withFiles - 240);
}

// A message still in the outbox: its image has no id yet, only the outbox's local copy, which
// the thumbnail is decoded from (nothing is downloaded), and a click on it opens nothing.
void TestMessageFiles::aFileBeingSentShowsFromItsLocalCopy()
{
    QImage blue(640, 480, QImage::Format_RGB32);
    blue.fill(QColor(30, 60, 200));
    const QString path = m_dir.filePath(u"outbox-copy.png"_s);
    QVERIFY(blue.save(path));
    const QVariantMap pending{{u"file"_s, QString()},      {u"name"_s, u"chart.png"_s},
                              {u"type"_s, u"image/png"_s}, {u"size"_s, QFileInfo(path).size()},
                              {u"width"_s, 640},           {u"height"_s, 480},
                              {u"localPath"_s, path}};
    MessageView view;
    view.resize(800, 600);
    QStandardItemModel *model = modelWith({pending}, u"the chart"_s);
    model->setData(model->index(0, 0), QVariant::fromValue(MessageModel::DeliveryState::Pending),
                   MessageModel::StateRole);
    view.setModel(model);
    view.setFiles(m_files, m_thumbnails);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const int downloads = m_files->downloadsStarted();
    const QModelIndex index = model->index(0, 0);
    const QStyleOptionViewItem option = optionFor(&view, index);
    const QRect box = view.messageDelegate()->filesLayout(option, index).items.at(0).rect;
    QCOMPARE(box.size(), QSize(360, 270));
    QTRY_VERIFY_WITH_TIMEOUT(pixelsLike(view.viewport()->grab().toImage(), box,
                                        QColor(30, 60, 200)) > box.width() * box.height() * 9 / 10,
                             10000);
    QCOMPARE(m_files->downloadsStarted(), downloads);
    QCOMPARE(view.messageDelegate()->fileAt(option, index, box.center()).part,
             MessageFiles::Part::None);
}

// From the keyboard (Menu key): View for an image, Open for other files, Save as… for both.
void TestMessageFiles::theContextMenuOpensAndSavesFiles()
{
    MessageView view;
    view.resize(800, 600);
    QStandardItemModel *model = modelWith({m_image, m_pdf}, u"both"_s);
    view.setModel(model);
    view.setFiles(m_files, m_thumbnails);
    view.fileActions()->setShowProblems(false);
    QString opened;
    view.fileActions()->setOpener([&opened](const QString &path) {
        opened = path;
        return true;
    });
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setFocus();
    view.setCurrentIndex(model->index(0, 0));
    QStringList names;
    QStringList texts;
    QTimer::singleShot(0, [&] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        QVERIFY(menu);
        for (QAction *action : menu->actions()) {
            names.append(action->objectName());
            texts.append(action->text());
        }
        for (QAction *action : menu->actions())
            if (action->objectName() == u"openFileMenuAction"_s)
                action->trigger();
        menu->close();
    });
    QContextMenuEvent event(QContextMenuEvent::Keyboard, QPoint());
    QApplication::sendEvent(view.viewport(), &event);
    QCOMPARE(names.count(u"viewFileMenuAction"_s), 1);
    QCOMPARE(names.count(u"openFileMenuAction"_s), 1);
    QCOMPARE(names.count(u"saveFileMenuAction"_s), 2);
    QVERIFY(texts.contains(u"Open “Quarterly report.pdf”"_s));
    QTRY_VERIFY_WITH_TIMEOUT(opened.endsWith(u"Quarterly report.pdf"_s), 10000);
}

void TestMessageFiles::sizesAreHuman()
{
    QLocale::setDefault(QLocale(QLocale::English));
    QCOMPARE(MessageFiles::sizeText(2'400'000), u"2.4 MB"_s);
    QCOMPARE(MessageFiles::sizeText(999), u"999 bytes"_s);
    QLocale::setDefault(QLocale(u"pt_PT"_s));
    QCOMPARE(MessageFiles::sizeText(2'400'000), u"2,4 MB"_s);
    QLocale::setDefault(QLocale::system());
    QCOMPARE(MessageFiles::thumbnailBox(4000, 3000, 800), QSize(360, 270));
    QCOMPARE(MessageFiles::thumbnailBox(1000, 4000, 800), QSize(70, 280));
    QCOMPARE(MessageFiles::thumbnailBox(4000, 3000, 200), QSize(200, 150));
    QCOMPARE(MessageFiles::thumbnailBox(10000, 10, 800), QSize(360, 24)); // still clickable
}

QTEST_MAIN(TestMessageFiles)
#include "tst_messagefiles.moc"
