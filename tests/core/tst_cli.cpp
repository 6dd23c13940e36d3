// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-cli end to end, against a real conversa-server that gets killed under it.
#include "CliRunner.h"

#include <ConversaTest.h>

#include <AccountPaths.h>
#include <Outbox.h>
#include <SessionManager.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::test::ServerProcess;
using conversa::test::waitUntil;

namespace {

const QString kAlicePassword = u"alice-password"_s;
const QString kBobPassword = u"bob-password"_s;

// A long-running conversa-cli (tail, chat) whose JSON lines are collected as they come.
class CliProcess
{
public:
    CliProcess(const QStringList &arguments, const QString &token)
    {
        process.setProcessEnvironment(CliRunner::withToken(token));
        QObject::connect(&process, &QProcess::readyReadStandardOutput, [this] {
            buffer += process.readAllStandardOutput();
            qsizetype newline;
            while ((newline = buffer.indexOf('\n')) >= 0) {
                const QByteArray line = buffer.left(newline);
                buffer.remove(0, newline + 1);
                lines.append(QJsonDocument::fromJson(line).object());
            }
        });
        QObject::connect(&process, &QProcess::readyReadStandardError,
                         [this] { err += process.readAllStandardError(); });
        process.start(CliRunner::binary(), arguments);
    }
    ~CliProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }
    bool waitForOnline(int timeoutMs = 15000)
    {
        return waitUntil([this] { return err.contains("Online"); }, timeoutMs);
    }
    QString describe() const
    {
        return u"%1 lines; stderr:\n%2"_s.arg(lines.size()).arg(QString::fromUtf8(err.right(4000)));
    }

    QProcess process;
    QByteArray buffer;
    QByteArray err;
    QList<QJsonObject> lines;
};

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void oneShotCommands();
    void socialCommands();
    void exitCodes();
    void chat500LinesAcrossThreeServerKills();
    void clientKilledMidOutbox();
    void serverLimitsApplyOffline();
    void repliesEditsDeletionsAndReactions();
    void filesSentAndDownloaded();
    void aSendAnotherProcessDeliveredSucceeds();
    void fileSentWhileTheServerIsDown();

private:
    QString login(const QString &user, const QString &password, const QString &dataDir);
    std::unique_ptr<ServerProcess> m_server;
    QTemporaryDir m_dir;
    QString m_aliceData, m_bobData, m_aliceToken, m_bobToken;
};

void TestCli::initTestCase()
{
    if (ServerProcess::defaultBinary().isEmpty())
        QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");
}

QString TestCli::login(const QString &user, const QString &password, const QString &dataDir)
{
    const auto result =
        CliRunner::run({u"login"_s, m_server->url().toString(), user, u"--password-stdin"_s,
                        u"--print-token"_s, u"--data"_s, dataDir},
                       password.toUtf8() + '\n', CliRunner::withToken({}));
    if (result.exitCode != 0) {
        qWarning("login failed: %s", qPrintable(result.describe()));
        return {};
    }
    return QString::fromUtf8(result.out).trimmed();
}

void TestCli::init()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->addUser(u"alice"_s, kAlicePassword), qPrintable(m_server->lastAdminError()));
    QVERIFY(m_server->addUser(u"bob"_s, kBobPassword));
    QVERIFY(m_server->createRoom(u"general"_s, u"General"_s));
    const QString test = QString::fromLatin1(QTest::currentTestFunction());
    m_aliceData = m_dir.filePath(test + u"/alice"_s);
    m_bobData = m_dir.filePath(test + u"/bob"_s);
    // The chat tests need more than the default 10 messages per second to finish quickly.
    QStringList args;
    if (test != u"clientKilledMidOutbox"_s)
        args = {u"--messages-per-second"_s, u"2000"_s, u"--message-burst"_s, u"2000"_s};
    if (test == u"serverLimitsApplyOffline"_s)
        args += {u"--max-body-bytes"_s, u"200"_s};
    QVERIFY2(m_server->start(args), qPrintable(m_server->diagnostics()));
    m_aliceToken = login(u"alice"_s, kAlicePassword, m_aliceData);
    m_bobToken = login(u"bob"_s, kBobPassword, m_bobData);
    QVERIFY(!m_aliceToken.isEmpty() && !m_bobToken.isEmpty());
    for (const auto &[data, token] :
         {std::pair{m_aliceData, m_aliceToken}, std::pair{m_bobData, m_bobToken}}) {
        const auto joined = CliRunner::run({u"join"_s, u"general"_s, u"--data"_s, data}, {},
                                           CliRunner::withToken(token));
        QVERIFY2(joined.exitCode == 0, qPrintable(joined.describe()));
    }
}

