// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include <ManagedSettings.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::core::ManagedSettings;

// Linux policy files: Conversa/Conversa.conf in each folder of XDG_CONFIG_DIRS.
class TestManagedSettings : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void locationsFollowXdgConfigDirs();
    void defaultsToEtcXdg();
    void noPolicyMeansUserValues();
    void managedValueWins();
    void firstFolderWins();
    void allowServerUrlChangeForms();

private:
    void writePolicy(const QString &folder, const QByteArray &ini);
    QTemporaryDir m_dir;
    QByteArray m_savedXdg;
};

void TestManagedSettings::init()
{
    m_savedXdg = qgetenv("XDG_CONFIG_DIRS");
}

void TestManagedSettings::cleanup()
{
    if (m_savedXdg.isNull())
        qunsetenv("XDG_CONFIG_DIRS");
    else
        qputenv("XDG_CONFIG_DIRS", m_savedXdg);
}

void TestManagedSettings::writePolicy(const QString &folder, const QByteArray &ini)
{
    QVERIFY(QDir().mkpath(folder + u"/Conversa"_s));
    QFile file(folder + u"/Conversa/Conversa.conf"_s);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(ini);
}

void TestManagedSettings::locationsFollowXdgConfigDirs()
{
    qputenv("XDG_CONFIG_DIRS", "/opt/site/xdg:relative/ignored::/etc/xdg/");
    const auto locations = ManagedSettings::policyLocations();
    QCOMPARE(locations.size(), 2);
    QCOMPARE(locations.at(0).path, u"/opt/site/xdg/Conversa/Conversa.conf"_s);
    QCOMPARE(locations.at(1).path, u"/etc/xdg/Conversa/Conversa.conf"_s);
    QCOMPARE(locations.at(0).format, QSettings::IniFormat);
}

void TestManagedSettings::defaultsToEtcXdg()
{
    qunsetenv("XDG_CONFIG_DIRS");
    const auto locations = ManagedSettings::policyLocations();
    QCOMPARE(locations.size(), 1);
    QCOMPARE(locations.at(0).path, u"/etc/xdg/Conversa/Conversa.conf"_s);
}

void TestManagedSettings::noPolicyMeansUserValues()
{
    qputenv("XDG_CONFIG_DIRS", QFile::encodeName(m_dir.filePath(u"empty"_s)));
    const ManagedSettings policy;
    for (const QString &key : ManagedSettings::knownKeys())
        QVERIFY(!policy.isManaged(key));
    QCOMPARE(policy.effective(ManagedSettings::ServerUrl, u"wss://mine"_s).toString(),
             u"wss://mine"_s);
    QVERIFY(policy.serverUrlChangeAllowed());
}

void TestManagedSettings::managedValueWins()
{
    const QString folder = m_dir.filePath(u"one"_s);
    writePolicy(folder, "[General]\nServerUrl=wss://chat.example.com\nAllowServerUrlChange=false\n"
                        "ProxyMode=http\nProxyUrl=http://proxy.example.com:3128\n"
                        "ExtraCaFile=/etc/ssl/example-ca.pem\n");
    qputenv("XDG_CONFIG_DIRS", QFile::encodeName(folder));
    const ManagedSettings policy;
    QVERIFY(policy.isManaged(ManagedSettings::ServerUrl));
    QCOMPARE(policy.effective(ManagedSettings::ServerUrl, u"wss://mine"_s).toString(),
             u"wss://chat.example.com"_s);
    QCOMPARE(policy.managedValue(ManagedSettings::ProxyMode).toString(), u"http"_s);
    QCOMPARE(policy.managedValue(ManagedSettings::ProxyUrl).toString(),
             u"http://proxy.example.com:3128"_s);
    QCOMPARE(policy.managedValue(ManagedSettings::ExtraCaFile).toString(),
             u"/etc/ssl/example-ca.pem"_s);
    QVERIFY(!policy.serverUrlChangeAllowed());
    QCOMPARE(policy.origin(ManagedSettings::ServerUrl), folder + u"/Conversa/Conversa.conf"_s);
}

void TestManagedSettings::firstFolderWins()
{
    const QString high = m_dir.filePath(u"high"_s);
    const QString low = m_dir.filePath(u"low"_s);
    writePolicy(high, "ServerUrl=wss://high.example.com\n");
    writePolicy(low, "ServerUrl=wss://low.example.com\nProxyMode=none\n");
    qputenv("XDG_CONFIG_DIRS", QFile::encodeName(high + u':' + low));
    const ManagedSettings policy;
    QCOMPARE(policy.managedValue(ManagedSettings::ServerUrl).toString(),
             u"wss://high.example.com"_s);
    // Keys the first folder does not set come from the next one.
    QCOMPARE(policy.managedValue(ManagedSettings::ProxyMode).toString(), u"none"_s);
    QVERIFY(!policy.isManaged(ManagedSettings::ExtraCaFile));
}

void TestManagedSettings::allowServerUrlChangeForms()
{
    const QString folder = m_dir.filePath(u"forms"_s);
    qputenv("XDG_CONFIG_DIRS", QFile::encodeName(folder));
    const QList<QPair<QByteArray, bool>> cases{{"false", false}, {"0", false}, {"no", false},
                                               {"true", true},   {"1", true},  {"yes", true}};
    for (const auto &[text, allowed] : cases) {
        writePolicy(folder, "AllowServerUrlChange=" + text + "\n");
        ManagedSettings policy;
        QCOMPARE(policy.serverUrlChangeAllowed(), allowed);
    }
}

QTEST_GUILESS_MAIN(TestManagedSettings)
#include "tst_managedsettings.moc"
