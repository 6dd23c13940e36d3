// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The message delegate: heights for long and multi-line text, grouping, links, mentions.
#include <MessageDelegate.h>
#include <MessageModel.h>
#include <MessageView.h>

#include <MessageCache.h>
#include <QScrollBar>
#include <QTemporaryDir>

#include <QFile>
#include <QHelpEvent>
#include <QListView>
#include <QPainter>
#include <QStandardItemModel>
#include <QStyleOptionViewItem>
#include <QTest>
#include <QToolTip>
#include <QUuid>

using namespace Qt::StringLiterals;
using conversa::core::MessageModel;
using conversa::ui::MessageDelegate;

class TestDelegate : public QObject
{
    Q_OBJECT
private slots:
    void longTextWrapsIntoMoreHeight();
    void newLinesAddHeight();
    void groupedMessagesAreShorter();
    void failedMessageHasRetryAndDiscard();
    void findsLinks();
    void findsMentionsOfMeOnly();
    void initials();
    void wordAt();
    void paintsWithoutCrashing();
    void formattingShowsWithoutMarkers();
    void onlySafeLinksCanBeClicked();
    void equalCidsOfTwoSendersAreTwoMessages();
    void cachesStayBoundedOverALongRun();
    void viewKeepsTheReaderInPlaceWhilePaging();
    void viewScrollsToAJump();

private:
    QStandardItemModel *model(const QStringList &bodies, const QStringList &senders = {});
    int heightAt(QStandardItemModel *model, int row, int width);
    MessageDelegate m_delegate;
};

QStandardItemModel *TestDelegate::model(const QStringList &bodies, const QStringList &senders)
{
    auto *m = new QStandardItemModel(this);
    const QDateTime base = QDateTime::currentDateTime();
    for (int i = 0; i < bodies.size(); ++i) {
        auto *item = new QStandardItem;
        item->setData(bodies.at(i), MessageModel::BodyRole);
        item->setData(senders.value(i, u"bob"_s), MessageModel::SenderRole);
        item->setData(base.addSecs(i), MessageModel::TimeRole);
        item->setData(qint64(i + 1), MessageModel::SeqRole);
        item->setData(QUuid::createUuid().toString(), MessageModel::CidRole);
        item->setData(QVariant::fromValue(MessageModel::DeliveryState::Delivered),
                      MessageModel::StateRole);
        m->appendRow(item);
    }
    return m;
}

int TestDelegate::heightAt(QStandardItemModel *model, int row, int width)
{
    QStyleOptionViewItem option;
    option.font = QApplication::font();
    option.rect = QRect(0, 0, width, 10);
    return m_delegate.sizeHint(option, model->index(row, 0)).height();
}

void TestDelegate::longTextWrapsIntoMoreHeight()
{
    const QString shortText = u"hi"_s;
    const QString longText = u"lorem ipsum dolor sit amet "_s.repeated(60);
    auto *m = model({shortText, longText}, {u"bob"_s, u"carol"_s});
    const int shortHeight = heightAt(m, 0, 600);
    const int longHeight = heightAt(m, 1, 600);
    const int lineHeight = QFontMetrics(QApplication::font()).lineSpacing();
    QVERIFY2(longHeight > shortHeight + 8 * lineHeight,
             qPrintable(u"%1 vs %2"_s.arg(longHeight).arg(shortHeight)));
    // Narrower means more lines.
    m_delegate.clearCache();
    QVERIFY(heightAt(m, 1, 300) > longHeight);
    // A single word longer than the line still wraps (anywhere) instead of overflowing.
    auto *word = model({u"x"_s.repeated(3000)});
    QVERIFY(heightAt(word, 0, 300) > heightAt(word, 0, 3000));
}

void TestDelegate::newLinesAddHeight()
{
    auto *single = model({u"one"_s});
    auto *three = model({u"one\ntwo\nthree"_s});
    const int lineHeight = QFontMetrics(QApplication::font()).lineSpacing();
    QVERIFY(heightAt(three, 0, 600) > heightAt(single, 0, 600) + lineHeight);
}

