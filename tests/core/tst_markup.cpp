// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The Markdown subset of messages: what is shown, which ranges get which style, and that
// nothing from another user becomes HTML or a link other than http(s)/mailto.
#include <MessageMarkup.h>

#include <QElapsedTimer>
#include <QTest>

using namespace Qt::StringLiterals;
using conversa::core::MarkedUpText;
using conversa::core::MarkupSpan;
using conversa::core::parseMarkup;

namespace {
// "text|styles|target" per span, for compact comparisons.
QStringList describe(const MarkedUpText &m)
{
    QStringList out;
    for (const MarkupSpan &s : m.spans)
        out.append(u"%1|%2|%3"_s.arg(m.text.mid(s.start, s.length)).arg(s.styles).arg(s.target));
    return out;
}
} // namespace

class TestMarkup : public QObject
{
    Q_OBJECT
private slots:
    void plainTextIsUntouched();
    void boldItalicCode();
    void nestedStyles();
    void codeBlockKeepsItsTextVerbatim();
    void quotes();
    void onlyHttpAndMailtoBecomeLinks_data();
    void onlyHttpAndMailtoBecomeLinks();
    void htmlStaysText();
    void unclosedAndOddMarkersStayText_data();
    void unclosedAndOddMarkersStayText();
    void hostileLengthsTakeLinearTime();
};

void TestMarkup::plainTextIsUntouched()
{
    const QString text = u"hello world\nsecond line 2*3 = 6, a_b_c"_s;
    const MarkedUpText m = parseMarkup(text);
    QCOMPARE(m.text, text);
    QVERIFY(m.spans.isEmpty());
    QCOMPARE(parseMarkup({}).text, QString());
}

void TestMarkup::boldItalicCode()
{
    const MarkedUpText m = parseMarkup(u"a **bold** b *it* c `x *y*` d"_s);
    QCOMPARE(m.text, u"a bold b it c x *y* d"_s);
    QCOMPARE(describe(m),
             (QStringList{u"bold|%1|"_s.arg(MarkupSpan::Bold), u"it|%1|"_s.arg(MarkupSpan::Italic),
                          u"x *y*|%1|"_s.arg(MarkupSpan::Code)}));
}

void TestMarkup::nestedStyles()
{
    const MarkedUpText m = parseMarkup(u"**bold *both* bold**"_s);
    QCOMPARE(m.text, u"bold both bold"_s);
    QCOMPARE(describe(m), (QStringList{u"bold |1|"_s, u"both|3|"_s, u" bold|1|"_s}));
}

void TestMarkup::codeBlockKeepsItsTextVerbatim()
{
    const MarkedUpText m =
        parseMarkup(u"before\n```\nint *p = **q;\n<b>x</b> [a](http://x)\n```\nafter **b**"_s);
    QCOMPARE(m.text, u"before\nint *p = **q;\n<b>x</b> [a](http://x)\nafter b"_s);
    QCOMPARE(describe(m), (QStringList{u"int *p = **q;\n|%1|"_s.arg(MarkupSpan::CodeBlock),
                                       u"<b>x</b> [a](http://x)|%1|"_s.arg(MarkupSpan::CodeBlock),
                                       u"b|%1|"_s.arg(MarkupSpan::Bold)}));
    // An unclosed fence is just text.
    const MarkedUpText open = parseMarkup(u"```\ncode *it*"_s);
    QCOMPARE(open.text, u"```\ncode it"_s);
}

void TestMarkup::quotes()
{
    const MarkedUpText m = parseMarkup(u"> quoted **words**\nreply"_s);
    QCOMPARE(m.text, u"quoted words\nreply"_s);
    QCOMPARE(describe(m), (QStringList{u"quoted words|%1|"_s.arg(MarkupSpan::Quote),
                                       u"words|%1|"_s.arg(MarkupSpan::Quote | MarkupSpan::Bold)}));
    // Not at the start of a line: no quote.
    QVERIFY(parseMarkup(u"a > b"_s).spans.isEmpty());
}

