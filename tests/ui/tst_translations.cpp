// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Translations: every .ts is complete and not stale (no unfinished, no vanished or obsolete
// entries), and a pseudo-locale walk over every window finds no visible text that bypassed tr().
#include <AppSettings.h>
#include <ChatPage.h>
#include <Composer.h>
#include <ConnectionDetailsDialog.h>
#include <MainWindow.h>
#include <ManagedSettings.h>
#include <MessageView.h>
#include <SettingsDialog.h>
#include <SignInPage.h>
#include <Translations.h>

#include <QAbstractButton>
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProcess>
#include <QScrollBar>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

#include <functional>

using namespace Qt::StringLiterals;
namespace ui = conversa::ui;

namespace {

// Wraps every translated string in ⟦…⟧, so text that did not pass through tr() stands out.
class PseudoTranslator : public QTranslator
{
public:
    QString translate(const char *, const char *sourceText, const char *, int) const override
    {
        return u"⟦"_s + QString::fromUtf8(sourceText) + u"⟧"_s;
    }
    bool isEmpty() const override { return false; }
};

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT
private slots:
    void tsFilesAreCompleteAndCurrent_data();
    void tsFilesAreCompleteAndCurrent();
    void tsFilesHaveEveryStringOfTheSources();
    void everyVisibleTextComesFromTr();
    void everyControlHasAnAccessibleName();
    void switchingLanguageRetranslatesOpenWindows();
    void keychainWarningIsShortAndTranslated();

private:
    QStringList untranslatedTexts(QWidget *root);
};

void TestTranslations::tsFilesAreCompleteAndCurrent_data()
{
    QTest::addColumn<QString>("file");
    for (const QString &name : QDir(QStringLiteral(CONVERSA_TS_DIR)).entryList({u"*.ts"_s}))
        QTest::newRow(qPrintable(name)) << QDir(QStringLiteral(CONVERSA_TS_DIR)).filePath(name);
}

// Entries of a .ts that are not finished translations: "unfinished", "vanished", "obsolete".
static QStringList unfinishedEntries(const QString &file, int *messageCount)
{
    QFile ts(file);
    if (!ts.open(QIODevice::ReadOnly))
        return {u"cannot open "_s + file};
    QXmlStreamReader xml(&ts);
    QString context;
    QString source;
    int messages = 0;
    QStringList problems;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == u"name"_s) {
            context = xml.readElementText();
        } else if (xml.name() == u"source"_s) {
            source = xml.readElementText();
            ++messages;
        } else if (xml.name() == u"translation"_s) {
            const QString type = xml.attributes().value(u"type"_s).toString();
            if (type == u"unfinished"_s || type == u"vanished"_s || type == u"obsolete"_s)
                problems.append(u"%1 [%2] %3"_s.arg(type, context, source));
        }
    }
    if (xml.hasError())
        problems.append(xml.errorString());
    *messageCount = messages;
    return problems;
}

void TestTranslations::tsFilesAreCompleteAndCurrent()
{
    QFETCH(QString, file);
    int messages = 0;
    const QStringList problems = unfinishedEntries(file, &messages);
    QVERIFY(messages > 100);
    QVERIFY2(problems.isEmpty(),
             qPrintable(u"%1 entries need work (run the update_translations target, then "
                        "translate):\n"_s.arg(problems.size()) +
                        problems.mid(0, 20).join(u'\n')));
}

QStringList TestTranslations::untranslatedTexts(QWidget *root)
{
    QStringList found;
    const auto check = [&found](const QString &where, QString text) {
        text.remove(u'&');
        // Values, not words: numbers, times, addresses, names the user typed.
        if (text.trimmed().isEmpty() || text.contains(u"⟦"_s))
            return;
        static const QStringList allowed{u"English"_s, u"Português (Portugal)"_s,
                                         u"Português (Brasil)"_s};
        if (allowed.contains(text))
            return;
        found.append(where + u": "_s + text);
    };
    QList<QWidget *> widgets = root->findChildren<QWidget *>();
    widgets.prepend(root);
    for (QWidget *w : widgets) {
        const QString name =
            QString::fromLatin1(w->metaObject()->className()) + u"#"_s + w->objectName();
        if (w->isWindow())
            check(name + u" title"_s, w->windowTitle());
        if (!w->isVisibleTo(root) && w != root)
            continue;
        if (auto *label = qobject_cast<QLabel *>(w); label && label->pixmap().isNull())
            check(name, label->text());
        if (auto *button = qobject_cast<QAbstractButton *>(w))
            check(name, button->text());
        if (auto *edit = qobject_cast<QLineEdit *>(w))
            check(name + u" placeholder"_s, edit->placeholderText());
        if (auto *edit = qobject_cast<QPlainTextEdit *>(w))
            check(name + u" placeholder"_s, edit->placeholderText());
        if (auto *box = qobject_cast<QGroupBox *>(w))
            check(name, box->title());
        if (auto *combo = qobject_cast<QComboBox *>(w))
            for (int i = 0; i < combo->count(); ++i)
                check(name + u" item"_s, combo->itemText(i));
        if (!w->accessibleName().isEmpty())
            check(name + u" accessible name"_s, w->accessibleName());
        if (auto *menu = qobject_cast<QMenu *>(w))
            for (QAction *action : menu->actions())
                if (!action->isSeparator())
                    check(name + u" action"_s, action->text());
    }
    if (auto *window = qobject_cast<QMainWindow *>(root))
        for (QAction *action : window->menuBar()->actions())
            check(u"menu"_s, action->text());
    return found;
}

