// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/PostgresArrays.h"

namespace conversa::server::postgres {

using namespace Qt::StringLiterals;

QString bigintArray(const QList<qint64> &values)
{
    QString text = u"{"_s;
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0)
            text += u',';
        text += QString::number(values.at(i));
    }
    return text + u'}';
}

QString textArray(const QStringList &values)
{
    QString text = u"{"_s;
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0)
            text += u',';
        text += u'"';
        for (QChar c : values.at(i)) {
            if (c == u'\\' || c == u'"')
                text += u'\\';
            text += c;
        }
        text += u'"';
    }
    return text + u'}';
}

QStringList splitPayload(const QStringList &items)
{
    QStringList payloads;
    QString current;
    for (const QString &item : items) {
        if (!current.isEmpty() && current.size() + 1 + item.size() > kMaxPayloadBytes) {
            payloads.append(current);
            current.clear();
        }
        if (!current.isEmpty())
            current += u',';
        current += item;
    }
    if (!current.isEmpty())
        payloads.append(current);
    return payloads;
}

} // namespace conversa::server::postgres
