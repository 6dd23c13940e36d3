// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// FanOut::encodeTextFrame: the one WebSocket frame every recipient of an event shares.
#include "FanOut.h"

#include <QTest>

using namespace Qt::StringLiterals;
using conversa::server::FanOut;

class TestFanOut : public QObject
{
    Q_OBJECT
private slots:
    void encodesEveryLengthForm_data();
    void encodesEveryLengthForm();
    void payloadIsUtf8();
};

void TestFanOut::encodesEveryLengthForm_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("headerSize");
    for (int size : {0, 1, 125})
        QTest::addRow("%d bytes: 7-bit length", size) << size << 2;
    for (int size : {126, 127, 65535})
        QTest::addRow("%d bytes: 16-bit length", size) << size << 4;
    for (int size : {65536, 200000})
        QTest::addRow("%d bytes: 64-bit length", size) << size << 10;
}

void TestFanOut::encodesEveryLengthForm()
{
    QFETCH(int, size);
    QFETCH(int, headerSize);
    const QString text(size, u'x');
    const QByteArray wire = FanOut::encodeTextFrame(text);
    QCOMPARE(wire.size(), headerSize + size);
    QCOMPARE(quint8(wire.at(0)), quint8(0x81)); // FIN and the text opcode
    QVERIFY2((quint8(wire.at(1)) & 0x80) == 0, "a server's frames are never masked");
    quint64 length = quint8(wire.at(1)) & 0x7f;
    if (headerSize == 4) {
        QCOMPARE(length, 126u);
        length = (quint64(quint8(wire.at(2))) << 8) | quint8(wire.at(3));
    } else if (headerSize == 10) {
        QCOMPARE(length, 127u);
        length = 0;
        for (int i = 2; i < 10; ++i)
            length = (length << 8) | quint8(wire.at(i));
    }
    QCOMPARE(length, quint64(size));
    QCOMPARE(wire.mid(headerSize), text.toUtf8());
}

void TestFanOut::payloadIsUtf8()
{
    const QString text = u"olá 👍"_s;
    const QByteArray wire = FanOut::encodeTextFrame(text);
    QCOMPARE(quint8(wire.at(1)), quint8(text.toUtf8().size()));
    QCOMPARE(wire.mid(2), text.toUtf8());
}

QTEST_APPLESS_MAIN(TestFanOut)
#include "tst_fanout.moc"
