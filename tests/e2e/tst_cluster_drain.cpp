// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Draining behind a real HAProxy with the shipped configuration
// (installer/linux/haproxy-conversa.cfg): two conversa-server instances, one of them gets
// SIGTERM. It answers /healthz with 503 and refuses new sessions at once, closes its sessions
// with 1001 spread over the first half of drain_seconds after acknowledging what they sent, and
// exits; its clients reconnect through HAProxy and land on the other instance, and nobody who
// connects meanwhile sees the draining one.
// (Both instances start from a copy of one SQLite folder, so one token signs in on either.)
#include "ConversaTest.h"
#include "HaproxyProcess.h"
#include "HttpProbe.h"
#include "TestCertificates.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
const QString kPassword = u"drain-Secret-5"_s;
constexpr int kClients = 60;
constexpr int kDrainSeconds = 4;

bool copyFolder(const QString &from, const QString &to)
{
    QDir source(from);
    if (!QDir().mkpath(to))
        return false;
    for (const QFileInfo &entry : source.entryInfoList(QDir::NoDotAndDotDot | QDir::AllEntries)) {
        const QString target = QDir(to).filePath(entry.fileName());
        if (entry.isDir() ? !copyFolder(entry.filePath(), target)
                          : !QFile::copy(entry.filePath(), target))
            return false;
    }
    return true;
}

struct Connected {
    std::unique_ptr<TestClient> client;
    QString instance;
    qint64 closedAtMs = -1;
};
} // namespace

