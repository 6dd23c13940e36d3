// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// core::Account and core::Room against a real conversa-server: one object per account with its
// files, policy and proxy handling, sign-in and sign-out, typed room operations, typed sends,
// read markers, typing and the server's limits.
#include <ClientFixtures.h>
#include <ConversaTest.h>

#include <Account.h>
#include <MessageCache.h>
#include <MessageModel.h>
#include <Outbox.h>
#include <Room.h>
#include <RoomListModel.h>
#include <SessionManager.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace conversa::core;
using conversa::test::kAlicePassword;
using conversa::test::kBobPassword;
using conversa::test::ServerProcess;
using conversa::test::startServerWithAliceAndBob;
using conversa::test::waitUntil;

namespace {

// An account in a data folder of its own, without the keychain (tests run without one).
struct TestAccount {
    QTemporaryDir dir;
    std::unique_ptr<Account> account;

    explicit TestAccount(bool revokeLater = false)
    {
        Account::Options options;
        options.dataDirectory = dir.path();
        options.deviceName = u"tst_account"_s;
        options.useKeychain = false;
        options.revokeLater = revokeLater;
        account = std::make_unique<Account>(options);
        account->session()->setWatchNetwork(false);
    }
    Account *operator->() const { return account.get(); }
    bool online(int timeoutMs = 15000) const
    {
        return waitUntil([&] { return account->status().state == ConnectionState::Online; },
                         timeoutMs);
    }
    QString describe() const { return account->status().toDisplayString(); }
};

// Runs one typed room operation to its end.
template <typename Start> RoomOperationResult finished(Start start)
{
    std::optional<RoomOperationResult> result;
    QObject context;
    start(&context, [&](const RoomOperationResult &r) { result = r; });
    waitUntil([&] { return result.has_value(); }, 10000);
    return result.value_or(
        RoomOperationResult{RoomOperationResult::Error::Refused, {}, u"no answer within 10 s"_s});
}

} // namespace

class TestAccount_ : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void parseProxy_data();
    void parseProxy();
    void policyDecidesServerAndProxy();
    void openNamesTheFilesAndRefusesBadInput();
    void signInRoomsAndTypedRoomOperations();
    void sendGivesATypedResult();
    void limitsComeFromTheServer();
    void readMarkerUnreadAndTyping();
    void retryAndDiscardThroughTheRoom();
    void jumpToAnyCachedMessage();
    void outboxDrainingIsReported();
    void signOutRevokesTheToken();
    void editsAndDeletionsTypedOfflineGoOutOnce();

private:
    QTemporaryDir m_noPolicy;
    // Signed in as `user` and member of "general".
    std::unique_ptr<TestAccount> signedIn(ServerProcess &server, const QString &user,
                                          const QString &password);
};

void TestAccount_::initTestCase()
{
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
    // No admin policy of this machine may leak into the tests.
    qputenv("XDG_CONFIG_DIRS", m_noPolicy.path().toUtf8());
}

std::unique_ptr<TestAccount> TestAccount_::signedIn(ServerProcess &server, const QString &user,
                                                    const QString &password)
{
    auto client = std::make_unique<TestAccount>();
    if (!(*client)->open(server.url(), user)) {
        qWarning("%s", qPrintable((*client)->lastError()));
        return nullptr;
    }
    (*client)->setNetwork({u"none"_s, {}, {}});
    (*client)->signIn(password, false);
    if (!client->online()) {
        qWarning("%s did not get online: %s", qPrintable(user), qPrintable(client->describe()));
        return nullptr;
    }
    const RoomOperationResult joined = finished(
        [&](QObject *context, auto done) { (*client)->joinRoom(u"general"_s, context, done); });
    if (!joined.ok()) {
        qWarning("join: %s", qPrintable(joined.message));
        return nullptr;
    }
    if (!waitUntil([&] { return (*client)->rooms()->rowOfRoom(u"general"_s) >= 0; }, 10000) ||
        !client->online())
        return nullptr;
    return client;
}

