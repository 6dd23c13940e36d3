// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLatin1StringView>

// A header of its own so that RoomDirectory.h can name a room's kind without the writer's.
namespace conversa::server::write {

// rooms.kind
enum class RoomKind { Public = 0, Private = 1, Direct = 2 };

// The kind as the protocol names it (RoomSummary::kind, RoomEvent::kind).
constexpr QLatin1StringView kindName(RoomKind kind)
{
    switch (kind) {
    case RoomKind::Private:
        return QLatin1StringView("private");
    case RoomKind::Direct:
        return QLatin1StringView("dm");
    case RoomKind::Public:
        break;
    }
    return QLatin1StringView("public");
}

} // namespace conversa::server::write
