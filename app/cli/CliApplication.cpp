// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "CliApplication.h"

#include "StdinReader.h"

#include <Account.h>
#include <Codec.h>
#include <MessageCache.h>
#include <Outbox.h>
#include <Room.h>
#include <TokenStore.h>
#include <Validation.h>

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTimer>

#include <cstdio>
#include <iostream>
#include <string>

#ifdef Q_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif
#ifdef Q_OS_WIN
#include <windows.h>
#endif

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace proto = conversa::protocol;

namespace {

// One line from the terminal without echo (or from a pipe, as it is).
QString readPassword(const QString &prompt)
{
    std::fputs(qPrintable(prompt), stderr);
    std::fflush(stderr);
    std::string line;
#ifdef Q_OS_UNIX
    termios saved{};
    const bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::getline(std::cin, line);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fputs("\n", stderr);
    }
#elif defined(Q_OS_WIN)
    HANDLE input = GetStdHandle(STD_INPUT_HANDLE);
    DWORD mode = 0;
    const bool console = GetConsoleMode(input, &mode);
    if (console)
        SetConsoleMode(input, mode & ~ENABLE_ECHO_INPUT);
    std::getline(std::cin, line);
    if (console) {
        SetConsoleMode(input, mode);
        std::fputs("\n", stderr);
    }
#else
    std::getline(std::cin, line);
#endif
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return QString::fromStdString(line);
}

} // namespace

CliApplication::CliApplication(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        const core::ConnectionStatus status = m_session->status();
        QString message =
            tr("No answer from the server within %1 s.").arg(m_options.timeoutSeconds);
        if (!status.reason.isEmpty())
            message += u" "_s + status.reason;
        if (m_options.command == u"send"_s || m_options.command == u"edit"_s ||
            m_options.command == u"delete"_s)
            message += u" "_s + tr("The message stays in the outbox and goes out with the next "
                                   "command that reaches the server.");
        finish(Unreachable, message);
    });
}

CliApplication::~CliApplication() = default;

void CliApplication::finish(int exitCode, const QString &message)
{
    if (m_finished)
        return;
    m_finished = true;
    if (!message.isEmpty())
        printError(message);
    m_timeout.stop();
    if (m_session && m_options.command != u"login"_s && m_options.command != u"logout"_s)
        m_session->signOut();
    if (m_outbox)
        m_outbox->purgeSent();
    std::fflush(stdout);
    emit finished(exitCode);
}

void CliApplication::printError(const QString &message)
{
    std::fprintf(stderr, "conversa-cli: %s\n", qUtf8Printable(message));
    std::fflush(stderr);
}

