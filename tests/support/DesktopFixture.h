// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CliRunner.h"
#include "ServerProcess.h"

#include <DesktopApplication.h>

#include <QModelIndex>
#include <QProcess>
#include <QStyleOptionViewItem>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace conversa::ui {
class MessageView;
}

// What the desktop end-to-end suites share: a server, a conversa-cli peer, and the app signed in
// with a room open. Its own library (Conversa::DesktopFixture) so that Conversa::TestSupport
// stays free of widgets.
namespace conversa::test {

// A conversa-server with the users alice and bob and no room, so that a peer creates (and owns)
// the rooms; nullptr, with the reason in `*why`, when it cannot be started.
std::unique_ptr<ServerProcess> startServerWithUsersOnly(QString *why);

// A conversa-cli user with a data folder of their own. login() keeps the token it prints (no
// keychain), and every later command runs with it and the account's --server, --user and --data.
class CliPeer
{
public:
    bool login(const QUrl &server, const QString &user, const QString &password, QString *why);
    CliRunner::Result run(const QStringList &arguments, const QByteArray &input = {}) const;
    // `conversa-cli tail room`, started; nullptr when it could not be.
    std::unique_ptr<QProcess> tail(const QString &room) const;
    QString token() const { return m_token; }
    QString dataDir() const { return m_data.path(); }

private:
    QStringList accountArguments() const;

    QTemporaryDir m_data;
    QString m_server;
    QString m_user;
    QString m_token;
};

// `user` joins `room` over the raw protocol (a login of its own, closed afterwards).
bool joinOverWire(const QUrl &server, const QString &user, const QString &password,
                  const QString &room, QString *why);

// The app for `user` on `server` with its data in `dataDir` and no keychain.
DesktopApplication::Options appOptions(const QString &dataDir, const QUrl &server,
                                       const QString &user);
// The app started, signed in through its sign-in page, Online, with `room` open (none when
// empty); nullptr, with the reason in `*why`, when any step does not happen in time.
std::unique_ptr<DesktopApplication> startSignedIn(const QString &dataDir, const QUrl &server,
                                                  const QString &user, const QString &password,
                                                  const QString &room, QString *why);

// The view's row of the message `seq` (invalid when it is not shown).
QModelIndex rowOfSeq(conversa::ui::MessageView *view, qint64 seq);
// The option the view gives its delegate for `index`, for the delegate's hit tests.
QStyleOptionViewItem rowOption(conversa::ui::MessageView *view, const QModelIndex &index);

} // namespace conversa::test

// The conversa-cli run exited with 0; otherwise fails the test showing its output.
#define VERIFY_CLI_OK(result)                                                                      \
    do {                                                                                           \
        const ::CliRunner::Result verifyCliResult_ = (result);                                     \
        QVERIFY2(verifyCliResult_.exitCode == 0, qPrintable(verifyCliResult_.describe()));         \
    } while (false)

// Skips the suite when it is not run through ctest, which names the server to start.
#define SKIP_WITHOUT_SERVER_BIN()                                                                  \
    do {                                                                                           \
        if (::conversa::test::ServerProcess::defaultBinary().isEmpty())                            \
            QSKIP("CONVERSA_SERVER_BIN is not set (run through ctest)");                           \
    } while (false)
