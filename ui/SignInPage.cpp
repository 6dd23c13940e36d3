// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SignInPage.h"

#include "Theme.h"

#include <Account.h>
#include <SessionManager.h>

#include <QApplication>
#include <QCheckBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using conversa::core::ConnectionProblem;

namespace conversa::ui {

namespace {
QLabel *makeErrorLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->hide();
    return label;
}
} // namespace

SignInPage::SignInPage(QWidget *parent)
    : QWidget(parent)
    , m_server(new QLineEdit(this))
    , m_user(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_keep(new QCheckBox(this))
    , m_signIn(new QPushButton(this))
    , m_serverError(makeErrorLabel(this, u"serverError"_s))
    , m_userError(makeErrorLabel(this, u"userError"_s))
    , m_passwordError(makeErrorLabel(this, u"passwordError"_s))
    , m_serverLockNote(new QLabel(this))
    , m_error(makeErrorLabel(this, u"signInError"_s))
    , m_progress(new QProgressBar(this))
    , m_busyLabel(new QLabel(this))
{
    Theme::ensureResources();
    setObjectName(u"signInPage"_s);

    auto *logo = new QLabel(this);
    logo->setPixmap(QIcon(u":/icons/conversa.svg"_s).pixmap(72, 72));
    logo->setAlignment(Qt::AlignCenter);
    m_logo = logo;
    auto *title = new QLabel(this);
    title->setObjectName(u"signInTitle"_s);
    m_title = title;
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    title->setFont(titleFont);
    title->setAlignment(Qt::AlignCenter);
    auto *subtitle = new QLabel(this);
    m_subtitle = subtitle;
    subtitle->setAlignment(Qt::AlignCenter);
    subtitle->setForegroundRole(QPalette::PlaceholderText);

    m_server->setObjectName(u"serverEdit"_s);
    m_user->setObjectName(u"userEdit"_s);
    m_password->setObjectName(u"passwordEdit"_s);
    m_password->setEchoMode(QLineEdit::Password);
    m_keep->setObjectName(u"keepSignedIn"_s);
    m_keep->setChecked(true);
    m_signIn->setObjectName(u"signInButton"_s);
    m_signIn->setDefault(true);
    m_signIn->setAutoDefault(true);
    m_signIn->setMinimumHeight(32);
    m_serverLockNote->setObjectName(u"serverLockNote"_s);
    m_serverLockNote->setForegroundRole(QPalette::PlaceholderText);
    m_serverLockNote->hide();
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    m_progress->hide();
    m_busyLabel->setObjectName(u"busyLabel"_s);
    m_busyLabel->setAlignment(Qt::AlignCenter);
    m_busyLabel->hide();

    for (QLabel *label : {m_serverError, m_userError, m_passwordError, m_error}) {
        QPalette palette = label->palette();
        palette.setColor(QPalette::WindowText, Theme::failureText());
        label->setPalette(palette);
    }

    auto *form = new QFormLayout;
    form->setRowWrapPolicy(QFormLayout::WrapAllRows);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto *serverColumn = new QVBoxLayout;
    serverColumn->setSpacing(2);
    serverColumn->addWidget(m_server);
    serverColumn->addWidget(m_serverLockNote);
    serverColumn->addWidget(m_serverError);
    m_serverLabel = new QLabel(this);
    m_serverLabel->setBuddy(m_server);
    form->addRow(m_serverLabel, serverColumn);
    auto *userColumn = new QVBoxLayout;
    userColumn->setSpacing(2);
    userColumn->addWidget(m_user);
    userColumn->addWidget(m_userError);
    m_userLabel = new QLabel(this);
    m_userLabel->setBuddy(m_user);
    form->addRow(m_userLabel, userColumn);
    auto *passwordColumn = new QVBoxLayout;
    passwordColumn->setSpacing(2);
    passwordColumn->addWidget(m_password);
    passwordColumn->addWidget(m_passwordError);
    m_passwordLabel = new QLabel(this);
    m_passwordLabel->setBuddy(m_password);
    form->addRow(m_passwordLabel, passwordColumn);
    form->addRow(m_keep);

    auto *card = new QWidget(this);
    card->setObjectName(u"signInCard"_s);
    card->setMaximumWidth(420);
    card->setMinimumWidth(340);
    auto *cardLayout = new QVBoxLayout(card);
    cardLayout->setSpacing(10);
    cardLayout->addWidget(logo);
    cardLayout->addWidget(title);
    cardLayout->addWidget(subtitle);
    cardLayout->addSpacing(8);
    cardLayout->addLayout(form);
    cardLayout->addWidget(m_error);
    cardLayout->addWidget(m_signIn);
    cardLayout->addWidget(m_progress);
    cardLayout->addWidget(m_busyLabel);

    auto *outer = new QVBoxLayout(this);
    outer->addStretch(1);
    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(card, 2);
    row->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);

    connect(m_signIn, &QPushButton::clicked, this, &SignInPage::submit);
    for (QLineEdit *edit : {m_server, m_user, m_password})
        connect(edit, &QLineEdit::returnPressed, this, &SignInPage::submit);
    // Errors go away as soon as the person starts fixing them.
    connect(m_server, &QLineEdit::textEdited, this, [this] { setFieldError(m_serverError, {}); });
    connect(m_user, &QLineEdit::textEdited, this, [this] { setFieldError(m_userError, {}); });
    connect(m_password, &QLineEdit::textEdited, this,
            [this] { setFieldError(m_passwordError, {}); });
    setTabOrder(m_server, m_user);
    setTabOrder(m_user, m_password);
    setTabOrder(m_password, m_keep);
    setTabOrder(m_keep, m_signIn);
    updateButtonColours();
    retranslateUi();
}

