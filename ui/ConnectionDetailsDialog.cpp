#include "ConnectionDetailsDialog.h"

#include "ConnectionStatusWidget.h"
#include "Theme.h"

#include <QApplication>
#include <QClipboard>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using conversa::core::ConnectionReport;

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

ConnectionDetailsDialog::ConnectionDetailsDialog(core::ConnectionProbe *probe, QWidget *parent)
    : QDialog(parent)
    , m_probe(probe)
{
    setObjectName(u"connectionDetailsDialog"_s);
    setWindowTitle(tr("Connection details"));
    setAccessibleName(tr("Connection details"));

    auto *session = new QGroupBox(tr("Session"), this);
    auto *sessionForm = new QFormLayout(session);
    m_server = addRow(sessionForm, tr("Server"), u"detailServer"_s);
    m_state = addRow(sessionForm, tr("State"), u"detailState"_s);
    m_reconnects = addRow(sessionForm, tr("Reconnects"), u"detailReconnects"_s);
    m_proxy = addRow(sessionForm, tr("Proxy"), u"detailProxy"_s);

    auto *path = new QGroupBox(tr("Path to the server (measured on a test connection)"), this);
    auto *pathForm = new QFormLayout(path);
    m_resolved = addRow(pathForm, tr("DNS answered"), u"detailResolved"_s);
    m_peer = addRow(pathForm, tr("Connected to"), u"detailPeer"_s);
    m_dns = addRow(pathForm, tr("DNS lookup"), u"detailDns"_s);
    m_tcp = addRow(pathForm, tr("TCP connect"), u"detailTcp"_s);
    m_tls = addRow(pathForm, tr("TLS handshake"), u"detailTls"_s);
    m_upgrade = addRow(pathForm, tr("WebSocket upgrade"), u"detailUpgrade"_s);
    m_ping = addRow(pathForm, tr("Ping round trip"), u"detailPing"_s);
    m_result = addRow(pathForm, tr("Result"), u"detailResult"_s);

    auto *certificates = new QGroupBox(tr("Certificate chain"), this);
    m_chain = new QPlainTextEdit(certificates);
    m_chain->setObjectName(u"detailChain"_s);
    m_chain->setAccessibleName(tr("Certificate chain"));
    m_chain->setReadOnly(true);
    m_chain->setMinimumHeight(110);
    auto *chainLayout = new QVBoxLayout(certificates);
    chainLayout->addWidget(m_chain);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_measure = buttons->addButton(tr("&Measure again"), QDialogButtonBox::ActionRole);
    m_measure->setAccessibleName(tr("Measure again"));
    QPushButton *copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copy->setAccessibleName(tr("Copy the details"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_measure, &QPushButton::clicked, this, &ConnectionDetailsDialog::measure);
    connect(copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(detailsText()); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(session);
    layout->addWidget(path);
    layout->addWidget(certificates, 1);
    layout->addWidget(buttons);
    setMinimumWidth(560);

    if (m_probe) {
        connect(m_probe, &core::ConnectionProbe::progress, this,
                &ConnectionDetailsDialog::showReport);
        connect(m_probe, &core::ConnectionProbe::finished, this,
                &ConnectionDetailsDialog::showReport);
    }
}

QLabel *ConnectionDetailsDialog::addRow(QFormLayout *form, const QString &label,
                                        const QString &name)
{
    auto *value = new QLabel(tr("—"), this);
    value->setObjectName(name);
    value->setAccessibleName(label);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    form->addRow(label, value);
    return value;
}

QLabel *ConnectionDetailsDialog::valueLabel(const QString &objectName) const
{
    return findChild<QLabel *>(objectName);
}

void ConnectionDetailsDialog::setSessionFacts(const SessionFacts &facts)
{
    m_facts = facts;
    m_server->setText(facts.user.isEmpty()
                          ? facts.serverUrl.toDisplayString()
                          : tr("%1 as %2").arg(facts.serverUrl.toDisplayString(), facts.user));
    QString state = ConnectionStatusWidget::describe(facts.status, 0);
    if (facts.status.state == core::ConnectionState::Online && facts.onlineSince.isValid())
        state = tr("%1 since %2")
                    .arg(state, QLocale().toString(facts.onlineSince.time(), QLocale::ShortFormat));
    if (!facts.status.reason.isEmpty())
        state += u" — "_s + facts.status.reason;
    m_state->setText(state);
    m_reconnects->setText(tr("%n time(s) since Conversa started", nullptr, facts.reconnectCount));
}

void ConnectionDetailsDialog::measure()
{
    if (!m_probe || !m_facts.serverUrl.isValid())
        return;
    m_result->setText(tr("Measuring…"));
    m_probe->start(m_facts.serverUrl);
}

void ConnectionDetailsDialog::showReport(const ConnectionReport &report)
{
    m_proxy->setText(report.proxy);
    m_resolved->setText(
        report.resolvedAddresses.isEmpty() ? tr("—") : report.resolvedAddresses.join(u", "_s));
    m_peer->setText(report.peerAddress.isEmpty()
                        ? tr("—")
                        : tr("%1, port %2").arg(report.peerAddress).arg(report.port));
    m_dns->setText(milliseconds(report.dnsMs));
    m_tcp->setText(milliseconds(report.tcpMs));
    if (report.url.scheme() == u"wss"_s) {
        m_tls->setText(report.tlsMs < 0 ? tr("—")
                                        : tr("%1 ms · %2 · %3")
                                              .arg(report.tlsMs)
                                              .arg(report.tlsProtocol, report.tlsCipher));
    } else {
        m_tls->setText(tr("not used: the address starts with ws:// (no encryption)"));
    }
    m_upgrade->setText(
        report.upgradeMs < 0
            ? tr("—")
            : tr("%1 ms · subprotocol %2")
                  .arg(report.upgradeMs)
                  .arg(report.subprotocol.isEmpty() ? tr("none") : report.subprotocol));
    m_ping->setText(milliseconds(report.pingMs));
    if (!report.done)
        m_result->setText(tr("Measuring…"));
    else if (report.error.isEmpty())
        m_result->setText(tr("Every step worked."));
    else
        m_result->setText(tr("Failed: %1").arg(report.error));
    QPalette palette = m_result->palette();
    palette.setColor(QPalette::WindowText,
                     report.done && !report.error.isEmpty()
                         ? Theme::failureText()
                         : QApplication::palette().color(QPalette::WindowText));
    m_result->setPalette(palette);

    QStringList chain;
    for (int i = 0; i < report.certificateChain.size(); ++i)
        chain.append(describeCertificate(report.certificateChain.at(i), i + 1));
    m_chain->setPlainText(chain.isEmpty() ? tr("No certificates: the connection is not encrypted.")
                                          : chain.join(u"\n\n"_s));
}

QString ConnectionDetailsDialog::detailsText() const
{
    QStringList lines;
    for (QLabel *label : {m_server, m_state, m_reconnects, m_proxy, m_resolved, m_peer, m_dns,
                          m_tcp, m_tls, m_upgrade, m_ping, m_result})
        lines.append(label->accessibleName() + u": "_s + label->text());
    lines.append(m_chain->toPlainText());
    return lines.join(u'\n');
}

} // namespace conversa::ui
