// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QLocale>
#include <QString>

class QTranslator;
class QCoreApplication;

namespace conversa::ui {

// Loads the app's translation (compiled into the binary) and Qt's own for a language: the
// system's by default, or the one chosen in Settings.
class Translations
{
public:
    // `language` empty: the system's. Returns the locale name that was loaded ("en" when none).
    static QString install(QCoreApplication &app, const QString &language);
    // Locale names with a translation compiled in.
    static QStringList available();
};

} // namespace conversa::ui
