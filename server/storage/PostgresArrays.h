// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace conversa::server::postgres {

// Array literals bound as one text parameter and cast in SQL (`?::bigint[]`, `?::text[]`), so a
// whole batch goes in one prepared statement. Every text element is double-quoted with '\' and
// '"' escaped, which is all PostgreSQL's array syntax needs inside quotes.
QString bigintArray(const QList<qint64> &values);
QString textArray(const QStringList &values);

// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more: `items` joined by ',' into as few
// payloads as fit under kMaxPayloadBytes each.
inline constexpr qsizetype kMaxPayloadBytes = 7900;
QStringList splitPayload(const QStringList &items);

} // namespace conversa::server::postgres
