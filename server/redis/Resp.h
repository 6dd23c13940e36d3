// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace conversa::server::redis {

// One RESP2 value as Redis sends it: a reply, or a pushed pub/sub message (an array).
struct RespValue {
    enum class Type { Status, Error, Integer, Bulk, Null, Array };
    Type type = Type::Null;
    QByteArray text; // Status, Error and Bulk
    qint64 integer = 0;
    QList<RespValue> elements;

    bool isError() const { return type == Type::Error; }
    // The element at `index` as text (bulk or status), or empty.
    QByteArray textAt(qsizetype index) const;
};

// Encodes a command as Redis wants it from clients: an array of bulk strings.
QByteArray encodeCommand(const QList<QByteArray> &arguments);

// Reads RESP2 values from a byte stream that arrives in arbitrary pieces. Everything it keeps is
// bounded: a value whose size passes the limits is a protocol error, and the connection is then
// dropped by its owner.
class RespParser
{
public:
    void feed(const QByteArray &bytes);
    // The next complete value, or nullopt when more bytes are needed or on an error (then
    // `error` says what was wrong and the parser is unusable).
    std::optional<RespValue> next(QString *error);
    void clear();
    qsizetype buffered() const { return m_buffer.size() - m_position; }

    static constexpr qint64 kMaxBulkBytes = 16 * 1024 * 1024;
    static constexpr qint64 kMaxArrayElements = 1024 * 1024;
    static constexpr int kMaxDepth = 8;

private:
    enum class Outcome { Complete, NeedMore, Invalid };
    Outcome parse(qsizetype &position, RespValue &value, int depth, QString *error) const;

    QByteArray m_buffer;
    qsizetype m_position = 0;
};

} // namespace conversa::server::redis