void CliApplication::printJson(const QJsonObject &object)
{
    const QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

void CliApplication::printMessage(const proto::MessageEvent &message)
{
    printJson(proto::messageToJson(message));
}

// --- setup ------------------------------------------------------------------------------------

bool CliApplication::resolveAccount()
{
    core::Account::Options accountOptions;
    accountOptions.dataDirectory = m_options.dataDir;
    accountOptions.deviceName = m_options.device.isEmpty()
                                    ? u"conversa-cli on %1"_s.arg(QSysInfo::machineHostName())
                                    : m_options.device;
    // A token from the environment is the script's own: the keychain's is left alone.
    accountOptions.useKeychain = qEnvironmentVariableIsEmpty("CONVERSA_TOKEN");
    m_account = new core::Account(accountOptions, this);
    m_options.dataDir = m_account->dataDirectory();
    m_session = m_account->session();
    m_tokens = m_account->tokens();
    const QSettings saved(QDir(m_options.dataDir).filePath(u"conversa-cli.ini"_s),
                          QSettings::IniFormat);

    QString server = m_options.server;
    m_user = m_options.user;
    if (m_options.command == u"login"_s) {
        server = m_options.arguments.value(0);
        m_user = m_options.arguments.value(1);
    }
    if (server.isEmpty())
        server = saved.value(u"server"_s).toString();
    if (m_user.isEmpty())
        m_user = saved.value(u"user"_s).toString();

    // Admin policy: a fixed server wins over the command line.
    const core::ServerChoice choice = m_account->chooseServer(server);
    if (!choice.error.isEmpty()) {
        finish(UsageError, choice.error);
        return false;
    }
    server = choice.server;

    if (server.isEmpty() || m_user.isEmpty()) {
        finish(NotSignedIn, tr("No account: sign in first with `conversa-cli login URL USER`, or "
                               "give --server and --user."));
        return false;
    }
    m_url = core::SessionManager::normalizeServerUrl(server);
    if (!m_url.isValid()) {
        finish(UsageError,
               tr("“%1” is not a server address; use ws://host:port or wss://host.").arg(server));
        return false;
    }
    if (!core::isValidUserName(m_user)) {
        finish(UsageError, tr("“%1” is not a valid user name.").arg(m_user));
        return false;
    }
    m_accountKey = core::SessionManager::accountKey(m_user, m_url);
    return true;
}

bool CliApplication::openStores()
{
    if (!m_account->open(m_url, m_user)) {
        finish(Refused, m_account->lastError());
        return false;
    }
    m_cache = m_account->cache();
    m_outbox = m_account->outbox();
    return true;
}

bool CliApplication::configureSession()
{
    int last = m_options.last;
    if (last < 0)
        last = m_options.command == u"tail"_s ? 10 : 0;
    m_session->setInitialBacklog(last);

    // Proxy and CAs: the command line, unless the administrator decided.
    QString problem;
    if (!m_account->setNetwork({m_options.proxy, {}, m_options.caFile}, &problem)) {
        finish(UsageError, problem);
        return false;
    }

    connect(m_session, &core::SessionManager::statusChanged, this, &CliApplication::onStatus);
    connect(m_session, &core::SessionManager::synced, this, &CliApplication::onSynced);
    return true;
}

void CliApplication::saveAccount()
{
    QSettings saved(QDir(m_options.dataDir).filePath(u"conversa-cli.ini"_s), QSettings::IniFormat);
    saved.setValue(u"server"_s, m_url.toString());
    saved.setValue(u"user"_s, m_user);
    saved.sync();
}

void CliApplication::loadToken(const std::function<void(const QString &)> &then)
{
    const QString fromEnvironment = qEnvironmentVariable("CONVERSA_TOKEN");
    if (!fromEnvironment.isEmpty()) {
        then(fromEnvironment);
        return;
    }
    connect(m_tokens, &core::TokenStore::tokenRead, this,
            [this, then](const QString &key, core::TokenStore::Result result, const QString &token,
                         const QString &message) {
                if (key != m_accountKey)
                    return;
                switch (result) {
                case core::TokenStore::Result::Ok:
                    then(token);
                    return;
                case core::TokenStore::Result::NotFound:
                    finish(NotSignedIn, tr("Not signed in as %1; run `conversa-cli login %2 %3`.")
                                            .arg(m_accountKey, m_url.toString(), m_user));
                    return;
                case core::TokenStore::Result::Unavailable:
                case core::TokenStore::Result::Failed:
                    finish(NotSignedIn,
                           message + u" "_s +
                               tr("Scripts may pass the token in CONVERSA_TOKEN instead."));
                    return;
                }
            });
    m_tokens->readToken(m_accountKey);
}

void CliApplication::start()
{
    if (!resolveAccount() || !openStores() || !configureSession())
        return;
    connect(m_outbox, &core::Outbox::entryChanged, this, [this](const core::OutboxEntry &entry) {
        if (entry.state == core::OutboxState::Failed &&
            (m_ownCids.contains(entry.cid) || entry.cid == m_sendCid)) {
            ++m_failedThisRun;
            printError(tr("Message %1 to %2 failed: %3").arg(entry.cid, entry.room, entry.reason));
        }
    });

    const QString &command = m_options.command;
    if (command == u"login"_s)
        runLogin();
    else if (command == u"logout"_s)
        runLogout();
    else if (command == u"send"_s)
        runSend();
    else if (command == u"download"_s)
        runDownload();
    else if (command == u"edit"_s || command == u"delete"_s)
        runChange();
    else if (command == u"tail"_s)
        runTail();
    else if (command == u"chat"_s)
        runChat();
    else
        runRequest();
}

void CliApplication::startSession(const QString &token)
{
    m_account->resume(token);
}

void CliApplication::onStatus(const core::ConnectionStatus &status)
{
    const bool longRunning = m_options.command == u"tail"_s || m_options.command == u"chat"_s;
    if (m_options.verbose || longRunning)
        printError(status.toDisplayString());
    if (status.state == core::ConnectionState::AuthFailed) {
        if (m_options.command == u"logout"_s) {
            // Already revoked on the server: finish the job here.
            if (qEnvironmentVariableIsEmpty("CONVERSA_TOKEN"))
                m_tokens->deleteToken(m_accountKey);
            QTimer::singleShot(0, this, [this] { finish(Success, tr("Signed out.")); });
            return;
        }
        finish(NotSignedIn, status.reason);
    } else if (status.state == core::ConnectionState::SignedOut &&
               status.problem != core::ConnectionProblem::None) {
        finish(Unreachable, status.reason);
    }
}

// --- commands ---------------------------------------------------------------------------------

void CliApplication::runLogin()
{
    if (m_options.arguments.size() != 2) {
        finish(UsageError, tr("Usage: conversa-cli login URL USER [--password-stdin]"));
        return;
    }
    QString password;
    if (m_options.passwordStdin) {
        std::string line;
        std::getline(std::cin, line);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        password = QString::fromStdString(line);
    } else {
        password = readPassword(tr("Password for %1: ").arg(m_accountKey));
    }
    if (password.isEmpty()) {
        finish(UsageError, tr("The password is empty."));
        return;
    }
    connect(m_session, &core::SessionManager::tokenIssued, this,
            [this](const QString &, const QString &token) {
                saveAccount();
                if (m_options.printToken) {
                    std::fprintf(stdout, "%s\n", qUtf8Printable(token));
                    QTimer::singleShot(0, this, [this] {
                        m_session->signOut();
                        finish(Success);
                    });
                    return;
                }
                m_tokens->writeToken(m_accountKey, token);
            });
    connect(
        m_tokens, &core::TokenStore::tokenWritten, this,
        [this](const QString &, core::TokenStore::Result result, const QString &message) {
            if (result == core::TokenStore::Result::Ok) {
                m_session->signOut();
                finish(
                    Success,
                    tr("Signed in as %1; the sign-in is saved in the keychain.").arg(m_accountKey));
                return;
            }
            // Do not leave a token behind that nobody holds: revoke it, then report.
            printError(message);
            connect(m_session, &core::SessionManager::loggedOut, this, [this] {
                finish(NoKeychain, tr("Not signed in. Use --print-token to handle the token "
                                      "yourself (e.g. in CONVERSA_TOKEN)."));
            });
            m_session->logout();
        });
    m_timeout.start(m_options.timeoutSeconds * 1000);
    m_session->signIn(m_user, password);
}

void CliApplication::runLogout()
{
    connect(m_session, &core::SessionManager::loggedOut, this, [this](bool confirmed) {
        if (qEnvironmentVariableIsEmpty("CONVERSA_TOKEN")) {
            connect(m_tokens, &core::TokenStore::tokenDeleted, this,
                    [this, confirmed](const QString &, core::TokenStore::Result result,
                                      const QString &message) {
                        if (result != core::TokenStore::Result::Ok)
                            printError(message);
                        finish(confirmed ? Success : Unreachable,
                               confirmed ? tr("Signed out; the sign-in was revoked and removed "
                                              "from the keychain.")
                                         : tr("The server did not confirm the sign-out."));
                    });
            m_tokens->deleteToken(m_accountKey);
        } else {
            finish(confirmed ? Success : Unreachable);
        }
    });
    loadToken([this](const QString &token) {
        m_timeout.start(m_options.timeoutSeconds * 1000);
        startSession(token);
        m_session->logout();
    });
}

void CliApplication::runSend()
{
    const qsizetype least = m_options.files.isEmpty() ? 2 : 1;
    if (m_options.arguments.size() < least || m_options.arguments.size() > 2) {
        finish(UsageError, tr("Usage: conversa-cli send ROOM TEXT, or conversa-cli send ROOM "
                              "[TEXT] --file PATH [--file PATH…]"));
        return;
    }
    core::Room *room = m_account->room(m_options.arguments.at(0));
    if (!room) {
        finish(UsageError, tr("“%1” is not a room name.").arg(m_options.arguments.at(0)));
        return;
    }
    QList<core::OutboxFile> files;
    if (!describeFiles(room, &files))
        return;
    // The stored message as the server acknowledged it, files included.
    const auto storedAs = [this](const core::OutboxEntry &entry) {
        proto::MessageEvent message{entry.room, entry.seq,  entry.ts,     m_user,
                                    entry.cid,  entry.body, entry.replyTo};
        for (const core::OutboxFile &file : entry.files)
            message.files.append(file.ref());
        return message;
    };
    connect(m_outbox, &core::Outbox::entryChanged, this,
            [this, storedAs](const core::OutboxEntry &entry) {
                if (entry.cid != m_sendCid || m_finished)
                    return;
                if (entry.state == core::OutboxState::Sent) {
                    printMessage(storedAs(entry));
                    finish(Success);
                } else if (entry.state == core::OutboxState::Failed) {
                    finish(Refused);
                }
            });
    // Another conversa-cli on this data folder (a `tail`, a `chat`) shares the outbox and the
    // cache, and may send the message first: the answer then reaches that process, which marks
    // the row (this run's sign-in may even clear it) and stores the message, and nothing here is
    // told. So the message also counts as stored when this session receives it (which can also
    // be the server's broadcast, ahead of this run's own answer), or when the disk says so. The
    // row is marked here too, or the next run would count it unsent and send it once more.
    const auto sentAs = [this](const proto::MessageEvent &message) {
        if (m_finished || m_sendCid.isEmpty() || message.cid != m_sendCid)
            return;
        m_sendCid.clear(); // the outbox's change below is not another answer to print
        m_outbox->markSent(message.cid, message.seq, message.ts);
        printMessage(message);
        finish(Success);
    };
    connect(m_session, &core::SessionManager::messageReceived, this, sentAs);
    auto *lookOnDisk = new QTimer(this);
    lookOnDisk->setInterval(500);
    connect(lookOnDisk, &QTimer::timeout, this, [this, sentAs, storedAs] {
        const std::optional<core::OutboxEntry> entry = m_outbox->entry(m_sendCid);
        if (entry && entry->state != core::OutboxState::Sent)
            return; // still this run's to send, or failed (reported)
        if (entry) {
            sentAs(storedAs(*entry));
            return;
        }
        for (const proto::MessageEvent &message : m_cache->latest(m_options.arguments.at(0), 200))
            sentAs(message);
    });
    // Durable first: from here on the message is not lost, whatever happens to this run.
    connect(room, &core::Room::messageSaved, this, [this, lookOnDisk](const QString &cid) {
        if (cid != m_sendCid)
            return;
        lookOnDisk->start();
        loadToken([this](const QString &token) {
            m_timeout.start(m_options.timeoutSeconds * 1000);
            startSession(token);
        });
    });
    connect(room, &core::Room::messageNotSaved, this,
            [this](const QString &cid, const QString &, const QString &message) {
                if (cid == m_sendCid)
                    finish(Refused, message);
            });
    // Bytes moving count as progress: a large file may take longer than --timeout in all.
    connect(m_session, &core::SessionManager::uploadProgress, this,
            [this](const QString &, const QString &cid, double fraction) {
                if (cid == m_sendCid && fraction >= 0)
                    m_timeout.start(m_options.timeoutSeconds * 1000);
            });
    // The same checks and limits as the app's composer (the server's, as last seen); the outbox
    // copies the files, so the message survives a server that is away until a later run.
    const core::SendResult result =
        room->send(m_options.arguments.value(1), m_options.replyTo, files);
    switch (result.status) {
    case core::SendResult::Status::Queued:
        m_sendCid = result.cid;
        return;
    case core::SendResult::Status::DiskError:
        finish(Refused, result.message);
        return;
    case core::SendResult::Status::Empty:
    case core::SendResult::Status::TooLong:
    case core::SendResult::Status::CharactersNotAllowed:
        finish(UsageError, result.message);
        return;
    }
}

void CliApplication::runChange()
{
    const bool isEdit = m_options.command == u"edit"_s;
    const QStringList &args = m_options.arguments;
    bool seqOk = false;
    const qint64 target = args.value(1).toLongLong(&seqOk);
    if (args.size() != (isEdit ? 3 : 2) || !seqOk || target < 1) {
        finish(UsageError, isEdit ? tr("Usage: conversa-cli edit ROOM SEQ TEXT")
                                  : tr("Usage: conversa-cli delete ROOM SEQ"));
        return;
    }
    core::Room *room = m_account->room(args.at(0));
    if (!room) {
        finish(UsageError, tr("“%1” is not a room name.").arg(args.at(0)));
        return;
    }
    connect(m_outbox, &core::Outbox::entryChanged, this, [this](const core::OutboxEntry &entry) {
        if (entry.cid != m_sendCid || entry.state != core::OutboxState::Sent)
            return;
        proto::MessageEvent change{entry.room, entry.seq, entry.ts, m_user, entry.cid, entry.body};
        change.kind = entry.kind;
        change.target = entry.target;
        printMessage(change);
        finish(Success);
    });
    connect(room, &core::Room::changeRefused, this,
            [this, target](const QString &, qint64 refusedTarget, const QString &reason) {
                if (refusedTarget == target)
                    finish(Refused, reason);
            });
    // Durable first, as for send: an edit typed offline goes out with the next command.
    connect(room, &core::Room::messageSaved, this, [this](const QString &cid) {
        if (cid != m_sendCid)
            return;
        loadToken([this](const QString &token) {
            m_timeout.start(m_options.timeoutSeconds * 1000);
            startSession(token);
        });
    });
    connect(room, &core::Room::messageNotSaved, this,
            [this](const QString &cid, const QString &, const QString &message) {
                if (cid == m_sendCid)
                    finish(Refused, message);
            });
    if (isEdit) {
        const core::SendResult result = room->edit(target, args.at(2));
        if (!result.queued()) {
            finish(result.status == core::SendResult::Status::DiskError ? Refused : UsageError,
                   result.message);
            return;
        }
        m_sendCid = result.cid;
    } else {
        m_sendCid = room->deleteMessage(target);
        if (m_sendCid.isEmpty())
            finish(Refused, tr("The deletion could not be saved on this computer (%1).")
                                .arg(m_outbox->lastError()));
    }
}

void CliApplication::runTail()
{
    if (m_options.arguments.size() != 1 || !proto::isValidRoomName(m_options.arguments.at(0))) {
        finish(UsageError, tr("Usage: conversa-cli tail ROOM"));
        return;
    }
    const QString room = m_options.arguments.at(0);
    for (const auto signal :
         {&core::SessionManager::messageReceived, &core::SessionManager::logEntryReceived}) {
        connect(m_session, signal, this, [this, room](const proto::MessageEvent &m) {
            if (m.room == room)
                printMessage(m);
        });
    }
    loadToken([this](const QString &token) { startSession(token); });
}

void CliApplication::runChat()
{
    if (m_options.arguments.size() != 1 || !proto::isValidRoomName(m_options.arguments.at(0))) {
        finish(UsageError, tr("Usage: conversa-cli chat ROOM"));
        return;
    }
    const QString room = m_options.arguments.at(0);
    for (const auto signal :
         {&core::SessionManager::messageReceived, &core::SessionManager::logEntryReceived}) {
        connect(m_session, signal, this, [this, room](const proto::MessageEvent &m) {
            if (m.room == room)
                printMessage(m);
        });
    }
    connect(m_session, &core::SessionManager::outboxDrained, this, &CliApplication::checkChatDone);
    connect(m_outbox, &core::Outbox::entryChanged, this, &CliApplication::checkChatDone);

    // Outlives everything (see StdinReader); held by a static, so LeakSanitizer sees it kept.
    static StdinReader *const reader = new StdinReader;
    core::Room *chatRoom = m_account->room(room);
    connect(chatRoom, &core::Room::messageNotSaved, this,
            [this](const QString &cid, const QString &body, const QString &message) {
                if (!m_ownCids.remove(cid))
                    return;
                ++m_failedThisRun;
                printError(tr("Not sent: “%1”: %2").arg(body, message));
                checkChatDone();
            });
    connect(reader, &StdinReader::lineRead, this, [this, chatRoom](const QString &line) {
        if (m_finished || !proto::hasVisibleText(line))
            return;
        // The same checks and limits as the app's composer (the server's, as last seen).
        const core::SendResult result = chatRoom->send(line);
        if (result.queued()) {
            m_ownCids.insert(result.cid);
        } else {
            ++m_failedThisRun;
            printError(tr("Not sent: %1").arg(result.message));
        }
    });
    connect(reader, &StdinReader::endOfInput, this, [this] {
        m_stdinEnded = true;
        checkChatDone();
    });
    loadToken([this](const QString &token) {
        startSession(token);
        reader->start();
    });
}

void CliApplication::checkChatDone()
{
    if (m_finished || !m_stdinEnded || !m_session->outboxIdle())
        return;
    finish(m_failedThisRun > 0 ? Refused : Success);
}

void CliApplication::runRequest()
{
    // The arguments of each one-shot command: how many, and which are a room and a user name.
    struct Shape {
        int least;
        int most;
        QString usage;
        int room; // index of the room argument, -1: none
        int user; // index of the user argument, -1: none
    };
    static const QHash<QString, Shape> shapes{
        {u"rooms"_s, {0, 0, QString(), -1, -1}},
        {u"create"_s, {1, 2, u"ROOM [TITLE] [--private]"_s, 0, -1}},
        {u"join"_s, {1, 1, u"ROOM"_s, 0, -1}},
        {u"leave"_s, {1, 1, u"ROOM"_s, 0, -1}},
        {u"members"_s, {1, 1, u"ROOM"_s, 0, -1}},
        {u"history"_s, {1, 1, u"ROOM"_s, 0, -1}},
        {u"dm"_s, {1, 1, u"USER"_s, -1, 0}},
        {u"invite"_s, {2, 2, u"ROOM USER"_s, 0, 1}},
        {u"directory"_s, {0, 1, u"[QUERY]"_s, -1, -1}},
        {u"rename"_s, {2, 2, u"ROOM TITLE"_s, 0, -1}},
        {u"remove"_s, {2, 2, u"ROOM USER"_s, 0, 1}},
    };
    const QString &command = m_options.command;
    const auto shape = shapes.constFind(command);
    if (shape == shapes.cend() && command != u"react"_s && command != u"search"_s) {
        finish(UsageError, tr("Unknown command “%1”; see --help.").arg(command));
        return;
    }
    if (command == u"react"_s) {
        const QStringList &args = m_options.arguments;
        bool seqOk = false;
        const qint64 target = args.value(1).toLongLong(&seqOk);
        if (args.size() != 3 || !proto::isValidRoomName(args.at(0)) || !seqOk || target < 1) {
            finish(UsageError, tr("Usage: conversa-cli react ROOM SEQ EMOJI [--off]"));
            return;
        }
        if (!proto::isSingleEmoji(args.at(2))) {
            finish(UsageError, tr("“%1” is not one emoji.").arg(args.at(2)));
            return;
        }
        loadToken([this](const QString &token) {
            m_timeout.start(m_options.timeoutSeconds * 1000);
            startSession(token);
        });
        return;
    }
    if (command == u"search"_s) {
        const QString query = m_options.arguments.value(0);
        const qsizetype words = proto::searchWords(query).size();
        if (m_options.arguments.size() != 1)
            finish(UsageError, tr("Usage: conversa-cli search QUERY [--room ROOM] [--limit N]"));
        else if (words == 0)
            finish(UsageError, tr("The query has no words to search for (letters or digits)."));
        else if (query.size() > proto::kMaxSearchQueryLength || words > proto::kMaxSearchWords)
            finish(UsageError, tr("Search for at most %1 words and %2 characters.")
                                   .arg(proto::kMaxSearchWords)
                                   .arg(proto::kMaxSearchQueryLength));
        else if (!m_options.room.isEmpty() && !proto::isValidRoomName(m_options.room))
            finish(UsageError, tr("“%1” is not a valid room name.").arg(m_options.room));
        else if (m_options.limit < 1 || m_options.limit > 50)
            finish(UsageError, tr("--limit must be between 1 and 50 for search."));
        else
            loadToken([this](const QString &token) {
                m_timeout.start(m_options.timeoutSeconds * 1000);
                startSession(token);
            });
        return;
    }
    const QStringList &args = m_options.arguments;
    if (args.size() < shape->least || args.size() > shape->most ||
        (shape->room >= 0 && !proto::isValidRoomName(args.at(shape->room))) ||
        (shape->user >= 0 && !proto::isValidUserName(args.at(shape->user))) ||
        (m_options.privateRoom && command != u"create"_s)) {
        finish(UsageError, tr("Usage: conversa-cli %1 %2").arg(command, shape->usage));
        return;
    }
    if (command == u"history"_s && (m_options.limit < 1 || m_options.limit > 200)) {
        finish(UsageError, tr("--limit must be between 1 and 200."));
        return;
    }
    loadToken([this](const QString &token) {
        m_timeout.start(m_options.timeoutSeconds * 1000);
        startSession(token);
    });
}

void CliApplication::onSynced()
{
    const QString &command = m_options.command;
    const QString room = m_options.arguments.value(0);

    if ((command == u"tail"_s || command == u"chat"_s) && !m_roomChecked) {
        m_roomChecked = true;
        if (!m_cache->room(room)) {
            finish(Refused, tr("You are not a member of “%1”; join it with `conversa-cli join "
                               "%1`.")
                                .arg(room));
        }
        return;
    }
    if (m_commandIssued)
        return;
    proto::Request request;
    if (command == u"rooms"_s)
        request = proto::RoomsRequest{};
    else if (command == u"create"_s)
        request =
            proto::CreateRequest{{}, room, m_options.arguments.value(1), m_options.privateRoom};
    else if (command == u"dm"_s)
        request = proto::DmRequest{{}, m_options.arguments.value(0)};
    else if (command == u"invite"_s)
        request = proto::InviteRequest{{}, room, m_options.arguments.value(1)};
    else if (command == u"rename"_s)
        request = proto::RenameRequest{{}, room, m_options.arguments.value(1)};
    else if (command == u"remove"_s)
        request = proto::RemoveRequest{{}, room, m_options.arguments.value(1)};
    else if (command == u"directory"_s)
        request = proto::DirectoryRequest{{}, m_options.arguments.value(0), {}, 200};
    else if (command == u"join"_s)
        request = proto::JoinRequest{{}, room};
    else if (command == u"leave"_s)
        request = proto::LeaveRequest{{}, room};
    else if (command == u"members"_s)
        request = proto::MembersRequest{{}, room};
    else if (command == u"history"_s)
        request = proto::HistoryRequest{{}, room, 0, m_options.limit};
    else if (command == u"react"_s)
        request = proto::ReactRequest{{},
                                      room,
                                      m_options.arguments.value(1).toLongLong(),
                                      m_options.arguments.value(2),
                                      !m_options.reactionOff};
    else if (command == u"search"_s)
        request = proto::SearchRequest{
            {}, m_options.arguments.value(0), m_options.room, 0, m_options.limit};
    else
        return;

    m_commandIssued = true;
    m_session->request(request, [this, command](const core::RequestResult &result) {
        if (result.outcome == core::RequestResult::Outcome::ConnectionLost) {
            m_commandIssued = false; // asked again once the session is back
            return;
        }
        if (!result.isOk()) {
            finish(Refused, result.message.isEmpty() ? result.codeName : result.message);
            return;
        }
        if (command == u"rooms"_s) {
            for (const proto::RoomSummary &r :
                 proto::roomsFromPayload(result.payload).value_or(QList<proto::RoomSummary>{}))
                printJson(proto::roomSummaryToJson(r));
        } else if (command == u"directory"_s) {
            for (const proto::DirectoryEntry &e : proto::directoryFromPayload(result.payload)
                                                      .value_or(QList<proto::DirectoryEntry>{}))
                printJson(proto::directoryEntryToJson(e));
        } else if (command == u"members"_s) {
            for (const proto::Member &m :
                 proto::membersFromPayload(result.payload).value_or(QList<proto::Member>{}))
                printJson(proto::memberToJson(m));
        } else if (command == u"react"_s) {
            // The log entry it made, as tail prints it.
            proto::MessageEvent entry;
            entry.room = m_options.arguments.value(0);
            entry.seq = result.payload.value("seq"_L1).toInteger();
            entry.ts = result.payload.value("ts"_L1).toInteger();
            entry.from = m_user;
            entry.kind = u"reaction"_s;
            entry.target = m_options.arguments.value(1).toLongLong();
            entry.emoji = m_options.arguments.value(2);
            entry.on = !m_options.reactionOff;
            printMessage(entry);
        } else if (command == u"history"_s) {
            for (const proto::MessageEvent &m :
                 proto::messagesFromPayload(result.payload).value_or(QList<proto::MessageEvent>{}))
                printMessage(m);
        } else if (command == u"search"_s) {
            // Newest first, as the server ranks them.
            for (const proto::MessageEvent &m : proto::searchResultsFromPayload(result.payload)
                                                    .value_or(QList<proto::MessageEvent>{}))
                printMessage(m);
        } else {
            printJson(result.payload);
        }
        finish(Success);
    });
}
