// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The status bar's connection line: each state in words, what waits in the outbox, and the
// outbox draining after a reconnect ("Online · sending 120 of 5,000…").
#include <ConnectionStatusWidget.h>
#include <Translations.h>

#include <QLabel>
#include <QPushButton>
#include <QTest>

using namespace Qt::StringLiterals;
namespace core = conversa::core;
using conversa::ui::ConnectionStatusWidget;

class TestStatusWidget : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // English, whose translation file carries the plural forms; "5,000" with a comma.
        conversa::ui::Translations::install(*QCoreApplication::instance(), u"en"_s);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }
    void statesInWords();
    void outboxDrainingShowsHowFarItGot();
    void compactBesideTheBanner();
};

void TestStatusWidget::compactBesideTheBanner()
{
    ConnectionStatusWidget widget;
    widget.show();
    widget.setCompact(true);
    widget.setPendingCount(2);
    widget.setStatus({core::ConnectionState::WaitingToReconnect,
                      core::ConnectionProblem::ConnectionRefused, u"Refused."_s, 4});
    // The banner says why and what waits; the bar only the state.
    QCOMPARE(widget.text(), u"Offline · reconnecting in 4 s"_s);
    auto *label = widget.findChild<QLabel *>(u"connectionStatusText"_s);
    QVERIFY(label);
    QVERIFY2(label->toolTip().contains(u"Refused."_s), qPrintable(label->toolTip()));
    auto *reconnect = widget.findChild<QPushButton *>(u"reconnectNowButton"_s);
    QVERIFY(reconnect && !reconnect->isVisible());
    widget.setStatus({core::ConnectionState::Online, core::ConnectionProblem::None, {}, 0});
    widget.setOutboxProgress(1, 2);
    QCOMPARE(widget.text(), u"Online · sending 1 of 2…"_s);
    // On the sign-in page there is no banner: the whole line again.
    widget.setCompact(false);
    widget.setStatus({core::ConnectionState::WaitingToReconnect,
                      core::ConnectionProblem::ConnectionRefused, u"Refused."_s, 4});
    QVERIFY2(widget.text().endsWith(u"Refused."_s), qPrintable(widget.text()));
    QVERIFY(reconnect->isVisible());
}

void TestStatusWidget::statesInWords()
{
    ConnectionStatusWidget widget;
    widget.show();
    QCOMPARE(widget.text(), u"Signed out"_s);
    widget.setStatus({core::ConnectionState::WaitingToReconnect,
                      core::ConnectionProblem::ConnectionRefused, u"Refused."_s, 4});
    QCOMPARE(widget.text(), u"Reconnecting in 4 s — Refused."_s);
    auto *reconnect = widget.findChild<QPushButton *>(u"reconnectNowButton"_s);
    QVERIFY(reconnect && reconnect->isVisible());
    widget.setPendingCount(3);
    QVERIFY2(widget.text().startsWith(u"Offline — messages will be sent when you are back"_s),
             qPrintable(widget.text()));
    widget.setStatus({core::ConnectionState::Online, core::ConnectionProblem::None, {}, 0});
    QCOMPARE(widget.text(), u"Online · sending 3 messages…"_s);
    QVERIFY(!reconnect->isVisible());
    widget.setPendingCount(0);
    QCOMPARE(widget.text(), u"Online"_s);
}

void TestStatusWidget::outboxDrainingShowsHowFarItGot()
{
    ConnectionStatusWidget widget;
    widget.setStatus({core::ConnectionState::Online, core::ConnectionProblem::None, {}, 0});
    widget.setPendingCount(4880);
    widget.setOutboxProgress(120, 5000);
    QCOMPARE(widget.text(), u"Online · sending 120 of 5,000…"_s);
    widget.setOutboxProgress(4999, 5000);
    QCOMPARE(widget.text(), u"Online · sending 4,999 of 5,000…"_s);
    // Done: back to plain "Online".
    widget.setPendingCount(0);
    widget.setOutboxProgress(5000, 5000);
    QCOMPARE(widget.text(), u"Online"_s);
    // One message is just "sending".
    widget.setPendingCount(1);
    widget.setOutboxProgress(0, 1);
    QCOMPARE(widget.text(), u"Online · sending 1 message…"_s);
    // Offline the count is not progress.
    widget.setStatus(
        {core::ConnectionState::WaitingToReconnect, core::ConnectionProblem::None, {}, 2});
    widget.setOutboxProgress(10, 50);
    QVERIFY2(!widget.text().contains(u"10 of 50"_s), qPrintable(widget.text()));
}

QTEST_MAIN(TestStatusWidget)
#include "tst_statuswidget.moc"