void TestCli::cleanup()
{
    if (QTest::currentTestFailed() && m_server)
        qWarning("%s", qPrintable(m_server->diagnostics()));
    m_server.reset();
}

void TestCli::oneShotCommands()
{
    const auto alice = CliRunner::withToken(m_aliceToken);
    auto r = CliRunner::run({u"create"_s, u"dev"_s, u"Developers"_s, u"--data"_s, m_aliceData}, {},
                            alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = CliRunner::run({u"rooms"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out.count('\n'), 2);
    QVERIFY(r.out.contains("\"title\":\"Developers\""));

    r = CliRunner::run({u"send"_s, u"dev"_s, u"hello, developers"_s, u"--data"_s, m_aliceData}, {},
                       alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject sent = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(sent.value("seq"_L1).toInteger(), 1);
    QCOMPARE(sent.value("from"_L1).toString(), u"alice"_s);
    QCOMPARE(sent.value("body"_L1).toString(), u"hello, developers"_s);
    QCOMPARE(sent.value("cid"_L1).toString().size(), 36);

    r = CliRunner::run({u"history"_s, u"dev"_s, u"--limit"_s, u"10"_s, u"--data"_s, m_aliceData},
                       {}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(QJsonDocument::fromJson(r.out.trimmed()).object(), sent);

    // search: newest first, one JSON line per result with its room; a room not joined refused.
    r = CliRunner::run(
        {u"send"_s, u"dev"_s, u"Hello again, DEVELOPERS"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = CliRunner::run({u"search"_s, u"developers hello"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QList<QByteArray> found = r.out.trimmed().split('\n');
    QCOMPARE(found.size(), 2);
    QCOMPARE(QJsonDocument::fromJson(found.at(0)).object().value("seq"_L1).toInteger(), 2);
    QCOMPARE(QJsonDocument::fromJson(found.at(1)).object(), sent);
    r = CliRunner::run({u"search"_s, u"hello"_s, u"--room"_s, u"dev"_s, u"--limit"_s, u"1"_s,
                        u"--data"_s, m_aliceData},
                       {}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out.count('\n'), 1);
    r = CliRunner::run({u"search"_s, u"?!"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 2 && r.err.contains("words"), qPrintable(r.describe()));
    r = CliRunner::run(
        {u"search"_s, u"hello"_s, u"--room"_s, u"nowhere"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 1 && r.err.contains("nowhere"), qPrintable(r.describe()));

    r = CliRunner::run({u"members"_s, u"general"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("\"user\":\"alice\"") && r.out.contains("\"user\":\"bob\""));

    // The account of the last login is remembered: no --server or --user needed above.
    r = CliRunner::run({u"leave"_s, u"dev"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
}

// send --file uploads, then sends the message carrying the files; bob downloads one byte for
// byte; a file id nobody shared with him is refused (exit 1, the server's words).
void TestCli::filesSentAndDownloaded()
{
    const auto alice = CliRunner::withToken(m_aliceToken);
    const auto bob = CliRunner::withToken(m_bobToken);
    QByteArray bytes(2 * 1024 * 1024 + 3, Qt::Uninitialized);
    for (qsizetype i = 0; i < bytes.size(); ++i)
        bytes[i] = char((i * 7919) >> 3);
    const QString path = m_dir.filePath(u"report.bin"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
    file.close();
    for (const auto &[env, data] : {std::pair{alice, m_aliceData}, std::pair{bob, m_bobData}})
        QCOMPARE(CliRunner::run({u"join"_s, u"general"_s, u"--data"_s, data}, {}, env).exitCode, 0);
    auto r = CliRunner::run(
        {u"send"_s, u"general"_s, u"the report"_s, u"--file"_s, path, u"--data"_s, m_aliceData}, {},
        alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject sent = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(sent.value("body"_L1).toString(), u"the report"_s);
    const QJsonObject carried = sent.value("files"_L1).toArray().at(0).toObject();
    QCOMPARE(carried.value("name"_L1).toString(), u"report.bin"_s);
    QCOMPARE(carried.value("size"_L1).toInteger(), bytes.size());
    const QString fileId = carried.value("file"_L1).toString();

    const QString saved = m_dir.filePath(u"saved.bin"_s);
    r = CliRunner::run({u"download"_s, fileId, u"-o"_s, saved, u"--data"_s, m_bobData}, {}, bob);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QFile back(saved);
    QVERIFY(back.open(QIODevice::ReadOnly));
    QVERIFY(back.readAll() == bytes);
    r = CliRunner::run({u"download"_s, u"0123456789abcdef0123456789abcdef"_s, u"-o"_s,
                        m_dir.filePath(u"none.bin"_s), u"--data"_s, m_bobData},
                       {}, bob);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("404"), qPrintable(r.describe()));
    QVERIFY(!QFile::exists(m_dir.filePath(u"none.bin"_s)));
}

// send --file while the server is down: as a text send, the run exits 4 and the message waits
// in the outbox, which keeps its own copy of the file (the original may go); the next run that
// reaches the server sends it. A file that cannot be read is a usage error, offline too.
void TestCli::fileSentWhileTheServerIsDown()
{
    const auto alice = CliRunner::withToken(m_aliceToken);
    const QByteArray bytes = QByteArray("minutes of the meeting\n").repeated(2000);
    const QString path = m_dir.filePath(u"minutes.txt"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
    file.close();

    m_server->kill();
    auto r = CliRunner::run({u"send"_s, u"general"_s, u"--file"_s, m_dir.filePath(u"gone.txt"_s),
                             u"--timeout"_s, u"2"_s, u"--data"_s, m_aliceData},
                            {}, alice);
    QVERIFY2(r.exitCode == 2 && r.err.contains("gone.txt"), qPrintable(r.describe()));
    r = CliRunner::run({u"send"_s, u"general"_s, u"the minutes"_s, u"--file"_s, path,
                        u"--timeout"_s, u"2"_s, u"--data"_s, m_aliceData},
                       {}, alice);
    QVERIFY2(r.exitCode == 4, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("stays in the outbox"), qPrintable(r.describe()));
    QVERIFY(QFile::remove(path));

    QVERIFY2(m_server->restart(), qPrintable(m_server->diagnostics()));
    r = CliRunner::run({u"chat"_s, u"general"_s, u"--data"_s, m_aliceData}, {}, alice, 60000);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    const auto bob = CliRunner::withToken(m_bobToken);
    r = CliRunner::run({u"history"_s, u"general"_s, u"--data"_s, m_bobData}, {}, bob);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    const QJsonObject sent = QJsonDocument::fromJson(lines.at(0)).object();
    QCOMPARE(sent.value("body"_L1).toString(), u"the minutes"_s);
    const QJsonObject carried = sent.value("files"_L1).toArray().at(0).toObject();
    QCOMPARE(carried.value("name"_L1).toString(), u"minutes.txt"_s);
    QCOMPARE(carried.value("size"_L1).toInteger(), bytes.size());
    const QString saved = m_dir.filePath(u"minutes-saved.txt"_s);
    r = CliRunner::run({u"download"_s, carried.value("file"_L1).toString(), u"-o"_s, saved,
                        u"--data"_s, m_bobData},
                       {}, bob);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QFile back(saved);
    QVERIFY(back.open(QIODevice::ReadOnly));
    QVERIFY(back.readAll() == bytes);
}

void TestCli::repliesEditsDeletionsAndReactions()
{
    const auto alice = CliRunner::withToken(m_aliceToken);
    const auto bob = CliRunner::withToken(m_bobToken);
    CliProcess tail({u"tail"_s, u"general"_s, u"--server"_s, m_server->url().toString(),
                     u"--user"_s, u"bob"_s, u"--data"_s, m_bobData + u"-tail"_s},
                    m_bobToken);
    QVERIFY2(tail.waitForOnline(), qPrintable(tail.describe()));
    const auto run = [](const QStringList &args, const QProcessEnvironment &env) {
        return CliRunner::run(args, {}, env);
    };
    auto r = run({u"send"_s, u"general"_s, u"deploy friday?"_s, u"--data"_s, m_aliceData}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = run({u"send"_s, u"general"_s, u"no"_s, u"--reply-to"_s, u"1"_s, u"--data"_s, m_bobData},
            bob);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QJsonObject line = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(line.value("seq"_L1).toInteger(), 2);
    QCOMPARE(line.value("reply_to"_L1).toInteger(), 1);

    r = run({u"edit"_s, u"general"_s, u"1"_s, u"deploy monday?"_s, u"--data"_s, m_aliceData},
            alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    line = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(line.value("kind"_L1).toString(), u"edit"_s);
    QCOMPARE(line.value("target"_L1).toInteger(), 1);
    QCOMPARE(line.value("seq"_L1).toInteger(), 3);
    r = run({u"react"_s, u"general"_s, u"1"_s, u"👍"_s, u"--data"_s, m_bobData}, bob);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    line = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(line.value("kind"_L1).toString(), u"reaction"_s);
    QCOMPARE(line.value("emoji"_L1).toString(), u"👍"_s);
    QCOMPARE(line.value("on"_L1).toBool(), true);
    // Someone else's message in a room alice does not own: refused in words, exit 1.
    r = run({u"delete"_s, u"general"_s, u"2"_s, u"--data"_s, m_aliceData}, alice);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(!r.err.trimmed().isEmpty(), qPrintable(r.describe()));
    r = run({u"delete"_s, u"general"_s, u"2"_s, u"--data"_s, m_bobData}, bob);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("kind"_L1).toString(), u"delete"_s);
    r = run({u"react"_s, u"general"_s, u"1"_s, u"👍"_s, u"--off"_s, u"--data"_s, m_aliceData},
            alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe())); // taking back what is not there is fine
    // Usage errors say so (exit 2).
    QCOMPARE(
        run({u"edit"_s, u"general"_s, u"one"_s, u"x"_s, u"--data"_s, m_aliceData}, alice).exitCode,
        2);
    QCOMPARE(
        run({u"react"_s, u"general"_s, u"1"_s, u"ok"_s, u"--data"_s, m_aliceData}, alice).exitCode,
        2);

    // History shows the messages as they are now.
    r = run({u"history"_s, u"general"_s, u"--data"_s, m_aliceData}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QHash<qint64, QJsonObject> bySeq;
    for (const QByteArray &text : r.out.trimmed().split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(text).object();
        bySeq.insert(object.value("seq"_L1).toInteger(), object);
    }
    QCOMPARE(bySeq.value(1).value("body"_L1).toString(), u"deploy monday?"_s);
    QVERIFY(bySeq.value(1).value("edited"_L1).toInteger() > 0);
    QCOMPARE(bySeq.value(1).value("reactions"_L1).toArray().size(), 1);
    QCOMPARE(bySeq.value(2).value("deleted"_L1).toBool(), true);
    QCOMPARE(bySeq.value(2).value("body"_L1).toString(), QString());
    QCOMPARE(bySeq.value(2).value("reply_to"_L1).toInteger(), 1);
    // tail saw every entry live, in order.
    QVERIFY2(waitUntil([&] { return tail.lines.size() >= 6; }, 10000), qPrintable(tail.describe()));
    QStringList kinds;
    for (const QJsonObject &object : std::as_const(tail.lines))
        kinds.append(object.value("kind"_L1).toString(u"message"_s));
    QCOMPARE(kinds, (QStringList{u"message"_s, u"message"_s, u"edit"_s, u"reaction"_s, u"delete"_s,
                                 u"reaction"_s}));
}

void TestCli::socialCommands()
{
    const auto alice = CliRunner::withToken(m_aliceToken);
    const auto bob = CliRunner::withToken(m_bobToken);
    const auto run = [](const QStringList &args, const QString &data, const auto &env) {
        return CliRunner::run(args + QStringList{u"--data"_s, data}, {}, env);
    };
    auto r = run({u"create"_s, u"ops"_s, u"Ops"_s, u"--private"_s}, m_aliceData, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = run({u"directory"_s}, m_bobData, bob);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("\"room\":\"general\"") && r.out.contains("\"members\":2"));
    QVERIFY2(!r.out.contains("ops"), r.out.constData());
    r = run({u"history"_s, u"ops"_s}, m_bobData, bob);
    QVERIFY(r.exitCode != 0);

    r = run({u"invite"_s, u"ops"_s, u"bob"_s}, m_aliceData, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = run({u"rooms"_s}, m_bobData, bob);
    QVERIFY2(r.out.contains("\"room\":\"ops\"") && r.out.contains("\"kind\":\"private\""),
             r.out.constData());

    r = run({u"dm"_s, u"bob"_s}, m_aliceData, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QString dm = QJsonDocument::fromJson(r.out).object().value("room"_L1).toString();
    QVERIFY2(dm.startsWith("dm-"_L1), r.out.constData());
    r = run({u"dm"_s, u"alice"_s}, m_bobData, bob);
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("room"_L1).toString(), dm);
    r = run({u"dm"_s, u"nobody"_s}, m_aliceData, alice);
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("there is no user named 'nobody'"), qPrintable(r.describe()));

    r = run({u"rename"_s, u"ops"_s, u"Operations"_s}, m_bobData, bob);
    QVERIFY(r.exitCode != 0);
    r = run({u"rename"_s, u"ops"_s, u"Operations"_s}, m_aliceData, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = run({u"remove"_s, u"ops"_s, u"bob"_s}, m_aliceData, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = run({u"rooms"_s}, m_bobData, bob);
    QVERIFY2(!r.out.contains("\"room\":\"ops\""), r.out.constData());
    QVERIFY2(r.out.contains(dm.toUtf8()), r.out.constData());
    r = run({u"invite"_s, u"ops"_s}, m_aliceData, alice);
    QCOMPARE(r.exitCode, 2); // usage
}

void TestCli::exitCodes()
{
    const auto alice = CliRunner::withToken(m_aliceToken);
    auto r = CliRunner::run({u"--help"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("Exit codes"));
    QCOMPARE(CliRunner::run({}).exitCode, 2);
    QCOMPARE(CliRunner::run({u"frobnicate"_s, u"--data"_s, m_aliceData}, {}, alice).exitCode, 2);

    r = CliRunner::run({u"login"_s, m_server->url().toString(), u"alice"_s, u"--password-stdin"_s,
                        u"--print-token"_s, u"--data"_s, m_dir.filePath(u"wrong"_s)},
                       "not the password\n", CliRunner::withToken({}));
    QVERIFY2(r.exitCode == 3, qPrintable(r.describe()));
    QVERIFY(r.err.contains("password"));

    // No account at all.
    r = CliRunner::run({u"rooms"_s, u"--data"_s, m_dir.filePath(u"nobody"_s)}, {},
                       CliRunner::withToken({}));
    QVERIFY2(r.exitCode == 3, qPrintable(r.describe()));

    // A revoked token.
    r = CliRunner::run({u"rooms"_s, u"--data"_s, m_aliceData}, {},
                       CliRunner::withToken(u"revoked-or-never-issued"_s));
    QVERIFY2(r.exitCode == 3, qPrintable(r.describe()));

    // Nothing listens there.
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 closed = probe.serverPort();
    probe.close();
    r = CliRunner::run({u"rooms"_s, u"--server"_s, u"ws://127.0.0.1:%1"_s.arg(closed), u"--user"_s,
                        u"alice"_s, u"--timeout"_s, u"2"_s, u"--data"_s, m_aliceData},
                       {}, alice);
    QVERIFY2(r.exitCode == 4, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("refused"), qPrintable(r.describe()));

    // Refused by the server: no such room.
    r = CliRunner::run({u"join"_s, u"no-such-room"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    r = CliRunner::run({u"send"_s, u"no-such-room"_s, u"hi"_s, u"--data"_s, m_aliceData}, {},
                       alice);
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    r = CliRunner::run({u"tail"_s, u"no-such-room"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
}

// `send` waits in the outbox while the server is down; when it is back, a `tail` on the same
// data folder may deliver the queued message before the waiting `send` reconnects (and the
// `send`'s sign-in then clears the row the `tail` marked sent). Before, that `send` waited for
// an answer that never came and gave up after --timeout with exit 4 (a bare-root CI run of
// tst_ui_desktop_files_e2e_xvfb, whose `tail` and `send` share one folder).
void TestCli::aSendAnotherProcessDeliveredSucceeds()
{
    m_server->kill();
    CliProcess send({u"send"_s, u"general"_s, u"queued while down"_s, u"--timeout"_s, u"60"_s,
                     u"--data"_s, m_aliceData},
                    m_aliceToken);
    QTest::qWait(1500); // the message is on the disk and the first retries have failed
    QVERIFY2(send.process.state() == QProcess::Running, qPrintable(send.describe()));
    QVERIFY2(m_server->restart(), qPrintable(m_server->diagnostics()));
    CliProcess tail({u"tail"_s, u"general"_s, u"--last"_s, u"0"_s, u"--data"_s, m_aliceData},
                    m_aliceToken);
    QVERIFY2(tail.waitForOnline(), qPrintable(tail.describe()));
    QVERIFY2(send.process.waitForFinished(30000), qPrintable(send.describe()));
    QVERIFY2(send.process.exitCode() == 0, qPrintable(send.describe()));
    QCOMPARE(send.lines.size(), 1);
    QCOMPARE(send.lines.first().value("body"_L1).toString(), u"queued while down"_s);
    QVERIFY(send.lines.first().value("seq"_L1).toInteger() > 0);
    // Stored once, whichever of the two sent it.
    const CliRunner::Result history = CliRunner::run(
        {u"history"_s, u"general"_s, u"--data"_s, m_bobData}, {}, CliRunner::withToken(m_bobToken));
    QVERIFY2(history.exitCode == 0, qPrintable(history.describe()));
    QCOMPARE(history.out.count("queued while down"), 1);
}

void TestCli::chat500LinesAcrossThreeServerKills()
{
    CliProcess tail({u"tail"_s, u"general"_s, u"--data"_s, m_bobData}, m_bobToken);
    QVERIFY2(tail.waitForOnline(), qPrintable(tail.describe()));
    CliProcess chat({u"chat"_s, u"general"_s, u"--data"_s, m_aliceData}, m_aliceToken);
    QVERIFY2(chat.waitForOnline(), qPrintable(chat.describe()));

    constexpr int kLines = 500;
    constexpr int kBatch = 125;
    int written = 0;
    for (int batch = 0; batch < 4; ++batch) {
        QByteArray text;
        for (int i = 0; i < kBatch; ++i)
            text += "line " + QByteArray::number(++written) + '\n';
        chat.process.write(text);
        if (batch == 3)
            break;
        // Kill the server while this batch is going out: some sent, some in flight, some queued.
        const int seen = batch * kBatch + 20;
        QVERIFY2(waitUntil([&] { return tail.lines.size() >= seen; }, 30000),
                 qPrintable(tail.describe()));
        m_server->kill();
        QVERIFY2(m_server->restart(), qPrintable(m_server->diagnostics()));
    }
    chat.process.closeWriteChannel();

    QVERIFY2(chat.process.waitForFinished(90000), qPrintable(chat.describe()));
    QCOMPARE(chat.process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(chat.process.exitCode() == 0, qPrintable(chat.describe()));
    QVERIFY2(waitUntil([&] { return tail.lines.size() >= kLines; }, 60000),
             qPrintable(tail.describe()));
    QTest::qWait(500); // a duplicate would show up now
    QCOMPARE(tail.lines.size(), kLines);
    qint64 previousSeq = 0;
    for (int i = 0; i < kLines; ++i) {
        const QJsonObject &line = tail.lines.at(i);
        QCOMPARE(line.value("body"_L1).toString(), u"line %1"_s.arg(i + 1));
        QCOMPARE(line.value("room"_L1).toString(), u"general"_s);
        QCOMPARE(line.value("from"_L1).toString(), u"alice"_s);
        const qint64 seq = line.value("seq"_L1).toInteger();
        QCOMPARE(seq, previousSeq + 1);
        previousSeq = seq;
    }

    // The sender's outbox ends empty.
    conversa::core::Outbox outbox;
    const QString key = conversa::core::SessionManager::accountKey(u"alice"_s, m_server->url());
    QVERIFY(outbox.open(conversa::core::AccountPaths(m_aliceData).outboxPath(key)));
    QCOMPARE(outbox.pendingCount(), 0);
    QCOMPARE(outbox.failedCount(), 0);
}

void TestCli::clientKilledMidOutbox()
{
    // Default server limits (10 messages/s after a burst of 20): the outbox drains slowly, so
    // the client is killed with most of it still queued.
    constexpr int kLines = 60;
    CliProcess tail({u"tail"_s, u"general"_s, u"--data"_s, m_bobData}, m_bobToken);
    QVERIFY2(tail.waitForOnline(), qPrintable(tail.describe()));
    {
        CliProcess chat({u"chat"_s, u"general"_s, u"--data"_s, m_aliceData}, m_aliceToken);
        QByteArray text;
        for (int i = 1; i <= kLines; ++i)
            text += "message " + QByteArray::number(i) + '\n';
        chat.process.write(text);
        QVERIFY2(waitUntil([&] { return tail.lines.size() >= 25; }, 30000),
                 qPrintable(tail.describe()));
        chat.process.kill(); // SIGKILL: no chance to tidy up
        QVERIFY(chat.process.waitForFinished(5000));
    }
    QVERIFY(tail.lines.size() < kLines);

    // Started again with nothing to say: the rest goes out, then it exits.
    const auto rest = CliRunner::run({u"chat"_s, u"general"_s, u"--data"_s, m_aliceData}, {},
                                     CliRunner::withToken(m_aliceToken), 60000);
    QVERIFY2(rest.exitCode == 0, qPrintable(rest.describe()));
    QVERIFY2(waitUntil([&] { return tail.lines.size() >= kLines; }, 30000),
             qPrintable(tail.describe()));

    const auto history =
        CliRunner::run({u"history"_s, u"general"_s, u"--limit"_s, u"200"_s, u"--data"_s, m_bobData},
                       {}, CliRunner::withToken(m_bobToken));
    QVERIFY2(history.exitCode == 0, qPrintable(history.describe()));
    const QList<QByteArray> lines = history.out.trimmed().split('\n');
    QCOMPARE(lines.size(), kLines); // nothing twice
    for (int i = 0; i < kLines; ++i) {
        const QJsonObject m = QJsonDocument::fromJson(lines.at(i)).object();
        QCOMPARE(m.value("body"_L1).toString(), u"message %1"_s.arg(i + 1));
        QCOMPARE(m.value("seq"_L1).toInteger(), i + 1);
    }
    QCOMPARE(tail.lines.size(), kLines);
}

void TestCli::serverLimitsApplyOffline()
{
    const auto alice = CliRunner::withToken(m_aliceToken);
    // Online once: the client learns the server's limits (200 bytes a message here).
    auto r =
        CliRunner::run({u"send"_s, u"general"_s, u"short"_s, u"--data"_s, m_aliceData}, {}, alice);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = CliRunner::run({u"send"_s, u"general"_s, QString(201, u'x'), u"--data"_s, m_aliceData}, {},
                       alice);
    QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));

    // The server is gone: the same limit still applies, at once, through the outbox's checks.
    m_server->kill();
    r = CliRunner::run({u"send"_s, u"general"_s, QString(201, u'x'), u"--timeout"_s, u"2"_s,
                        u"--data"_s, m_aliceData},
                       {}, alice);
    QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("up to 200 bytes"), qPrintable(r.describe()));
    // chat says which line it did not send, and goes on with the others.
    r = CliRunner::run({u"chat"_s, u"general"_s, u"--timeout"_s, u"2"_s, u"--data"_s, m_aliceData},
                       QByteArray(300, 'y') + "\nfits\n", alice, 5000);
    QVERIFY2(r.err.contains("up to 200 bytes"), qPrintable(r.describe()));
    // A message that fits waits in the outbox.
    r = CliRunner::run({u"send"_s, u"general"_s, QString(200, u'z'), u"--timeout"_s, u"2"_s,
                        u"--data"_s, m_aliceData},
                       {}, alice);
    QVERIFY2(r.exitCode == 4, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("stays in the outbox"), qPrintable(r.describe()));

    conversa::core::Outbox outbox;
    const QString key = conversa::core::SessionManager::accountKey(u"alice"_s, m_server->url());
    QVERIFY(outbox.open(conversa::core::AccountPaths(m_aliceData).outboxPath(key)));
    const auto pending = outbox.unsent(u"general"_s);
    QCOMPARE(pending.size(), 2);
    QCOMPARE(pending.at(0).body, u"fits"_s);
    QCOMPARE(pending.at(1).body, QString(200, u'z'));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