void SignInPage::retranslateUi()
{
    setAccessibleName(tr("Sign in"));
    m_logo->setAccessibleName(tr("Conversa logo"));
    m_title->setText(tr("Sign in to Conversa"));
    m_subtitle->setText(tr("Use the account your organisation gave you."));
    m_serverLabel->setText(tr("Se&rver"));
    m_userLabel->setText(tr("&User name"));
    m_passwordLabel->setText(tr("&Password"));
    m_server->setAccessibleName(tr("Server address"));
    m_server->setPlaceholderText(tr("chat.example.com or ws://127.0.0.1:8080"));
    m_user->setAccessibleName(tr("User name"));
    m_user->setPlaceholderText(tr("e.g. alice"));
    m_password->setAccessibleName(tr("Password"));
    m_keep->setText(tr("&Keep me signed in"));
    m_keep->setAccessibleName(tr("Keep me signed in"));
    m_signIn->setText(tr("&Sign in"));
    m_signIn->setAccessibleName(tr("Sign in"));
    m_serverLockNote->setText(tr("Set by your administrator"));
    m_error->setAccessibleName(tr("Sign-in problem"));
    m_progress->setAccessibleName(tr("Signing in"));
}

void SignInPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // Start where there is something to type: usually only the password is missing.
    QLineEdit *first = m_server->text().isEmpty() && m_server->isEnabled() ? m_server
                       : m_user->text().isEmpty()                          ? m_user
                                                                           : m_password;
    first->setFocus();
}

void SignInPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        updateButtonColours();
    else if (event->type() == QEvent::LanguageChange)
        retranslateUi();
}

void SignInPage::updateButtonColours()
{
    // The one thing to press on this page looks like it.
    const QPalette palette = QApplication::palette();
    const QColor accent = palette.color(QPalette::Highlight);
    m_signIn->setStyleSheet(
        u"QPushButton#signInButton { background: %1; color: %2; border: 1px solid %3;"
        " border-radius: 4px; padding: 6px 12px; font-weight: bold; }"
        "QPushButton#signInButton:hover { background: %4; }"
        "QPushButton#signInButton:focus { border: 2px solid %3; }"
        "QPushButton#signInButton:disabled { background: %5; color: %6; }"_s.arg(
            accent.name(), palette.color(QPalette::HighlightedText).name(),
            accent.darker(130).name(), accent.lighter(112).name(),
            palette.color(QPalette::Mid).name(),
            palette.color(QPalette::Disabled, QPalette::ButtonText).name()));
}

void SignInPage::setServer(const QString &server)
{
    m_server->setText(server);
}
void SignInPage::setUserName(const QString &user)
{
    m_user->setText(user);
}
void SignInPage::setKeepSignedIn(bool keep)
{
    m_keep->setChecked(keep);
}
bool SignInPage::keepSignedIn() const
{
    return m_keep->isChecked();
}
QString SignInPage::server() const
{
    return m_server->text().trimmed();
}
QString SignInPage::userName() const
{
    return m_user->text().trimmed();
}
QString SignInPage::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void SignInPage::setServerLocked(bool locked, const QString &origin)
{
    m_serverLocked = locked;
    m_server->setReadOnly(locked);
    m_server->setEnabled(!locked);
    m_serverLockNote->setVisible(locked);
    m_serverLockNote->setToolTip(origin.isEmpty() ? QString()
                                                  : tr("Policy read from %1").arg(origin));
}

