// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
//
// The keychain-not-ready retry of core's TokenStore, without a keychain: the session bus is
// pointed at a socket that does not exist, so every keychain call fails the way a keychain that
// has not started yet does (right after a desktop login).
#include <TokenStore.h>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::core::TokenStore;

class TestSessionKeychain : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void notReadyIsRetriedThenSaidInWords();
    void noRetryWhenTheTimeIsUp();
};

void TestSessionKeychain::initTestCase()
{
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/conversa-test-bus");
}

void TestSessionKeychain::notReadyIsRetriedThenSaidInWords()
{
    TokenStore store;
    store.setRetryPolicy(600, 150);
    QSignalSpy read(&store, &TokenStore::tokenRead);
    QElapsedTimer clock;
    clock.start();
    store.readToken(u"alice@chat.example:443"_s);
    QVERIFY(read.wait(10'000));
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(read.size(), 1); // exactly one answer, after the retries
    QCOMPARE(read.first().at(0).toString(), u"alice@chat.example:443"_s);
    QCOMPARE(read.first().at(1).value<TokenStore::Result>(), TokenStore::Result::Unavailable);
    QVERIFY(read.first().at(2).toString().isEmpty());
    const QString words = read.first().at(3).toString();
    QVERIFY2(words.contains(u"keychain"_s), qPrintable(words));
    // Asked again every 150 ms for as long as 600 ms allow: three retries, then the answer.
    QVERIFY2(elapsed >= 450, qPrintable(QString::number(elapsed)));

    // Writing is retried the same way, and a token never lands anywhere else.
    QSignalSpy written(&store, &TokenStore::tokenWritten);
    clock.restart();
    store.writeToken(u"alice@chat.example:443"_s, u"secret-token"_s);
    QVERIFY(written.wait(10'000));
    QCOMPARE(written.first().at(1).value<TokenStore::Result>(), TokenStore::Result::Unavailable);
    QVERIFY2(clock.elapsed() >= 450, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(!written.wait(300)); // one answer only
}

void TestSessionKeychain::noRetryWhenTheTimeIsUp()
{
    TokenStore store;
    store.setRetryPolicy(0, 1000);
    QSignalSpy read(&store, &TokenStore::tokenRead);
    QElapsedTimer clock;
    clock.start();
    store.readToken(u"bob@chat.example:443"_s);
    QVERIFY(read.wait(10'000));
    QCOMPARE(read.first().at(1).value<TokenStore::Result>(), TokenStore::Result::Unavailable);
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
}

QTEST_GUILESS_MAIN(TestSessionKeychain)
#include "tst_session_keychain.moc"
