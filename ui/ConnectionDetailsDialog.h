// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionDetails.h>
#include <ConnectionState.h>

#include <QDialog>
#include <QHash>
#include <QPointer>

class QFormLayout;
class QGroupBox;
class QLabel;
class QPushButton;
class QPlainTextEdit;

namespace conversa::core {
class SessionManager;
}

namespace conversa::ui {

// "Connection details" from the status bar: the session's own connection as it is — where it
// goes, through which proxy, to which address, with which TLS and certificates, what each step of
// opening it cost (DNS, TCP, TLS, WebSocket upgrade), the last ping's round trip and how often it
// reconnected. It follows the session while open; offline it says "not connected".
class ConnectionDetailsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectionDetailsDialog(QWidget *parent = nullptr);

    // Shows the session's details and status now and whenever they change.
    void setSession(core::SessionManager *session);

    void showStatus(const core::ConnectionStatus &status);
    void showDetails(const core::ConnectionDetails &details);
    QString detailsText() const;
    QLabel *valueLabel(const QString &objectName) const;

    static QString describeProxy(const core::ConnectionDetails &details);
    static QString tlsProtocolName(QSsl::SslProtocol protocol);

protected:
    void changeEvent(QEvent *event) override;

private:
    QLabel *addRow(QFormLayout *form, const QString &name);
    void retranslateUi();
    void setRowLabel(QLabel *value, const QString &label);

    QPointer<core::SessionManager> m_session;
    core::ConnectionDetails m_details;
    core::ConnectionStatus m_status;
    QHash<QLabel *, QLabel *> m_rowLabels; // value -> its row's label
    QGroupBox *m_sessionBox = nullptr;
    QGroupBox *m_pathBox = nullptr;
    QGroupBox *m_certificatesBox = nullptr;
    QPushButton *m_copy = nullptr;
    QLabel *m_server = nullptr;
    QLabel *m_instance = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_reconnects = nullptr;
    QLabel *m_proxy = nullptr;
    QLabel *m_peer = nullptr;
    QLabel *m_dns = nullptr;
    QLabel *m_tcp = nullptr;
    QLabel *m_tls = nullptr;
    QLabel *m_upgrade = nullptr;
    QLabel *m_ping = nullptr;
    QLabel *m_encryption = nullptr;
    QPlainTextEdit *m_chain = nullptr;
};

} // namespace conversa::ui