class tst_cluster_drain : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (HaproxyProcess::executable().isEmpty()) {
            // CI installs haproxy (scripts/lib.sh): there a missing one is a failure.
            if (qEnvironmentVariable("CI") == u"true"_s)
                QFAIL("haproxy is not installed (apt-get install haproxy)");
            QSKIP("haproxy is not installed (apt-get install haproxy)");
        }
        QVERIFY2(m_certs.generate(), qPrintable(m_certs.errorString()));
        m_options.ssl = m_certs.clientConfiguration();
    }

    void sigterm_drainsWhileTheOtherInstanceTakesOver()
    {
        // One database, copied: the token is valid on both instances.
        ServerProcess first;
        QVERIFY(first.addUser(u"alice"_s, kPassword));
        QVERIFY(first.createRoom(u"general"_s, u"General"_s));
        QVERIFY2(first.start(), qPrintable(first.diagnostics()));
        QString why;
        auto signIn = openWithLogin(first.url(), u"alice"_s, kPassword, &why);
        QVERIFY2(signIn, qPrintable(why));
        VERIFY_OK(signIn->join(u"general"_s));
        const QString token = signIn->token();
        signIn.reset();
        QCOMPARE(first.terminate(), 0);
        QTemporaryDir copy;
        QVERIFY(copyFolder(first.dataDir(), copy.filePath(u"b"_s)));

        const QStringList common = {u"--trusted-proxies"_s,
                                    u"127.0.0.1"_s,
                                    u"--proxy-protocol"_s,
                                    u"true"_s,
                                    u"--drain-seconds"_s,
                                    QString::number(kDrainSeconds),
                                    u"--max-connections-per-address"_s,
                                    u"1000"_s,
                                    u"--messages-per-second"_s,
                                    u"1000"_s,
                                    u"--message-burst"_s,
                                    u"1000"_s};
        ServerProcess &a = first;
        ServerProcess b(copy.filePath(u"b"_s));
        QVERIFY2(a.start(common + QStringList{u"--instance-name"_s, u"chat-a"_s}),
                 qPrintable(a.diagnostics()));
        QVERIFY2(b.start(common + QStringList{u"--instance-name"_s, u"chat-b"_s}),
                 qPrintable(b.diagnostics()));
        HaproxyProcess haproxy;
        const QString pem = haproxy.writePem(m_certs.serverCertificate(), m_certs.serverKey());
        QVERIFY2(haproxy.start(pem, {a.port(), b.port()}), qPrintable(haproxy.log()));

        // Both instances up in HAProxy's eyes: leastconn hands out both.
        std::vector<Connected> clients;
        QSet<QString> seen;
        QElapsedTimer clock;
        clock.start();
        while (clients.size() < size_t(kClients) && clock.elapsed() < 30000) {
            Connected c{std::make_unique<TestClient>(), {}, -1};
            if (!c.client->open(haproxy.url(), m_options)) {
                QTest::qWait(100);
                continue;
            }
            const QJsonObject reply = c.client->auth(token);
            VERIFY_OK(reply);
            c.instance = reply.value("instance"_L1).toString();
            seen.insert(c.instance);
            clients.push_back(std::move(c));
        }
        QCOMPARE(int(clients.size()), kClients);
        QCOMPARE(seen, (QSet<QString>{u"chat-a"_s, u"chat-b"_s}));
        int onA = 0;
        for (const Connected &c : clients)
            onA += c.instance == u"chat-a"_s;
        QVERIFY2(onA >= 20, qPrintable(u"only %1 of %2 on chat-a"_s.arg(onA).arg(kClients)));

        // Every client on chat-a has sends on their way when SIGTERM comes.
        QHash<QString, QString> sentBy; // cid -> which client
        int next = 0;
        for (size_t i = 0; i < clients.size(); ++i) {
            if (clients[i].instance != u"chat-a"_s)
                continue;
            for (int k = 0; k < 5; ++k) {
                const QString cid = u"drain-%1"_s.arg(++next);
                clients[i].client->post({{"type"_L1, "send"_L1},
                                         {"room"_L1, "general"_L1},
                                         {"cid"_L1, cid},
                                         {"body"_L1, u"before the drain %1"_s.arg(next)}});
                sentBy.insert(cid, QString::number(i));
            }
        }
        QElapsedTimer drain;
        drain.start();
        QCOMPARE(::kill(pid_t(a.pid()), SIGTERM), 0);

        // At once: the draining instance tells the balancer, and refuses new sessions.
        QVERIFY(waitUntil([&] { return httpGet(a.httpUrl(u"/healthz"_s)).status == 503; }, 1000));
        const HttpResponse refused = httpGet(a.httpUrl(u"/ws"_s), webSocketUpgradeHeaders());
        QCOMPARE(refused.status, 503);
        QCOMPARE(httpGet(b.httpUrl(u"/healthz"_s)).status, 200);

        // Clients closed with 1001 reconnect through HAProxy at once and land on chat-b; ten
        // newcomers during the drain never see chat-a (nor a 503: HAProxy retried elsewhere).
        std::vector<Connected> reconnected;
        std::vector<Connected> newcomers;
        int newcomerFailures = 0;
        QStringList problems;
        const bool drained = waitUntil(
            [&] {
                for (Connected &c : clients) {
                    if (c.instance != u"chat-a"_s || c.closedAtMs >= 0 ||
                        !c.client->wasDisconnected())
                        continue;
                    c.closedAtMs = drain.elapsed();
                    if (c.client->closeCode() != 1001)
                        problems.append(c.client->diagnostics());
                    Connected again{std::make_unique<TestClient>(), {}, -1};
                    if (!again.client->open(haproxy.url(), m_options)) {
                        problems.append(u"reconnect failed: "_s + again.client->errorString());
                        continue;
                    }
                    const QJsonObject reply = again.client->auth(token);
                    again.instance = reply.value("instance"_L1).toString();
                    if (!TestClient::isOk(reply) || again.instance != u"chat-b"_s)
                        problems.append(u"reconnect answered "_s + TestClient::toText(reply));
                    reconnected.push_back(std::move(again));
                }
                if (newcomers.size() < 10) {
                    Connected c{std::make_unique<TestClient>(), {}, -1};
                    if (c.client->open(haproxy.url(), m_options)) {
                        const QJsonObject reply = c.client->auth(token);
                        c.instance = reply.value("instance"_L1).toString();
                        if (c.instance != u"chat-b"_s)
                            problems.append(u"newcomer answered "_s + TestClient::toText(reply));
                        newcomers.push_back(std::move(c));
                    } else {
                        ++newcomerFailures;
                    }
                }
                return int(reconnected.size()) == onA && newcomers.size() >= 10;
            },
            (kDrainSeconds + 5) * 1000);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QVERIFY2(drained,
                 qPrintable(u"%1 of %2 reconnected; %3 newcomers; "_s.arg(reconnected.size())
                                .arg(onA)
                                .arg(newcomers.size()) +
                            haproxy.log()));
        QCOMPARE(newcomerFailures, 0);

        // Spread over the first half of drain_seconds, not all at once and not beyond.
        qint64 firstClose = std::numeric_limits<qint64>::max();
        qint64 lastClose = 0;
        for (const Connected &c : clients) {
            if (c.instance != u"chat-a"_s)
                continue;
            firstClose = qMin(firstClose, c.closedAtMs);
            lastClose = qMax(lastClose, c.closedAtMs);
        }
        QVERIFY2(lastClose - firstClose >= 250,
                 qPrintable(u"closes from %1 to %2 ms"_s.arg(firstClose).arg(lastClose)));
        QVERIFY2(lastClose <= kDrainSeconds * 1000,
                 qPrintable(u"closes from %1 to %2 ms"_s.arg(firstClose).arg(lastClose)));
        // chat-b kept its clients.
        for (const Connected &c : clients) {
            if (c.instance == u"chat-b"_s)
                QVERIFY2(c.client->isConnected(), qPrintable(c.client->diagnostics()));
        }

        // It exits on its own, cleanly, within drain_seconds.
        QVERIFY(waitUntil([&] { return !a.isRunning(); }, kDrainSeconds * 1000 + 2000));
        QCOMPARE(a.exitCode(), 0);
        QVERIFY2(drain.elapsed() <= kDrainSeconds * 1000 + 1000,
                 qPrintable(u"exited after %1 ms"_s.arg(drain.elapsed())));
        const QString log = a.diagnostics(1024 * 1024);
        QVERIFY2(log.contains(u"event=drain sessions=%1"_s.arg(onA)), qPrintable(log));

        // Each sender got an answer for all five sends before its 1001, and those are stored.
        QSet<QString> acked;
        for (const Connected &c : clients) {
            if (c.instance != u"chat-a"_s)
                continue;
            for (const QJsonObject &reply : c.client->pendingReplies()) {
                VERIFY_OK(reply);
                acked.insert(reply.value("cid"_L1).toString());
            }
        }
        // (Sends still on the wire when a session's turn came are not answered; a client sends
        // them again elsewhere with the same cid.)
        QVERIFY2(acked.size() * 2 >= sentBy.size(),
                 qPrintable(u"%1 of %2 acknowledged"_s.arg(acked.size()).arg(sentBy.size())));
        QVERIFY2(a.restart(), qPrintable(a.diagnostics()));
        auto reader = openWithToken(a.url(), token, &why);
        QVERIFY2(reader, qPrintable(why));
        QSet<QString> stored;
        const QJsonObject page = reader->sync(u"general"_s, 0, 500);
        VERIFY_OK(page);
        for (const QJsonObject &message : messagesOf(page))
            stored.insert(message.value("cid"_L1).toString());
        QCOMPARE(stored, acked);
    }

private:
    TestCertificates m_certs;
    ClientOptions m_options;
};

QTEST_GUILESS_MAIN(tst_cluster_drain)
#include "tst_cluster_drain.moc"
