// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "redis/Resp.h"

namespace conversa::server::redis {

using namespace Qt::StringLiterals;

QByteArray RespValue::textAt(qsizetype index) const
{
    if (index < 0 || index >= elements.size())
        return {};
    const RespValue &element = elements.at(index);
    return element.type == Type::Bulk || element.type == Type::Status ? element.text : QByteArray();
}

QByteArray encodeCommand(const QList<QByteArray> &arguments)
{
    QByteArray out;
    qsizetype size = 16;
    for (const QByteArray &argument : arguments)
        size += argument.size() + 16;
    out.reserve(size);
    out += '*' + QByteArray::number(arguments.size()) + "\r\n";
    for (const QByteArray &argument : arguments) {
        out += '$' + QByteArray::number(argument.size()) + "\r\n";
        out += argument;
        out += "\r\n";
    }
    return out;
}

void RespParser::feed(const QByteArray &bytes)
{
    // Drop what was consumed before growing the buffer, so it holds at most one pending value.
    if (m_position > 0 && m_position == m_buffer.size()) {
        m_buffer.clear();
        m_position = 0;
    } else if (m_position > 64 * 1024) {
        m_buffer.remove(0, m_position);
        m_position = 0;
    }
    m_buffer += bytes;
}

void RespParser::clear()
{
    m_buffer.clear();
    m_position = 0;
}

std::optional<RespValue> RespParser::next(QString *error)
{
    qsizetype position = m_position;
    RespValue value;
    switch (parse(position, value, 0, error)) {
    case Outcome::Complete:
        m_position = position;
        return value;
    case Outcome::NeedMore:
        return std::nullopt;
    case Outcome::Invalid:
        clear();
        return std::nullopt;
    }
    return std::nullopt;
}

RespParser::Outcome RespParser::parse(qsizetype &position, RespValue &value, int depth,
                                      QString *error) const
{
    if (position >= m_buffer.size())
        return Outcome::NeedMore;
    const qsizetype lineEnd = m_buffer.indexOf("\r\n", position);
    if (lineEnd < 0) {
        // A header line is short; a long one without its end is not Redis talking.
        if (m_buffer.size() - position > 64 * 1024) {
            *error = u"a reply line longer than 64 KiB"_s;
            return Outcome::Invalid;
        }
        return Outcome::NeedMore;
    }
    const char kind = m_buffer.at(position);
    const QByteArray line = m_buffer.mid(position + 1, lineEnd - position - 1);
    const qsizetype afterLine = lineEnd + 2;
    bool ok = false;
    switch (kind) {
    case '+':
    case '-':
        value.type = kind == '+' ? RespValue::Type::Status : RespValue::Type::Error;
        value.text = line;
        position = afterLine;
        return Outcome::Complete;
    case ':':
        value.type = RespValue::Type::Integer;
        value.integer = line.toLongLong(&ok);
        if (!ok) {
            *error = u"an integer reply that is not a number"_s;
            return Outcome::Invalid;
        }
        position = afterLine;
        return Outcome::Complete;
    case '$': {
        const qint64 length = line.toLongLong(&ok);
        if (!ok || length < -1 || length > kMaxBulkBytes) {
            *error = u"a bulk reply of a bad length (%1)"_s.arg(QString::fromLatin1(line.left(20)));
            return Outcome::Invalid;
        }
        if (length == -1) {
            value.type = RespValue::Type::Null;
            position = afterLine;
            return Outcome::Complete;
        }
        if (m_buffer.size() < afterLine + length + 2)
            return Outcome::NeedMore;
        if (m_buffer.at(afterLine + length) != '\r' ||
            m_buffer.at(afterLine + length + 1) != '\n') {
            *error = u"a bulk reply without its line end"_s;
            return Outcome::Invalid;
        }
        value.type = RespValue::Type::Bulk;
        value.text = m_buffer.mid(afterLine, length);
        position = afterLine + length + 2;
        return Outcome::Complete;
    }
    case '*': {
        const qint64 count = line.toLongLong(&ok);
        if (!ok || count < -1 || count > kMaxArrayElements) {
            *error =
                u"an array reply of a bad length (%1)"_s.arg(QString::fromLatin1(line.left(20)));
            return Outcome::Invalid;
        }
        if (count == -1) {
            value.type = RespValue::Type::Null;
            position = afterLine;
            return Outcome::Complete;
        }
        if (depth >= kMaxDepth) {
            *error = u"arrays nested deeper than %1"_s.arg(kMaxDepth);
            return Outcome::Invalid;
        }
        value.type = RespValue::Type::Array;
        value.elements.reserve(qsizetype(std::min<qint64>(count, 1024)));
        qsizetype at = afterLine;
        for (qint64 i = 0; i < count; ++i) {
            RespValue element;
            const Outcome outcome = parse(at, element, depth + 1, error);
            if (outcome != Outcome::Complete)
                return outcome;
            value.elements.append(std::move(element));
        }
        position = at;
        return Outcome::Complete;
    }
    default:
        *error =
            u"a reply starting with byte %1, which RESP2 does not know"_s.arg(int(uchar(kind)));
        return Outcome::Invalid;
    }
}

} // namespace conversa::server::redis
