// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Outbox.h"

#include <Frames.h>

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <optional>

namespace conversa::core {

class MessageCache;
class SessionManager;

// One room's messages for a view: a window of delivered messages in seq order (then, when the
// window reaches the newest message, the outbox's pending and failed ones). Opens with the newest
// page from the cache. fetchMore() pages older history in (from the cache, then the server's
// `history`), fetchNewer() newer history; once the window holds maxRows() rows, the rows farthest
// from the reader go (the newest when paging up, the oldest when paging down or following live
// messages), so a reader can scroll from the newest to the first message of any room in bounded
// memory. jumpTo() loads a window around any seq. Live messages that come while the window does
// not reach the newest are not added (they are in the cache, and paged in on the way down).
// Live messages from the session are inserted in batches (one insert per batchInterval()), so a
// view lays its rows out once per batch, not once per message.
class MessageModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum class DeliveryState {
        Delivered, // stored by the server, has a seq
        Pending,   // in the outbox
        Failed,    // refused by the server; retry or discard
    };
    Q_ENUM(DeliveryState)

    enum Role {
        SeqRole = Qt::UserRole + 1,
        CidRole,
        SenderRole,
        TimeRole,
        BodyRole,
        StateRole,
        FailureReasonRole,
        RoomRole, // the room the model shows; with sender and cid it names a message
        // Room, sender and cid in one string (U+001F between them), the same for a pending
        // message and its delivered copy: a key for caches in views (made once per row).
        KeyRole,
        // The message was edited (bool); EditedTimeRole: when last (QDateTime, invalid if not).
        EditedRole,
        EditedTimeRole,
        // Deleted by its author or the room's owner: the body is empty (bool).
        DeletedRole,
        // QVariantList of QVariantMap {emoji, count, users (QStringList), mine (bool)}, in the
        // order the emoji were first given.
        ReactionsRole,
        // The seq this message replies to (0: none), and the original's sender and the start of
        // its text when this client has it (empty otherwise; "deleted" says it was deleted).
        ReplyToRole,
        ReplySenderRole,
        ReplyPreviewRole,
        ReplyDeletedRole,
        // Sent by the account's user (bool).
        OwnRole,
        // QVariantList of QVariantMap {file (the id), name, type, size (qint64), width, height
        // (0 unless an image)}, in the order sent; empty once deleted. A message still in the
        // outbox has "file" empty until that file is uploaded, and "localPath": the outbox's copy
        // (the file chosen, while it is being saved).
        FilesRole,
        // While this message's files upload: how far (double 0..1); -1 otherwise.
        UploadProgressRole,
    };
    Q_ENUM(Role)

    explicit MessageModel(QObject *parent = nullptr);

    void setSources(MessageCache *cache, Outbox *outbox, SessionManager *session);
    void setRoom(const QString &room);
    QString room() const { return m_room; }
    void setPageSize(int rows) { m_pageSize = qMax(1, rows); }
    void setMaxRows(int rows) { m_maxRows = qMax(m_pageSize, rows); }
    int maxRows() const { return m_maxRows; }
    // How long live messages from the session are collected before they are inserted (ms).
    void setBatchInterval(int ms) { m_batchTimer.setInterval(qMax(0, ms)); }
    int batchInterval() const { return m_batchTimer.interval(); }
    // While a reader looks at older messages, the oldest rows are not trimmed (the view would
    // jump under them) until the model holds twice maxRows(); resuming trims what is over.
    void setTrimmingPaused(bool paused);
    bool isTrimmingPaused() const { return m_trimmingPaused; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent = {}) const override;
    void fetchMore(const QModelIndex &parent = {}) override;

