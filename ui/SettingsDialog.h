// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>
#include <QHash>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace conversa::core {
class ManagedSettings;
}

namespace conversa::ui {

class AppSettings;

// Preferences: network (proxy, extra CA file), notifications, language, theme, start on login.
// A field the administrator set is shown with its managed value, locked, and says so.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(AppSettings *settings, const core::ManagedSettings &policy,
                   QWidget *parent = nullptr);

    // Locale names offered besides the system's own language.
    static QStringList availableLanguages();

    QComboBox *proxyModeBox() const { return m_proxyMode; }
    QLineEdit *proxyUrlEdit() const { return m_proxyUrl; }
    QLineEdit *caFileEdit() const { return m_caFile; }
    QComboBox *themeBox() const { return m_theme; }
    QComboBox *languageBox() const { return m_language; }
    bool isLocked(QWidget *field) const;

public slots:
    void accept() override;

signals:
    void applied();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void load();
    void lock(QWidget *field, QLabel *note, const QString &origin);
    void updateProxyFields();

    AppSettings *m_settings;
    const core::ManagedSettings &m_policy;
    QComboBox *m_proxyMode = nullptr;
    QLineEdit *m_proxyUrl = nullptr;
    QLineEdit *m_caFile = nullptr;
    QPushButton *m_browseCa = nullptr;
    QCheckBox *m_notifyMentions = nullptr;
    QCheckBox *m_notifyAll = nullptr;
    QComboBox *m_language = nullptr;
    QComboBox *m_theme = nullptr;
    QCheckBox *m_startOnLogin = nullptr;
    QList<QWidget *> m_locked;
    QList<QLabel *> m_lockNotes;
    QGroupBox *m_networkBox = nullptr;
    QGroupBox *m_notificationsBox = nullptr;
    QGroupBox *m_appearanceBox = nullptr;
    QLabel *m_proxyLabel = nullptr;
    QLabel *m_proxyUrlLabel = nullptr;
    QLabel *m_caLabel = nullptr;
    QLabel *m_languageLabel = nullptr;
    QLabel *m_themeLabel = nullptr;
};

} // namespace conversa::ui
