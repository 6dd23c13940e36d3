// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-cli: chat from a terminal or a script, on the same engine as the desktop app.
#include "CliApplication.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

QString description()
{
    return QCoreApplication::translate(
        "main",
        "Conversa from the terminal.\n"
        "\n"
        "Commands:\n"
        "  login URL USER        sign in (password from the terminal, or --password-stdin) and\n"
        "                        keep the device token in the system keychain\n"
        "  logout                revoke the token on the server and delete it from the keychain\n"
        "  rooms                 your rooms, one JSON object a line\n"
        "  create ROOM [TITLE]   create a room (you become a member and its owner); with\n"
        "                        --private only members see it, and they invite others\n"
        "  join ROOM | leave ROOM\n"
        "  members ROOM          members with their online flag, one JSON object a line\n"
        "  dm USER               open your direct-message room with USER; prints it\n"
        "  invite ROOM USER      add USER to ROOM (a private room: you must be a member)\n"
        "  directory [QUERY]     public rooms (name or title containing QUERY), one JSON\n"
        "                        object a line: {room,title,members}\n"
        "  rename ROOM TITLE     the room's owner changes its title\n"
        "  remove ROOM USER      the room's owner takes USER out of the room\n"
        "  send ROOM TEXT        send one message; prints it with its seq once stored\n"
        "                        (--reply-to SEQ: as a reply to that message; --file PATH,\n"
        "                        repeatable: send files with TEXT as the caption, which\n"
        "                        may then be left out; they wait in the outbox too)\n"
        "  download FILE_ID -o PATH  save a file a message carries\n"
        "  edit ROOM SEQ TEXT    replace the text of your message SEQ (through the outbox)\n"
        "  delete ROOM SEQ       delete message SEQ (yours, or any in a room you own)\n"
        "  react ROOM SEQ EMOJI  react to message SEQ with one emoji (--off takes it back)\n"
        "  history ROOM          the newest messages (--limit N, at most 200)\n"
        "  search QUERY          messages of your rooms with every word of QUERY, newest first,\n"
        "                        one JSON line each {room,seq,ts,from,cid,body} (--room ROOM for\n"
        "                        one room, --limit N at most 50)\n"
        "  tail ROOM             every new message as one JSON line {room,seq,ts,from,cid,body};\n"
        "                        edits, deletions and reactions as lines with \"kind\" and\n"
        "                        \"target\"; history shows messages as they are now (\"edited\",\n"
        "                        \"deleted\", \"reactions\", \"reply_to\")\n"
        "                        never exits on network trouble: it reconnects and catches up\n"
        "  chat ROOM             each line of standard input becomes a message (through the\n"
        "                        on-disk outbox, so nothing is lost or sent twice); messages of\n"
        "                        the room are printed as JSON lines; exits once standard input\n"
        "                        has ended and every message is stored by the server\n"
        "\n"
        "The account is the one of the last login, unless --server and --user say otherwise. The\n"
        "token comes from the keychain, or from the environment variable CONVERSA_TOKEN.\n"
        "Connection states and errors go to standard error; data to standard output.\n"
        "\n"
        "Exit codes:\n"
        "  0  success\n"
        "  1  the server refused the request, or a message failed for good\n"
        "  2  usage error (command line, configuration)\n"
        "  3  not signed in: no saved sign-in, wrong password, or the sign-in was revoked\n"
        "  4  no session with the server within --timeout seconds (one-shot commands only)\n"
        "  5  login could not save the token because there is no keychain (see --print-token)");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"Conversa"_s);
    QCoreApplication::setApplicationName(u"conversa-cli"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(CONVERSA_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(description());
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(u"command"_s, QCoreApplication::translate("main", "What to do."));
    const QCommandLineOption server(
        u"server"_s, QCoreApplication::translate("main", "Server address."), u"URL"_s);
    const QCommandLineOption user(u"user"_s, QCoreApplication::translate("main", "User name."),
                                  u"NAME"_s);
    const QCommandLineOption data(
        u"data"_s,
        QCoreApplication::translate("main", "Folder for the cache, the outbox and the account."),
        u"DIR"_s);
    const QCommandLineOption passwordStdin(
        u"password-stdin"_s,
        QCoreApplication::translate("main", "login: read the password from standard input."));
    const QCommandLineOption printToken(
        u"print-token"_s,
        QCoreApplication::translate("main", "login: print the token instead of saving it in the "
                                            "keychain (for CONVERSA_TOKEN)."));
    const QCommandLineOption limit(
        u"limit"_s, QCoreApplication::translate("main", "history, search: how many messages (50)."),
        u"N"_s, u"50"_s);
    const QCommandLineOption room(
        u"room"_s, QCoreApplication::translate("main", "search: only in this room."), u"ROOM"_s);
    const QCommandLineOption last(
        u"last"_s,
        QCoreApplication::translate("main", "tail/chat: for a room never followed before, how "
                                            "many recent messages to show first (tail: 10)."),
        u"N"_s);
    const QCommandLineOption proxy(
        u"proxy"_s,
        QCoreApplication::translate(
            "main", "system (default), none, http://HOST:PORT or socks5://HOST:PORT."),
        u"PROXY"_s);
    const QCommandLineOption caFile(
        u"ca-file"_s, QCoreApplication::translate("main", "Extra trusted CA certificate(s), PEM."),
        u"FILE"_s);
    const QCommandLineOption device(
        u"device"_s, QCoreApplication::translate("main", "login: this device's name."), u"NAME"_s);
    const QCommandLineOption timeout(
        u"timeout"_s,
        QCoreApplication::translate("main", "One-shot commands: give up after S seconds (30)."),
        u"S"_s, u"30"_s);
    const QCommandLineOption replyTo(
        u"reply-to"_s,
        QCoreApplication::translate("main", "send: the seq of the message this one replies to."),
        u"SEQ"_s);
    const QCommandLineOption reactionOff(
        u"off"_s, QCoreApplication::translate("main", "react: take the reaction back."));
    const QCommandLineOption file(
        u"file"_s,
        QCoreApplication::translate("main", "send: a file to send with the message (repeatable)."),
        u"PATH"_s);
    const QCommandLineOption output(
        {u"o"_s, u"output"_s},
        QCoreApplication::translate("main", "download: where to save the file."), u"PATH"_s);
    const QCommandLineOption verbose(
        u"verbose"_s, QCoreApplication::translate("main", "Print connection states."));
    const QCommandLineOption privateRoom(
        u"private"_s, QCoreApplication::translate("main", "create: a private room."));
    parser.addOptions({server, user, data, passwordStdin, printToken, limit, room, last, proxy,
                       caFile, device, timeout, verbose, replyTo, reactionOff, privateRoom, file,
                       output});
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        std::fputs(qPrintable(parser.helpText()), stderr);
        return CliApplication::UsageError;
    }

    CliApplication::Options options;
    options.command = positional.first();
    options.arguments = positional.mid(1);
    options.server = parser.value(server);
    options.user = parser.value(user);
    options.dataDir = parser.value(data);
    options.proxy = parser.value(proxy);
    options.caFile = parser.value(caFile);
    options.device = parser.value(device);
    options.room = parser.value(room);
    options.passwordStdin = parser.isSet(passwordStdin);
    options.printToken = parser.isSet(printToken);
    options.verbose = parser.isSet(verbose);
    options.privateRoom = parser.isSet(privateRoom);
    bool ok = true;
    options.limit = parser.value(limit).toInt(&ok);
    if (ok && parser.isSet(last))
        options.last = parser.value(last).toInt(&ok);
    if (ok)
        options.timeoutSeconds = parser.value(timeout).toInt(&ok);
    if (ok && parser.isSet(replyTo))
        options.replyTo = parser.value(replyTo).toLongLong(&ok);
    options.reactionOff = parser.isSet(reactionOff);
    options.files = parser.values(file);
    options.output = parser.value(output);
    if (!ok || options.timeoutSeconds < 1 || options.replyTo < 0) {
        std::fputs("conversa-cli: --limit, --last, --timeout and --reply-to take whole numbers\n",
                   stderr);
        return CliApplication::UsageError;
    }

    CliApplication cli(options);
    QObject::connect(&cli, &CliApplication::finished, &app, &QCoreApplication::exit,
                     Qt::QueuedConnection);
    QTimer::singleShot(0, &cli, &CliApplication::start);
    return app.exec();
}
