// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Forced (managed) preferences on macOS: values an administrator set with a configuration
// profile. Only forced values count as policy; a user's own defaults do not.
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <CoreFoundation/CoreFoundation.h>

namespace conversa::core {

namespace {

QVariant fromPropertyList(CFPropertyListRef value)
{
    if (!value)
        return {};
    const CFTypeID type = CFGetTypeID(value);
    if (type == CFStringGetTypeID())
        return QString::fromCFString(static_cast<CFStringRef>(value));
    if (type == CFBooleanGetTypeID())
        return bool(CFBooleanGetValue(static_cast<CFBooleanRef>(value)));
    if (type == CFNumberGetTypeID()) {
        long long number = 0;
        CFNumberGetValue(static_cast<CFNumberRef>(value), kCFNumberLongLongType, &number);
        return number;
    }
    return {};
}

} // namespace

QHash<QString, QVariant> readForcedPreferences(const QString &domain, const QStringList &keys)
{
    QHash<QString, QVariant> values;
    const CFStringRef application = domain.toCFString();
    for (const QString &key : keys) {
        const CFStringRef name = key.toCFString();
        if (CFPreferencesAppValueIsForced(name, application)) {
            CFPropertyListRef value = CFPreferencesCopyAppValue(name, application);
            const QVariant converted = fromPropertyList(value);
            if (value)
                CFRelease(value);
            if (converted.isValid())
                values.insert(key, converted);
        }
        CFRelease(name);
    }
    CFRelease(application);
    return values;
}

} // namespace conversa::core
