// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ClientFixtures.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

using namespace Qt::StringLiterals;

namespace conversa::test {

std::unique_ptr<ServerProcess> startServerWithAliceAndBob(const QStringList &extraArgs)
{
    auto server = std::make_unique<ServerProcess>();
    if (!server->addUser(u"alice"_s, kAlicePassword) || !server->addUser(u"bob"_s, kBobPassword) ||
        !server->createRoom(u"general"_s, u"General"_s)) {
        qWarning("%s", qPrintable(server->lastAdminError()));
        return nullptr;
    }
    if (!server->start(extraArgs)) {
        qWarning("%s", qPrintable(server->diagnostics()));
        return nullptr;
    }
    return server;
}

bool hasPrivateKeyring()
{
    return qEnvironmentVariable("CONVERSA_TEST_PRIVATE_KEYRING") == u"1"_s;
}

QStringList filesHolding(const QString &folder, const QString &secret)
{
    const QByteArray utf8 = secret.toUtf8();
    const QByteArray utf16(reinterpret_cast<const char *>(secret.utf16()),
                           secret.size() * qsizetype(sizeof(char16_t)));
    QStringList found;
    QDirIterator files(folder, QDir::Files | QDir::Hidden | QDir::System,
                       QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        if (!file.open(QIODevice::ReadOnly)) {
            found.append(file.fileName() + u" (unreadable)"_s);
            continue;
        }
        const QByteArray bytes = file.readAll();
        if (bytes.contains(utf8) || bytes.contains(utf16))
            found.append(file.fileName());
    }
    return found;
}

} // namespace conversa::test
