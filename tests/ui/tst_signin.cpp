// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The sign-in page checks its fields before anything goes on the network, says what is wrong in
// words, and shows a busy state while the session connects.
#include <SignInPage.h>

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::ui::SignInPage;
namespace core = conversa::core;

class TestSignIn : public QObject
{
    Q_OBJECT
private slots:
    void emptyFieldsAreReportedAndNothingIsSent();
    void invalidServerAndUserAreReported();
    void validFormEmitsAndTurnsBusy();
    void enterInPasswordSubmits();
    void wrongPasswordIsShownInWords();
    void lockedServerCannotBeEdited();
};

static QLabel *errorLabel(SignInPage &page, const QString &name)
{
    return page.findChild<QLabel *>(name);
}

void TestSignIn::emptyFieldsAreReportedAndNothingIsSent()
{
    SignInPage page;
    page.show();
    QSignalSpy spy(&page, &SignInPage::signInRequested);
    QTest::mouseClick(page.signInButton(), Qt::LeftButton);
    QCOMPARE(spy.count(), 0);
    QVERIFY(errorLabel(page, u"serverError"_s)->isVisible());
    QVERIFY(errorLabel(page, u"userError"_s)->isVisible());
    QVERIFY(errorLabel(page, u"passwordError"_s)->isVisible());
    QVERIFY(!page.isBusy());
    // The first wrong field gets the focus, so the person can fix it at once.
    QVERIFY(page.serverEdit()->hasFocus() || !QApplication::focusWidget());
}

void TestSignIn::invalidServerAndUserAreReported()
{
    SignInPage page;
    page.show();
    QSignalSpy spy(&page, &SignInPage::signInRequested);
    page.serverEdit()->setText(u"ftp://nope"_s);
    page.userEdit()->setText(u"Alice Smith"_s);
    page.passwordEdit()->setText(u"pw"_s);
    QVERIFY(!page.validate());
    QCOMPARE(spy.count(), 0);
    QVERIFY(errorLabel(page, u"serverError"_s)->text().contains(u"ftp://nope"_s));
    QVERIFY(errorLabel(page, u"userError"_s)->isVisible());
    QVERIFY(!errorLabel(page, u"passwordError"_s)->isVisible());
    // Typing in a field clears its error.
    page.userEdit()->setFocus();
    QTest::keyClick(page.userEdit(), Qt::Key_Backspace);
    QVERIFY(!errorLabel(page, u"userError"_s)->isVisible());
}

void TestSignIn::validFormEmitsAndTurnsBusy()
{
    SignInPage page;
    page.show();
    QSignalSpy spy(&page, &SignInPage::signInRequested);
    page.serverEdit()->setText(u"127.0.0.1:8080"_s);
    page.userEdit()->setText(u"alice"_s);
    page.passwordEdit()->setText(u"correct horse"_s);
    page.setKeepSignedIn(false);
    QTest::mouseClick(page.signInButton(), Qt::LeftButton);
    QCOMPARE(spy.count(), 1);
    const QList<QVariant> args = spy.takeFirst();
    QCOMPARE(args.at(0).toString(), u"127.0.0.1:8080"_s);
    QCOMPARE(args.at(1).toString(), u"alice"_s);
    QCOMPARE(args.at(2).toString(), u"correct horse"_s);
    QCOMPARE(args.at(3).toBool(), false);
    QVERIFY(page.isBusy());
    QVERIFY(!page.signInButton()->isEnabled());
    QVERIFY(!page.passwordEdit()->isEnabled());
    // A second click while busy sends nothing more.
    QTest::mouseClick(page.signInButton(), Qt::LeftButton);
    QCOMPARE(spy.count(), 0);
    page.setBusy(false);
    QVERIFY(page.signInButton()->isEnabled());
}

void TestSignIn::enterInPasswordSubmits()
{
    SignInPage page;
    page.show();
    QSignalSpy spy(&page, &SignInPage::signInRequested);
    page.serverEdit()->setText(u"ws://127.0.0.1:8080/ws"_s);
    page.userEdit()->setText(u"bob"_s);
    page.passwordEdit()->setFocus();
    QTest::keyClicks(page.passwordEdit(), u"pw"_s);
    QTest::keyClick(page.passwordEdit(), Qt::Key_Return);
    QCOMPARE(spy.count(), 1);
}

void TestSignIn::wrongPasswordIsShownInWords()
{
    SignInPage page;
    page.show();
    page.setBusy(true);
    page.setBusy(false);
    core::ConnectionStatus status;
    status.state = core::ConnectionState::AuthFailed;
    status.problem = core::ConnectionProblem::WrongPassword;
    status.reason = u"The user name or password is not right."_s;
    page.showProblem(status);
    QVERIFY(page.errorText().contains(u"Wrong user name or password"_s));
    status.problem = core::ConnectionProblem::UntrustedCertificate;
    status.reason = u"The certificate of chat.example.com is self-signed."_s;
    page.showProblem(status);
    QVERIFY(page.errorText().contains(u"not trusted"_s));
    QVERIFY(page.errorText().contains(u"self-signed"_s));
}

void TestSignIn::lockedServerCannotBeEdited()
{
    SignInPage page;
    page.show();
    page.setServer(u"wss://chat.example.com"_s);
    page.setServerLocked(true, u"/etc/xdg/Conversa/Conversa.conf"_s);
    QVERIFY(!page.serverEdit()->isEnabled());
    QVERIFY(page.findChild<QLabel *>(u"serverLockNote"_s)->isVisible());
    page.setBusy(true);
    page.setBusy(false);
    QVERIFY(!page.serverEdit()->isEnabled()); // still locked after a failed attempt
}

QTEST_MAIN(TestSignIn)
#include "tst_signin.moc"
