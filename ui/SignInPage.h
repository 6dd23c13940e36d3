// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionState.h>

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace conversa::ui {

// The first screen: server address, user name, password, "Keep me signed in". Checks what it can
// before anything goes on the network, shows a busy state while the session connects and the
// server's answer in words when it fails.
class SignInPage : public QWidget
{
    Q_OBJECT
public:
    explicit SignInPage(QWidget *parent = nullptr);

    void setServer(const QString &server);
    // The administrator fixed the server: shown, not editable.
    void setServerLocked(bool locked, const QString &origin = {});
    void setUserName(const QString &user);
    void setKeepSignedIn(bool keep);
    bool keepSignedIn() const;
    QString server() const;
    QString userName() const;

    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }
    // Shows why the last attempt failed (empty status problem: clears it).
    void showProblem(const core::ConnectionStatus &status);
    void showMessage(const QString &message);
    QString errorText() const;

    // Validates the fields; returns the first problem's message per field (empty when fine).
    bool validate();

    QLineEdit *serverEdit() const { return m_server; }
    QLineEdit *userEdit() const { return m_user; }
    QLineEdit *passwordEdit() const { return m_password; }
    QPushButton *signInButton() const { return m_signIn; }

signals:
    void signInRequested(const QString &server, const QString &user, const QString &password,
                         bool keepSignedIn);

protected:
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void submit();
    void updateButtonColours();
    void setFieldError(QLabel *label, const QString &message);

    QLineEdit *m_server = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_keep = nullptr;
    QPushButton *m_signIn = nullptr;
    QLabel *m_serverError = nullptr;
    QLabel *m_userError = nullptr;
    QLabel *m_passwordError = nullptr;
    QLabel *m_serverLockNote = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_logo = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    QLabel *m_serverLabel = nullptr;
    QLabel *m_userLabel = nullptr;
    QLabel *m_passwordLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_busyLabel = nullptr;
    bool m_busy = false;
    bool m_serverLocked = false;
};

} // namespace conversa::ui
