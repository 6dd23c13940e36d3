// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SettingsDialog.h"

#include "AppSettings.h"

#include <ManagedSettings.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using conversa::core::ManagedSettings;

namespace conversa::ui {

namespace {
QLabel *makeLockNote(QWidget *parent, const QString &name)
{
    auto *note = new QLabel(parent);
    note->setObjectName(name);
    note->setForegroundRole(QPalette::PlaceholderText);
    QFont font = note->font();
    font.setItalic(true);
    note->setFont(font);
    note->hide();
    return note;
}
} // namespace

QStringList SettingsDialog::availableLanguages()
{
    return {u"en"_s, u"pt_PT"_s, u"pt_BR"_s};
}

SettingsDialog::SettingsDialog(AppSettings *settings, const ManagedSettings &policy,
                               QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_policy(policy)
{
    setObjectName(u"settingsDialog"_s);
    setWindowTitle(tr("Settings"));
    setAccessibleName(tr("Settings"));

    // Network
    auto *network = new QGroupBox(tr("Network"), this);
    m_proxyMode = new QComboBox(network);
    m_proxyMode->setObjectName(u"proxyMode"_s);
    m_proxyMode->setAccessibleName(tr("Proxy"));
    m_proxyMode->addItem(tr("Use the system's proxy settings"), u"system"_s);
    m_proxyMode->addItem(tr("No proxy"), u"none"_s);
    m_proxyMode->addItem(tr("HTTP proxy"), u"http"_s);
    m_proxyMode->addItem(tr("SOCKS5 proxy"), u"socks5"_s);
    m_proxyUrl = new QLineEdit(network);
    m_proxyUrl->setObjectName(u"proxyUrl"_s);
    m_proxyUrl->setAccessibleName(tr("Proxy address"));
    m_proxyUrl->setPlaceholderText(tr("proxy.example.com:3128"));
    m_caFile = new QLineEdit(network);
    m_caFile->setObjectName(u"caFile"_s);
    m_caFile->setAccessibleName(tr("Extra CA certificate file"));
    m_caFile->setPlaceholderText(tr("Only for servers with their own certificate authority"));
    m_browseCa = new QPushButton(tr("&Browse…"), network);
    m_browseCa->setAccessibleName(tr("Choose a CA certificate file"));
    connect(m_browseCa, &QPushButton::clicked, this, [this] {
        const QString file =
            QFileDialog::getOpenFileName(this, tr("Extra CA certificate"), {},
                                         tr("PEM certificates (*.pem *.crt);;All files (*)"));
        if (!file.isEmpty())
            m_caFile->setText(file);
    });
    connect(m_proxyMode, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateProxyFields);

    auto *proxyNote = makeLockNote(network, u"proxyModeLock"_s);
    auto *proxyUrlNote = makeLockNote(network, u"proxyUrlLock"_s);
    auto *caNote = makeLockNote(network, u"caFileLock"_s);
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(m_browseCa);
    auto *networkForm = new QFormLayout(network);
    networkForm->addRow(tr("&Proxy"), m_proxyMode);
    networkForm->addRow(QString(), proxyNote);
    networkForm->addRow(tr("Proxy &address"), m_proxyUrl);
    networkForm->addRow(QString(), proxyUrlNote);
    networkForm->addRow(tr("Extra &CA file"), caRow);
    // A row holding a layout gets no buddy by itself; without one the "&" would show.
    if (auto *caLabel = qobject_cast<QLabel *>(networkForm->labelForField(caRow)))
        caLabel->setBuddy(m_caFile);
    networkForm->addRow(QString(), caNote);

    // Notifications
    auto *notifications = new QGroupBox(tr("Notifications"), this);
    m_notifyMentions = new QCheckBox(tr("Notify me when someone mentions me"), notifications);
    m_notifyMentions->setObjectName(u"notifyMentions"_s);
    m_notifyMentions->setAccessibleName(tr("Notify on mentions"));
    m_notifyAll = new QCheckBox(tr("Notify me about every new message"), notifications);
    m_notifyAll->setObjectName(u"notifyAll"_s);
    m_notifyAll->setAccessibleName(tr("Notify on every message"));
    auto *notificationLayout = new QVBoxLayout(notifications);
    notificationLayout->addWidget(m_notifyMentions);
    notificationLayout->addWidget(m_notifyAll);

    // Appearance and system
    auto *appearance = new QGroupBox(tr("Appearance"), this);
    m_language = new QComboBox(appearance);
    m_language->setObjectName(u"language"_s);
    m_language->setAccessibleName(tr("Language"));
    m_language->addItem(tr("The system's language"), QString());
    m_language->addItem(u"English"_s, u"en"_s);
    m_language->addItem(u"Português (Portugal)"_s, u"pt_PT"_s);
    m_language->addItem(u"Português (Brasil)"_s, u"pt_BR"_s);
    m_theme = new QComboBox(appearance);
    m_theme->setObjectName(u"theme"_s);
    m_theme->setAccessibleName(tr("Theme"));
    m_theme->addItem(tr("Follow the system"), u"system"_s);
    m_theme->addItem(tr("Light"), u"light"_s);
    m_theme->addItem(tr("Dark"), u"dark"_s);
    m_startOnLogin = new QCheckBox(tr("Start Conversa when I log in to this computer"), this);
    m_startOnLogin->setObjectName(u"startOnLogin"_s);
    m_startOnLogin->setAccessibleName(tr("Start on login"));
    auto *languageNote =
        new QLabel(tr("A new language shows the next time Conversa starts."), appearance);
    languageNote->setForegroundRole(QPalette::PlaceholderText);
    auto *appearanceForm = new QFormLayout(appearance);
    appearanceForm->addRow(tr("&Language"), m_language);
    appearanceForm->addRow(QString(), languageNote);
    appearanceForm->addRow(tr("&Theme"), m_theme);
    appearanceForm->addRow(m_startOnLogin);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(network);
    layout->addWidget(notifications);
    layout->addWidget(appearance);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(520);

    load();
    if (m_policy.isManaged(ManagedSettings::ProxyMode))
        lock(m_proxyMode, proxyNote, m_policy.origin(ManagedSettings::ProxyMode));
    if (m_policy.isManaged(ManagedSettings::ProxyUrl))
        lock(m_proxyUrl, proxyUrlNote, m_policy.origin(ManagedSettings::ProxyUrl));
    if (m_policy.isManaged(ManagedSettings::ExtraCaFile)) {
        lock(m_caFile, caNote, m_policy.origin(ManagedSettings::ExtraCaFile));
        m_browseCa->setEnabled(false);
    }
    updateProxyFields();
}

void SettingsDialog::load()
{
    const QString mode = m_policy.effective(ManagedSettings::ProxyMode, m_settings->proxyMode())
                             .toString()
                             .toLower();
    m_proxyMode->setCurrentIndex(qMax(0, m_proxyMode->findData(mode)));
    m_proxyUrl->setText(
        m_policy.effective(ManagedSettings::ProxyUrl, m_settings->proxyUrl()).toString());
    m_caFile->setText(
        m_policy.effective(ManagedSettings::ExtraCaFile, m_settings->extraCaFile()).toString());
    m_notifyMentions->setChecked(m_settings->notifyOnMention());
    m_notifyAll->setChecked(m_settings->notifyOnEveryMessage());
    m_language->setCurrentIndex(qMax(0, m_language->findData(m_settings->language())));
    m_theme->setCurrentIndex(qMax(0, m_theme->findData(m_settings->theme())));
    m_startOnLogin->setChecked(m_settings->startOnLogin());
}

void SettingsDialog::lock(QWidget *field, QLabel *note, const QString &origin)
{
    field->setEnabled(false);
    field->setToolTip(tr("Set by your administrator"));
    note->setText(tr("Set by your administrator"));
    note->setToolTip(origin.isEmpty() ? QString() : tr("Policy read from %1").arg(origin));
    note->show();
    m_locked.append(field);
}

bool SettingsDialog::isLocked(QWidget *field) const
{
    return m_locked.contains(field);
}

void SettingsDialog::updateProxyFields()
{
    const QString mode = m_proxyMode->currentData().toString();
    const bool manual = mode == u"http"_s || mode == u"socks5"_s;
    if (!isLocked(m_proxyUrl))
        m_proxyUrl->setEnabled(manual);
}

void SettingsDialog::accept()
{
    // Managed fields are not the person's to change: their own values stay as they were.
    if (!isLocked(m_proxyMode))
        m_settings->setProxyMode(m_proxyMode->currentData().toString());
    if (!isLocked(m_proxyUrl))
        m_settings->setProxyUrl(m_proxyUrl->text().trimmed());
    if (!isLocked(m_caFile))
        m_settings->setExtraCaFile(m_caFile->text().trimmed());
    m_settings->setNotifyOnMention(m_notifyMentions->isChecked());
    m_settings->setNotifyOnEveryMessage(m_notifyAll->isChecked());
    m_settings->setLanguage(m_language->currentData().toString());
    m_settings->setTheme(m_theme->currentData().toString());
    m_settings->setStartOnLogin(m_startOnLogin->isChecked());
    m_settings->sync();
    emit applied();
    QDialog::accept();
}

} // namespace conversa::ui
