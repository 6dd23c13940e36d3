// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-search-bench: how fast a real conversa-server answers `search` over a large history.
// It fills a data folder (1,000,000 messages by default, in 100 rooms over the last week, words
// drawn from a 50,000-word vocabulary with Zipf's law, as text is) through the server's own
// schema and index code, starts conversa-server on it, signs in 20 users (each in 50 of the
// rooms) and times searches of several shapes from the client's side: send to answer, over the
// WebSocket. Prints p50/p99/max per shape. See bench/README.md.
//
//   conversa-search-bench [--messages N] [--searches N] [--data DIR] [--postgresql]
//
// With --data DIR an existing filled folder is reused (filling 1,000,000 messages takes a few
// minutes); otherwise a temporary one is made and removed.

#include "PostgresServer.h"
#include "ServerProcess.h"
#include "TestClient.h"
#include "storage/Database.h"
#include "storage/PostgresArrays.h"
#include "storage/SearchIndex.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace Qt::StringLiterals;
using conversa::test::ServerProcess;
using conversa::test::TestClient;

namespace {

constexpr int kRooms = 100;
constexpr int kUsers = 20;
constexpr int kVocabulary = 50'000;
constexpr qint64 kSpacingMs = 600; // 1,000,000 messages: about a week
const QString kPassword = u"search-bench-password"_s;

// A pronounceable word for each rank; rank 0 is the most common.
QString wordOf(int rank)
{
    static const char *const syllables[] = {"ka", "lo", "mi", "ne", "ru", "ta", "vo", "si",
                                            "de", "pa", "gu", "fe", "ho", "ji", "be", "zo"};
    QString word;
    int n = rank;
    do {
        word += QLatin1StringView(syllables[n % 16]);
        n /= 16;
    } while (n > 0);
    return word + u"x"_s; // every word at least 3 letters, none a prefix-collision of another
}

// Ranks drawn with P(r) ∝ 1 / (r + 1): a cumulative table and a binary search.
class ZipfWords
{
public:
    ZipfWords()
    {
        m_cumulative.reserve(kVocabulary);
        double sum = 0;
        for (int r = 0; r < kVocabulary; ++r)
            m_cumulative.push_back(sum += 1.0 / (r + 1));
    }
    int draw(QRandomGenerator &random) const
    {
        const double x = random.generateDouble() * m_cumulative.back();
        return int(std::lower_bound(m_cumulative.begin(), m_cumulative.end(), x) -
                   m_cumulative.begin());
    }

private:
    std::vector<double> m_cumulative;
};

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

bool exec(QSqlQuery &query, const QString &sql)
{
    if (query.exec(sql))
        return true;
    out() << "fill failed: " << sql << ": " << query.lastError().text() << Qt::endl;
    return false;
}

// Rooms, memberships, messages and their index rows, written straight into the database the
// way the server's writer would (SearchIndexWriter), in large transactions.
bool fill(const conversa::server::StorageLocation &location, qint64 messages)
{
    conversa::server::Database database;
    if (const QString error = database.open(location, u"bench-fill"_s); !error.isEmpty()) {
        out() << "cannot open " << location.describe() << ": " << error << Qt::endl;
        return false;
    }
    const bool postgres = database.isPostgres();
    QSqlQuery query(database.db());
    if (!postgres && (!exec(query, u"PRAGMA synchronous=OFF"_s) ||
                      !exec(query, u"PRAGMA cache_size=-1000000"_s)))
        return false;
    QList<qint64> userIds;
    if (!exec(query, u"SELECT id FROM users ORDER BY name"_s))
        return false;
    while (query.next())
        userIds.append(query.value(0).toLongLong());
    if (userIds.size() != kUsers) {
        out() << "expected " << kUsers << " users, found " << userIds.size() << Qt::endl;
        return false;
    }
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - messages * kSpacingMs;
    if (!exec(query, u"BEGIN"_s))
        return false;
    QList<QList<qint64>> membersOfRoom(kRooms);
    for (int r = 0; r < kRooms; ++r) {
        query.prepare(u"INSERT INTO rooms (id, name, title, created_ms, last_seq) VALUES (?, ?, ?, "
                      "?, ?)"_s);
        query.addBindValue(r + 1);
        query.addBindValue(u"room%1"_s.arg(r));
        query.addBindValue(u"Room %1"_s.arg(r));
        query.addBindValue(start);
        query.addBindValue((messages - r + kRooms - 1) / kRooms);
        if (!query.exec())
            return exec(query, u"INSERT INTO rooms"_s);
        // User k is in the rooms of k's parity: 50 rooms each, 10 members per room.
        for (int k = 0; k < kUsers; ++k) {
            if ((r + k) % 2 != 0)
                continue;
            membersOfRoom[r].append(userIds.at(k));
            query.prepare(u"INSERT INTO members (room_id, user_id, joined_ms) VALUES (?, ?, ?)"_s);
            query.addBindValue(r + 1);
            query.addBindValue(userIds.at(k));
            query.addBindValue(start);
            if (!query.exec())
                return exec(query, u"INSERT INTO members"_s);
        }
    }
    conversa::server::SearchIndexWriter index;
    index.prepare(database.db(), postgres);
    QSqlQuery insert(database.db());
    insert.prepare(u"INSERT INTO messages (room_id, seq, user_id, cid, ts, body) VALUES (?, ?, ?, "
                   "?, ?, ?)"_s);
    // PostgreSQL: a few thousand messages per statement (a round trip each), as the writer does.
    QSqlQuery insertMany(database.db());
    insertMany.prepare(u"INSERT INTO messages (room_id, seq, user_id, cid, ts, body) SELECT * "
                       "FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], "
                       "?::bigint[], ?::text[])"_s);
    QList<conversa::server::IndexedMessage> pending;
    QList<qint64> pendingUsers;
    const auto flush = [&] {
        if (pending.isEmpty())
            return true;
        QList<qint64> rooms, seqs, tss;
        QStringList cids, bodies;
        for (const auto &m : std::as_const(pending)) {
            rooms.append(m.roomId);
            seqs.append(m.seq);
            tss.append(m.ts);
            cids.append(u"bench-%1-%2"_s.arg(m.roomId).arg(m.seq));
            bodies.append(m.body);
        }
        namespace pg = conversa::server::postgres;
        const QVariantList values{pg::bigintArray(rooms),        pg::bigintArray(seqs),
                                  pg::bigintArray(pendingUsers), pg::textArray(cids),
                                  pg::bigintArray(tss),          pg::textArray(bodies)};
        for (int v = 0; v < values.size(); ++v)
            insertMany.bindValue(v, values.at(v));
        if (!insertMany.exec() || !index.addAll(pending)) {
            out() << "fill failed: " << insertMany.lastError().text() << " " << index.lastError()
                  << Qt::endl;
            return false;
        }
        insertMany.finish();
        pending.clear();
        pendingUsers.clear();
        return true;
    };
    const ZipfWords zipf;
    QRandomGenerator random(12345);
    QElapsedTimer clock;
    clock.start();
    for (qint64 i = 0; i < messages; ++i) {
        const int room = int(i % kRooms);
        const qint64 seq = i / kRooms + 1;
        const qint64 ts = start + i * kSpacingMs;
        const int words = 4 + int(random.bounded(14));
        QStringList body;
        for (int w = 0; w < words; ++w)
            body.append(wordOf(zipf.draw(random)));
        const QString text = body.join(u' ');
        const QList<qint64> &members = membersOfRoom.at(room);
        const qint64 author = members.at(int(random.bounded(members.size())));
        if (postgres) {
            pending.append({room + 1, seq, ts, text});
            pendingUsers.append(author);
            if (pending.size() >= 5000 && !flush())
                return false;
        } else {
            const QVariantList values{
                room + 1, seq, author, u"bench-%1-%2"_s.arg(room + 1).arg(seq), ts, text};
            for (int v = 0; v < values.size(); ++v)
                insert.bindValue(v, values.at(v));
            if (!insert.exec() || !index.add(room + 1, seq, ts, text)) {
                out() << "fill failed at message " << i << ": " << insert.lastError().text() << " "
                      << index.lastError() << Qt::endl;
                return false;
            }
        }
        if ((i + 1) % 100'000 == 0) {
            if (!flush() || !exec(query, u"COMMIT"_s) || !exec(query, u"BEGIN"_s))
                return false;
            out() << "  " << (i + 1) << " messages, " << clock.elapsed() / 1000 << " s" << Qt::endl;
        }
    }
    return flush() && exec(query, u"COMMIT"_s) && exec(query, u"ANALYZE"_s);
}

struct Shape {
    QString name;
    QJsonObject frame;
};

double percentile(std::vector<double> sorted, double p)
{
    if (sorted.empty())
        return 0;
    std::sort(sorted.begin(), sorted.end());
    const size_t index = std::min(sorted.size() - 1, size_t(std::ceil(p * sorted.size())) - 1);
    return sorted[index];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Times conversa-server's search over a large history."_s);
    parser.addHelpOption();
    parser.addOption({u"messages"_s, u"Messages to fill the server with."_s, u"N"_s, u"1000000"_s});
    parser.addOption({u"searches"_s, u"Searches per query shape."_s, u"N"_s, u"200"_s});
    parser.addOption({u"data"_s, u"Reuse (or fill and keep) this data folder."_s, u"DIR"_s});
    parser.addOption({u"database-url"_s,
                      u"Search this PostgreSQL database, filled before (e.g. by 'conversa-server "
                      "migrate --from-sqlite' of a --data folder)."_s,
                      u"URL"_s});
    parser.addOption({u"postgresql"_s, u"Store in a throwaway PostgreSQL cluster (fsync off, "
                                       "as the tests') instead of SQLite."_s});
    parser.process(app);
    const qint64 messages = parser.value(u"messages"_s).toLongLong();
    const int searches = parser.value(u"searches"_s).toInt();
    if (messages < kRooms || searches < 1) {
        out() << "--messages must be at least " << kRooms << " and --searches at least 1"
              << Qt::endl;
        return 2;
    }

    // ServerProcess finds its binary there, unless the caller points elsewhere.
    if (qEnvironmentVariableIsEmpty("CONVERSA_SERVER_BIN"))
        qputenv("CONVERSA_SERVER_BIN", QByteArrayLiteral(CONVERSA_SERVER_BIN));
    QTemporaryDir temporary;
    const QString dataDir = parser.isSet(u"data"_s) ? parser.value(u"data"_s) : temporary.path();
    const bool postgresql = parser.isSet(u"postgresql"_s);
    const QString databaseUrl = parser.value(u"database-url"_s);
    const bool reuse =
        !databaseUrl.isEmpty() ||
        (!postgresql && QFile::exists(QDir(dataDir).filePath(u"search-bench-filled"_s)));
    ServerProcess server(dataDir);
    if (!server.isValid()) {
        out() << server.errorString() << Qt::endl;
        return 1;
    }
    std::unique_ptr<conversa::test::PostgresServer> postgres;
    auto location = conversa::server::StorageLocation::sqlite(dataDir);
    if (postgresql) {
        postgres = std::make_unique<conversa::test::PostgresServer>();
        const QString url =
            postgres->start() ? postgres->createDatabase(u"searchbench"_s) : QString();
        if (url.isEmpty()) {
            out() << "PostgreSQL: " << postgres->errorString() << Qt::endl;
            return 1;
        }
        server.setDatabaseUrl(url);
        location = conversa::server::StorageLocation::postgresql(url);
    }
    if (!reuse) {
        out() << "filling " << dataDir << " with " << messages << " messages in " << kRooms
              << " rooms" << Qt::endl;
        for (int k = 0; k < kUsers; ++k) {
            if (!server.addUser(u"user%1"_s.arg(k, 2, 10, QChar(u'0')), kPassword)) {
                out() << server.lastAdminError() << Qt::endl;
                return 1;
            }
        }
        QElapsedTimer filling;
        filling.start();
        if (!fill(location, messages))
            return 1;
        out() << "filled in " << filling.elapsed() / 1000 << " s" << Qt::endl;
        QFile marker(QDir(dataDir).filePath(u"search-bench-filled"_s));
        marker.open(QIODevice::WriteOnly);
    }
    if (!databaseUrl.isEmpty()) {
        server.setDatabaseUrl(databaseUrl);
        out() << "database: " << databaseUrl << Qt::endl;
    } else if (postgresql) {
        out() << "database: "
              << postgres
                     ->psql(u"searchbench"_s,
                            u"SELECT pg_size_pretty(pg_database_size('searchbench'))"_s)
                     .trimmed()
              << Qt::endl;
    } else {
        const qint64 bytes = QFileInfo(QDir(dataDir).filePath(u"conversa.db"_s)).size();
        out() << "database: " << bytes / (1024 * 1024) << " MiB" << Qt::endl;
    }
    if (!server.start()) {
        out() << server.diagnostics() << Qt::endl;
        return 1;
    }
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int k = 0; k < kUsers; ++k) {
        auto client = std::make_unique<TestClient>();
        if (!client->open(server.url()) ||
            !TestClient::isOk(
                client->login(u"user%1"_s.arg(k, 2, 10, QChar(u'0')), kPassword, u"bench"_s))) {
            out() << "user " << k << " cannot sign in" << Qt::endl;
            return 1;
        }
        clients.push_back(std::move(client));
    }