void TestDelegate::groupedMessagesAreShorter()
{
    // Same sender a second later: no header, no avatar.
    auto *m = model({u"first"_s, u"second"_s}, {u"bob"_s, u"bob"_s});
    QVERIFY(m_delegate.startsGroup(m->index(0, 0)));
    QVERIFY(!m_delegate.startsGroup(m->index(1, 0)));
    QVERIFY(m_delegate.startsDay(m->index(0, 0)));
    QVERIFY(!m_delegate.startsDay(m->index(1, 0)));
    QVERIFY(heightAt(m, 1, 600) < heightAt(m, 0, 600));
    // A day later starts a new day and a new group.
    m_delegate.clearCache();
    m->setData(m->index(1, 0), QDateTime::currentDateTime().addDays(1), MessageModel::TimeRole);
    QVERIFY(m_delegate.startsDay(m->index(1, 0)));
    QVERIFY(m_delegate.startsGroup(m->index(1, 0)));
}

void TestDelegate::failedMessageHasRetryAndDiscard()
{
    auto *m = model({u"did not make it"_s});
    m->setData(m->index(0, 0), QVariant::fromValue(MessageModel::DeliveryState::Failed),
               MessageModel::StateRole);
    m->setData(m->index(0, 0), u"too large"_s, MessageModel::FailureReasonRole);
    QStyleOptionViewItem option;
    option.font = QApplication::font();
    option.rect = QRect(0, 0, 600, heightAt(m, 0, 600));
    // Scan the row for the two hit areas.
    bool retry = false;
    bool discard = false;
    for (int y = 0; y < option.rect.height(); y += 2) {
        for (int x = 0; x < 600; x += 3) {
            const auto action = m_delegate.actionAt(option, m->index(0, 0), QPoint(x, y));
            retry |= action == MessageDelegate::Action::Retry;
            discard |= action == MessageDelegate::Action::Discard;
        }
    }
    QVERIFY(retry);
    QVERIFY(discard);
}

void TestDelegate::findsLinks()
{
    const auto links = MessageDelegate::findLinks(
        u"see https://example.com/a?b=1, and www.example.org/x. Also (https://en.wikipedia.org/wiki/Qt_(software))"_s);
    QCOMPARE(links.size(), 3);
    QCOMPARE(links.at(0).target, u"https://example.com/a?b=1"_s);
    QCOMPARE(links.at(1).target, u"https://www.example.org/x"_s);
    QCOMPARE(links.at(2).target, u"https://en.wikipedia.org/wiki/Qt_(software)"_s);
    QVERIFY(MessageDelegate::findLinks(u"no links here, just text."_s).isEmpty());
    // Markup is text: nothing is interpreted.
    QVERIFY(MessageDelegate::findLinks(u"<a href=\"x\">click</a>"_s).isEmpty());
}

void TestDelegate::findsMentionsOfMeOnly()
{
    QVERIFY(MessageDelegate::mentions(u"@alice look"_s, u"alice"_s));
    QVERIFY(MessageDelegate::mentions(u"thanks, @Alice!"_s, u"alice"_s));
    QVERIFY(!MessageDelegate::mentions(u"@alicette look"_s, u"alice"_s));
    QVERIFY(!MessageDelegate::mentions(u"mail alice@example.com"_s, u"alice"_s));
    QVERIFY(!MessageDelegate::mentions(u"@alice_b"_s, u"alice"_s));
    QCOMPARE(MessageDelegate::findMentions(u"@bob and @bob"_s, u"bob"_s).size(), 2);
}

void TestDelegate::initials()
{
    QCOMPARE(MessageDelegate::initials(u"alice"_s), u"AL"_s);
    QCOMPARE(MessageDelegate::initials(u"ana-maria"_s), u"AM"_s);
    QCOMPARE(MessageDelegate::initials(u"j.doe"_s), u"JD"_s);
    QCOMPARE(MessageDelegate::initials(u"x"_s), u"X"_s);
}

void TestDelegate::wordAt()
{
    const QString text = u"see https://x.org, ok? São_Paulo 42"_s;
    const auto word = [&](int position) {
        const auto [from, to] = MessageDelegate::wordAt(text, position);
        return text.mid(from, to - from);
    };
    QCOMPARE(word(0), u"see"_s);
    QCOMPARE(word(3), u"see"_s); // just after the word: still it
    QCOMPARE(word(6), u"https"_s);
    QCOMPARE(word(int(text.indexOf(u"Paulo"_s))), u"São_Paulo"_s);
    QCOMPARE(word(int(text.size())), u"42"_s);
    QVERIFY(word(int(text.indexOf(u"? "_s)) + 1).isEmpty()); // between "?" and " "
}

