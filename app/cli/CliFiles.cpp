// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-cli's file commands: `send ROOM [TEXT] --file PATH…` and `download FILE_ID -o PATH`.
#include "CliApplication.h"

#include <Account.h>
#include <FileTransfer.h>
#include <Validation.h>

#include <QFileInfo>
#include <QSslCertificate>
#include <QUuid>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace proto = conversa::protocol;

// The session's server, proxy and extra CAs, for HTTP.
static core::TransportOptions transferOptions(const QUrl &server,
                                              const CliApplication::Options &options)
{
    core::TransportOptions transport;
    transport.url = server;
    if (const auto proxy = core::parseProxy(options.proxy, {})) {
        transport.proxy = static_cast<core::TransportOptions::Proxy>(proxy->mode);
        transport.proxyUrl = proxy->url;
    }
    if (!options.caFile.isEmpty())
        transport.extraCas = QSslCertificate::fromPath(options.caFile);
    transport.userAgent = u"conversa-cli"_s;
    return transport;
}

void CliApplication::runSendFiles()
{
    const QStringList &args = m_options.arguments;
    if (args.isEmpty() || args.size() > 2 || !proto::isValidRoomName(args.at(0))) {
        finish(UsageError, tr("Usage: conversa-cli send ROOM [TEXT] --file PATH [--file PATH…]"));
        return;
    }
    const int allowed = m_session->serverLimits().maxFilesPerMessage;
    if (m_options.files.size() > allowed) {
        finish(UsageError, tr("A message carries at most %1 files.").arg(allowed));
        return;
    }
    for (const QString &path : m_options.files) {
        if (!QFileInfo(path).isFile()) {
            finish(UsageError, tr("“%1” is not a file.").arg(path));
            return;
        }
    }
    loadToken([this](const QString &token) {
        m_timeout.start(m_options.timeoutSeconds * 1000);
        startSession(token);
    });
}

// Called once the session is synced: uploads the files one after another, then sends the
// message that carries them (with a fresh cid; a run that fails leaves only unattached uploads,
// which the server deletes after a day).
void CliApplication::uploadNextFile()
{
    if (m_uploaded.size() == m_options.files.size()) {
        proto::SendRequest send;
        send.room = m_options.arguments.at(0);
        send.cid = QUuid::createUuid().toString(QUuid::WithoutBraces);
        send.body = m_options.arguments.value(1);
        send.replyTo = m_options.replyTo;
        for (const proto::FileRef &file : std::as_const(m_uploaded))
            send.files.append(file.file);
        m_session->request(send, [this, send](const core::RequestResult &result) {
            if (!result.isOk()) {
                finish(Refused,
                       result.message.isEmpty() ? tr("The connection was lost.") : result.message);
                return;
            }
            proto::MessageEvent message{send.room,
                                        result.payload.value("seq"_L1).toInteger(),
                                        result.payload.value("ts"_L1).toInteger(),
                                        m_user,
                                        send.cid,
                                        send.body,
                                        send.replyTo};
            message.files = m_uploaded;
            printMessage(message);
            finish(Success);
        });
        return;
    }
    const QString path = m_options.files.at(m_uploaded.size());
    auto *transfer = new core::FileTransfer(transferOptions(m_session->serverUrl(), m_options),
                                            m_session->token(), this);
    connect(transfer, &core::FileTransfer::finished, this,
            [this, transfer](const proto::FileRef &file) {
                transfer->deleteLater();
                m_uploaded.append(file);
                m_timeout.start(m_options.timeoutSeconds * 1000);
                uploadNextFile();
            });
    connect(transfer, &core::FileTransfer::failed, this, [this, transfer](const QString &reason) {
        transfer->deleteLater();
        finish(Refused, reason);
    });
    // Bytes moving count as progress: a large file may take longer than --timeout in all.
    connect(transfer, &core::FileTransfer::progress, this,
            [this] { m_timeout.start(m_options.timeoutSeconds * 1000); });
    transfer->upload(path, m_session->serverLimits().maxFileBytes);
}

void CliApplication::runDownload()
{
    const QStringList &args = m_options.arguments;
    if (args.size() != 1 || !proto::isValidFileId(args.at(0)) || m_options.output.isEmpty()) {
        finish(UsageError, tr("Usage: conversa-cli download FILE_ID -o PATH"));
        return;
    }
    loadToken([this](const QString &token) {
        auto *transfer =
            new core::FileTransfer(transferOptions(m_session->serverUrl(), m_options), token, this);
        connect(transfer, &core::FileTransfer::finished, this, [this] {
            finish(Success, m_options.verbose ? tr("Saved %1.").arg(m_options.output) : QString());
        });
        connect(transfer, &core::FileTransfer::failed, this,
                [this](const QString &reason) { finish(Refused, reason); });
        connect(transfer, &core::FileTransfer::progress, this,
                [this] { m_timeout.start(m_options.timeoutSeconds * 1000); });
        m_timeout.start(m_options.timeoutSeconds * 1000);
        transfer->download(m_options.arguments.at(0), m_options.output);
    });
}
