// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The search panel on a SessionManager whose server is scripted (FakeNetwork): typing searches
// after a pause and Enter at once, "only in this room" sends the room, results show room,
// sender and the text with its words emphasised (others' text as plain text, never HTML), a
// click asks to open the message, Escape closes; ChatPage opens it with Ctrl+Shift+F's slot.

#include "ChatPage.h"
#include "MembersPanel.h"
#include "SearchPanel.h"
#include "SearchPanelDelegate.h"

#include <Codec.h>
#include <FakeTransport.h>
#include <SearchResultsModel.h>
#include <SessionManager.h>

#include <QCheckBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace conversa;
using conversa::core::SearchResultsModel;
using conversa::test::FakeNetwork;
using conversa::test::FakeTransport;

class tst_ui_searchpanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void typingSearchesAndResultsShowWhatMatched();
    void thisRoomOnlyAndOlderResults();
    void othersTextIsNeverHtml();
    void errorsAreShownInWords();
    void chatPageOpensAndClosesThePanel();

private:
    QList<QJsonObject> m_searches;
    QJsonArray m_results;
    std::unique_ptr<FakeNetwork> m_network;
    std::unique_ptr<core::SessionManager> m_session;
};

namespace {
QJsonObject message(const QString &room, qint64 seq, const QString &from, const QString &body)
{
    return protocol::messageToJson({room, seq, 1735689600000 + seq, from, u"c%1"_s.arg(seq), body});
}
} // namespace

void tst_ui_searchpanel::init()
{
    m_searches.clear();
    m_results = {message(u"ops"_s, 42, u"bob"_s, u"The deploy plan for Friday"_s),
                 message(u"general"_s, 7, u"carol"_s, u"Não há deploy hoje"_s)};
    m_network = std::make_unique<FakeNetwork>();
    m_network->setAutoAccept(true);
    m_network->setResponder(u"auth"_s, [](FakeTransport *, const QJsonObject &) {
        return FakeNetwork::Answer::ok({{"user"_L1, u"alice"_s}});
    });
    m_network->setResponder(u"rooms"_s, [](FakeTransport *, const QJsonObject &) {
        return FakeNetwork::Answer::ok({{"rooms"_L1, QJsonArray()}, {"epoch"_L1, 1}});
    });
    m_network->setResponder(
        u"search"_s,
        [this](FakeTransport *, const QJsonObject &request) -> std::optional<FakeNetwork::Answer> {
            m_searches.append(request);
            if (request.value("room"_L1).toString() == "secret"_L1)
                return FakeNetwork::Answer::error(
                    u"forbidden"_s, u"you are not a member of 'secret'; join it first"_s);
            return FakeNetwork::Answer::ok({{"results"_L1, m_results}});
        });
    m_session = std::make_unique<core::SessionManager>();
    m_session->setWatchNetwork(false);
    m_session->setTransportFactory(m_network->factory());
    m_session->setServerUrl(QUrl(u"ws://chat.example:8080/ws"_s));
    m_session->resume(u"alice"_s, u"token"_s);
    QVERIFY(
        QTest::qWaitFor([&] { return m_session->state() == core::ConnectionState::Online; }, 3000));
}

void tst_ui_searchpanel::cleanup()
{
    m_session.reset();
    m_network.reset();
}

void tst_ui_searchpanel::typingSearchesAndResultsShowWhatMatched()
{
    ui::SearchPanel panel;
    panel.setSession(m_session.get());
    panel.resize(320, 500);
    panel.show();
    panel.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    panel.activate();
    QTRY_VERIFY(panel.queryField()->hasFocus());
    QVERIFY(!panel.statusLabel()->text().isEmpty()); // how search works, before any

    QTest::keyClicks(panel.queryField(), u"Deploy"_s);
    QCOMPARE(m_searches.size(), 0); // not while typing
    QTRY_COMPARE_WITH_TIMEOUT(m_searches.size(), 1, ui::SearchPanel::kTypingPauseMs * 3);
    QCOMPARE(m_searches.at(0).value("query"_L1).toString(), u"Deploy"_s);
    QVERIFY(!m_searches.at(0).contains("room"_L1));
    QTRY_COMPARE(panel.resultList()->model()->rowCount(), 2);
    QVERIFY2(panel.statusLabel()->text().contains(u"2"_s), qPrintable(panel.statusLabel()->text()));

    const QModelIndex first = panel.resultList()->model()->index(0, 0);
    auto *delegate = qobject_cast<ui::SearchPanelDelegate *>(panel.resultList()->itemDelegate());
    QVERIFY(delegate);
    QVERIFY(delegate->headline(first).startsWith(u"#ops · bob · "_s));
    // A dm is named by its peer, never by its room name (dm-…), in results and "only in".
    panel.setRoomLabel(
        [](const QString &room) { return room == u"ops"_s ? u"carol"_s : QString(); });
    QVERIFY(delegate->headline(first).startsWith(u"carol · bob · "_s));
    panel.setCurrentRoom(u"ops"_s);
    QCOMPARE(panel.thisRoomOnly()->text(), u"Only in carol"_s);
    panel.setRoomLabel({});
    panel.setCurrentRoom({});
    const auto shown =
        ui::SearchPanelDelegate::snippet(first.data(SearchResultsModel::BodyRole).toString(),
                                         first.data(SearchResultsModel::MatchesRole).toList());
    QCOMPARE(shown.text, u"The deploy plan for Friday"_s);
    QCOMPARE(shown.emphasis, (QList<std::pair<int, int>>{{4, 6}}));
    QVERIFY(panel.resultList()->visualRect(first).height() > panel.fontMetrics().height() * 2);

    // Enter searches at once; a click on a result asks to open it.
    QTest::keyClick(panel.queryField(), Qt::Key_Return);
    QCOMPARE(m_searches.size(), 2);
    QTRY_COMPARE(panel.resultList()->model()->rowCount(), 2);
    QSignalSpy opened(&panel, &ui::SearchPanel::resultActivated);
    const QModelIndex second = panel.resultList()->model()->index(1, 0);
    QTest::mouseClick(panel.resultList()->viewport(), Qt::LeftButton, {},
                      panel.resultList()->visualRect(second).center());
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.at(0).at(0).toString(), u"general"_s);
    QCOMPARE(opened.at(0).at(1).toLongLong(), 7);

    QSignalSpy closing(&panel, &ui::SearchPanel::closeRequested);
    QTest::keyClick(panel.queryField(), Qt::Key_Escape);
    QCOMPARE(closing.size(), 1);
}

