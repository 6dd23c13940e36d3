// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "OutboxFile.h"
#include "ServerLimits.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <optional>

namespace conversa::core {

class Account;
class MessageModel;
class TypingUsers;

// How Room::send() ended. `Queued`: the message is shown as pending and on its way to the disk;
// Room::messageSaved or Room::messageNotSaved follows, and only the first means the outbox holds
// the text.
struct SendResult {
    enum class Status {
        Queued,
        Empty,                // nothing visible to send
        TooLong,              // over the server's max_body_bytes (`limitBytes`)
        CharactersNotAllowed, // text the server never accepts (NUL, broken surrogates)
        DiskError,            // no outbox can take it; the text is not lost yet
    };
    Status status = Status::Queued;
    QString cid;           // when queued
    qint64 sizeBytes = 0;  // the body in UTF-8
    qint64 limitBytes = 0; // the server's limit, for TooLong
    QString message;       // in words, for a person; empty when queued
    bool queued() const { return status == Status::Queued; }
};

// One room of an account: its messages for a view, the messages it still has to send, who is
// typing, its read marker and unread count, with typed operations. Made and owned by Account
// (Account::room()); the UI acts on a room only through this class.
class Room : public QObject
{
    Q_OBJECT
public:
    Room(Account *account, const QString &name);
    ~Room() override;

    QString name() const { return m_name; }
    // The title the server gave it, or the name.
    QString title() const;
    ServerLimits limits() const;

    // Queues `body` in the outbox and answers at once, without waiting for the disk; the
    // message is sent once it is on the disk and the session is up.
    // `replyTo`: the seq of the message this one replies to (0: none).
    // With `files` (from describeFile(), width and height filled in for images) the body is a
    // caption and may be empty: the outbox copies the files, uploads them in order and sends
    // one message carrying them.
    SendResult send(const QString &body, qint64 replyTo = 0, const QList<OutboxFile> &files = {});
    // A file the person chose, for send(): nullopt (with `error` in words) when it cannot be
    // read, or cannot join `attached` (too large, too many, the outbox full).
    std::optional<OutboxFile> describeFile(const QString &path, const QList<OutboxFile> &attached,
                                           QString *error) const;
    // Stops the upload of message `cid` and forgets it (and the copies of its files). False
    // once its files are all on the server.
    bool cancelUpload(const QString &cid);
    // The message whose files are being uploaded now (empty: none).
    QString uploadingMessage() const;
    // Replaces the text of our own message `seq`; checked and queued like send() (the outbox
    // keeps it with its cid, so one made offline goes out once after the reconnect).
    SendResult edit(qint64 seq, const QString &body);
    // Deletes message `seq` (ours, or any in a room we own); queued like an edit. The cid, or
    // empty when no outbox takes it.
    QString deleteMessage(qint64 seq);
    // Adds or takes back our reaction; needs the session (false without one).
    bool react(qint64 seq, const QString &emoji, bool on);
    // Adds it when we have not reacted so, takes it back when we have.
    bool toggleReaction(qint64 seq, const QString &emoji);
    // Whether we may delete a message from `sender`: our own, or any when we own the room.
    bool canDelete(const QString &sender) const;
    // Who owns the room (empty when nobody does or it is not known yet).
    QString owner() const;
    // A failed message: try again, or forget it.
    bool retry(const QString &cid);
    bool discard(const QString &cid);
    int pendingCount() const;

    // The view's model of this room's messages, made on first use; releaseMessages() lets its
    // rows go when no view shows the room.
    MessageModel *messages();
    bool hasMessages() const { return m_messages != nullptr; }
    void releaseMessages();
    // Asks for the page before the oldest message shown.
    void loadOlder();
    // Shows the messages around `seq` (a reply, a search result), paged in from the cache or the
    // server; the model's scrollToRowRequested() names its row once it is there.
    void jumpTo(qint64 seq);
    // Shows message `seq` to a person who asked for it (a reply's original, a search result),
    // loading history as needed: the model's messageRevealed(row, seq) follows, and a view
    // scrolls to it and highlights it.
    void revealMessage(qint64 seq);
    // Back to the newest messages after a jump.
    void showNewest();

    // Everything shown up to the newest message counts as read (the server is told).
    void markRead();
    void markReadUpTo(qint64 seq);
    qint64 readMarker() const;
    qint64 unreadCount() const;

    // The user is typing here (throttled by the session).
    void noteTyping();
    QStringList typingUsers() const;
    // "alice is typing…" and so on; empty when nobody is.
    QString typingText() const;
    TypingUsers *typing() const { return m_typing; }

signals:
    // A message send() queued is on the disk: from here on it is not lost (clear the composer).
    void messageSaved(const QString &cid);
    // The disk refused it; it is not in the outbox. `body` is the text, `message` says why in
    // words.
    void messageNotSaved(const QString &cid, const QString &body, const QString &message);
    void typingChanged();
    void unreadCountChanged(qint64 unread);
    void limitsChanged(const conversa::core::ServerLimits &limits);
    // The server refused our edit, deletion or reaction (`kind`) of message `target` for good;
    // `reason` in words.
    void changeRefused(const QString &kind, qint64 target, const QString &reason);

private:
    void onRoomsChanged();
    static QString notSavedMessage(const QString &detail);
    SendResult checkBody(const QString &body, bool withFiles = false) const;

    QPointer<Account> m_account;
    QString m_name;
    MessageModel *m_messages = nullptr;
    TypingUsers *m_typing = nullptr;
    qint64 m_lastUnread = -1;
};

} // namespace conversa::core