void TestAccount_::parseProxy_data()
{
    QTest::addColumn<QString>("proxy");
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("mode"); // -1: refused
    QTest::addColumn<QString>("url");
    using Mode = SessionManager::ProxyMode;
    QTest::newRow("empty") << QString() << QString() << int(Mode::System) << QString();
    QTest::newRow("system") << u"System"_s << u"ignored:1"_s << int(Mode::System) << QString();
    QTest::newRow("none") << u"none"_s << QString() << int(Mode::None) << QString();
    QTest::newRow("http url") << u"http://proxy:3128"_s << QString() << int(Mode::Http)
                              << u"http://proxy:3128"_s;
    QTest::newRow("socks5 url") << u"socks5://127.0.0.1:1080"_s << QString() << int(Mode::Socks5)
                                << u"socks5://127.0.0.1:1080"_s;
    QTest::newRow("kind and address")
        << u"http"_s << u"proxy.lan:8080"_s << int(Mode::Http) << u"http://proxy.lan:8080"_s;
    QTest::newRow("kind without address") << u"socks5"_s << QString() << -1 << QString();
    QTest::newRow("unknown kind") << u"gopher"_s << u"x:1"_s << -1 << QString();
}

void TestAccount_::parseProxy()
{
    QFETCH(QString, proxy);
    QFETCH(QString, address);
    QFETCH(int, mode);
    QFETCH(QString, url);
    QString error;
    const auto parsed = conversa::core::parseProxy(proxy, address, &error);
    if (mode < 0) {
        QVERIFY(!parsed);
        QVERIFY2(error.contains(u"proxy"_s, Qt::CaseInsensitive), qPrintable(error));
        return;
    }
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(int(parsed->mode), mode);
    QCOMPARE(parsed->url.isEmpty() ? QString() : parsed->url.toString(), url);
}

void TestAccount_::policyDecidesServerAndProxy()
{
    QTemporaryDir policyDir;
    QVERIFY(QDir().mkpath(policyDir.filePath(u"Conversa"_s)));
    QFile policy(policyDir.filePath(u"Conversa/Conversa.conf"_s));
    QVERIFY(policy.open(QIODevice::WriteOnly));
    policy.write("[General]\nServerUrl=wss://chat.example.com\nAllowServerUrlChange=false\n"
                 "ProxyMode=socks5\nProxyUrl=127.0.0.1:1\n");
    policy.close();
    const QByteArray saved = qgetenv("XDG_CONFIG_DIRS");
    qputenv("XDG_CONFIG_DIRS", policyDir.path().toUtf8());
    TestAccount locked;
    qputenv("XDG_CONFIG_DIRS", saved);

    ServerChoice choice = locked->chooseServer({});
    QCOMPARE(choice.server, u"wss://chat.example.com"_s);
    QVERIFY(choice.locked);
    QVERIFY2(choice.lockedBy.contains(u"Conversa.conf"_s), qPrintable(choice.lockedBy));
    QVERIFY(choice.error.isEmpty());
    choice = locked->chooseServer(u"https://chat.example.com/"_s); // the same server
    QVERIFY2(choice.error.isEmpty(), qPrintable(choice.error));
    choice = locked->chooseServer(u"ws://elsewhere:1"_s);
    QVERIFY2(choice.error.contains(u"administrator"_s), qPrintable(choice.error));
    QCOMPARE(choice.server, u"wss://chat.example.com"_s);

    // The managed proxy wins over the user's "none": a sign-in goes to the (closed) SOCKS port.
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    QVERIFY2(locked->open(server->url(), u"alice"_s), qPrintable(locked->lastError()));
    QVERIFY(locked->setNetwork({u"none"_s, {}, {}}));
    locked->signIn(kAlicePassword, false);
    QVERIFY2(waitUntil([&] { return locked->status().problem != ConnectionProblem::None; }, 10000),
             qPrintable(locked.describe()));
    QCOMPARE(locked->status().problem, ConnectionProblem::ProxyRefused);

    // Without policy the user's choice stands.
    TestAccount free;
    QCOMPARE(free->chooseServer(u"ws://elsewhere:1"_s).server, u"ws://elsewhere:1"_s);
    QVERIFY(!free->chooseServer(u"ws://elsewhere:1"_s).locked);
    QString problem;
    QVERIFY(!free->setNetwork({u"http"_s, {}, {}}, &problem));
    QVERIFY2(problem.contains(u"address"_s), qPrintable(problem));
    QVERIFY(!free->setNetwork({u"none"_s, {}, u"/no/such/ca.pem"_s}, &problem));
    QVERIFY(!problem.isEmpty());
}