void TestDelegate::paintsWithoutCrashing()
{
    auto *m = model({u"hello https://example.com @me"_s, u"second"_s});
    m_delegate.setCurrentUser(u"me"_s);
    QImage image(600, 200, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    QStyleOptionViewItem option;
    option.font = QApplication::font();
    option.palette = QApplication::palette();
    int y = 0;
    for (int row = 0; row < 2; ++row) {
        option.rect = QRect(0, y, 600, heightAt(m, row, 600));
        m_delegate.paint(&painter, option, m->index(row, 0));
        y += option.rect.height();
    }
    painter.end();
    // Something other than the background was drawn.
    bool drew = false;
    for (int x = 0; x < 600 && !drew; ++x)
        for (int yy = 0; yy < y && !drew; ++yy)
            drew = image.pixel(x, yy) != qRgb(255, 255, 255);
    QVERIFY(drew);
}

void TestDelegate::formattingShowsWithoutMarkers()
{
    auto *m = model({u"**bold** and *it* `x*y` <b>raw</b>\n> quoted"_s});
    QCOMPARE(MessageDelegate::displayText(m->index(0, 0)), u"bold and it x*y <b>raw</b>\nquoted"_s);
    // No bare link inside code, nor a second one inside a link's label.
    const auto links = MessageDelegate::linksIn(
        conversa::core::parseMarkup(u"`https://a.org` [https://b.org](https://c.org) d.org "
                                    "https://e.org"_s));
    QStringList targets;
    for (const auto &link : links)
        targets.append(link.target);
    QCOMPARE(targets, (QStringList{u"https://c.org"_s, u"https://e.org"_s}));
    // A quoted line is indented (its bar sits in the indent): with the same text it needs at
    // least as many lines, and a long one more height.
    const QString words = u"lorem ipsum dolor sit amet "_s.repeated(40);
    auto *plain = model({words});
    auto *quoted = model({u"> "_s + words});
    QVERIFY(heightAt(quoted, 0, 400) >= heightAt(plain, 0, 400));
}

void TestDelegate::onlySafeLinksCanBeClicked()
{
    // Every point of the row: which targets does a click reach?
    auto clickable = [this](const QString &body) {
        auto *m = model({body});
        QStyleOptionViewItem option;
        option.font = QApplication::font();
        option.palette = QApplication::palette();
        option.rect = QRect(0, 0, 600, heightAt(m, 0, 600));
        QSet<QString> targets;
        for (int y = 0; y < option.rect.height(); y += 2)
            for (int x = 0; x < 600; x += 2)
                if (const QString t = m_delegate.linkAt(option, m->index(0, 0), {x, y});
                    !t.isEmpty())
                    targets.insert(t);
        return targets;
    };
    // Hovering a labelled link shows its real target.
    {
        auto *m = model({u"[https://bank.example](https://other.example/x)"_s});
        QListView view;
        view.setModel(m);
        view.setItemDelegate(&m_delegate);
        view.resize(600, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QRect row = view.visualRect(m->index(0, 0));
        bool shown = false;
        for (int y = row.top(); y < row.bottom() && !shown; y += 2) {
            for (int x = row.left(); x < row.right() && !shown; x += 4) {
                QHelpEvent help(QEvent::ToolTip, {x, y},
                                view.viewport()->mapToGlobal(QPoint(x, y)));
                QStyleOptionViewItem option;
                option.font = view.font();
                option.palette = view.palette();
                option.rect = row;
                if (m_delegate.helpEvent(&help, &view, option, m->index(0, 0)))
                    shown = QToolTip::text() == u"https://other.example/x"_s;
            }
        }
        QVERIFY(shown);
        view.setItemDelegate(nullptr);
    }
    QCOMPARE(clickable(u"see [the docs](https://example.org/d) now"_s),
             QSet<QString>{u"https://example.org/d"_s});
    QCOMPARE(clickable(u"[mail](mailto:ana@example.org)"_s),
             QSet<QString>{u"mailto:ana@example.org"_s});
    QVERIFY(clickable(u"[x](javascript:alert(1))"_s).isEmpty());
    QVERIFY(clickable(u"[x](file:///etc/passwd) <a href=\"javascript:x\">y</a>"_s).isEmpty());
    QVERIFY(clickable(u"<img src=x onerror=alert(1)>"_s).isEmpty());
}

void TestDelegate::equalCidsOfTwoSendersAreTwoMessages()
{
    // cids are unique per (room, sender) only: bob's and carol's "c1" are different messages.
    m_delegate.clearCache();
    auto *m =
        model({u"short"_s, u"lorem ipsum dolor sit amet "_s.repeated(40)}, {u"bob"_s, u"carol"_s});
    for (int row = 0; row < 2; ++row)
        m->setData(m->index(row, 0), u"c1"_s, MessageModel::CidRole);
    const int bobHeight = heightAt(m, 0, 600);
    const int carolHeight = heightAt(m, 1, 600);
    QVERIFY2(carolHeight > bobHeight + 4 * QFontMetrics(QApplication::font()).lineSpacing(),
             qPrintable(u"bob %1, carol %2"_s.arg(bobHeight).arg(carolHeight)));
    // Carol's row starts its own group: it is not taken for bob's.
    QVERIFY(m_delegate.startsGroup(m->index(1, 0)));

    // The same sender and cid in another room is another message too.
    m_delegate.clearCache();
    auto *rooms =
        model({u"short"_s, u"lorem ipsum dolor sit amet "_s.repeated(40)}, {u"bob"_s, u"bob"_s});
    for (int row = 0; row < 2; ++row) {
        rooms->setData(rooms->index(row, 0), u"c1"_s, MessageModel::CidRole);
        rooms->setData(rooms->index(row, 0), row == 0 ? u"general"_s : u"random"_s,
                       MessageModel::RoomRole);
    }
    QVERIFY(heightAt(rooms, 1, 600) >
            heightAt(rooms, 0, 600) + 4 * QFontMetrics(QApplication::font()).lineSpacing());
}

// Resident memory of this process in KiB (Linux), 0 where unknown.
static qint64 residentKiB()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

void TestDelegate::cachesStayBoundedOverALongRun()
{
    // 100,000 messages through the real model and view, as a room that stays open sees them.
    MessageModel model;
    model.setRoom(u"general"_s);
    conversa::ui::MessageView view;
    view.setMessageModel(&model);
    view.resize(700, 900);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - 100'000'000;
    const QStringList senders{u"bob"_s, u"carol"_s, u"dave"_s};
    auto feed = [&](int from, int to) {
        for (int seq = from; seq <= to; ++seq) {
            const QString sender = senders.at(seq % senders.size());
            model.addMessage(
                {u"general"_s, seq, start + seq * 1000, sender,
                 QUuid::createUuid().toString(QUuid::WithoutBraces),
                 u"message %1 from %2 with a few words to wrap"_s.arg(seq).arg(sender)});
            if (seq % 500 == 0)
                QCoreApplication::processEvents(); // the view lays the rows out and paints
        }
        QCoreApplication::processEvents();
    };
    feed(1, 20'000);
    const qint64 warm = residentKiB();
    feed(20'001, 100'000);
    const qint64 after = residentKiB();
    QCOMPARE(model.rowCount(), model.maxRows());
    // Rows trimmed from the model were dropped from the caches.
    QVERIFY2(view.messageDelegate()->cachedMessages() <= model.maxRows() + 1,
             qPrintable(QString::number(view.messageDelegate()->cachedMessages())));
    qInfo("resident memory after 20,000 messages: %lld KiB, after 100,000: %lld KiB", warm, after);
    if (warm > 0)
        QVERIFY2(after - warm < 8 * 1024, qPrintable(u"grew by %1 KiB"_s.arg(after - warm)));

    // Without a view telling it what left, the least recently used go past the bound.
    m_delegate.clearCache();
    QStringList bodies;
    for (int i = 0; i < MessageDelegate::kCachedMessages + 1000; ++i)
        bodies.append(u"row %1"_s.arg(i));
    auto *many = this->model(bodies);
    for (int row = 0; row < many->rowCount(); ++row)
        heightAt(many, row, 600);
    QCOMPARE(m_delegate.cachedMessages(), MessageDelegate::kCachedMessages);
}

namespace {
// A cache with messages 1..count of "general", as the session leaves it.
std::unique_ptr<conversa::core::MessageCache> filledCache(const QTemporaryDir &dir, int count)
{
    auto cache = std::make_unique<conversa::core::MessageCache>();
    cache->setCapacityPerRoom(count);
    if (!cache->open(dir.filePath(u"cache.sqlite"_s)))
        return nullptr;
    QList<conversa::protocol::MessageEvent> all;
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - qint64(count) * 60'000;
    for (int seq = 1; seq <= count; ++seq)
        all.append({u"general"_s, seq, start + seq * 60'000, seq % 2 ? u"bob"_s : u"carol"_s,
                    u"c%1"_s.arg(seq), u"message %1 with some words in it"_s.arg(seq)});
    cache->storeMessages(u"general"_s, all, count);
    return cache;
}

qint64 seqAtTop(const conversa::ui::MessageView &view)
{
    return view.indexAt(QPoint(view.viewport()->width() / 2, 1))
        .data(MessageModel::SeqRole)
        .toLongLong();
}
} // namespace

void TestDelegate::viewKeepsTheReaderInPlaceWhilePaging()
{
    // A full window: paging older rows in drops the newest, and what the reader looks at stays.
    QTemporaryDir dir;
    const auto cache = filledCache(dir, 2000);
    QVERIFY(cache);
    MessageModel model;
    model.setPageSize(100);
    model.setMaxRows(300);
    model.setSources(cache.get(), nullptr, nullptr);
    model.setRoom(u"general"_s);
    conversa::ui::MessageView view;
    view.setMessageModel(&model);
    view.resize(600, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.isAtBottom());
    QScrollBar *bar = view.verticalScrollBar();
    // Up until the window is full and has let go of the newest.
    for (int i = 0; i < 200 && model.isAtNewest(); ++i) {
        bar->setValue(bar->minimum());
        QTest::qWait(5);
    }
    QVERIFY(!model.isAtNewest());
    QVERIFY(model.rowCount() <= 300);
    QTest::qWait(50);
    // One more page up: the message at the top stays where it is.
    bar->setValue(bar->minimum() + 41); // not yet at the top: nothing loads
    QTest::qWait(20);
    const qint64 top = seqAtTop(view);
    QVERIFY(top > 0);
    const qint64 oldest = model.oldestSeq();
    view.loadOlder();
    QTRY_VERIFY(model.oldestSeq() < oldest);
    QTest::qWait(20);
    QCOMPARE(seqAtTop(view), top);
    QVERIFY(model.rowCount() <= 300);
    // Down again: newer rows come in at the bottom, the oldest go, the reader stays.
    bar->setValue(bar->maximum() - 41);
    QTest::qWait(20);
    const qint64 topBelow = seqAtTop(view);
    const qint64 newest = model.newestSeq();
    view.loadNewer();
    QTRY_VERIFY(model.newestSeq() > newest);
    QTest::qWait(20);
    QCOMPARE(seqAtTop(view), topBelow);
    // End: back to the newest message.
    QTest::keyClick(&view, Qt::Key_End);
    QTRY_VERIFY(model.isAtNewest() && view.isAtBottom());
    QCOMPARE(model.newestSeq(), 2000);
}

void TestDelegate::viewScrollsToAJump()
{
    QTemporaryDir dir;
    const auto cache = filledCache(dir, 2000);
    QVERIFY(cache);
    MessageModel model;
    model.setPageSize(100);
    model.setMaxRows(300);
    model.setSources(cache.get(), nullptr, nullptr);
    model.setRoom(u"general"_s);
    conversa::ui::MessageView view;
    view.setMessageModel(&model);
    view.resize(600, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.isAtBottom());
    view.jumpTo(777);
    QTRY_VERIFY(model.rowOfSeq(777) >= 0);
    const QModelIndex target = view.model()->index(model.rowOfSeq(777), 0);
    QTRY_VERIFY(view.viewport()->rect().contains(view.visualRect(target).center()));
    QVERIFY(!view.isAtBottom() || !model.isAtNewest());
    QTest::qWait(50); // nothing scrolls it away afterwards (a reset's layout, say)
    QVERIFY(view.viewport()->rect().contains(view.visualRect(target).center()));
    QCOMPARE(view.currentIndex().data(MessageModel::SeqRole).toLongLong(), 777);
}

QTEST_MAIN(TestDelegate)
#include "tst_delegate.moc"
