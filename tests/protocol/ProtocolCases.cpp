// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ProtocolCases.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace conversa::test {

using namespace Qt::StringLiterals;

namespace {
// The frame member `repeat` names, filled with `text` repeated `times`, then `then`: long
// values stay readable in the file.
QString expandRepeat(const QJsonObject &repeat, QString *error)
{
    const QString text = repeat.value("text"_L1).toString();
    const qint64 times = repeat.value("times"_L1).toInteger(-1);
    if (text.isEmpty() || times < 0 || times > 1'000'000) {
        *error = u"'repeat' needs a non-empty 'text' and 'times' from 0 to 1000000"_s;
        return {};
    }
    return text.repeated(times) + repeat.value("then"_L1).toString();
}

ProtocolCase readCase(const QJsonObject &object, QString *error)
{
    static const QSet<QString> known{u"name"_s,  u"frame"_s, u"text"_s, u"bytes_hex"_s, u"repeat"_s,
                                     u"valid"_s, u"code"_s,  u"re"_s,   u"docs"_s,      u"part"_s};
    ProtocolCase c;
    c.name = object.value("name"_L1).toString();
    if (c.name.isEmpty()) {
        *error = u"a case without a 'name'"_s;
        return c;
    }
    for (const QString &key : object.keys()) {
        if (!known.contains(key)) {
            *error = u"unknown member '%1'"_s.arg(key);
            return c;
        }
    }
    const int sources = int(object.contains("frame"_L1)) + int(object.contains("text"_L1)) +
                        int(object.contains("bytes_hex"_L1));
    if (sources != 1) {
        *error = u"needs exactly one of 'frame', 'text' and 'bytes_hex'"_s;
        return c;
    }
    if (object.contains("frame"_L1)) {
        QJsonObject frame = object.value("frame"_L1).toObject();
        if (object.contains("repeat"_L1)) {
            const QJsonObject repeat = object.value("repeat"_L1).toObject();
            const QString value = expandRepeat(repeat, error);
            if (!error->isEmpty())
                return c;
            frame.insert(repeat.value("member"_L1).toString(), value);
        }
        c.bytes = QJsonDocument(frame).toJson(QJsonDocument::Compact);
    } else if (object.contains("text"_L1)) {
        c.bytes = object.value("text"_L1).toString().toUtf8();
    } else {
        c.bytes = QByteArray::fromHex(object.value("bytes_hex"_L1).toString().toLatin1());
    }
    if (!object.value("valid"_L1).isBool()) {
        *error = u"'valid' must be true or false"_s;
        return c;
    }
    c.valid = object.value("valid"_L1).toBool();
    c.code = object.value("code"_L1).toString();
    if (!c.valid && c.code.isEmpty()) {
        *error = u"a bad case needs the error 'code'"_s;
        return c;
    }
    c.re = object.value("re"_L1);
    if (c.re.isUndefined())
        c.re = QJsonValue::Null;
    c.inDocs = object.value("docs"_L1).toBool();
    c.messageObject = object.value("part"_L1).toString() == "message"_L1;
    return c;
}
} // namespace

QString protocolCasesPath(CaseFile file)
{
    const QString dir = QStringLiteral(CONVERSA_PROTOCOL_CASES_DIR);
    return dir + (file == CaseFile::Requests ? u"/requests.json"_s : u"/server-frames.json"_s);
}

QList<ProtocolCase> loadProtocolCases(CaseFile file, QString *error)
{
    const QString path = protocolCasesPath(file);
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(path, in.errorString());
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(in.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isArray()) {
        *error = u"%1 is not a JSON array: %2"_s.arg(path, parseError.errorString());
        return {};
    }
    QList<ProtocolCase> cases;
    QSet<QString> names;
    for (const QJsonValue &value : document.array()) {
        QString why;
        ProtocolCase c = readCase(value.toObject(), &why);
        if (why.isEmpty() && names.contains(c.name))
            why = u"the name is used twice"_s;
        if (!why.isEmpty()) {
            *error = u"%1, case '%2': %3"_s.arg(path, c.name, why);
            return {};
        }
        names.insert(c.name);
        cases.append(std::move(c));
    }
    return cases;
}

} // namespace conversa::test
