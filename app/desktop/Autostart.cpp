// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

QString Autostart::linuxEntryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           u"/autostart/org.conversa.Conversa.desktop"_s;
}

bool Autostart::isSupported()
{
#if defined(Q_OS_WIN) || (defined(Q_OS_UNIX) && !defined(Q_OS_MACOS))
    return true;
#else
    return false;
#endif
}

bool Autostart::isEnabled()
{
#if defined(Q_OS_WIN)
    QSettings run(u"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"_s,
                  QSettings::NativeFormat);
    return run.contains(u"Conversa"_s);
#else
    return QFile::exists(linuxEntryPath());
#endif
}

bool Autostart::setEnabled(bool enabled, QString *errorMessage)
{
    const QString program = QDir::toNativeSeparators(QCoreApplication::applicationFilePath());
#if defined(Q_OS_WIN)
    QSettings run(u"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"_s,
                  QSettings::NativeFormat);
    if (enabled)
        run.setValue(u"Conversa"_s, u"\"%1\" --hidden"_s.arg(program));
    else
        run.remove(u"Conversa"_s);
    return true;
#elif defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    const QString path = linuxEntryPath();
    if (!enabled) {
        QFile::remove(path);
        return true;
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (errorMessage)
            *errorMessage = file.errorString();
        return false;
    }
    file.write("[Desktop Entry]\nType=Application\nName=Conversa\nIcon=conversa\n"
               "X-GNOME-Autostart-enabled=true\nExec=\"" +
               program.toUtf8() + "\" --hidden\n");
    return true;
#else
    Q_UNUSED(enabled);
    if (errorMessage)
        *errorMessage = QCoreApplication::translate(
            "Autostart", "Starting on login is set in the system's own settings on this platform.");
    return false;
#endif
}