void tst_ui_searchpanel::thisRoomOnlyAndOlderResults()
{
    QJsonArray page;
    for (int seq = 100; seq > 100 - SearchResultsModel::kPageSize; --seq)
        page.append(message(u"ops"_s, seq, u"bob"_s, u"deploy %1"_s.arg(seq)));
    m_results = page;
    ui::SearchPanel panel;
    panel.setSession(m_session.get());
    panel.show();
    QVERIFY(!panel.thisRoomOnly()->isEnabled()); // no room open
    panel.setCurrentRoom(u"ops"_s);
    QVERIFY(panel.thisRoomOnly()->isEnabled());
    QVERIFY(panel.thisRoomOnly()->text().contains(u"ops"_s));
    panel.thisRoomOnly()->setChecked(true);
    panel.queryField()->setText(u"deploy"_s);
    panel.searchNow();
    QCOMPARE(m_searches.size(), 1);
    QCOMPARE(m_searches.at(0).value("room"_L1).toString(), u"ops"_s);
    QTRY_COMPARE(panel.resultList()->model()->rowCount(), SearchResultsModel::kPageSize);
    QVERIFY(panel.moreButton()->isVisible());
    m_results = {message(u"ops"_s, 3, u"bob"_s, u"deploy 3"_s)};
    QTest::mouseClick(panel.moreButton(), Qt::LeftButton);
    QCOMPARE(m_searches.size(), 2);
    QCOMPARE(m_searches.at(1).value("before"_L1).toInteger(),
             100 - SearchResultsModel::kPageSize + 1);
    QTRY_COMPARE(panel.resultList()->model()->rowCount(), SearchResultsModel::kPageSize + 1);
    QVERIFY(!panel.moreButton()->isVisible());
}

void tst_ui_searchpanel::othersTextIsNeverHtml()
{
    const QString hostile = u"<b>deploy</b> <img src=x onerror=alert(1)> &amp; deploy"_s;
    m_results = {message(u"ops"_s, 1, u"mallory"_s, hostile)};
    ui::SearchPanel panel;
    panel.setSession(m_session.get());
    panel.resize(320, 400);
    panel.show();
    panel.queryField()->setText(u"deploy"_s);
    panel.searchNow();
    QTRY_COMPARE(panel.resultList()->model()->rowCount(), 1);
    const QModelIndex index = panel.resultList()->model()->index(0, 0);
    const auto shown =
        ui::SearchPanelDelegate::snippet(index.data(SearchResultsModel::BodyRole).toString(),
                                         index.data(SearchResultsModel::MatchesRole).toList());
    // Every character as sent, the markup included: laid out as text, not parsed.
    QCOMPARE(shown.text, hostile);
    QCOMPARE(shown.emphasis, (QList<std::pair<int, int>>{{3, 6}, {49, 6}}));
    // It paints (no crash, no HTML engine involved).
    QImage image(panel.size(), QImage::Format_ARGB32);
    panel.render(&image);
}

void tst_ui_searchpanel::errorsAreShownInWords()
{
    ui::SearchPanel panel;
    panel.setSession(m_session.get());
    panel.show();
    panel.queryField()->setText(u"?!"_s);
    panel.searchNow();
    QCOMPARE(m_searches.size(), 0); // refused before asking the server
    QVERIFY(!panel.statusLabel()->text().isEmpty());
    panel.setCurrentRoom(u"secret"_s);
    panel.thisRoomOnly()->setChecked(true);
    panel.queryField()->setText(u"deploy"_s);
    panel.searchNow();
    QTRY_VERIFY(panel.statusLabel()->text().contains(u"not a member"_s));
    QCOMPARE(panel.resultList()->model()->rowCount(), 0);
}

void tst_ui_searchpanel::chatPageOpensAndClosesThePanel()
{
    ui::ChatPage page;
    page.resize(1100, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(!page.searchPanel()->isVisible());
    QVERIFY(!page.searchButton()->accessibleName().isEmpty());
    QVERIFY(page.searchButton()->toolTip().contains(u"Ctrl+Shift+F"_s));
    QTest::mouseClick(page.searchButton(), Qt::LeftButton);
    QVERIFY(page.searchPanel()->isVisible());
    QVERIFY(!page.membersPanel()->isVisible());
    QTRY_VERIFY(page.searchPanel()->queryField()->hasFocus());
    QTest::keyClick(page.searchPanel()->queryField(), Qt::Key_Escape);
    QVERIFY(!page.searchPanel()->isVisible());
    QVERIFY(page.membersPanel()->isVisible());
    page.showSearch();
    QVERIFY(page.searchPanel()->isVisible());
}

QTEST_MAIN(tst_ui_searchpanel)
#include "tst_searchpanel.moc"
