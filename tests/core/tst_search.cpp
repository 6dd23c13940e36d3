// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// SearchResultsModel: where a query's words are in a text (the server's rules: case and accents
// do not matter, whole words only), and searches through a SessionManager signed in to a real
// conversa-server: results with their room and sender, refusals in words, a later search
// replacing an earlier one, paging within a room.

#include "ClientFixtures.h"
#include "MessageCache.h"
#include "Outbox.h"
#include "SearchResultsModel.h"
#include "ServerProcess.h"
#include "SessionManager.h"
#include "TestClient.h"

#include <QPoint>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::test::kAlicePassword;
using conversa::test::kBobPassword;
using conversa::test::startServerWithAliceAndBob;
using conversa::test::TestClient;
using conversa::test::waitUntil;

using Ranges = QList<std::pair<qsizetype, qsizetype>>;
Q_DECLARE_METATYPE(Ranges)

class tst_core_search : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matches_data();
    void matches();
    void searchesARealServer();
};

void tst_core_search::matches_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("query");
    QTest::addColumn<Ranges>("ranges");

    QTest::newRow("one word, any case")
        << u"Deploy the plan. DEPLOY!"_s << u"deploy"_s << Ranges{{0, 6}, {17, 6}};
    QTest::newRow("accents either way")
        << u"Não há café"_s << u"nao CAFE"_s << Ranges{{0, 3}, {7, 4}};
    QTest::newRow("whole words only") << u"deployment deploy"_s << u"deploy"_s << Ranges{{11, 6}};
    QTest::newRow("punctuation splits words") << u"deploy-plan"_s << u"plan"_s << Ranges{{7, 4}};
    QTest::newRow("nothing") << u"lunch"_s << u"deploy"_s << Ranges{};
    QTest::newRow("after an emoji") << u"😀 plan"_s << u"plan"_s << Ranges{{3, 4}};
}

void tst_core_search::matches()
{
    QFETCH(QString, text);
    QFETCH(QString, query);
    QFETCH(Ranges, ranges);
    QCOMPARE(SearchResultsModel::matches(text, SearchResultsModel::wordsOf(query)), ranges);
}

void tst_core_search::searchesARealServer()
{
    auto server = startServerWithAliceAndBob(
        {u"--messages-per-second"_s, u"1000"_s, u"--message-burst"_s, u"1000"_s});
    QVERIFY(server);
    TestClient alice;
    QVERIFY(alice.open(server->url()));
    QVERIFY(TestClient::isOk(alice.login(u"alice"_s, kAlicePassword)));
    QVERIFY(TestClient::isOk(alice.join(u"general"_s)));
    QVERIFY(TestClient::isOk(alice.create(u"private-ish"_s)));
    QVERIFY(TestClient::isOk(alice.send(u"general"_s, u"Não há café amanhã"_s)));
    for (int i = 0; i < SearchResultsModel::kPageSize + 5; ++i)
        QVERIFY(TestClient::isOk(alice.send(u"general"_s, u"deploy step %1"_s.arg(i))));
    QVERIFY(TestClient::isOk(alice.send(u"private-ish"_s, u"deploy secrets"_s)));

    QTemporaryDir dir;
    MessageCache cache;
    Outbox outbox;
    cache.open(dir.filePath(u"cache.sqlite"_s));
    outbox.open(dir.filePath(u"outbox.sqlite"_s));
    SessionManager session;
    session.setServerUrl(server->url());
    session.setCache(&cache);
    session.setOutbox(&outbox);
    session.setProxy(SessionManager::ProxyMode::None);
    session.setWatchNetwork(false);
    session.signIn(u"bob"_s, kBobPassword);
    QVERIFY(waitUntil([&] { return session.state() == ConnectionState::Online; }, 15000));
    bool joined = false;
    session.request(conversa::protocol::JoinRequest{{}, u"general"_s},
                    [&](const RequestResult &result) { joined = result.isOk(); });
    QVERIFY(waitUntil([&] { return joined; }, 5000));

    SearchResultsModel model;
    model.setSession(&session);
    const auto finished = [&] { return model.state() != SearchResultsModel::State::Searching; };

    // No words: refused at once, in words.
    QVERIFY(!model.search(u" !? "_s));
    QCOMPARE(model.state(), SearchResultsModel::State::Failed);
    QVERIFY(!model.errorText().isEmpty());

    QVERIFY(model.search(u"CAFE nao"_s));
    QCOMPARE(model.state(), SearchResultsModel::State::Searching);
    QVERIFY(waitUntil(finished, 5000));
    QCOMPARE(model.state(), SearchResultsModel::State::Done);
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex first = model.index(0);
    QCOMPARE(first.data(SearchResultsModel::RoomRole).toString(), u"general"_s);
    QCOMPARE(first.data(SearchResultsModel::SenderRole).toString(), u"alice"_s);
    QCOMPARE(first.data(SearchResultsModel::SeqRole).toLongLong(), 1);
    QVERIFY(first.data(SearchResultsModel::TimestampRole).toLongLong() > 0);
    QCOMPARE(first.data(SearchResultsModel::BodyRole).toString(), u"Não há café amanhã"_s);
    QCOMPARE(first.data(SearchResultsModel::MatchesRole).toList(),
             (QVariantList{QPoint(0, 3), QPoint(7, 4)}));

    // A later search replaces one still waiting; only bob's rooms are searched.
    QVERIFY(model.search(u"cafe"_s));
    QVERIFY(model.search(u"deploy"_s));
    QVERIFY(waitUntil(finished, 5000));
    QCOMPARE(model.rowCount(), SearchResultsModel::kPageSize);
    QCOMPARE(model.index(0).data(SearchResultsModel::BodyRole).toString(),
             u"deploy step %1"_s.arg(SearchResultsModel::kPageSize + 4));
    QVERIFY(!model.canLoadMore()); // across rooms there are no pages

    // In one room, older pages.
    QVERIFY(model.search(u"deploy"_s, u"general"_s));
    QVERIFY(waitUntil(finished, 5000));
    QCOMPARE(model.rowCount(), SearchResultsModel::kPageSize);
    QVERIFY(model.canLoadMore());
    model.loadMore();
    QVERIFY(waitUntil(finished, 5000));
    QCOMPARE(model.rowCount(), SearchResultsModel::kPageSize + 5);
    QCOMPARE(model.index(model.rowCount() - 1).data(SearchResultsModel::BodyRole).toString(),
             u"deploy step 0"_s);
    QVERIFY(!model.canLoadMore());

    // A room bob is not in: the server's refusal, in words.
    QVERIFY(model.search(u"deploy"_s, u"private-ish"_s));
    QVERIFY(waitUntil(finished, 5000));
    QCOMPARE(model.state(), SearchResultsModel::State::Failed);
    QVERIFY2(model.errorText().contains(u"private-ish"_s), qPrintable(model.errorText()));
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(tst_core_search)
#include "tst_search.moc"
