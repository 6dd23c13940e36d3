// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace conversa::core {

// Admin policy, read from the platform's place for it; a managed value wins over the user's own
// setting, and the UI shows that field locked.
//   Windows: HKLM, then HKCU, SOFTWARE\Policies\Conversa\Conversa (registry, QSettings native)
//   macOS:   forced managed preferences of the app's domain (CFPreferences, configuration profiles)
//   Linux and other Unix: Conversa/Conversa.conf in each folder of XDG_CONFIG_DIRS (/etc/xdg)
// The first place that sets a key decides it.
class ManagedSettings
{
public:
    // Keys (INI/registry value names).
    static inline const QString ServerUrl = QStringLiteral("ServerUrl");
    static inline const QString AllowServerUrlChange = QStringLiteral("AllowServerUrlChange");
    static inline const QString ProxyMode = QStringLiteral("ProxyMode"); // system|none|http|socks5
    static inline const QString ProxyUrl = QStringLiteral("ProxyUrl");
    static inline const QString ExtraCaFile = QStringLiteral("ExtraCaFile");
    static QStringList knownKeys();

    // The preference domain read on macOS.
    static inline const QString kMacDomain = QStringLiteral("org.conversa.Conversa");

    struct Location {
        QString path; // file path, registry path or preference domain
        QSettings::Format format = QSettings::IniFormat;
    };
    // Where this platform keeps admin policy, most important first. The one place that knows.
    static QList<Location> policyLocations();

    // Reads the policy now (construction reads it once).
    ManagedSettings();
    void reload();

    bool isManaged(const QString &key) const { return m_values.contains(key); }
    QVariant managedValue(const QString &key) const { return m_values.value(key); }
    // The managed value when there is one, else the user's.
    QVariant effective(const QString &key, const QVariant &userValue) const;
    // Where each managed key came from (for "set by your administrator in …").
    QString origin(const QString &key) const { return m_origins.value(key); }

    // Convenience: whether the user may type another server address.
    bool serverUrlChangeAllowed() const;

private:
    QHash<QString, QVariant> m_values;
    QHash<QString, QString> m_origins;
};

} // namespace conversa::core
