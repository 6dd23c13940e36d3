// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace conversa::server {

class ServerContext;

// Reads the room directory again (RoomDirectory::load) and tells this instance's signed-in
// users what changed for them meanwhile through another instance or an admin command: a room
// they were added to or whose title changed (`room` event), a room they are no longer in
// (`removed`, without `by`). Changes made here were applied before and told by their handler,
// so they are not told twice. False when the directory could not be read.
bool reloadRoomsAndTellMembers(ServerContext &context);

} // namespace conversa::server
