// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "DesktopApplication.h"
#include "SingleInstance.h"

#include <Theme.h>
#include <Translations.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace {
// --help and --version only print, so they must work without a display (ssh, packaging checks).
bool onlyPrints(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "--version" ||
            arg == "-v")
            return true;
    }
    return false;
}
} // namespace

int main(int argc, char *argv[])
{
    if (onlyPrints(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication::setHighDpiScaleFactorRoundingPolicy(
        Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Conversa"_s);
    QApplication::setApplicationName(u"Conversa"_s);
    QApplication::setApplicationVersion(QStringLiteral(CONVERSA_VERSION));
    QApplication::setDesktopFileName(u"org.conversa.Conversa"_s);
    QApplication::setWindowIcon(QIcon(u":/icons/conversa.svg"_s));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Conversa: chat in rooms with your organisation."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption serverOption(
        u"server"_s, QCoreApplication::translate("main", "Pre-fill the server address."), u"url"_s);
    const QCommandLineOption userOption(
        u"user"_s, QCoreApplication::translate("main", "Pre-fill the user name."), u"name"_s);
    const QCommandLineOption dataOption(
        u"data"_s,
        QCoreApplication::translate("main",
                                    "Keep settings, cache and outbox in this folder instead of "
                                    "the usual places."),
        u"dir"_s);
    const QCommandLineOption languageOption(
        u"language"_s,
        QCoreApplication::translate("main", "Use this language (en, pt_PT, pt_BR) for this run."),
        u"locale"_s);
    const QCommandLineOption themeOption(
        u"theme"_s, QCoreApplication::translate("main", "system, light or dark, for this run."),
        u"theme"_s);
    const QCommandLineOption noKeychainOption(
        u"no-keychain"_s, QCoreApplication::translate(
                              "main", "Do not read or store sign-ins in the system keychain."));
    const QCommandLineOption hiddenOption(
        u"hidden"_s, QCoreApplication::translate("main", "Start in the tray, without a window."));
    const QCommandLineOption newInstanceOption(
        u"new-instance"_s,
        QCoreApplication::translate("main", "Run even if Conversa is already running."));
    parser.addOptions({serverOption, userOption, dataOption, languageOption, themeOption,
                       noKeychainOption, hiddenOption, newInstanceOption});
    parser.process(app);

    DesktopApplication::Options options;
    options.dataDir = parser.value(dataOption);
    options.server = parser.value(serverOption);
    options.user = parser.value(userOption);
    options.theme = parser.value(themeOption);
    options.useKeychain = !parser.isSet(noKeychainOption);
    options.startHidden = parser.isSet(hiddenOption);

    // A second launch with the same data folder raises the first one and exits.
    SingleInstance instance(QDir::homePath() + u"|"_s + options.dataDir);
    if (!parser.isSet(newInstanceOption) && !instance.claim(app.arguments()))
        return 0;

    conversa::ui::Theme::install(app);
    // The language: the command line, else Settings, else the system's.
    QString language = parser.value(languageOption);
    if (language.isEmpty()) {
        const QSettings settings =
            options.dataDir.isEmpty() ? QSettings()
                                      : QSettings(QDir(options.dataDir).filePath(u"conversa.ini"_s),
                                                  QSettings::IniFormat);
        language = settings.value(u"appearance/language"_s).toString();
    }
    conversa::ui::Translations::install(app, language);

    DesktopApplication desktop(options);
    QObject::connect(&instance, &SingleInstance::activationRequested, &desktop,
                     &DesktopApplication::bringToFront);
    QObject::connect(&desktop, &DesktopApplication::quitRequested, &app, &QApplication::quit);
    desktop.start();
    return app.exec();
}
