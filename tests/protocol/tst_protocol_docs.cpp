// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// docs/protocol.md and tests/protocol/cases/ say the same: every JSON example in the document
// (each line of a ```json block, each → and ← line of a ```text block) is a valid case of the
// files and decodes, and every case marked "docs" is shown in the document.

#include "Codec.h"
#include "ProtocolCases.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace conversa::protocol;
using namespace conversa::test;
using namespace Qt::StringLiterals;

namespace {

enum class Direction { Unknown, FromClient, FromServer };

struct Example {
    int line = 0;
    QString text;
    Direction direction = Direction::Unknown;
};

QList<Example> examplesIn(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = u"cannot read %1"_s.arg(path);
        return {};
    }
    QList<Example> examples;
    QString fence; // the language of the open ``` block, empty outside one
    bool inFence = false;
    int number = 0;
    for (const QString &line : QString::fromUtf8(file.readAll()).split(u'\n')) {
        ++number;
        if (line.startsWith("```"_L1)) {
            inFence = !inFence;
            fence = inFence ? line.mid(3).trimmed() : QString();
            continue;
        }
        if (fence == "json"_L1 && !line.trimmed().isEmpty())
            examples.append({number, line.trimmed(), Direction::Unknown});
        else if (fence == "text"_L1 && (line.startsWith(u"→ {"_s) || line.startsWith(u"← {"_s)))
            examples.append(
                {number, line.mid(2).trimmed(),
                 line.startsWith(u'→') ? Direction::FromClient : Direction::FromServer});
    }
    return examples;
}

QJsonObject parse(const QByteArray &bytes)
{
    return QJsonDocument::fromJson(bytes).object();
}

} // namespace

class TestProtocolDocs : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QString error;
        m_requests = loadProtocolCases(CaseFile::Requests, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_serverFrames = loadProtocolCases(CaseFile::ServerFrames, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_examples = examplesIn(QStringLiteral(CONVERSA_PROTOCOL_DOC), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // A change to the document's layout must not silently leave nothing to check.
        QVERIFY2(m_examples.size() >= 50,
                 qPrintable(u"only %1 examples found"_s.arg(m_examples.size())));
    }

    void everyExampleIsACaseAndDecodes()
    {
        for (const Example &example : std::as_const(m_examples)) {
            const QString where = u"docs/protocol.md:%1: %2"_s.arg(example.line).arg(example.text);
            QJsonParseError parseError;
            const QJsonDocument document =
                QJsonDocument::fromJson(example.text.toUtf8(), &parseError);
            QVERIFY2(parseError.error == QJsonParseError::NoError && document.isObject(),
                     qPrintable(where + u" is not a JSON object: "_s + parseError.errorString()));
            const QJsonObject object = document.object();

            const ProtocolCase *asRequest = find(m_requests, object);
            const ProtocolCase *asServerFrame = find(m_serverFrames, object);
            QVERIFY2(asRequest || asServerFrame,
                     qPrintable(where + u"\n  is in neither tests/protocol/cases/requests.json nor "
                                        "server-frames.json as a valid case marked \"docs\": add "
                                        "it there (or correct the example)"_s));
            if (example.direction == Direction::FromClient)
                QVERIFY2(asRequest, qPrintable(where + u" (→) is not a request case"_s));
            if (example.direction == Direction::FromServer)
                QVERIFY2(asServerFrame, qPrintable(where + u" (←) is not a server-frame case"_s));

            const QByteArray bytes = example.text.toUtf8();
            if (asRequest && example.direction != Direction::FromServer) {
                const auto decoded = decodeRequest(bytes);
                const auto *error = std::get_if<DecodeError>(&decoded);
                QVERIFY2(!error, qPrintable(where + u"\n  does not decode: "_s +
                                            (error ? error->message : QString())));
            } else if (asServerFrame->messageObject) {
                QVERIFY2(messageFromJson(object), qPrintable(where + u" is not a message"_s));
            } else {
                const auto decoded = decodeServerFrame(bytes);
                const auto *error = std::get_if<DecodeError>(&decoded);
                QVERIFY2(!error, qPrintable(where + u"\n  does not decode: "_s +
                                            (error ? error->message : QString())));
            }
        }
    }

    void everyDocsCaseIsInTheDocument()
    {
        QList<QJsonObject> shown;
        for (const Example &example : std::as_const(m_examples))
            shown.append(parse(example.text.toUtf8()));
        for (const QList<ProtocolCase> *cases : {&m_requests, &m_serverFrames}) {
            for (const ProtocolCase &c : *cases) {
                if (c.inDocs)
                    QVERIFY2(shown.contains(parse(c.bytes)),
                             qPrintable(u"case '%1' is marked \"docs\" but docs/protocol.md does "
                                        "not show %2"_s.arg(c.name, QString::fromUtf8(c.bytes))));
            }
        }
    }

private:
    // The valid case marked "docs" whose frame is `object` (members in any order).
    static const ProtocolCase *find(const QList<ProtocolCase> &cases, const QJsonObject &object)
    {
        for (const ProtocolCase &c : cases) {
            if (c.valid && c.inDocs && parse(c.bytes) == object)
                return &c;
        }
        return nullptr;
    }

    QList<ProtocolCase> m_requests;
    QList<ProtocolCase> m_serverFrames;
    QList<Example> m_examples;
};

QTEST_APPLESS_MAIN(TestProtocolDocs)
#include "tst_protocol_docs.moc"
