// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <Frames.h>

#include <QList>
#include <QString>

namespace conversa::core {

// A message's current state follows from the room log entries about it, applied in seq order:
// an edit replaces the body (not of a deleted message), a deletion empties it, its reactions and
// its files, a reaction adds or takes back one user's emoji. Applying an entry twice changes
// nothing the second time, so a message that came in its current state may meet entries it
// already has.
// Returns whether `message` changed.
bool applyLogEntry(protocol::MessageEvent &message, const protocol::MessageEvent &entry);

// The cache keeps reactions as compact JSON: [{"emoji":"👍","users":["alice"]}].
QString reactionsToJson(const QList<protocol::Reaction> &reactions);
QList<protocol::Reaction> reactionsFromJson(const QString &json);

// ... and a message's files as [{"file":"…","name":"a.png","type":"image/png","size":1,
// "width":1,"height":1}] (width and height only for images).
QString filesToJson(const QList<protocol::FileRef> &files);
QList<protocol::FileRef> filesFromJson(const QString &json);

} // namespace conversa::core
