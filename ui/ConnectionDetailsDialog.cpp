// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ConnectionDetailsDialog.h"

#include "ConnectionStatusWidget.h"

#include <SessionManager.h>

#include <QApplication>
#include <QClipboard>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using conversa::core::ConnectionDetails;

namespace conversa::ui {

namespace {
QString milliseconds(qint64 ms)
{
    return ms < 0 ? ConnectionDetailsDialog::tr("—") : ConnectionDetailsDialog::tr("%1 ms").arg(ms);
}

QString describeCertificate(const QSslCertificate &certificate, int position)
{
    const QString subject = certificate.subjectInfo(QSslCertificate::CommonName).join(u", "_s);
    const QString issuer = certificate.issuerInfo(QSslCertificate::CommonName).join(u", "_s);
    const QString fingerprint =
        QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':'));
    return ConnectionDetailsDialog::tr("%1. %2\n   issued by %3\n   valid %4 to %5\n   SHA-256 %6")
        .arg(position)
        .arg(subject.isEmpty() ? certificate.subjectDisplayName() : subject,
             issuer.isEmpty() ? certificate.issuerDisplayName() : issuer,
             QLocale().toString(certificate.effectiveDate().date(), QLocale::ShortFormat),
             QLocale().toString(certificate.expiryDate().date(), QLocale::ShortFormat),
             fingerprint);
}
} // namespace

ConnectionDetailsDialog::ConnectionDetailsDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"connectionDetailsDialog"_s);

    m_sessionBox = new QGroupBox(this);
    auto *sessionForm = new QFormLayout(m_sessionBox);
    m_server = addRow(sessionForm, u"detailServer"_s);
    m_state = addRow(sessionForm, u"detailState"_s);
    m_reconnects = addRow(sessionForm, u"detailReconnects"_s);
    m_ping = addRow(sessionForm, u"detailPing"_s);

    m_pathBox = new QGroupBox(this);
    auto *pathForm = new QFormLayout(m_pathBox);
    m_peer = addRow(pathForm, u"detailPeer"_s);
    m_instance = addRow(pathForm, u"detailInstance"_s);
    m_proxy = addRow(pathForm, u"detailProxy"_s);
    m_encryption = addRow(pathForm, u"detailEncryption"_s);
    m_dns = addRow(pathForm, u"detailDns"_s);
    m_tcp = addRow(pathForm, u"detailTcp"_s);
    m_tls = addRow(pathForm, u"detailTls"_s);
    m_upgrade = addRow(pathForm, u"detailUpgrade"_s);

    m_certificatesBox = new QGroupBox(this);
    m_chain = new QPlainTextEdit(m_certificatesBox);
    m_chain->setObjectName(u"detailChain"_s);
    m_chain->setReadOnly(true);
    m_chain->setMinimumHeight(110);
    auto *chainLayout = new QVBoxLayout(m_certificatesBox);
    chainLayout->addWidget(m_chain);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_copy = buttons->addButton(QString(), QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(detailsText()); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_sessionBox);
    layout->addWidget(m_pathBox);
    layout->addWidget(m_certificatesBox, 1);
    layout->addWidget(buttons);
    setMinimumWidth(560);

    retranslateUi();
}

void ConnectionDetailsDialog::changeEvent(QEvent *event)
{
    QDialog::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
}

void ConnectionDetailsDialog::retranslateUi()
{
    setWindowTitle(tr("Connection details"));
    setAccessibleName(tr("Connection details"));
    m_sessionBox->setTitle(tr("Session"));
    setRowLabel(m_server, tr("Server"));
    setRowLabel(m_state, tr("State"));
    setRowLabel(m_reconnects, tr("Reconnects"));
    setRowLabel(m_ping, tr("Ping round trip"));
    m_pathBox->setTitle(tr("Current connection"));
    setRowLabel(m_peer, tr("Connected to"));
    setRowLabel(m_instance, tr("Server instance"));
    setRowLabel(m_proxy, tr("Proxy"));
    setRowLabel(m_encryption, tr("Encryption"));
    setRowLabel(m_dns, tr("DNS lookup"));
    setRowLabel(m_tcp, tr("TCP connect"));
    setRowLabel(m_tls, tr("TLS handshake"));
    setRowLabel(m_upgrade, tr("WebSocket upgrade"));
    m_certificatesBox->setTitle(tr("Certificate chain"));
    m_chain->setAccessibleName(tr("Certificate chain"));
    m_copy->setText(tr("&Copy"));
    m_copy->setAccessibleName(tr("Copy the details"));
    // The values are words too.
    showStatus(m_status);
    showDetails(m_details);
}

void ConnectionDetailsDialog::setRowLabel(QLabel *value, const QString &label)
{
    value->setAccessibleName(label);
    m_rowLabels.value(value)->setText(label);
}

QLabel *ConnectionDetailsDialog::addRow(QFormLayout *form, const QString &name)
{
    auto *value = new QLabel(this);
    value->setObjectName(name);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    auto *label = new QLabel(this);
    form->addRow(label, value);
    m_rowLabels.insert(value, label);
    return value;
}

QLabel *ConnectionDetailsDialog::valueLabel(const QString &objectName) const
{
    return findChild<QLabel *>(objectName);
}

