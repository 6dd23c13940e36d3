// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Log fields and admin output cannot be used to inject lines, fields or terminal escapes.
#include "Log.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace conversa::server;

class tst_serverlog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void logValue_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QString>("logged");
        QTest::newRow("plain") << u"alice"_s << u"alice"_s;
        QTest::newRow("empty") << QString() << u"\"\""_s;
        QTest::newRow("space quoted") << u"a b"_s << u"\"a b\""_s;
        QTest::newRow("forged field") << u"x user=admin"_s << u"\"x user=admin\""_s;
        QTest::newRow("newline") << u"a\nevent=forged"_s << u"\"a\\nevent=forged\""_s;
        QTest::newRow("escape") << u"\u001b[31mred"_s << u"\\x1b[31mred"_s;
        QTest::newRow("C1 CSI") << u"\u009b31m"_s << u"\\x9b31m"_s;
        QTest::newRow("quote") << u"say \"hi\""_s << u"\"say \\\"hi\\\"\""_s;
        QTest::newRow("backslash") << u"a\\b"_s << u"\"a\\\\b\""_s;
        QTest::newRow("unicode kept") << u"José☕"_s << u"José☕"_s;
    }

    void logValue()
    {
        QFETCH(QString, raw);
        QFETCH(QString, logged);
        QCOMPARE(conversa::server::logValue(raw), logged);
    }

    void logValue_cutsLongValues()
    {
        const QString value = conversa::server::logValue(QString(1000, u'a'), 10);
        QCOMPARE(value, u"aaaaaaaaaa…"_s);
    }

    void terminalSafe_escapesControlsOnly()
    {
        QCOMPARE(terminalSafe(u"Ops \u001b]0;owned\u0007 room\r\n"_s),
                 u"Ops \\x1b]0;owned\\x07 room\\r\\n"_s);
        QCOMPARE(terminalSafe(u"Café équipe"_s), u"Café équipe"_s);
    }
};

QTEST_GUILESS_MAIN(tst_serverlog)
#include "tst_serverlog.moc"
