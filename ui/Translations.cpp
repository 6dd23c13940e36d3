// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QPointer>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace conversa::ui {

namespace {
// The translators this class installed, replaced by the next install().
QPointer<QTranslator> s_own;
QPointer<QTranslator> s_qt;

void uninstall(QPointer<QTranslator> &translator)
{
    if (!translator)
        return;
    QCoreApplication::removeTranslator(translator);
    delete translator.data();
    translator.clear();
}
} // namespace

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
    QLocale::setDefault(locale);
    uninstall(s_own);
    uninstall(s_qt);
    auto *own = new QTranslator(&app);
    // QTranslator::load(locale, …) tries pt_PT, then pt, for each of the locale's UI languages.
    QString loaded = u"en"_s;
    // No translation for this language: English, whose file carries the plural forms.
    if (own->load(locale, u"conversa"_s, u"_"_s, u":/i18n"_s) ||
        own->load(u"conversa_en"_s, u":/i18n"_s)) {
        QCoreApplication::installTranslator(own);
        s_own = own;
        loaded = own->language();
    } else {
        delete own;
    }
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt);
        s_qt = qt;
    } else {
        delete qt;
    }
    return loaded;
}

} // namespace conversa::ui