void TestAccount_::openNamesTheFilesAndRefusesBadInput()
{
    TestAccount client;
    const QUrl url(u"ws://127.0.0.1:9/ws"_s);
    QVERIFY(!client->isOpen());
    QVERIFY(!client->room(u"general"_s)); // nothing open yet
    QVERIFY(!client->open(url, u"Not A User"_s));
    QVERIFY2(client->lastError().contains(u"user name"_s), qPrintable(client->lastError()));
    QVERIFY(!client->open(QUrl(), u"alice"_s));
    QVERIFY(!client->lastError().isEmpty());

    QVERIFY2(client->open(url, u"alice"_s), qPrintable(client->lastError()));
    QCOMPARE(client->key(), u"alice@127.0.0.1:9"_s);
    QVERIFY(QFile::exists(client.dir.filePath(u"accounts/alice@127.0.0.1_9/outbox.sqlite"_s)));
    QVERIFY(QFile::exists(client.dir.filePath(u"accounts/alice@127.0.0.1_9/cache.sqlite"_s)));
    QVERIFY(client->room(u"general"_s));
    QCOMPARE(client->room(u"general"_s), client->room(u"general"_s)); // one object per room
    QVERIFY(!client->room(u"Not A Room"_s));

    // Another account: its own folder; the first one's rooms are gone.
    QPointer<Room> general = client->room(u"general"_s);
    QVERIFY(client->open(url, u"bob"_s));
    QVERIFY(general.isNull());
    QVERIFY(QFile::exists(client.dir.filePath(u"accounts/bob@127.0.0.1_9/outbox.sqlite"_s)));

    // A data folder where a file is in the way: said in words.
    TestAccount blocked;
    QFile obstacle(blocked.dir.filePath(u"accounts"_s));
    QVERIFY(obstacle.open(QIODevice::WriteOnly));
    obstacle.close();
    QVERIFY(!blocked->open(url, u"alice"_s));
    QVERIFY2(blocked->lastError().contains(u"Cannot open"_s), qPrintable(blocked->lastError()));
}

void TestAccount_::signInRoomsAndTypedRoomOperations()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword);
    QVERIFY(bob);

    using Error = RoomOperationResult::Error;
    RoomOperationResult r = finished([&](QObject *c, auto done) {
        (*alice)->createRoom(u"dev"_s, u"  Developers "_s, c, done);
    });
    QVERIFY2(r.ok(), qPrintable(r.message));
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->rooms()->rowOfRoom(u"dev"_s) >= 0, 10000);
    QCOMPARE((*alice)->room(u"dev"_s)->title(), u"Developers"_s);

    r = finished([&](QObject *c, auto done) { (*bob)->createRoom(u"dev"_s, {}, c, done); });
    QCOMPARE(r.error, Error::AlreadyExists);
    QVERIFY2(r.message.contains(u"already exists"_s), qPrintable(r.message));
    r = finished([&](QObject *c, auto done) { (*bob)->joinRoom(u"nowhere"_s, c, done); });
    QCOMPARE(r.error, Error::NotFound);
    QVERIFY(!r.message.isEmpty());
    r = finished([&](QObject *c, auto done) { (*bob)->joinRoom(u"Not A Room"_s, c, done); });
    QCOMPARE(r.error, Error::InvalidName);
    QVERIFY2(r.message.contains(u"not a room name"_s), qPrintable(r.message));

    r = finished([&](QObject *c, auto done) { (*bob)->joinRoom(u"dev"_s, c, done); });
    QVERIFY2(r.ok(), qPrintable(r.message));
    QTRY_VERIFY_WITH_TIMEOUT((*bob)->rooms()->rowOfRoom(u"dev"_s) >= 0, 10000);

    // A message from bob reaches alice's room and is announced as news.
    QSignalSpy arrived(alice->account.get(), &Account::messageArrived);
    QTRY_VERIFY_WITH_TIMEOUT(bob->online(), 10000);
    const SendResult sent = (*bob)->room(u"dev"_s)->send(u"hello @alice"_s);
    QVERIFY2(sent.queued(), qPrintable(sent.message));
    QCOMPARE(sent.cid.size(), 36);
    QTRY_VERIFY_WITH_TIMEOUT(arrived.size() == 1, 10000);
    QCOMPARE(arrived.first().at(0).toString(), u"dev"_s);
    QCOMPARE(arrived.first().at(1).toString(), u"bob"_s);
    QCOMPARE(arrived.first().at(2).toString(), u"hello @alice"_s);
    MessageModel *messages = (*alice)->room(u"dev"_s)->messages();
    QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), 1, 10000);
    QCOMPARE(messages->index(0).data(MessageModel::BodyRole).toString(), u"hello @alice"_s);

    r = finished([&](QObject *c, auto done) { (*bob)->leaveRoom(u"dev"_s, c, done); });
    QVERIFY2(r.ok(), qPrintable(r.message));
    QTRY_VERIFY_WITH_TIMEOUT((*bob)->rooms()->rowOfRoom(u"dev"_s) < 0, 10000);

    // A handler whose context is gone is not called.
    bool called = false;
    {
        QObject gone;
        (*bob)->joinRoom(u"dev"_s, &gone, [&](const RoomOperationResult &) { called = true; });
    }
    QTest::qWait(300);
    QVERIFY(!called);

    // Offline: said so at once.
    (*bob)->disconnectSession();
    r = finished([&](QObject *c, auto done) { (*bob)->joinRoom(u"dev"_s, c, done); });
    QCOMPARE(r.error, Error::Offline);
    QVERIFY2(r.message.contains(u"offline"_s), qPrintable(r.message));
}

