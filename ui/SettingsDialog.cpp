// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SettingsDialog.h"

#include "AppSettings.h"

#include <ManagedSettings.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
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

    // Network
    m_networkBox = new QGroupBox(this);
    QGroupBox *network = m_networkBox;
    m_proxyMode = new QComboBox(network);
    m_proxyMode->setObjectName(u"proxyMode"_s);
    for (const QString &mode : {u"system"_s, u"none"_s, u"http"_s, u"socks5"_s})
        m_proxyMode->addItem(QString(), mode);
    m_proxyUrl = new QLineEdit(network);
    m_proxyUrl->setObjectName(u"proxyUrl"_s);
    m_caFile = new QLineEdit(network);
    m_caFile->setObjectName(u"caFile"_s);
    m_browseCa = new QPushButton(network);
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
    m_proxyLabel = new QLabel(network);
    m_proxyLabel->setBuddy(m_proxyMode);
    networkForm->addRow(m_proxyLabel, m_proxyMode);
    networkForm->addRow(QString(), proxyNote);
    m_proxyUrlLabel = new QLabel(network);
    m_proxyUrlLabel->setBuddy(m_proxyUrl);
    networkForm->addRow(m_proxyUrlLabel, m_proxyUrl);
    networkForm->addRow(QString(), proxyUrlNote);
    // A row holding a layout gets no buddy by itself; without one the "&" would show.
    m_caLabel = new QLabel(network);
    m_caLabel->setBuddy(m_caFile);
    networkForm->addRow(m_caLabel, caRow);
    networkForm->addRow(QString(), caNote);

    // Notifications
    m_notificationsBox = new QGroupBox(this);
    m_notifyMentions = new QCheckBox(m_notificationsBox);
    m_notifyMentions->setObjectName(u"notifyMentions"_s);
    m_notifyAll = new QCheckBox(m_notificationsBox);
    m_notifyAll->setObjectName(u"notifyAll"_s);
    auto *notificationLayout = new QVBoxLayout(m_notificationsBox);
    notificationLayout->addWidget(m_notifyMentions);
    notificationLayout->addWidget(m_notifyAll);

    // Appearance and system
    m_appearanceBox = new QGroupBox(this);
    QGroupBox *appearance = m_appearanceBox;
    m_language = new QComboBox(appearance);
    m_language->setObjectName(u"language"_s);
    m_language->addItem(QString(), QString());
    // Each language by its own name, whatever the language shown.
    m_language->addItem(u"English"_s, u"en"_s);
    m_language->addItem(u"Português (Portugal)"_s, u"pt_PT"_s);
    m_language->addItem(u"Português (Brasil)"_s, u"pt_BR"_s);
    m_theme = new QComboBox(appearance);
    m_theme->setObjectName(u"theme"_s);
    for (const QString &theme : {u"system"_s, u"light"_s, u"dark"_s})
        m_theme->addItem(QString(), theme);
    m_startOnLogin = new QCheckBox(this);
    m_startOnLogin->setObjectName(u"startOnLogin"_s);
    auto *appearanceForm = new QFormLayout(appearance);
    m_languageLabel = new QLabel(appearance);
    m_languageLabel->setBuddy(m_language);
    appearanceForm->addRow(m_languageLabel, m_language);
    m_themeLabel = new QLabel(appearance);
    m_themeLabel->setBuddy(m_theme);
    appearanceForm->addRow(m_themeLabel, m_theme);
    appearanceForm->addRow(m_startOnLogin);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(network);
    layout->addWidget(m_notificationsBox);
    layout->addWidget(appearance);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(520);

    retranslateUi();
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

void SettingsDialog::changeEvent(QEvent *event)
{
    QDialog::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
}

void SettingsDialog::retranslateUi()
{
    setWindowTitle(tr("Settings"));
    setAccessibleName(tr("Settings"));
    m_networkBox->setTitle(tr("Network"));
    m_proxyLabel->setText(tr("&Proxy"));
    m_proxyMode->setAccessibleName(tr("Proxy"));
    m_proxyMode->setItemText(0, tr("Use the system's proxy settings"));
    m_proxyMode->setItemText(1, tr("No proxy"));
    m_proxyMode->setItemText(2, tr("HTTP proxy"));
    m_proxyMode->setItemText(3, tr("SOCKS5 proxy"));
    m_proxyUrlLabel->setText(tr("Proxy &address"));
    m_proxyUrl->setAccessibleName(tr("Proxy address"));
    m_proxyUrl->setPlaceholderText(tr("proxy.example.com:3128"));
    m_caLabel->setText(tr("Extra &CA file"));
    m_caFile->setAccessibleName(tr("Extra CA certificate file"));
    m_caFile->setPlaceholderText(tr("Only for servers with their own certificate authority"));
    m_browseCa->setText(tr("&Browse…"));
    m_browseCa->setAccessibleName(tr("Choose a CA certificate file"));
    m_notificationsBox->setTitle(tr("Notifications"));
    m_notifyMentions->setText(tr("Notify me when someone mentions me"));
    m_notifyMentions->setAccessibleName(tr("Notify on mentions"));
    m_notifyAll->setText(tr("Notify me about every new message"));
    m_notifyAll->setAccessibleName(tr("Notify on every message"));
    m_appearanceBox->setTitle(tr("Appearance"));
    m_languageLabel->setText(tr("&Language"));
    m_language->setAccessibleName(tr("Language"));
    m_language->setItemText(0, tr("The system's language"));
    m_themeLabel->setText(tr("&Theme"));
    m_theme->setAccessibleName(tr("Theme"));
    m_theme->setItemText(0, tr("Follow the system"));
    m_theme->setItemText(1, tr("Light"));
    m_theme->setItemText(2, tr("Dark"));
    m_startOnLogin->setText(tr("Start Conversa when I log in to this computer"));
    m_startOnLogin->setAccessibleName(tr("Start on login"));
    for (QWidget *field : std::as_const(m_locked))
        field->setToolTip(tr("Set by your administrator"));
    for (QLabel *note : std::as_const(m_lockNotes))
        note->setText(tr("Set by your administrator"));
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
    m_lockNotes.append(note);
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
