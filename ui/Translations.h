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
// system's by default, or the one chosen in Settings. Installing another language replaces the
// translators installed before, and every widget gets a QEvent::LanguageChange: open windows
// retranslate themselves at once.
class Translations
{
public:
    // `language` empty: the system's. Returns the locale name that was loaded ("en" when none).
    // May be called again at any time.
    static QString install(QCoreApplication &app, const QString &language);
    // Locale names with a translation compiled in.
    static QStringList available();
};

} // namespace conversa::ui