void TestAccount_::sendGivesATypedResult()
{
    TestAccount client;
    QVERIFY(client->open(QUrl(u"ws://127.0.0.1:9/ws"_s), u"alice"_s));
    Room *room = client->room(u"general"_s);
    using Status = SendResult::Status;

    QCOMPARE(room->send(u"  \n "_s).status, Status::Empty);
    const SendResult bell = room->send(u"ring \a"_s);
    QCOMPARE(bell.status, Status::CharactersNotAllowed);
    QVERIFY2(bell.message.contains(u"U+0007"_s), qPrintable(bell.message));
    QString brokenSurrogate = u"half "_s;
    brokenSurrogate.append(QChar(0xD800));
    QCOMPARE(room->send(brokenSurrogate).status, Status::CharactersNotAllowed);
    // Until a server has said otherwise the limit is protocol v1's 16 KiB.
    const SendResult tooLong = room->send(QString(16 * 1024 + 1, u'x'));
    QCOMPARE(tooLong.status, Status::TooLong);
    QCOMPARE(tooLong.limitBytes, 16 * 1024);
    QCOMPARE(tooLong.sizeBytes, 16 * 1024 + 1);
    QVERIFY2(tooLong.message.contains(u"16 KB"_s), qPrintable(tooLong.message));
    QCOMPARE(client->pendingCount(), 0);

    // Lines and tabs are text; offline it waits in the outbox.
    QSignalSpy pending(client.account.get(), &Account::pendingCountChanged);
    const SendResult queued = room->send(u"two\nlines\tand a tab"_s);
    QVERIFY2(queued.queued(), qPrintable(queued.message));
    QCOMPARE(room->pendingCount(), 1);
    QCOMPARE(client->pendingCount(), 1);
    QVERIFY(!pending.isEmpty());
    QCOMPARE(pending.last().first().toInt(), 1);

    QSignalSpy saved(room, &Room::messageSaved);
    QTRY_COMPARE(saved.size(), 1);
    QCOMPARE(saved.first().first().toString(), queued.cid);

    // A disk that refuses writes: send() answers at once, then says so, with the text.
    client->outbox()->setWriteHook([](QString *error) {
        *error = u"disk I/O error"_s;
        return false;
    });
    QSignalSpy notSaved(room, &Room::messageNotSaved);
    const SendResult disk = room->send(u"do not lose me"_s);
    QVERIFY(disk.queued());
    QTRY_COMPARE(notSaved.size(), 1);
    QCOMPARE(notSaved.first().at(0).toString(), disk.cid);
    QCOMPARE(notSaved.first().at(1).toString(), u"do not lose me"_s);
    const QString message = notSaved.first().at(2).toString();
    QVERIFY2(message.contains(u"could not be saved"_s) && message.contains(u"disk I/O error"_s),
             qPrintable(message));
    client->outbox()->setWriteHook({});
    QCOMPARE(room->pendingCount(), 1);
    QCOMPARE(saved.size(), 1);
}

