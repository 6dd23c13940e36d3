// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "DesktopFixture.h"

#include "ConversaTest.h"

#include <ChatPage.h>
#include <MainWindow.h>
#include <MessageModel.h>
#include <MessageView.h>
#include <RoomListModel.h>
#include <SessionManager.h>
#include <SignInPage.h>

#include <QLineEdit>
#include <QPushButton>
#include <QTest>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace ui = conversa::ui;

namespace conversa::test {

std::unique_ptr<ServerProcess> startServerWithUsersOnly(QString *why)
{
    auto server = std::make_unique<ServerProcess>();
    if (!server->addUser(u"alice"_s, u"alice-password"_s) ||
        !server->addUser(u"bob"_s, u"bob-password"_s)) {
        *why = server->lastAdminError();
        return nullptr;
    }
    if (!server->start()) {
        *why = server->diagnostics();
        return nullptr;
    }
    return server;
}

bool CliPeer::login(const QUrl &server, const QString &user, const QString &password, QString *why)
{
    m_server = server.toString();
    m_user = user;
    const CliRunner::Result result =
        CliRunner::run({u"login"_s, m_server, user, u"--password-stdin"_s, u"--print-token"_s,
                        u"--data"_s, m_data.path()},
                       password.toUtf8() + '\n', CliRunner::withToken({}));
    // The token is the last line printed.
    m_token = QString::fromUtf8(result.out).trimmed().split(u'\n').last();
    if (result.exitCode != 0 || m_token.isEmpty()) {
        *why = result.describe();
        return false;
    }
    return true;
}

QStringList CliPeer::accountArguments() const
{
    return {u"--server"_s, m_server, u"--user"_s, m_user, u"--data"_s, m_data.path()};
}

CliRunner::Result CliPeer::run(const QStringList &arguments, const QByteArray &input) const
{
    return CliRunner::run(arguments + accountArguments(), input, CliRunner::withToken(m_token));
}

std::unique_ptr<QProcess> CliPeer::tail(const QString &room) const
{
    auto process = std::make_unique<QProcess>();
    process->setProcessEnvironment(CliRunner::withToken(m_token));
    process->start(CliRunner::binary(), QStringList{u"tail"_s, room} + accountArguments());
    if (!process->waitForStarted())
        return nullptr;
    return process;
}

bool joinOverWire(const QUrl &server, const QString &user, const QString &password,
                  const QString &room, QString *why)
{
    const auto client = openWithLogin(server, user, password, why);
    if (!client)
        return false;
    const QJsonObject reply = client->join(room);
    if (!TestClient::isOk(reply)) {
        *why = u"%1 could not join %2: %3"_s.arg(user, room, TestClient::toText(reply));
        return false;
    }
    return true;
}

DesktopApplication::Options appOptions(const QString &dataDir, const QUrl &server,
                                       const QString &user)
{
    DesktopApplication::Options options;
    options.dataDir = dataDir;
    options.server = server.toString();
    options.user = user;
    options.useKeychain = false;
    return options;
}

std::unique_ptr<DesktopApplication> startSignedIn(const QString &dataDir, const QUrl &server,
                                                  const QString &user, const QString &password,
                                                  const QString &room, QString *why)
{
    auto app = std::make_unique<DesktopApplication>(appOptions(dataDir, server, user));
    app->start();
    ui::SignInPage *signIn = app->window()->signInPage();
    signIn->passwordEdit()->setText(password);
    QTest::mouseClick(signIn->signInButton(), Qt::LeftButton);
    if (!waitUntil([&] { return app->session()->state() == core::ConnectionState::Online; },
                   15000)) {
        *why = u"not Online after 15 s: %1 %2"_s.arg(app->session()->status().toDisplayString(),
                                                     signIn->errorText());
        return nullptr;
    }
    if (room.isEmpty())
        return app;
    if (!waitUntil([&] { return app->roomModel()->rowOfRoom(room) >= 0; }, 10000)) {
        *why = u"%1 is not in the room list after 10 s"_s.arg(room);
        return nullptr;
    }
    ui::ChatPage *chat = app->window()->chatPage();
    chat->openRoom(room);
    if (!waitUntil([&] { return chat->room() != nullptr; }, 5000)) {
        *why = u"%1 did not open"_s.arg(room);
        return nullptr;
    }
    return app;
}

QModelIndex rowOfSeq(ui::MessageView *view, qint64 seq)
{
    const QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(core::MessageModel::SeqRole).toLongLong() == seq)
            return index;
    }
    return {};
}

QStyleOptionViewItem rowOption(ui::MessageView *view, const QModelIndex &index)
{
    // As QAbstractItemView::initViewItemOption fills it for painting and for mouse events.
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.font = view->font();
    option.rect = view->visualRect(index);
    option.widget = view;
    return option;
}

} // namespace conversa::test
