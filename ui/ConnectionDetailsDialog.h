#pragma once

#include <ConnectionProbe.h>
#include <ConnectionState.h>

#include <QDateTime>
#include <QDialog>
#include <QPointer>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace conversa::ui {

// "Connection details" from the status bar: where the app connects, through which proxy, to
// which address, with which TLS and certificates, and what each step of getting there costs
// (DNS, TCP, TLS, WebSocket upgrade, ping), so the person debugging a slow or failing link can
// see the path a message takes.
class ConnectionDetailsDialog : public QDialog
{
    Q_OBJECT
public:
    struct SessionFacts {
        QUrl serverUrl;
        QString user;
        core::ConnectionStatus status;
        int reconnectCount = 0;
        QDateTime onlineSince;
    };

    ConnectionDetailsDialog(core::ConnectionProbe *probe, QWidget *parent = nullptr);

    void setSessionFacts(const SessionFacts &facts);
    void showReport(const core::ConnectionReport &report);
    QString detailsText() const;
    QLabel *valueLabel(const QString &objectName) const;

public slots:
    void measure();

private:
    QLabel *addRow(QFormLayout *form, const QString &label, const QString &name);

    QPointer<core::ConnectionProbe> m_probe;
    SessionFacts m_facts;
    QLabel *m_server = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_reconnects = nullptr;
    QLabel *m_proxy = nullptr;
    QLabel *m_resolved = nullptr;
    QLabel *m_peer = nullptr;
    QLabel *m_dns = nullptr;
    QLabel *m_tcp = nullptr;
    QLabel *m_tls = nullptr;
    QLabel *m_upgrade = nullptr;
    QLabel *m_ping = nullptr;
    QLabel *m_result = nullptr;
    QPlainTextEdit *m_chain = nullptr;
    QPushButton *m_measure = nullptr;
};

} // namespace conversa::ui
