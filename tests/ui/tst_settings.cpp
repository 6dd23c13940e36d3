// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Settings: values round-trip, and fields the administrator set are locked, show the managed
// value and say "Set by your administrator"; accepting never writes over them.
#include <AppSettings.h>
#include <ManagedSettings.h>
#include <SettingsDialog.h>

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::core::ManagedSettings;
using conversa::ui::AppSettings;
using conversa::ui::SettingsDialog;

class TestSettings : public QObject
{
    Q_OBJECT
private slots:
    void unmanagedFieldsAreEditableAndSaved();
    void managedFieldsAreLocked();
};

void TestSettings::unmanagedFieldsAreEditableAndSaved()
{
    QTemporaryDir policyDir; // empty: no policy at all
    qputenv("XDG_CONFIG_DIRS", policyDir.path().toUtf8());
    const ManagedSettings policy;
    QTemporaryDir dir;
    AppSettings settings(dir.filePath(u"conversa.ini"_s));
    SettingsDialog dialog(&settings, policy);
    dialog.show();
    QVERIFY(dialog.proxyModeBox()->isEnabled());
    QVERIFY(!dialog.isLocked(dialog.proxyModeBox()));
    dialog.proxyModeBox()->setCurrentIndex(dialog.proxyModeBox()->findData(u"socks5"_s));
    QVERIFY(dialog.proxyUrlEdit()->isEnabled());
    dialog.proxyUrlEdit()->setText(u"socks5://127.0.0.1:1080"_s);
    dialog.themeBox()->setCurrentIndex(dialog.themeBox()->findData(u"dark"_s));
    dialog.languageBox()->setCurrentIndex(dialog.languageBox()->findData(u"pt_PT"_s));
    dialog.accept();
    QCOMPARE(settings.proxyMode(), u"socks5"_s);
    QCOMPARE(settings.proxyUrl(), u"socks5://127.0.0.1:1080"_s);
    QCOMPARE(settings.theme(), u"dark"_s);
    QCOMPARE(settings.language(), u"pt_PT"_s);
    // Back to "system": the address field no longer applies.
    SettingsDialog again(&settings, policy);
    again.proxyModeBox()->setCurrentIndex(again.proxyModeBox()->findData(u"system"_s));
    QVERIFY(!again.proxyUrlEdit()->isEnabled());
}

void TestSettings::managedFieldsAreLocked()
{
    QTemporaryDir policyDir;
    QDir(policyDir.path()).mkpath(u"Conversa"_s);
    {
        QSettings policyFile(policyDir.filePath(u"Conversa/Conversa.conf"_s), QSettings::IniFormat);
        policyFile.setValue(u"ProxyMode"_s, u"http"_s);
        policyFile.setValue(u"ProxyUrl"_s, u"http://proxy.corp.example:3128"_s);
    }
    qputenv("XDG_CONFIG_DIRS", policyDir.path().toUtf8());
    const ManagedSettings policy;
    QVERIFY(policy.isManaged(ManagedSettings::ProxyMode));

    QTemporaryDir dir;
    AppSettings settings(dir.filePath(u"conversa.ini"_s));
    settings.setProxyMode(u"none"_s);
    settings.setExtraCaFile(u"/home/me/ca.pem"_s);
    SettingsDialog dialog(&settings, policy);
    dialog.show();

    QVERIFY(!dialog.proxyModeBox()->isEnabled());
    QVERIFY(dialog.isLocked(dialog.proxyModeBox()));
    QCOMPARE(dialog.proxyModeBox()->currentData().toString(), u"http"_s); // the managed value
    QVERIFY(!dialog.proxyUrlEdit()->isEnabled());
    QCOMPARE(dialog.proxyUrlEdit()->text(), u"http://proxy.corp.example:3128"_s);
    auto *note = dialog.findChild<QLabel *>(u"proxyModeLock"_s);
    QVERIFY(note && note->isVisible());
    QCOMPARE(note->text(), u"Set by your administrator"_s);
    QVERIFY(note->toolTip().contains(policyDir.path()));
    // Not managed: still the user's.
    QVERIFY(dialog.caFileEdit()->isEnabled());
    QCOMPARE(dialog.caFileEdit()->text(), u"/home/me/ca.pem"_s);
    QVERIFY(!dialog.findChild<QLabel *>(u"caFileLock"_s)->isVisible());

    dialog.accept();
    QCOMPARE(settings.proxyMode(), u"none"_s); // the user's own value is left alone
}

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
