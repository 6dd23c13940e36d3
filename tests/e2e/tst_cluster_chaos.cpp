// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The cluster under chaos: a real PostgreSQL, three conversa-server instances
// (storage=postgresql) behind a real HAProxy with the shipped configuration. Clients that do
// what the protocol asks of them (resend every unacknowledged message with the same cid after a
// reconnect, resume each room from the last seq they hold) send thousands of messages through
// HAProxy while instances are killed with SIGKILL in turn and restarted, one is drained with
// SIGTERM, HAProxy reloads and PostgreSQL restarts. Afterwards every acknowledged message is
// stored exactly once, seqs are gapless, every client holds every message of its rooms exactly
// once and in order, and the clients were served by more than one instance.
#include "ConversaTest.h"
#include "HaproxyProcess.h"
#include "PostgresServer.h"
#include "TestCertificates.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <csignal>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace conversa::test;

namespace {
constexpr int kClients = 6;
constexpr int kMessagesPerClient = 500;
constexpr int kSendEveryMs = 60; // per client: ~100 messages/s through the cluster
constexpr int kWindow = 16;      // unacknowledged sends per client
const QStringList kRooms = {u"red"_s, u"blue"_s};

QString password(int i)
{
    return u"chaos-Secret-%1"_s.arg(i);
}

// One client as the protocol wants it: an outbox resent with the same cids after every
// reconnect, and per room the log it holds, extended only with the next seq (live events, its
// own acknowledgements, sync pages), so it can only ever hold each message once and in order.
class ChaosClient : public QObject
{
public:
    ChaosClient(QString user, QString token, QUrl url, QSslConfiguration ssl)
        : m_user(std::move(user))
        , m_token(std::move(token))
        , m_url(std::move(url))
        , m_ssl(std::move(ssl))
    {
        for (int i = 0; i < kMessagesPerClient; ++i)
            m_unsent.append(i);
        m_sendTimer.setInterval(kSendEveryMs);
        connect(&m_sendTimer, &QTimer::timeout, this, [this] { sendSome(1); });
        m_reconnectTimer.setSingleShot(true);
        connect(&m_reconnectTimer, &QTimer::timeout, this, &ChaosClient::open);
    }

    void open()
    {
        m_socket = std::make_unique<QWebSocket>();
        m_socket->setSslConfiguration(m_ssl);
        connect(m_socket.get(), &QWebSocket::connected, this, [this] {
            request({{"type"_L1, "auth"_L1}, {"token"_L1, m_token}},
                    [this](const QJsonObject &reply) { onAuth(reply); });
        });
        connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &ChaosClient::onText);
        connect(m_socket.get(), &QWebSocket::disconnected, this, &ChaosClient::onDisconnected,
                Qt::QueuedConnection);
        ++m_connects;
        m_socket->open(m_url);
    }

    bool doneSending() const { return m_acked.size() == kMessagesPerClient; }
    const QList<QJsonObject> &log(const QString &room) const { return m_log[room]; }
    qint64 last(const QString &room) const { return m_log[room].size(); }
    QSet<QString> instances() const { return m_instances; }
    QHash<QString, std::pair<QString, qint64>> acked() const { return m_acked; } // cid->room,seq
    int connects() const { return m_connects; }
    // Others' messages that arrived as live events (the rest came through sync).
    int takenLive() const { return m_takenLive; }
    QString user() const { return m_user; }
    QStringList problems() const { return m_problems; }
    void stopSending() { m_sendTimer.stop(); }
    // Asks every room for what it lacks (the end of the run: nothing more will be sent).
    void syncAll()
    {
        if (m_online)
            for (const QString &room : kRooms)
                sync(room);
    }

private:
    using Handler = std::function<void(const QJsonObject &)>;

    void request(QJsonObject frame, Handler handler)
    {
        const qint64 id = ++m_lastId;
        frame.insert("id"_L1, id);
        m_pending.insert(id, std::move(handler));
        m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    }

    void onAuth(const QJsonObject &reply)
    {
        if (reply.value("type"_L1).toString() != "ok"_L1) {
            m_socket->abort(); // e.g. internal while PostgreSQL restarts: try again
            return;
        }
        m_instances.insert(reply.value("instance"_L1).toString());
        m_online = true;
        for (const QString &room : kRooms)
            sync(room);
        // Everything sent and not acknowledged goes again, with its cid, in order.
        for (int index : std::exchange(m_inFlight, {}))
            m_unsent.prepend(index);
        std::sort(m_unsent.begin(), m_unsent.end());
        m_sendTimer.start();
    }

