// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ManagedSettings.h"

#include <QDir>
#include <QFileInfo>
#include <QtGlobal>

namespace conversa::core {

using namespace Qt::StringLiterals;

#ifdef Q_OS_MACOS
// ManagedSettings_mac.mm: the forced (managed) values of `keys` in preference domain `domain`.
QHash<QString, QVariant> readForcedPreferences(const QString &domain, const QStringList &keys);
#endif

QStringList ManagedSettings::knownKeys()
{
    return {ServerUrl, AllowServerUrlChange, ProxyMode, ProxyUrl, ExtraCaFile};
}

QList<ManagedSettings::Location> ManagedSettings::policyLocations()
{
#if defined(Q_OS_WIN)
    return {
        {u"HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Conversa\\Conversa"_s, QSettings::NativeFormat},
        {u"HKEY_CURRENT_USER\\SOFTWARE\\Policies\\Conversa\\Conversa"_s, QSettings::NativeFormat}};
#elif defined(Q_OS_MACOS)
    return {{kMacDomain, QSettings::NativeFormat}};
#else
    // XDG Base Directory: XDG_CONFIG_DIRS lists system folders, most important first.
    QString dirs = qEnvironmentVariable("XDG_CONFIG_DIRS");
    if (dirs.trimmed().isEmpty())
        dirs = u"/etc/xdg"_s;
    QList<Location> locations;
    for (const QString &dir : dirs.split(u':', Qt::SkipEmptyParts)) {
        if (!QDir::isAbsolutePath(dir))
            continue; // relative entries are invalid per the spec
        locations.append(
            {QDir::cleanPath(dir + u"/Conversa/Conversa.conf"_s), QSettings::IniFormat});
    }
    return locations;
#endif
}

ManagedSettings::ManagedSettings()
{
    reload();
}

void ManagedSettings::reload()
{
    m_values.clear();
    m_origins.clear();
    const QStringList keys = knownKeys();
    for (const Location &location : policyLocations()) {
#ifdef Q_OS_MACOS
        const QHash<QString, QVariant> forced = readForcedPreferences(location.path, keys);
        for (auto it = forced.cbegin(); it != forced.cend(); ++it) {
            if (!m_values.contains(it.key())) {
                m_values.insert(it.key(), it.value());
                m_origins.insert(it.key(), location.path);
            }
        }
#else
        if (location.format == QSettings::IniFormat && !QFileInfo::exists(location.path))
            continue;
        const QSettings settings(location.path, location.format);
        for (const QString &key : keys) {
            if (m_values.contains(key))
                continue;
            // INI files may put the keys at the top or in a [General] group; both count.
            const QVariant value = settings.value(key);
            if (value.isValid()) {
                m_values.insert(key, value);
                m_origins.insert(key, location.path);
            }
        }
#endif
    }
}

QVariant ManagedSettings::effective(const QString &key, const QVariant &userValue) const
{
    const auto it = m_values.constFind(key);
    return it != m_values.cend() ? *it : userValue;
}

bool ManagedSettings::serverUrlChangeAllowed() const
{
    const QVariant allowed = m_values.value(AllowServerUrlChange);
    if (!allowed.isValid())
        return true;
    // INI gives strings, the registry numbers, CFPreferences booleans.
    const QString text = allowed.toString().trimmed().toLower();
    return !(text == u"false"_s || text == u"0"_s || text == u"no"_s || text == u"off"_s);
}

} // namespace conversa::core