void SignInPage::setFieldError(QLabel *label, const QString &message)
{
    label->setText(message);
    label->setVisible(!message.isEmpty());
}

bool SignInPage::validate()
{
    bool ok = true;
    QLineEdit *firstBad = nullptr;
    const QString server = this->server();
    if (server.isEmpty()) {
        setFieldError(m_serverError, tr("Enter the address of your Conversa server."));
        firstBad = m_server;
    } else if (!core::SessionManager::normalizeServerUrl(server).isValid()) {
        setFieldError(m_serverError, tr("“%1” is not a server address. Try chat.example.com or "
                                        "ws://127.0.0.1:8080.")
                                         .arg(server));
        firstBad = m_server;
    } else {
        setFieldError(m_serverError, {});
    }
    const QString user = userName();
    if (user.isEmpty()) {
        setFieldError(m_userError, tr("Enter your user name."));
        firstBad = firstBad ? firstBad : m_user;
    } else if (!core::isValidUserName(user)) {
        setFieldError(m_userError, tr("User names use lower-case letters, digits, “-” and “_”."));
        firstBad = firstBad ? firstBad : m_user;
    } else {
        setFieldError(m_userError, {});
    }
    if (m_password->text().isEmpty()) {
        setFieldError(m_passwordError, tr("Enter your password."));
        firstBad = firstBad ? firstBad : m_password;
    } else {
        setFieldError(m_passwordError, {});
    }
    if (firstBad) {
        ok = false;
        firstBad->setFocus();
    }
    return ok;
}

void SignInPage::submit()
{
    if (m_busy)
        return;
    showMessage({});
    if (!validate())
        return;
    const QString password = m_password->text();
    setBusy(true);
    emit signInRequested(server(), userName(), password, m_keep->isChecked());
}

void SignInPage::setBusy(bool busy)
{
    m_busy = busy;
    for (QWidget *w : {static_cast<QWidget *>(m_user), static_cast<QWidget *>(m_password),
                       static_cast<QWidget *>(m_keep), static_cast<QWidget *>(m_signIn)})
        w->setEnabled(!busy);
    m_server->setEnabled(!busy && !m_serverLocked);
    m_progress->setVisible(busy);
    m_busyLabel->setVisible(busy);
    m_busyLabel->setText(busy ? tr("Connecting to %1…").arg(server()) : QString());
    m_signIn->setText(busy ? tr("Signing in…") : tr("&Sign in"));
    if (!busy)
        m_password->setFocus();
}

void SignInPage::showMessage(const QString &message)
{
    setFieldError(m_error, message);
}

void SignInPage::showProblem(const core::ConnectionStatus &status)
{
    QString headline;
    switch (status.problem) {
    case ConnectionProblem::None:
        showMessage(status.reason);
        return;
    case ConnectionProblem::WrongPassword:
        headline = tr("Wrong user name or password.");
        break;
    case ConnectionProblem::RateLimited:
        headline = tr("Too many attempts.");
        break;
    case ConnectionProblem::HostNotFound:
        headline = tr("The server could not be found.");
        break;
    case ConnectionProblem::ConnectionRefused:
    case ConnectionProblem::TimedOut:
    case ConnectionProblem::NetworkDown:
    case ConnectionProblem::ConnectionLost:
        headline = tr("The server cannot be reached.");
        break;
    case ConnectionProblem::UntrustedCertificate:
        headline = tr("The server's certificate is not trusted.");
        break;
    case ConnectionProblem::TlsFailed:
        headline = tr("A secure connection could not be set up.");
        break;
    case ConnectionProblem::ProxyRefused:
        headline = tr("The proxy refused the connection.");
        break;
    case ConnectionProblem::UpgradeRefused:
    case ConnectionProblem::ProtocolError:
        headline = tr("This address does not answer like a Conversa server.");
        break;
    case ConnectionProblem::TokenRevoked:
        headline = tr("Please sign in again.");
        break;
    case ConnectionProblem::ServerGoingAway:
    case ConnectionProblem::Other:
        headline = tr("Signing in did not work.");
        break;
    }
    showMessage(status.reason.isEmpty() ? headline : headline + u"\n"_s + status.reason);
    if (status.problem == ConnectionProblem::WrongPassword) {
        m_password->selectAll();
        m_password->setFocus();
    }
}

} // namespace conversa::ui