    // Users of even k are in room0; each search goes to the next user (each has a budget).
    const auto search = [](const QString &query, const QString &room = {}, qint64 before = 0) {
        QJsonObject frame{{u"type"_s, u"search"_s}, {u"query"_s, query}, {u"limit"_s, 20}};
        if (!room.isEmpty())
            frame.insert(u"room"_s, room);
        if (before > 0)
            frame.insert(u"before"_s, before);
        return frame;
    };
    const qint64 roomSeqs = messages / kRooms;
    const QList<Shape> shapes{
        {u"common word (rank 1, in ~60% of messages)"_s, search(wordOf(0))},
        {u"rare word (rank 40,000, ~20 messages)"_s, search(wordOf(40'000))},
        {u"two words (ranks 6 and 51)"_s, search(wordOf(5) + u" "_s + wordOf(50))},
        {u"two words seldom together (ranks 1,001 and 1,002)"_s,
         search(wordOf(1000) + u" "_s + wordOf(1001))},
        {u"common and rare (ranks 1 and 40,000)"_s, search(wordOf(0) + u" "_s + wordOf(40'000))},
        {u"word in no message"_s, search(u"nosuchword"_s)},
        {u"common word, one room"_s, search(wordOf(0), u"room0"_s)},
        {u"rank 501, one room, older than mid-history"_s,
         search(wordOf(500), u"room0"_s, roomSeqs / 2)},
    };
    out() << Qt::endl
          << "searches per shape: " << searches << " (20 results at most), client-side send to "
          << "answer" << Qt::endl;
    out() << "shape | results | p50 ms | p99 ms | max ms" << Qt::endl;
    int next = 0;
    double worstP99 = 0;
    for (const Shape &shape : shapes) {
        std::vector<double> ms;
        qint64 results = -1;
        for (int i = 0; i < searches; ++i) {
            // Only users in room0 for room searches (even k).
            TestClient *client = nullptr;
            do {
                client = clients[size_t(next++ % kUsers)].get();
            } while (shape.frame.contains(u"room"_s) && (next - 1) % 2 != 0);
            QJsonObject reply;
            QElapsedTimer timer;
            for (;;) {
                timer.start();
                reply = client->request(shape.frame);
                if (!TestClient::isError(reply, u"rate_limited"_s))
                    break;
                QThread::msleep(50);
            }
            const double elapsed = timer.nsecsElapsed() / 1e6;
            if (!TestClient::isOk(reply)) {
                out() << shape.name << ": " << TestClient::toText(reply) << Qt::endl;
                return 1;
            }
            results = reply.value(u"results"_s).toArray().size();
            ms.push_back(elapsed);
        }
        const double p99 = percentile(ms, 0.99);
        worstP99 = std::max(worstP99, p99);
        out() << shape.name << " | " << results << " | "
              << QString::number(percentile(ms, 0.5), 'f', 2) << " | "
              << QString::number(p99, 'f', 2) << " | "
              << QString::number(*std::max_element(ms.begin(), ms.end()), 'f', 2) << Qt::endl;
    }
    out() << Qt::endl
          << "worst p99: " << QString::number(worstP99, 'f', 2) << " ms (budget 50 ms)" << Qt::endl;
    server.terminate();
    return worstP99 < 50 ? 0 : 3;
}
