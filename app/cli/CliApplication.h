// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionState.h>
#include <Frames.h>
#include <OutboxFile.h>
#include <SessionManager.h>

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <functional>

namespace conversa::core {
class Account;
class MessageCache;
class Outbox;
class Room;
class TokenStore;
} // namespace conversa::core

class StdinReader;

// One run of conversa-cli: resolves the account, opens its cache and outbox, starts a session on
// conversa-core and carries out one command. Emits `finished` with the process exit code.
class CliApplication : public QObject
{
    Q_OBJECT
public:
    // Documented in --help; scripts rely on these numbers.
    enum ExitCode {
        Success = 0,
        Refused = 1,     // the server refused the request, or a message failed for good
        UsageError = 2,  // bad command line or configuration
        NotSignedIn = 3, // no saved sign-in, wrong password, or the sign-in was revoked
        Unreachable = 4, // no session with the server within --timeout
        NoKeychain = 5,  // login could not save the token (no keychain); see --print-token
    };

    struct Options {
        QString command;
        QStringList arguments;
        QString server;
        QString user;
        QString dataDir;
        QString proxy;
        QString caFile;
        QString device;
        bool passwordStdin = false;
        bool printToken = false;
        bool verbose = false;
        bool privateRoom = false; // create --private
        int limit = 50;
        QString room;  // search: only this room
        int last = -1; // -1: the command's default
        int timeoutSeconds = 30;
        qint64 replyTo = 0;       // send: --reply-to SEQ
        bool reactionOff = false; // react: --off takes the reaction back
        QStringList files;        // send: --file PATH (repeatable)
        QString output;           // download: -o PATH
    };

    explicit CliApplication(const Options &options, QObject *parent = nullptr);
    ~CliApplication() override;

    // Starts the command; `finished` follows (for tail: only on an unrecoverable error).
    void start();

signals:
    void finished(int exitCode);

private:
    bool resolveAccount();
    bool openStores();
    bool configureSession();
    void loadToken(const std::function<void(const QString &token)> &then);
    void startSession(const QString &token);
    void saveAccount();

    void runLogin();
    void runLogout();
    void runRequest();
    void runSend();
    // CliFiles.cpp: the files of send --file, and download.
    bool describeFiles(const conversa::core::Room *room, QList<conversa::core::OutboxFile> *files);
    void runDownload();
    // edit ROOM SEQ TEXT, delete ROOM SEQ: through the outbox, like send.
    void runChange();
    void runTail();
    void runChat();
    void onSynced();

    void onStatus(const conversa::core::ConnectionStatus &status);
    void printJson(const QJsonObject &object);
    void printMessage(const conversa::protocol::MessageEvent &message);
    void printError(const QString &message);
    void finish(int exitCode, const QString &message = {});
    void checkChatDone();

    Options m_options;
    QUrl m_url;
    QString m_user;
    QString m_accountKey;
    conversa::core::Account *m_account = nullptr;
    // The account's parts this run uses.
    conversa::core::SessionManager *m_session = nullptr;
    conversa::core::MessageCache *m_cache = nullptr;
    conversa::core::Outbox *m_outbox = nullptr;
    conversa::core::TokenStore *m_tokens = nullptr;
    QTimer m_timeout;
    bool m_finished = false;
    bool m_commandIssued = false;
    bool m_stdinEnded = false;
    bool m_roomChecked = false;
    int m_failedThisRun = 0;
    QString m_sendCid;
    QSet<QString> m_ownCids;
};
