// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "AccountPaths.h"

#include <QDir>
#include <QStandardPaths>

namespace conversa::core {

using namespace Qt::StringLiterals;

AccountPaths::AccountPaths(const QString &baseDirectory)
    : m_base(baseDirectory.isEmpty()
                 ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                 : QDir(baseDirectory).absolutePath())
{}

QString AccountPaths::folderName(const QString &accountKey)
{
    QString name;
    name.reserve(accountKey.size());
    for (const QChar c : accountKey) {
        const bool safe = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                          (c >= u'0' && c <= u'9') || c == u'.' || c == u'-' || c == u'_' ||
                          c == u'@';
        name.append(safe ? c : u'_');
    }
    return name;
}

QString AccountPaths::accountDirectory(const QString &accountKey) const
{
    return QDir(m_base).filePath(u"accounts/"_s + folderName(accountKey));
}

QString AccountPaths::cachePath(const QString &accountKey) const
{
    return QDir(accountDirectory(accountKey)).filePath(u"cache.sqlite"_s);
}

QString AccountPaths::outboxPath(const QString &accountKey) const
{
    return QDir(accountDirectory(accountKey)).filePath(u"outbox.sqlite"_s);
}

QString AccountPaths::filesDirectory(const QString &accountKey) const
{
    return QDir(accountDirectory(accountKey)).filePath(u"files"_s);
}

} // namespace conversa::core