// A string added to (or removed from) the sources without running update_translations makes the
// .ts stale. lupdate on a copy tells: new strings come out "unfinished", gone ones "vanished".
void TestTranslations::tsFilesHaveEveryStringOfTheSources()
{
    QTemporaryDir dir;
    const QString copy = dir.filePath(u"conversa_pt_PT.ts"_s);
    QVERIFY(
        QFile::copy(QDir(QStringLiteral(CONVERSA_TS_DIR)).filePath(u"conversa_pt_PT.ts"_s), copy));
    QProcess lupdate;
    lupdate.start(QStringLiteral(CONVERSA_LUPDATE),
                  {u"-silent"_s, u"-locations"_s, u"none"_s,
                   u"@"_s + QStringLiteral(CONVERSA_SOURCES_LST), u"-ts"_s, copy});
    QVERIFY2(lupdate.waitForFinished(60000) && lupdate.exitCode() == 0,
             lupdate.readAllStandardError().constData());
    int messages = 0;
    const QStringList problems = unfinishedEntries(copy, &messages);
    QVERIFY2(problems.isEmpty(),
             qPrintable(u"The .ts files are stale; run the update_translations target and "
                        "translate:\n"_s +
                        problems.join(u'\n')));
}

void TestTranslations::everyVisibleTextComesFromTr()
{
    PseudoTranslator pseudo;
    QCoreApplication::installTranslator(&pseudo);
    QTemporaryDir policyDir;
    qputenv("XDG_CONFIG_DIRS", policyDir.path().toUtf8());
    const conversa::core::ManagedSettings policy;
    QTemporaryDir dir;
    ui::AppSettings settings(dir.filePath(u"conversa.ini"_s));

    // The walk itself must notice text that skipped tr().
    {
        QWidget probe;
        auto *plain = new QLabel(u"plain text"_s, &probe);
        Q_UNUSED(plain);
        probe.show();
        QCOMPARE(untranslatedTexts(&probe).size(), 1);
    }

    QStringList problems;
    {
        ui::MainWindow window;
        window.show();
        problems += untranslatedTexts(&window);
        window.showChat();
        problems += untranslatedTexts(&window);
    }
    {
        ui::SettingsDialog dialog(&settings, policy);
        dialog.show();
        problems += untranslatedTexts(&dialog);
    }
    {
        ui::ConnectionDetailsDialog dialog(nullptr);
        dialog.show();
        problems += untranslatedTexts(&dialog);
    }
    QCoreApplication::removeTranslator(&pseudo);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

// Screen readers need a name for everything that takes the keyboard focus. A button's or a check
// box's own text is its name; other controls need an accessible name.
void TestTranslations::everyControlHasAnAccessibleName()
{
    QTemporaryDir policyDir;
    qputenv("XDG_CONFIG_DIRS", policyDir.path().toUtf8());
    const conversa::core::ManagedSettings policy;
    QTemporaryDir dir;
    ui::AppSettings settings(dir.filePath(u"conversa.ini"_s));
    ui::MainWindow window;
    window.show();
    window.showChat();
    ui::SettingsDialog settingsDialog(&settings, policy);
    settingsDialog.show();
    ui::ConnectionDetailsDialog details(nullptr);
    details.show();

    QWidget probe; // the check itself must notice an unnamed control
    auto *unnamedEdit = new QLineEdit(&probe);
    Q_UNUSED(unnamedEdit);
    probe.show();

    QStringList unnamed;
    for (QWidget *root :
         {static_cast<QWidget *>(&probe), static_cast<QWidget *>(&window),
          static_cast<QWidget *>(&settingsDialog), static_cast<QWidget *>(&details)}) {
        for (QWidget *w : root->findChildren<QWidget *>()) {
            if (w->focusPolicy() == Qt::NoFocus || !w->isVisibleTo(root))
                continue;
            if (qobject_cast<QScrollBar *>(w) || w->inherits("QSplitterHandle") ||
                qobject_cast<QAbstractScrollArea *>(w->parentWidget()))
                continue; // parts of a named control
            QString name = w->accessibleName();
            if (auto *button = qobject_cast<QAbstractButton *>(w); button && name.isEmpty())
                name = button->text();
            if (name.remove(u'&').trimmed().isEmpty())
                unnamed.append(QString::fromLatin1(w->metaObject()->className()) + u"#"_s +
                               w->objectName());
        }
    }
    QCOMPARE(unnamed.value(0), u"QLineEdit#"_s);
    unnamed.removeFirst();
    QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u'\n')));
}

