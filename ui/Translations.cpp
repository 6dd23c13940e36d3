// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace conversa::ui {

QStringList Translations::available()
{
    QStringList names;
    for (const QString &file : QDir(u":/i18n"_s).entryList({u"conversa_*.qm"_s})) {
        QString name = file.mid(9);
        name.chop(3);
        names.append(name);
    }
    return names;
}

QString Translations::install(QCoreApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (!language.isEmpty())
        QLocale::setDefault(locale);
    auto *own = new QTranslator(&app);
    // QTranslator::load(locale, …) tries pt_PT, then pt, for each of the locale's UI languages.
    QString loaded = u"en"_s;
    // No translation for this language: English, whose file carries the plural forms.
    if (own->load(locale, u"conversa"_s, u"_"_s, u":/i18n"_s) ||
        own->load(u"conversa_en"_s, u":/i18n"_s)) {
        QCoreApplication::installTranslator(own);
        loaded = own->language();
    } else {
        delete own;
    }
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    return loaded;
}

} // namespace conversa::ui