    qint64 newestSeq() const;
    qint64 oldestSeq() const;
    // The row of a delivered message in the window, or -1.
    int rowOfSeq(qint64 seq) const;
    // Whether the window reaches the newest message the room is known to have (live messages are
    // then added as they come).
    bool isAtNewest() const { return !m_detached; }
    // Newer messages than the window holds exist: fetchNewer() pages them in.
    bool canFetchNewer() const;
    void fetchNewer();
    // Back to the newest messages (reloads the newest page when the window is elsewhere).
    void showNewest();
    // Loads a window around `seq` (from the cache when it has it, else the server) and then
    // emits scrollToRowRequested() with its row. A seq past the newest goes to the newest.
    void jumpTo(qint64 seq);
    // The same, for a person who asked to see that message (a reply's original, a search
    // result): once its row is there, messageRevealed() names it so a view can scroll to it and
    // highlight it.
    void revealMessage(qint64 seq);
    // The state of a delivered message in the window (nullopt when it is not there).
    std::optional<protocol::MessageEvent> messageAt(qint64 seq) const;
    // Whether the account's user reacted to `seq` with `emoji` (as far as the window knows).
    bool hasMyReaction(qint64 seq, const QString &emoji) const;
    // The newest delivered message of the account's user in the window that is not deleted (0:
    // none): what Up in an empty composer edits.
    qint64 lastOwnMessageSeq() const;
    // Why older messages did not come (empty when they did, or nobody asked): the view says it,
    // and the next fetchMore() asks again.
    QString historyError() const { return m_historyError; }

signals:
    void historyErrorChanged(const QString &error);
    // The view should bring this row into sight (the answer to jumpTo()).
    void scrollToRowRequested(int row);
    // The answer to revealMessage(): `row` shows `seq` (or the nearest message to it, when it is
    // not in the room).
    void messageRevealed(int row, qint64 seq);
    // Live messages from others came while the window does not reach the newest (not added).
    void newerMessagesArrived(int count);
    void atNewestChanged(bool atNewest);

public slots:
    void reload();
    void addMessage(const conversa::protocol::MessageEvent &message);
    // In seq order; one insert for all of them.
    void addMessages(const QList<conversa::protocol::MessageEvent> &messages);
    void addHistory(const QString &room, const QList<conversa::protocol::MessageEvent> &messages);
    // Edits, deletions and reactions, in seq order: applied to the rows they name.
    void applyLogEntries(const QList<conversa::protocol::MessageEvent> &entries);

private:
    struct Row {
        qint64 seq = 0;
        QString cid;
        QString sender;
        qint64 ts = 0;
        QString body;
        DeliveryState state = DeliveryState::Delivered;
        QString reason;
        QString key; // KeyRole of a delivered message
        qint64 replyTo = 0;
        qint64 edited = 0;
        bool deleted = false;
        QList<protocol::Reaction> reactions;
        QList<protocol::FileRef> files;
        QStringList localPaths; // pending rows: where each file is on this computer
    };
    // What a reply shows of its original.
    struct Original {
        bool known = false;
        QString sender;
        QString body;
        bool deleted = false;
    };
    Original originalOf(qint64 seq) const;
    protocol::MessageEvent eventOf(const Row &row) const;
    void insertLive(const QList<protocol::MessageEvent> &messages);
    Row fromMessage(const protocol::MessageEvent &m) const;
    static Row fromOutbox(const OutboxEntry &e);
    QList<OutboxEntry> unsentMessages() const;
    void showPendingChange(const OutboxEntry &entry);
    void revertPendingChange(const QString &cid);
    // Copies what an edit, deletion or reaction changes into a row and tells the views (the
    // row's replies too, as they quote it).
    void setMessageState(int row, const protocol::MessageEvent &state);
    // "Sending…", "Not sent: …", or empty once stored.
    static QString stateText(const Row &row);
    int deliveredCount() const;
    int rowOfCid(const QString &cid) const;
    void onOutboxEntry(const OutboxEntry &entry);
    void onOutboxRemoved(const QString &cid);
    void prependOlder(const QList<protocol::MessageEvent> &page);
    void appendNewer(const QList<protocol::MessageEvent> &page);
    void resetWindow(const QList<protocol::MessageEvent> &page);
    void setHistoryError(const QString &error);
    void trimOldest();
    void dropOldest(int count);
    void dropNewest(int count);
    void setDetached(bool detached);
    void appendOutboxRows();
    void queueLive(const protocol::MessageEvent &message);
    void flushLive();
    bool askServer(qint64 beforeSeq, int limit);
    void finishJump(qint64 seq);
    void onUploadProgress(const QString &room, const QString &cid, double fraction);
    void flushUploadProgress();

    QPointer<MessageCache> m_cache;
    QPointer<Outbox> m_outbox;
    QPointer<SessionManager> m_session;
    QString m_room;
    QList<Row> m_rows;
    int m_pageSize = 50;
    // Every batch of live messages relays out all rows (QListView): a bound on that work, too.
    int m_maxRows = 1000;
    // What the outstanding `history` request is for (its answer is placed by this).
    enum class Request { None, Older, Newer, Jump };
    Request m_request = Request::None;
    qint64 m_jumpTarget = 0;
    // The newest seq this room is known to have (live messages and the cache).
    qint64 m_liveNewestSeq = 0;
    // The window does not reach the newest messages.
    bool m_detached = false;
    QList<protocol::MessageEvent> m_live; // from the session, waiting for the batch timer
    QTimer m_batchTimer;
    bool m_revealing = false; // the jump in progress is a revealMessage()
    // Originals of replies that are not in the window, read from the cache once.
    mutable QHash<qint64, Original> m_originals;
    // Our edits and deletions shown before the server has them: cid -> the seq they change.
    QHash<QString, qint64> m_pendingChanges;
    bool m_waitingForServer = false;
    bool m_changing = false; // rows are being paged in or out (see canFetchMore())
    bool m_serverHasNoOlder = false;
    bool m_trimmingPaused = false;
    QString m_historyError;
    // Upload progress by cid (rows of this room in the outbox); views hear of changes at most
    // ten times a second.
    QHash<QString, double> m_uploadProgress;
    QSet<QString> m_uploadProgressChanged;
    QTimer m_uploadProgressTimer;
};

} // namespace conversa::core