void TestAccount_::limitsComeFromTheServer()
{
    auto server = startServerWithAliceAndBob({u"--max-body-bytes"_s, u"4000"_s});
    QVERIFY(server);
    TestAccount alice;
    QVERIFY(alice->open(server->url(), u"alice"_s));
    alice->setNetwork({u"none"_s, {}, {}});
    Room *room = alice->room(u"general"_s);
    QSignalSpy accountLimits(alice.account.get(), &Account::limitsChanged);
    QSignalSpy roomLimits(room, &Room::limitsChanged);
    QCOMPARE(room->limits().maxBodyBytes, 16 * 1024);
    alice->signIn(kAlicePassword, false);
    QVERIFY2(alice.online(), qPrintable(alice.describe()));
    QCOMPARE(accountLimits.size(), 1);
    QCOMPARE(roomLimits.size(), 1);
    QCOMPARE(alice->limits().maxBodyBytes, 4000);
    QCOMPARE(room->limits().maxBodyBytes, 4000);
    const SendResult tooLong = room->send(QString(4001, u'x'));
    QCOMPARE(tooLong.status, SendResult::Status::TooLong);
    QCOMPARE(tooLong.limitBytes, 4000);
    QVERIFY(room->send(QString(4000, u'x')).queued());

    // Offline after a restart, the server's limit still applies (not the 16 KiB default).
    const QUrl url = server->url();
    alice.account.reset();
    server.reset();
    Account::Options options;
    options.dataDirectory = alice.dir.path();
    options.useKeychain = false;
    Account again(options);
    again.session()->setWatchNetwork(false);
    QVERIFY(again.open(url, u"alice"_s));
    Room *offline = again.room(u"general"_s);
    QCOMPARE(offline->limits().maxBodyBytes, 4000);
    QCOMPARE(offline->send(QString(4001, u'x')).status, SendResult::Status::TooLong);
}