// Settings → Language applies at once: every open window shows the new language without a
// restart, and back.
void TestTranslations::switchingLanguageRetranslatesOpenWindows()
{
    QTemporaryDir policyDir;
    qputenv("XDG_CONFIG_DIRS", policyDir.path().toUtf8());
    const conversa::core::ManagedSettings policy;
    QTemporaryDir dir;
    ui::AppSettings settings(dir.filePath(u"conversa.ini"_s));
    QCOMPARE(ui::Translations::install(*QCoreApplication::instance(), u"en"_s), u"en"_s);

    ui::MainWindow window;
    window.show();
    ui::SettingsDialog dialog(&settings, policy);
    dialog.show();
    ui::ConnectionDetailsDialog details(nullptr);
    details.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *signInTitle = window.signInPage()->findChild<QLabel *>(u"signInTitle"_s);
    auto *roomsHeading = window.chatPage()->findChild<QLabel *>(u"roomsHeading"_s);
    auto *leave = window.chatPage()->findChild<QAbstractButton *>(u"roomMenuButton"_s);
    auto *themeBox = dialog.themeBox();
    QVERIFY(signInTitle && roomsHeading && leave);
    QAction *roomMenu = window.menuBar()->actions().value(1);
    QVERIFY(roomMenu);

    // What each text is in English, and what it must become.
    struct Shown {
        std::function<QString()> text;
        const char *context;
        const char *source;
    };
    const QList<Shown> shown{
        {[&] { return signInTitle->text(); }, "conversa::ui::SignInPage", "Sign in to Conversa"},
        {[&] { return roomsHeading->text(); }, "conversa::ui::ChatPage", "Rooms"},
        {[&] { return leave->toolTip(); }, "conversa::ui::ChatPage", "Room menu"},
        {[&] { return window.chatPage()->composer()->placeholderText(); }, "conversa::ui::ChatPage",
         "Choose a room to start writing."},
        {[&] { return roomMenu->text(); }, "conversa::ui::MainWindow", "&Room"},
        {[&] { return dialog.windowTitle(); }, "conversa::ui::SettingsDialog", "Settings"},
        {[&] { return themeBox->itemText(1); }, "conversa::ui::SettingsDialog", "Light"},
        {[&] { return details.windowTitle(); }, "conversa::ui::ConnectionDetailsDialog",
         "Connection details"},
        {[&] { return details.valueLabel(u"detailPeer"_s)->accessibleName(); },
         "conversa::ui::ConnectionDetailsDialog", "Connected to"},
        {[&] { return window.chatPage()->messageView()->accessibleName(); },
         "conversa::ui::MessageView", "Messages"},
        {[&] {
             return window.chatPage()
                 ->messageView()
                 ->findChild<QWidget *>(u"newMessagesButton"_s)
                 ->accessibleName();
         },
         "conversa::ui::MessageView", "Jump to new messages"},
    };
    for (const Shown &s : shown)
        QCOMPARE(s.text(), QString::fromUtf8(s.source));

    QCOMPARE(ui::Translations::install(*QCoreApplication::instance(), u"pt_PT"_s), u"pt_PT"_s);
    for (const Shown &s : shown) {
        const QString portuguese = QCoreApplication::translate(s.context, s.source);
        QVERIFY2(portuguese != QString::fromUtf8(s.source), s.source); // really translated
        QTRY_COMPARE(s.text(), portuguese);
    }
    // Nothing was rebuilt or reopened.
    QVERIFY(window.isVisible() && dialog.isVisible() && details.isVisible());

    QCOMPARE(ui::Translations::install(*QCoreApplication::instance(), u"en"_s), u"en"_s);
    for (const Shown &s : shown)
        QTRY_COMPARE(s.text(), QString::fromUtf8(s.source));
}

void TestTranslations::keychainWarningIsShortAndTranslated()
{
    ui::MainWindow window;
    window.show();
    QCOMPARE(ui::Translations::install(*QCoreApplication::instance(), u"pt_PT"_s), u"pt_PT"_s);
    // libsecret's own words, in English whatever the language.
    const QString detail = u"No keychain is available (Unknown error: org.freedesktop.DBus.Error."
                           "ServiceUnknown: The name org.freedesktop.secrets was not provided by "
                           "any .service files)."_s;
    window.showSignInNotKept(detail);
    const QString shown = window.statusBar()->currentMessage();
    QCOMPARE(shown, QCoreApplication::translate(
                        "conversa::ui::MainWindow",
                        "No keychain took your sign-in: you stay signed in until you quit."));
    QVERIFY2(shown.contains(u"porta-chaves"_s) && !shown.contains(u"DBus"_s), qPrintable(shown));
    QVERIFY2(shown.size() < 90, qPrintable(shown));
    QCOMPARE(window.statusBar()->toolTip(), detail);
    // The next message takes the tooltip with it.
    window.statusBar()->clearMessage();
    QVERIFY(window.statusBar()->toolTip().isEmpty());
    QCOMPARE(ui::Translations::install(*QCoreApplication::instance(), u"en"_s), u"en"_s);
}

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
