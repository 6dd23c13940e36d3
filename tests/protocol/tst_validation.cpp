// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Unit tests for Validation.h / Validation.cpp: the name, cid and text rules both ends share.

#include "Validation.h"

#include <QTest>

using namespace conversa::protocol;
using namespace Qt::StringLiterals;

namespace {

// A string from UTF-16 code units, so tests can build unpaired surrogates and NULs.
QString fromUnits(std::initializer_list<char16_t> units)
{
    QString text;
    for (char16_t unit : units)
        text.append(QChar(unit));
    return text;
}

} // namespace

class TestValidation : public QObject
{
    Q_OBJECT

private slots:
    void roomNames_data();
    void roomNames();
    void userNames_data();
    void userNames();
    void cids_data();
    void cids();
    void wellFormedText_data();
    void wellFormedText();
    void visibleText_data();
    void visibleText();
    void searchWords_data();
    void searchWords();
    void mentions_data();
    void mentions();
};

void TestValidation::roomNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("plain") << u"general"_s << true;
    QTest::newRow("one letter") << u"a"_s << true;
    QTest::newRow("one digit") << u"7"_s << true;
    QTest::newRow("leading digit") << u"9lives"_s << true;
    QTest::newRow("dash inside") << u"dev-ops"_s << true;
    QTest::newRow("underscore inside") << u"team_1"_s << true;
    QTest::newRow("trailing dash") << u"a-"_s << true;
    QTest::newRow("dashes and underscores after first") << u"a-_-_"_s << true;
    QTest::newRow("64 characters") << QString(64, u'r') << true;
    QTest::newRow("64 characters mixed") << (u"x"_s + QString(63, u'-')) << true;

    QTest::newRow("empty") << QString() << false;
    QTest::newRow("65 characters") << QString(65, u'r') << false;
    QTest::newRow("upper case") << u"General"_s << false;
    QTest::newRow("upper case only") << u"A"_s << false;
    QTest::newRow("leading dash") << u"-general"_s << false;
    QTest::newRow("leading underscore") << u"_general"_s << false;
    QTest::newRow("dot") << u"a.b"_s << false;
    QTest::newRow("space") << u"a b"_s << false;
    QTest::newRow("slash") << u"room/1"_s << false;
    QTest::newRow("accented letter") << u"café"_s << false;
    QTest::newRow("fullwidth letter") << u"ａ"_s << false;
    QTest::newRow("dotless i") << u"\u0131"_s << false;
    QTest::newRow("emoji") << u"😀"_s << false;
    QTest::newRow("NUL inside") << fromUnits({u'a', 0, u'b'}) << false;
}

void TestValidation::roomNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidRoomName(name), valid);
}

void TestValidation::userNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("plain") << u"alice"_s << true;
    QTest::newRow("one letter") << u"a"_s << true;
    QTest::newRow("one digit") << u"0"_s << true;
    QTest::newRow("dot inside") << u"alice.smith"_s << true;
    QTest::newRow("underscore inside") << u"bob_2"_s << true;
    QTest::newRow("dash inside") << u"x-y"_s << true;
    QTest::newRow("32 characters") << QString(32, u'u') << true;

    QTest::newRow("empty") << QString() << false;
    QTest::newRow("33 characters") << QString(33, u'u') << false;
    QTest::newRow("upper case") << u"Alice"_s << false;
    QTest::newRow("leading dot") << u".alice"_s << false;
    QTest::newRow("leading dash") << u"-alice"_s << false;
    QTest::newRow("leading underscore") << u"_alice"_s << false;
    QTest::newRow("space") << u"al ice"_s << false;
    QTest::newRow("at sign") << u"alice@example.com"_s << false;
    QTest::newRow("accented letter") << u"zoë"_s << false;
}

void TestValidation::userNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidUserName(name), valid);
}

void TestValidation::cids_data()
{
    QTest::addColumn<QString>("cid");
    QTest::addColumn<bool>("valid");

    QTest::newRow("one character") << u"x"_s << true;
    QTest::newRow("uuid") << u"0b0c8a8e-54a8-4f2b-9f6c-2f6a3b9f1d2e"_s << true;
    QTest::newRow("braced uuid") << u"{0b0c8a8e-54a8-4f2b-9f6c-2f6a3b9f1d2e}"_s << true;
    QTest::newRow("punctuation bounds") << u"!~"_s << true;
    QTest::newRow("64 characters") << QString(64, u'c') << true;

    QTest::newRow("empty") << QString() << false;
    QTest::newRow("65 characters") << QString(65, u'c') << false;
    QTest::newRow("space") << u"a b"_s << false;
    QTest::newRow("tab") << u"a\tb"_s << false;
    QTest::newRow("DEL") << fromUnits({u'a', 0x7f}) << false;
    QTest::newRow("NUL") << fromUnits({u'a', 0}) << false;
    QTest::newRow("non-ASCII") << u"é"_s << false;
}

