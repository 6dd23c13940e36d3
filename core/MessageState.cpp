// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageState.h"

#include <Codec.h>
#include <Protocol.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace conversa::core {

using namespace Qt::StringLiterals;

namespace {
// Bounds on what a hand-edited or damaged cache file can make us hold per message.
constexpr int kMaxReactionKinds = 200;
constexpr int kMaxUsersPerReaction = 10'000;
} // namespace

bool applyLogEntry(protocol::MessageEvent &message, const protocol::MessageEvent &entry)
{
    if (entry.target != message.seq || !message.kind.isEmpty())
        return false;
    if (entry.kind == u"edit"_s) {
        if (message.deleted || (message.body == entry.body && message.edited == entry.ts))
            return false;
        message.body = entry.body;
        message.edited = entry.ts;
        return true;
    }
    if (entry.kind == u"delete"_s) {
        if (message.deleted)
            return false;
        message.deleted = true;
        message.body.clear();
        message.reactions.clear();
        message.files.clear();
        return true;
    }
    if (entry.kind == u"reaction"_s) {
        if (message.deleted || entry.emoji.isEmpty() || entry.from.isEmpty())
            return false;
        auto it =
            std::find_if(message.reactions.begin(), message.reactions.end(),
                         [&entry](const protocol::Reaction &r) { return r.emoji == entry.emoji; });
        if (entry.on) {
            if (it == message.reactions.end()) {
                message.reactions.append({entry.emoji, {entry.from}});
                return true;
            }
            if (it->users.contains(entry.from))
                return false;
            it->users.append(entry.from);
            return true;
        }
        if (it == message.reactions.end() || !it->users.removeOne(entry.from))
            return false;
        if (it->users.isEmpty())
            message.reactions.erase(it);
        return true;
    }
    return false;
}

QString reactionsToJson(const QList<protocol::Reaction> &reactions)
{
    if (reactions.isEmpty())
        return {};
    QJsonArray array;
    for (const protocol::Reaction &r : reactions)
        array.append(
            QJsonObject{{"emoji"_L1, r.emoji}, {"users"_L1, QJsonArray::fromStringList(r.users)}});
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QList<protocol::Reaction> reactionsFromJson(const QString &json)
{
    QList<protocol::Reaction> reactions;
    if (json.isEmpty())
        return reactions;
    const QJsonArray array = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const QJsonValue &item : array) {
        if (reactions.size() >= kMaxReactionKinds)
            break;
        const QJsonObject object = item.toObject();
        protocol::Reaction reaction{object.value("emoji"_L1).toString(), {}};
        for (const QJsonValue &user : object.value("users"_L1).toArray()) {
            if (reaction.users.size() >= kMaxUsersPerReaction)
                break;
            reaction.users.append(user.toString());
        }
        if (!reaction.emoji.isEmpty() && !reaction.users.isEmpty())
            reactions.append(std::move(reaction));
    }
    return reactions;
}

// The cache holds what the protocol accepted, so it reads back with the protocol's own rules.
QString filesToJson(const QList<protocol::FileRef> &files)
{
    if (files.isEmpty())
        return {};
    QJsonArray array;
    for (const protocol::FileRef &f : files)
        array.append(protocol::fileRefToJson(f));
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QList<protocol::FileRef> filesFromJson(const QString &json)
{
    QList<protocol::FileRef> files;
    if (json.isEmpty())
        return files;
    const QJsonArray array = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const QJsonValue &item : array) {
        if (files.size() >= protocol::kMaxFilesInEvent)
            break;
        if (auto f = protocol::fileRefFromJson(item.toObject()))
            files.append(std::move(*f));
    }
    return files;
}

} // namespace conversa::core