void TestAccount_::readMarkerUnreadAndTyping()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    auto bob = signedIn(*server, u"bob"_s, kBobPassword);
    QVERIFY(bob);
    Room *aliceGeneral = (*alice)->room(u"general"_s);
    Room *bobGeneral = (*bob)->room(u"general"_s);
    QSignalSpy unread(aliceGeneral, &Room::unreadCountChanged);

    for (int i = 1; i <= 3; ++i)
        QVERIFY(bobGeneral->send(u"news %1"_s.arg(i)).queued());
    QTRY_COMPARE_WITH_TIMEOUT(aliceGeneral->unreadCount(), 3, 10000);
    QVERIFY(!unread.isEmpty());
    QCOMPARE(aliceGeneral->readMarker(), 0);

    QCOMPARE(aliceGeneral->messages()->rowCount(), 3);
    aliceGeneral->markRead();
    QCOMPARE(aliceGeneral->unreadCount(), 0);
    QCOMPARE(unread.last().first().toLongLong(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(aliceGeneral->readMarker(), 3, 5000);
    // The server has the marker: a new device of alice's sees nothing unread.
    auto aliceAgain = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(aliceAgain);
    QTRY_COMPARE_WITH_TIMEOUT((*aliceAgain)->room(u"general"_s)->unreadCount(), 0, 10000);

    // Typing: bob types, alice's room says so.
    QSignalSpy typing(aliceGeneral, &Room::typingChanged);
    bobGeneral->noteTyping();
    QTRY_VERIFY_WITH_TIMEOUT(aliceGeneral->typingUsers().contains(u"bob"_s), 10000);
    QVERIFY(!typing.isEmpty());
    QVERIFY2(aliceGeneral->typingText().contains(u"bob"_s), qPrintable(aliceGeneral->typingText()));
    QVERIFY(bobGeneral->typingUsers().isEmpty()); // one's own typing is not shown
}

void TestAccount_::retryAndDiscardThroughTheRoom()
{
    TestAccount client;
    QVERIFY(client->open(QUrl(u"ws://127.0.0.1:9/ws"_s), u"alice"_s));
    Room *room = client->room(u"general"_s);
    MessageModel *messages = room->messages();
    const SendResult first = room->send(u"will fail"_s);
    QVERIFY(first.queued());
    client->outbox()->flush();
    QVERIFY(client->outbox()->markFailed(first.cid, u"refused"_s));
    QCOMPARE(messages->rowCount(), 1);
    QCOMPARE(messages->index(0).data(MessageModel::StateRole).value<MessageModel::DeliveryState>(),
             MessageModel::DeliveryState::Failed);
    QVERIFY(room->retry(first.cid));
    QCOMPARE(messages->index(0).data(MessageModel::StateRole).value<MessageModel::DeliveryState>(),
             MessageModel::DeliveryState::Pending);
    QVERIFY(client->outbox()->markFailed(first.cid, u"refused again"_s));
    QVERIFY(room->discard(first.cid));
    QCOMPARE(messages->rowCount(), 0);
    QVERIFY(!room->retry(u"no-such-cid"_s));

    // The model can go while no view shows the room, and comes back with the same rows.
    QVERIFY(room->send(u"kept"_s).queued());
    room->releaseMessages();
    QVERIFY(!room->hasMessages());
    QCOMPARE(room->messages()->rowCount(), 1);
}

void TestAccount_::jumpToAnyCachedMessage()
{
    TestAccount client;
    QVERIFY(client->open(QUrl(u"ws://127.0.0.1:9/ws"_s), u"alice"_s));
    QVERIFY(client->cache()->updateRooms({{u"general"_s, u"General"_s, 500, 0}}));
    QList<conversa::protocol::MessageEvent> history;
    for (qint64 seq = 1; seq <= 500; ++seq)
        history.append({u"general"_s, seq, 1'700'000'000'000 + seq, u"bob"_s, u"c-%1"_s.arg(seq),
                        u"message %1"_s.arg(seq)});
    QVERIFY(client->cache()->storeMessages(u"general"_s, history, 500));
    client->rooms()->reload();

    Room *room = client->room(u"general"_s);
    MessageModel *messages = room->messages();
    QCOMPARE(messages->newestSeq(), 500);
    QVERIFY(messages->oldestSeq() > 10);
    QSignalSpy scrollTo(messages, &MessageModel::scrollToRowRequested);
    room->jumpTo(10);
    QTRY_COMPARE_WITH_TIMEOUT(scrollTo.size(), 1, 5000);
    const int row = scrollTo.first().first().toInt();
    QCOMPARE(messages->index(row).data(MessageModel::SeqRole).toLongLong(), 10);
    QVERIFY(messages->rowCount() <= messages->maxRows());
    room->showNewest();
    QTRY_COMPARE_WITH_TIMEOUT(messages->newestSeq(), 500, 5000);
}

void TestAccount_::outboxDrainingIsReported()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    {
        auto alice = signedIn(*server, u"alice"_s, kAlicePassword); // a member of general
        QVERIFY(alice);
    }
    // 40 messages written offline, then the session comes.
    TestAccount alice;
    QVERIFY(alice->open(server->url(), u"alice"_s));
    alice->setNetwork({u"none"_s, {}, {}});
    Room *general = alice->room(u"general"_s);
    for (int i = 1; i <= 40; ++i)
        QVERIFY(general->send(u"offline %1"_s.arg(i)).queued());
    QCOMPARE(alice->pendingCount(), 40);
    QSignalSpy progress(alice.account.get(), &Account::outboxProgress);
    alice->signIn(kAlicePassword, false);
    QTRY_VERIFY_WITH_TIMEOUT(alice->pendingCount() == 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toInt() == 40, 5000);
    QCOMPARE(progress.last().at(1).toInt(), 40);
    // It counted up on the way (never past the total).
    int previous = -1;
    for (const QList<QVariant> &step : std::as_const(progress)) {
        QVERIFY(step.at(0).toInt() >= previous);
        QVERIFY(step.at(0).toInt() <= step.at(1).toInt());
        previous = step.at(0).toInt();
    }
    QVERIFY(progress.size() >= 2);
}