void TestValidation::cids()
{
    QFETCH(QString, cid);
    QFETCH(bool, valid);
    QCOMPARE(isValidCid(cid), valid);
}

void TestValidation::wellFormedText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");

    QTest::newRow("empty") << QString() << true;
    QTest::newRow("ascii") << u"hello"_s << true;
    QTest::newRow("line break and tab") << u"a\nb\tc"_s << true;
    QTest::newRow("BMP non-ASCII") << u"olá €"_s << true;
    QTest::newRow("surrogate pair") << u"😀"_s << true;

    QTest::newRow("lone high surrogate") << fromUnits({0xd800}) << false;
    QTest::newRow("lone low surrogate") << fromUnits({0xdc00}) << false;
    QTest::newRow("high surrogate at end") << fromUnits({u'a', 0xd83d}) << false;
    QTest::newRow("reversed pair") << fromUnits({0xde00, 0xd83d}) << false;
    QTest::newRow("NUL") << fromUnits({0}) << false;
    QTest::newRow("NUL inside") << fromUnits({u'a', 0, u'b'}) << false;
}

void TestValidation::wellFormedText()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QCOMPARE(isWellFormedText(text), valid);
}

void TestValidation::visibleText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("visible");

    QTest::newRow("empty") << QString() << false;
    QTest::newRow("space") << u" "_s << false;
    QTest::newRow("ascii white space") << u" \t\r\n\v\f"_s << false;
    QTest::newRow("no-break space") << u"\u00a0"_s << false;
    QTest::newRow("em space and ideographic space") << u"\u2003\u3000"_s << false;
    QTest::newRow("line separator") << u"\u2028"_s << false;

    QTest::newRow("letter") << u"a"_s << true;
    QTest::newRow("padded letter") << u"  a  "_s << true;
    QTest::newRow("punctuation") << u"."_s << true;
    QTest::newRow("emoji") << u"😀"_s << true;
    QTest::newRow("space then CJK") << u"\u3000中"_s << true;
}

void TestValidation::visibleText()
{
    QFETCH(QString, text);
    QFETCH(bool, visible);
    QCOMPARE(hasVisibleText(text), visible);
}

void TestValidation::searchWords_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("words");

    QTest::newRow("two words") << u"deploy plan"_s << QStringList{u"deploy"_s, u"plan"_s};
    QTest::newRow("case folded") << u"DePLoy"_s << QStringList{u"deploy"_s};
    QTest::newRow("accents dropped")
        << u"Não há café"_s << QStringList{u"nao"_s, u"ha"_s, u"cafe"_s};
    QTest::newRow("decomposed accent") << u"café"_s << QStringList{u"cafe"_s};
    QTest::newRow("punctuation separates")
        << u"deploy-plan, v2.1!"_s << QStringList{u"deploy"_s, u"plan"_s, u"v2"_s, u"1"_s};
    QTest::newRow("repeats once") << u"plan Plan PLAN"_s << QStringList{u"plan"_s};
    QTest::newRow("sharp s stays") << u"Straße"_s << QStringList{u"straße"_s};
    QTest::newRow("no words") << u" -- ?! 😀 "_s << QStringList{};
    QTest::newRow("CJK run is one word") << u"部署计划"_s << QStringList{u"部署计划"_s};
    QTest::newRow("long word cut") << QString(100, u'a') << QStringList{QString(64, u'a')};
    QTest::newRow("cut never splits a surrogate pair")
        << (QString(63, u'a') + u"𠀀𠀀"_s) << QStringList{QString(63, u'a')};
}

void TestValidation::searchWords()
{
    QFETCH(QString, query);
    QFETCH(QStringList, words);
    QCOMPARE(conversa::protocol::searchWords(query), words);
}

void TestValidation::mentions_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("mentioned");

    QTest::newRow("at the start") << u"@alice look"_s << true;
    QTest::newRow("any case, before punctuation") << u"thanks, @Alice!"_s << true;
    QTest::newRow("at the end") << u"ping @alice"_s << true;
    QTest::newRow("after another @") << u"@@alice"_s << true;
    QTest::newRow("longer name") << u"@alicette look"_s << false;
    QTest::newRow("name goes on with _") << u"@alice_b"_s << false;
    QTest::newRow("name goes on with -") << u"@alice-b"_s << false;
    QTest::newRow("an address") << u"mail alice@example.com"_s << false;
    QTest::newRow("inside a word") << u"bob@alice"_s << false;
    QTest::newRow("second try matches") << u"@alicette and @alice"_s << true;
    QTest::newRow("no @") << u"alice"_s << false;
}

// The server counts mentions by this rule and the client badges by it (core::mentionsUser).
void TestValidation::mentions()
{
    QFETCH(QString, text);
    QFETCH(bool, mentioned);
    QCOMPARE(conversa::protocol::mentionsUser(text, u"alice"), mentioned);
    QVERIFY(!conversa::protocol::mentionsUser(text, {}));
}

QTEST_APPLESS_MAIN(TestValidation)

#include "tst_validation.moc"