    void sync(const QString &room)
    {
        if (m_syncing.contains(room))
            return;
        m_syncing.insert(room);
        request({{"type"_L1, "sync"_L1},
                 {"room"_L1, room},
                 {"after"_L1, last(room)},
                 {"limit"_L1, 500}},
                [this, room](const QJsonObject &reply) {
                    m_syncing.remove(room);
                    if (reply.value("type"_L1).toString() != "ok"_L1) {
                        QTimer::singleShot(300, this, [this, room] {
                            if (m_online)
                                sync(room);
                        });
                        return;
                    }
                    for (const QJsonValue &m : reply.value("messages"_L1).toArray())
                        take(m.toObject());
                    if (reply.value("more"_L1).toBool())
                        sync(room);
                });
    }

    // Extends the room's log when `message` is the next seq; a gap asks the server for it.
    void take(const QJsonObject &message, bool live = false)
    {
        const QString room = message.value("room"_L1).toString();
        const qint64 seq = message.value("seq"_L1).toInteger();
        if (seq == last(room) + 1) {
            m_log[room].append(message);
            m_takenLive += live;
        } else if (seq > last(room) + 1)
            sync(room);
    }

    void sendSome(int count)
    {
        if (!m_online)
            return;
        while (count-- > 0 && !m_unsent.isEmpty() && m_inFlight.size() < kWindow) {
            const int index = m_unsent.takeFirst();
            m_inFlight.insert(index);
            const QString room = kRooms.at(index % kRooms.size());
            const QString cid = u"%1-%2"_s.arg(m_user).arg(index);
            const QString body = u"message %1 of %2"_s.arg(index).arg(m_user);
            request({{"type"_L1, "send"_L1}, {"room"_L1, room}, {"cid"_L1, cid}, {"body"_L1, body}},
                    [this, index, room, cid, body](const QJsonObject &reply) {
                        if (!m_inFlight.remove(index))
                            return;
                        if (reply.value("type"_L1).toString() != "ok"_L1) {
                            // internal (database restarting) or rate_limited: again, later.
                            m_unsent.prepend(index);
                            std::sort(m_unsent.begin(), m_unsent.end());
                            return;
                        }
                        const qint64 seq = reply.value("seq"_L1).toInteger();
                        if (m_acked.contains(cid) && m_acked.value(cid).second != seq)
                            m_problems.append(u"%1 acknowledged as %2 and as %3"_s.arg(cid)
                                                  .arg(m_acked.value(cid).second)
                                                  .arg(seq));
                        m_acked.insert(cid, {room, seq});
                        take({{"room"_L1, room},
                              {"seq"_L1, seq},
                              {"cid"_L1, cid},
                              {"from"_L1, m_user},
                              {"body"_L1, body}});
                    });
        }
    }

    void onText(const QString &text)
    {
        const QJsonObject frame = QJsonDocument::fromJson(text.toUtf8()).object();
        if (frame.contains("re"_L1)) {
            const Handler handler = m_pending.take(frame.value("re"_L1).toInteger());
            if (handler)
                handler(frame);
            return;
        }
        if (frame.value("type"_L1).toString() == "message"_L1)
            take(frame, true);
    }

    void onDisconnected()
    {
        m_online = false;
        m_sendTimer.stop();
        m_pending.clear();
        m_syncing.clear();
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket.release()->deleteLater();
        }
        // 1001 (drain) means "go elsewhere now"; anything else after a short pause.
        m_reconnectTimer.start(50 + int(QRandomGenerator::global()->bounded(200)));
    }

    QString m_user;
    QString m_token;
    QUrl m_url;
    QSslConfiguration m_ssl;
    std::unique_ptr<QWebSocket> m_socket;
    QTimer m_sendTimer;
    QTimer m_reconnectTimer;
    bool m_online = false;
    qint64 m_lastId = 0;
    QHash<qint64, Handler> m_pending;
    QList<int> m_unsent;
    QSet<int> m_inFlight;
    QHash<QString, std::pair<QString, qint64>> m_acked;
    mutable QHash<QString, QList<QJsonObject>> m_log;
    QSet<QString> m_syncing;
    QSet<QString> m_instances;
    QStringList m_problems;
    int m_connects = 0;
    int m_takenLive = 0;
};
} // namespace

