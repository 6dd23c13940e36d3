// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-cli's file commands: `send ROOM [TEXT] --file PATH…` and `download FILE_ID -o PATH`.
#include "CliApplication.h"

#include <FileTransfer.h>
#include <Room.h>
#include <Validation.h>

#include <QImageReader>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
namespace proto = conversa::protocol;

// The files of `send --file`, described for the outbox as the app's composer does; on a problem
// (no such file, too large, too many) finishes with it in words.
bool CliApplication::describeFiles(const core::Room *room, QList<core::OutboxFile> *files)
{
    for (const QString &path : std::as_const(m_options.files)) {
        QString error;
        std::optional<core::OutboxFile> file = room->describeFile(path, *files, &error);
        if (!file) {
            finish(UsageError, error);
            return false;
        }
        // The receivers lay an image out before its bytes arrive.
        if (file->type.startsWith("image/"_L1)) {
            const QSize size = QImageReader(file->source).size();
            file->width = qMax(0, size.width());
            file->height = qMax(0, size.height());
        }
        files->append(*file);
    }
    return true;
}

void CliApplication::runDownload()
{
    const QStringList &args = m_options.arguments;
    if (args.size() != 1 || !proto::isValidFileId(args.at(0)) || m_options.output.isEmpty()) {
        finish(UsageError, tr("Usage: conversa-cli download FILE_ID -o PATH"));
        return;
    }
    loadToken([this](const QString &token) {
        // The session's proxy and CAs, the administrator's if set (Account::setNetwork).
        auto *transfer = new core::FileTransfer(m_session->transportOptions(), token, this);
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