void TestMarkup::onlyHttpAndMailtoBecomeLinks_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("shown");
    QTest::addColumn<QString>("target"); // empty: no link at all
    QTest::newRow("https") << u"[docs](https://example.org/a?b=1)"_s << u"docs"_s
                           << u"https://example.org/a?b=1"_s;
    QTest::newRow("http") << u"[x](http://example.org)"_s << u"x"_s << u"http://example.org"_s;
    QTest::newRow("mailto") << u"[mail me](mailto:ana@example.org)"_s << u"mail me"_s
                            << u"mailto:ana@example.org"_s;
    QTest::newRow("javascript") << u"[x](javascript:alert(1))"_s << u"[x](javascript:alert(1))"_s
                                << QString();
    QTest::newRow("JavaScript upper")
        << u"[x](JAVASCRIPT:alert(1))"_s << u"[x](JAVASCRIPT:alert(1))"_s << QString();
    QTest::newRow("data") << u"[x](data:text/html,<script>1</script>)"_s
                          << u"[x](data:text/html,<script>1</script>)"_s << QString();
    QTest::newRow("file") << u"[x](file:///etc/passwd)"_s << u"[x](file:///etc/passwd)"_s
                          << QString();
    QTest::newRow("relative") << u"[x](/admin)"_s << u"[x](/admin)"_s << QString();
    QTest::newRow("no host") << u"[x](https://)"_s << u"[x](https://)"_s << QString();
    QTest::newRow("space in target")
        << u"[x](https://a.org b)"_s << u"[x](https://a.org b)"_s << QString();
}

void TestMarkup::onlyHttpAndMailtoBecomeLinks()
{
    QFETCH(QString, source);
    QFETCH(QString, shown);
    QFETCH(QString, target);
    const MarkedUpText m = parseMarkup(source);
    QCOMPARE(m.text, shown);
    QStringList targets;
    for (const MarkupSpan &s : m.spans)
        if (s.styles & MarkupSpan::Link)
            targets.append(s.target);
    QCOMPARE(targets, target.isEmpty() ? QStringList() : QStringList{target});
}

void TestMarkup::htmlStaysText()
{
    for (const QString &hostile :
         {u"<script>alert(1)</script>"_s, u"<img src=x onerror=alert(1)>"_s, u"**<b>bold</b>**"_s,
          u"&lt;b&gt; &amp;"_s}) {
        const MarkedUpText m = parseMarkup(hostile);
        // Every character of the tags is still there, as text; nothing was decoded.
        QVERIFY2(m.text == hostile || m.text == hostile.mid(2, hostile.size() - 4),
                 qPrintable(m.text));
        for (const MarkupSpan &s : m.spans)
            QVERIFY(!(s.styles & MarkupSpan::Link));
    }
}

void TestMarkup::unclosedAndOddMarkersStayText_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("shown");
    QTest::newRow("unclosed bold") << u"**open"_s << u"**open"_s;
    QTest::newRow("unclosed italic") << u"*open"_s << u"*open"_s;
    QTest::newRow("unclosed code") << u"`open"_s << u"`open"_s;
    QTest::newRow("empty code") << u"``"_s << u"``"_s;
    QTest::newRow("spaced stars") << u"a * b * c"_s << u"a * b * c"_s;
    QTest::newRow("across lines") << u"**a\nb**"_s << u"**a\nb**"_s;
    QTest::newRow("crossed") << u"**a *b** c*"_s << u"a *b c*"_s;
    QTest::newRow("only stars") << u"****"_s << u"****"_s;
    QTest::newRow("unclosed link") << u"[label](https://x.org"_s << u"[label](https://x.org"_s;
    QTest::newRow("empty label") << u"[](https://x.org)"_s << u"[](https://x.org)"_s;
}

void TestMarkup::unclosedAndOddMarkersStayText()
{
    QFETCH(QString, source);
    QFETCH(QString, shown);
    const MarkedUpText m = parseMarkup(source);
    QCOMPARE(m.text, shown);
    for (const MarkupSpan &s : m.spans) {
        QVERIFY(s.start >= 0 && s.length >= 0 && s.start + s.length <= m.text.size());
    }
}

void TestMarkup::hostileLengthsTakeLinearTime()
{
    const QList<QString> inputs{
        QString(10000, u'*'),
        QString(20000, u'`'),
        u"*a"_s.repeated(10000),
        u"**a "_s.repeated(10000),
        u"[a]("_s.repeated(10000),
        u"[x](https://example.org/"_s + QString(10000, u'(') + u")"_s,
        u"```\n"_s.repeated(5000),
        u"> "_s.repeated(20000),
        QString(u"**x*"_s.repeated(8000)),
    };
    for (const QString &input : inputs) {
        QElapsedTimer timer;
        timer.start();
        const MarkedUpText m = parseMarkup(input);
        const qint64 ms = timer.elapsed();
        QVERIFY2(ms < 200, qPrintable(u"%1 ms for %2…"_s.arg(ms).arg(input.left(12))));
        QVERIFY(m.text.size() <= input.size());
        for (const MarkupSpan &s : m.spans)
            QVERIFY(s.start >= 0 && s.start + s.length <= m.text.size());
    }
}

QTEST_MAIN(TestMarkup)
#include "tst_markup.moc"