class tst_cluster_chaos : public QObject
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
        if (!PostgresServer::isInstalled()) {
            if (PostgresServer::mustRun())
                QFAIL(qPrintable(PostgresServer::whyUnavailable()));
            QSKIP(qPrintable(PostgresServer::whyUnavailable()));
        }
        QVERIFY2(m_certs.generate(), qPrintable(m_certs.errorString()));
    }

    void killDrainReloadRestart_losesAndDuplicatesNothing()
    {
        PostgresServer postgres;
        QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
        const QString url = postgres.createDatabase(u"chaos"_s);
        QVERIFY2(!url.isEmpty(), qPrintable(postgres.errorString()));

        std::vector<std::unique_ptr<ServerProcess>> instances;
        QList<quint16> ports;
        for (int i = 0; i < 3; ++i) {
            instances.push_back(std::make_unique<ServerProcess>());
            instances.back()->setDatabaseUrl(url);
            ports.append(freeLoopbackPort());
        }
        ServerProcess &first = *instances.front();
        for (int i = 0; i < kClients; ++i)
            QVERIFY2(first.addUser(u"user%1"_s.arg(i), password(i)),
                     qPrintable(first.lastAdminError()));
        for (const QString &room : kRooms)
            QVERIFY2(first.createRoom(room), qPrintable(first.lastAdminError()));
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(instances[i]->start(
                         {u"--instance-name"_s, u"chat%1"_s.arg(i + 1), u"--trusted-proxies"_s,
                          u"127.0.0.1"_s, u"--proxy-protocol"_s, u"true"_s, u"--drain-seconds"_s,
                          u"2"_s, u"--messages-per-second"_s, u"1000"_s, u"--message-burst"_s,
                          u"1000"_s, u"--max-connections-per-address"_s, u"1000"_s},
                         ports[i]),
                     qPrintable(instances[i]->diagnostics()));
        }
        // Sign in once each (directly) and join both rooms.
        QStringList tokens;
        for (int i = 0; i < kClients; ++i) {
            QString why;
            auto client = openWithLogin(first.url(), u"user%1"_s.arg(i), password(i), &why);
            QVERIFY2(client, qPrintable(why));
            for (const QString &room : kRooms)
                VERIFY_OK(client->join(room));
            tokens.append(client->token());
        }

        HaproxyProcess haproxy;
        const QString pem = haproxy.writePem(m_certs.serverCertificate(), m_certs.serverKey());
        QVERIFY2(haproxy.start(pem, ports), qPrintable(haproxy.log()));
        // Every instance up in HAProxy's eyes before the clients come.
        QVERIFY(waitUntil(
            [&] {
                QSet<QString> seen;
                for (int k = 0; k < 6; ++k) {
                    TestClient probe;
                    ClientOptions options;
                    options.ssl = m_certs.clientConfiguration();
                    if (probe.open(haproxy.url(), options))
                        seen.insert(probe.auth(tokens.first()).value("instance"_L1).toString());
                }
                return seen.size() == 3;
            },
            20000));

        std::vector<std::unique_ptr<ChaosClient>> clients;
        for (int i = 0; i < kClients; ++i) {
            clients.push_back(std::make_unique<ChaosClient>(
                u"user%1"_s.arg(i), tokens.at(i), haproxy.url(), m_certs.clientConfiguration()));
            clients.back()->open();
        }

        // The chaos, one step every 4 s while the clients send.
        const auto killAndRestart = [&](int i) {
            instances[i]->kill();
            QTest::qWait(1000);
            return instances[i]->restart();
        };
        QStringList steps;
        QElapsedTimer clock;
        clock.start();
        const QList<std::function<bool()>> chaos = {
            [&] {
                steps << u"kill chat1"_s;
                return killAndRestart(0);
            },
            [&] {
                steps << u"kill chat2"_s;
                return killAndRestart(1);
            },
            [&] {
                steps << u"drain chat3"_s;
                ::kill(pid_t(instances[2]->pid()), SIGTERM);
                if (!waitUntil([&] { return !instances[2]->isRunning(); }, 8000))
                    return false;
                return instances[2]->exitCode() == 0 && instances[2]->restart();
            },
            [&] {
                steps << u"reload haproxy"_s;
                return haproxy.reload();
            },
            [&] {
                steps << u"restart postgresql"_s;
                // A fast shutdown: the test cluster runs with synchronous_commit=off, so an
                // immediate one would lose commits that were already acknowledged.
                return postgres.stop() && (QTest::qWait(1000), postgres.restart());
            },
            [&] {
                steps << u"kill chat3"_s;
                return killAndRestart(2);
            },
            [&] {
                steps << u"kill chat1 again"_s;
                return killAndRestart(0);
            },
        };
        for (const auto &step : chaos) {
            QTest::qWait(4000);
            QVERIFY2(step(), qPrintable(steps.join(u", "_s) + u"\n"_s + haproxy.log().right(3000)));
        }
        QVERIFY2(waitUntil(
                     [&] {
                         for (auto &c : clients) {
                             if (!c->doneSending())
                                 return false;
                         }
                         return true;
                     },
                     90000),
                 qPrintable(describe(clients)));
        for (auto &c : clients)
            c->stopSending();

        // The database: per room seqs 1..n, each (user, cid) once.
        QHash<QString, qint64> lastOf;
        for (const QString &room : kRooms) {
            const QString sql =
                u"SELECT count(*), coalesce(max(seq), 0), count(DISTINCT (user_id, cid)) FROM "
                "messages m JOIN rooms r ON r.id = m.room_id WHERE r.name = '%1'"_s.arg(room);
            const QStringList row = postgres.psql(u"chaos"_s, sql).trimmed().split(u'|');
            QCOMPARE(row.size(), 3);
            QCOMPARE(row[0], row[1]); // gapless from 1
            QCOMPARE(row[0], row[2]); // no cid twice
            lastOf.insert(room, row[1].toLongLong());
        }
        qint64 total = 0;
        for (const QString &room : kRooms)
            total += lastOf.value(room);
        QCOMPARE(total, qint64(kClients) * kMessagesPerClient);

        // Every client catches up and holds exactly the database's log.
        QVERIFY2(waitUntil(
                     [&] {
                         for (auto &c : clients) {
                             c->syncAll();
                             for (const QString &room : kRooms) {
                                 if (c->last(room) != lastOf.value(room))
                                     return false;
                             }
                         }
                         return true;
                     },
                     30000),
                 qPrintable(describe(clients)));
        QHash<QString, QHash<qint64, QString>> stored; // room -> seq -> cid
        for (const QString &room : kRooms) {
            const QString rows = postgres.psql(
                u"chaos"_s, u"SELECT m.seq, m.cid FROM messages m JOIN rooms r ON r.id = m.room_id "
                            "WHERE r.name = '%1' ORDER BY m.seq"_s.arg(room));
            for (const QString &line : rows.split(u'\n', Qt::SkipEmptyParts)) {
                const QStringList cells = line.split(u'|');
                stored[room].insert(cells.value(0).toLongLong(), cells.value(1));
            }
        }
        QSet<QString> servedBy;
        for (auto &c : clients) {
            QVERIFY2(c->problems().isEmpty(), qPrintable(c->problems().join(u'\n')));
            servedBy.unite(c->instances());
            for (const QString &room : kRooms) {
                const QList<QJsonObject> &log = c->log(room);
                for (qsizetype k = 0; k < log.size(); ++k) {
                    QCOMPARE(log[k].value("seq"_L1).toInteger(), k + 1);
                    QCOMPARE(log[k].value("cid"_L1).toString(), stored[room].value(k + 1));
                }
            }
            // Most of the others' messages arrived live, across instances: sync only filled in
            // around reconnects.
            const int others = int(total) - kMessagesPerClient;
            QVERIFY2(c->takenLive() * 2 > others,
                     qPrintable(u"%1 got %2 of %3 others' messages live"_s.arg(c->user())
                                    .arg(c->takenLive())
                                    .arg(others)));
            // Each acknowledgement names the stored message.
            const auto acked = c->acked();
            for (auto it = acked.cbegin(); it != acked.cend(); ++it)
                QCOMPARE(stored[it->first].value(it->second), it.key());
        }
        qInfo("%s; served by %s; %lld ms", qPrintable(describe(clients)),
              qPrintable(QStringList(servedBy.cbegin(), servedBy.cend()).join(u',')),
              clock.elapsed());
        QVERIFY2(servedBy.size() > 1, qPrintable(describe(clients)));
    }

private:
    static QString describe(const std::vector<std::unique_ptr<ChaosClient>> &clients)
    {
        QStringList parts;
        for (const auto &c : clients)
            parts << u"%1: %2 acked, %3 connects, %6 live, logs %4/%5"_s.arg(c->user())
                         .arg(c->acked().size())
                         .arg(c->connects())
                         .arg(c->last(kRooms[0]))
                         .arg(c->last(kRooms[1]))
                         .arg(c->takenLive());
        return parts.join(u"; "_s);
    }

    TestCertificates m_certs;
};

QTEST_GUILESS_MAIN(tst_cluster_chaos)
#include "tst_cluster_chaos.moc"