void ConnectionDetailsDialog::setSession(core::SessionManager *session)
{
    if (m_session)
        m_session->disconnect(this);
    m_session = session;
    if (!session)
        return;
    connect(session, &core::SessionManager::statusChanged, this,
            &ConnectionDetailsDialog::showStatus);
    connect(session, &core::SessionManager::connectionDetailsChanged, this,
            &ConnectionDetailsDialog::showDetails);
    showStatus(session->status());
    showDetails(session->connectionDetails());
}

void ConnectionDetailsDialog::showStatus(const core::ConnectionStatus &status)
{
    m_status = status;
    QString state = ConnectionStatusWidget::describe(status, 0);
    if (!status.reason.isEmpty())
        state += u" — "_s + status.reason;
    m_state->setText(state);
}

QString ConnectionDetailsDialog::tlsProtocolName(QSsl::SslProtocol protocol)
{
    switch (protocol) {
    case QSsl::TlsV1_2:
        return tr("TLS 1.2");
    case QSsl::TlsV1_3:
        return tr("TLS 1.3");
    default:
        return tr("TLS (version unknown)");
    }
}

QString ConnectionDetailsDialog::describeProxy(const ConnectionDetails &details)
{
    const QNetworkProxy &proxy = details.proxy;
    QString text;
    switch (proxy.type()) {
    case QNetworkProxy::HttpProxy:
        text = tr("HTTP proxy at %1:%2").arg(proxy.hostName()).arg(proxy.port());
        break;
    case QNetworkProxy::Socks5Proxy:
        text = tr("SOCKS5 proxy at %1:%2").arg(proxy.hostName()).arg(proxy.port());
        break;
    default:
        text = tr("none (direct connection)");
        break;
    }
    return details.proxyFromSystem ? tr("%1, from the system settings").arg(text) : text;
}

void ConnectionDetailsDialog::showDetails(const ConnectionDetails &details)
{
    m_details = details;
    const QString server = details.serverUrl.isValid() ? details.serverUrl.toDisplayString()
                                                       : tr("none (not signed in)");
    m_server->setText(details.user.isEmpty() ? server : tr("%1 as %2").arg(server, details.user));
    m_reconnects->setText(tr("%n time(s) since signing in", nullptr, details.reconnects));
    m_instance->setText(details.authenticated && !details.instance.isEmpty()
                            ? details.instance
                            : tr("not known until signed in"));
    m_ping->setText(
        details.connected && details.pingRttMs >= 0
            ? tr("%1 ms, at %2")
                  .arg(details.pingRttMs)
                  .arg(QLocale().toString(details.lastPongAt.time(), QLocale::LongFormat))
        : details.connected ? tr("no answer to a ping yet")
                            : tr("not connected"));

    if (!details.connected) {
        for (QLabel *label : {m_peer, m_proxy, m_encryption, m_dns, m_tcp, m_tls, m_upgrade})
            label->setText(tr("not connected"));
        m_chain->setPlainText(tr("Not connected."));
        return;
    }

    const QString address =
        details.peerAddress.isNull() ? details.peerName : details.peerAddress.toString();
    m_peer->setText(
        tr("%1, port %2 (since %3)")
            .arg(address)
            .arg(details.peerPort)
            .arg(QLocale().toString(details.connectedSince.time(), QLocale::ShortFormat)));
    m_proxy->setText(describeProxy(details));
    m_encryption->setText(
        details.encrypted
            ? tr("%1 · %2").arg(tlsProtocolName(details.tlsProtocol), details.tlsCipher)
            : tr("none: the address starts with ws:// (no encryption)"));

    if (details.dnsMs >= 0)
        m_dns->setText(milliseconds(details.dnsMs));
    else if (details.proxy.type() != QNetworkProxy::NoProxy)
        m_dns->setText(tr("done by the proxy"));
    else
        m_dns->setText(tr("none needed (an IP address)"));
    if (details.phasesSeparated) {
        m_tcp->setText(details.proxy.type() != QNetworkProxy::NoProxy && details.tcpMs >= 0
                           ? tr("%1 ms, with the proxy's part").arg(details.tcpMs)
                           : milliseconds(details.tcpMs));
        m_tls->setText(details.encrypted ? milliseconds(details.tlsMs) : tr("not used"));
        m_upgrade->setText(milliseconds(details.upgradeMs));
    } else {
        // Qt did not let the steps be told apart: one figure for all of them.
        m_tcp->setText(tr("included in the WebSocket upgrade"));
        m_tls->setText(details.encrypted ? tr("included in the WebSocket upgrade")
                                         : tr("not used"));
        m_upgrade->setText(details.upgradeMs < 0
                               ? tr("—")
                               : tr("%1 ms, TCP and TLS included").arg(details.upgradeMs));
    }

    QStringList chain;
    for (int i = 0; i < details.certificateChain.size(); ++i)
        chain.append(describeCertificate(details.certificateChain.at(i), i + 1));
    m_chain->setPlainText(chain.isEmpty() ? tr("No certificates: the connection is not encrypted.")
                                          : chain.join(u"\n\n"_s));
}

QString ConnectionDetailsDialog::detailsText() const
{
    QStringList lines;
    for (QLabel *label : {m_server, m_state, m_reconnects, m_ping, m_peer, m_instance, m_proxy,
                          m_encryption, m_dns, m_tcp, m_tls, m_upgrade})
        lines.append(label->accessibleName() + u": "_s + label->text());
    lines.append(m_chain->toPlainText());
    return lines.join(u'\n');
}

} // namespace conversa::ui