void TestAccount_::signOutRevokesTheToken()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    const QString token = (*alice)->session()->token();
    QVERIFY(!token.isEmpty());
    QSignalSpy loggedOut((*alice)->session(), &SessionManager::loggedOut);
    (*alice)->signOut();
    QTRY_COMPARE_WITH_TIMEOUT(loggedOut.size(), 1, 10000);
    QCOMPARE(loggedOut.first().first().toBool(), true);
    QCOMPARE((*alice)->status().state, ConnectionState::SignedOut);

    // The old token no longer opens a session.
    TestAccount again;
    QVERIFY(again->open(server->url(), u"alice"_s));
    again->setNetwork({u"none"_s, {}, {}});
    again->resume(token);
    QTRY_COMPARE_WITH_TIMEOUT(again->status().state, ConnectionState::AuthFailed, 10000);

    // Without a keychain, a saved sign-in cannot be resumed: said in words.
    QSignalSpy unavailable(again.account.get(), &Account::savedSignInUnavailable);
    again->resumeSaved();
    QCOMPARE(unavailable.size(), 1);
    QVERIFY(!unavailable.first().first().toString().isEmpty());
}

// Issue 12: an edit and a deletion made while the server is down wait in the outbox and reach
// it once, after it is back; the room then shows the messages as they are now.
void TestAccount_::editsAndDeletionsTypedOfflineGoOutOnce()
{
    auto server = startServerWithAliceAndBob();
    QVERIFY(server);
    auto alice = signedIn(*server, u"alice"_s, kAlicePassword);
    QVERIFY(alice);
    Room *general = (*alice)->room(u"general"_s);
    MessageModel *messages = general->messages();
    QVERIFY(general->send(u"the plan: ship on Fridya"_s).queued());
    QVERIFY(general->send(u"ignore this"_s).queued());
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->pendingCount() == 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(messages->newestSeq(), 2, 10000);

    const quint16 port = server->port();
    server->kill();
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->status().state != ConnectionState::Online, 10000);
    QVERIFY(general->edit(1, u"the plan: ship on Monday"_s).queued());
    QVERIFY(!general->deleteMessage(2).isEmpty());
    QCOMPARE(general->edit(1, u"  "_s).status, SendResult::Status::Empty);
    QTRY_COMPARE_WITH_TIMEOUT((*alice)->pendingCount(), 2, 5000);
    QCOMPARE(messages->rowCount(), 2); // changes on their way are not rows

    QVERIFY2(server->start({}, port), qPrintable(server->diagnostics()));
    (*alice)->session()->reconnectNow();
    QVERIFY2(alice->online(20000), qPrintable(alice->describe()));
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->pendingCount() == 0, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(
        messages->index(messages->rowOfSeq(1)).data(MessageModel::BodyRole).toString(),
        u"the plan: ship on Monday"_s, 10000);
    QVERIFY(messages->index(messages->rowOfSeq(1)).data(MessageModel::EditedRole).toBool());
    QTRY_VERIFY_WITH_TIMEOUT(
        messages->index(messages->rowOfSeq(2)).data(MessageModel::DeletedRole).toBool(), 10000);

    // What another member sees: the current state, and one edit and one deletion in the log.
    QString why;
    auto bob = conversa::test::openWithLogin(server->url(), u"bob"_s, kBobPassword, &why);
    QVERIFY2(bob, qPrintable(why));
    bob->join(u"general"_s);
    const QJsonArray log = bob->history(u"general"_s).value("messages"_L1).toArray();
    int edits = 0;
    int deletions = 0;
    for (const QJsonValue &value : log) {
        const QJsonObject entry = value.toObject();
        edits += entry.value("kind"_L1).toString() == u"edit"_s;
        deletions += entry.value("kind"_L1).toString() == u"delete"_s;
        if (entry.value("seq"_L1).toInteger() == 1) {
            QCOMPARE(entry.value("body"_L1).toString(), u"the plan: ship on Monday"_s);
            QVERIFY(entry.value("edited"_L1).toInteger() > 0);
        }
        if (entry.value("seq"_L1).toInteger() == 2)
            QVERIFY(entry.value("deleted"_L1).toBool());
    }
    QCOMPARE(edits, 1);
    QCOMPARE(deletions, 1);
}

QTEST_GUILESS_MAIN(TestAccount_)
#include "tst_account.moc"
