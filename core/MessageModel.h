// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Outbox.h"

#include <Frames.h>

#include <QAbstractListModel>
#include <QList>
#include <QPointer>

namespace conversa::core {

class MessageCache;
class SessionManager;

// One room's messages for a view: delivered messages in seq order, then the outbox's pending and
// failed ones. Opens with the newest page from the cache, pages older history from the cache and
// then the server on fetchMore(), and never holds more than maxRows() rows: new messages push the
// oldest out.
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
    };
    Q_ENUM(Role)

    explicit MessageModel(QObject *parent = nullptr);

    void setSources(MessageCache *cache, Outbox *outbox, SessionManager *session);
    void setRoom(const QString &room);
    QString room() const { return m_room; }
    void setPageSize(int rows) { m_pageSize = qMax(1, rows); }
    void setMaxRows(int rows) { m_maxRows = qMax(m_pageSize, rows); }
    int maxRows() const { return m_maxRows; }
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
    // Why older messages did not come (empty when they did, or nobody asked): the view says it,
    // and the next fetchMore() asks again.
    QString historyError() const { return m_historyError; }

signals:
    void historyErrorChanged(const QString &error);

public slots:
    void reload();
    void addMessage(const conversa::protocol::MessageEvent &message);
    void addHistory(const QString &room, const QList<conversa::protocol::MessageEvent> &messages);

private:
    struct Row {
        qint64 seq = 0;
        QString cid;
        QString sender;
        qint64 ts = 0;
        QString body;
        DeliveryState state = DeliveryState::Delivered;
        QString reason;
    };
    static Row fromMessage(const protocol::MessageEvent &m);
    static Row fromOutbox(const OutboxEntry &e);
    // "Sending…", "Not sent: …", or empty once stored.
    static QString stateText(const Row &row);
    int deliveredCount() const;
    int rowOfCid(const QString &cid) const;
    void onOutboxEntry(const OutboxEntry &entry);
    void onOutboxRemoved(const QString &cid);
    void prependOlder(const QList<protocol::MessageEvent> &page);
    void setHistoryError(const QString &error);
    void trimOldest();

    QPointer<MessageCache> m_cache;
    QPointer<Outbox> m_outbox;
    QPointer<SessionManager> m_session;
    QString m_room;
    QList<Row> m_rows;
    int m_pageSize = 50;
    int m_maxRows = 2000;
    bool m_waitingForServer = false;
    bool m_prepending = false;
    bool m_serverHasNoOlder = false;
    bool m_trimmingPaused = false;
    QString m_historyError;
};

} // namespace conversa::core
