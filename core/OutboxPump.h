// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Outbox.h"
#include "Transport.h"

#include <Frames.h>

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace conversa::core {

class FileTransfer;

// Sends what the Outbox holds: per room up to `window` messages in flight, in queue order (the
// server stores one connection's sends in the order they arrive), paced by a token bucket with
// the server's own send limits so that it is not refused for sending too fast. After a
// reconnect a room starts again from its first unacknowledged message; the server stores a
// repeated cid only once, so every message lands exactly once.
//
// A message with files first uploads those not uploaded yet, one after another (noting each id in
// the outbox, so that none is uploaded twice, even after a restart), then goes out carrying them;
// the room's later messages wait behind it.
//
// Acknowledgements are written down in batches (one transaction for all that arrived in one
// pass of the event loop), not one disk write per message.
class OutboxPump : public QObject
{
    Q_OBJECT
public:
    using Sender = std::function<void(const protocol::Request &, ReplyHandler)>;
    // Starts the upload of one file of the outbox (FileTransfer::upload), owned by `parent`.
    using Uploader = std::function<FileTransfer *(const OutboxFile &file, QObject *parent)>;
    static constexpr int kDefaultWindow = 64;

    explicit OutboxPump(Sender send, QObject *parent = nullptr);
    ~OutboxPump() override;

    void setOutbox(Outbox *outbox);
    Outbox *outbox() const { return m_outbox; }
    // Messages in flight per room, at least 1.
    void setWindow(int messages) { m_window = qBound(1, messages, 4096); }
    int window() const { return m_window; }
    // How long a message refused for a passing reason (`rate_limited`, `internal`) waits.
    void setRetryDelayMs(int ms) { m_retryDelayMs = qMax(1, ms); }
    // The server's send limit for this user; 0 sends as fast as the window allows.
    void setRate(double messagesPerSecond, int burst);
    void setUploader(Uploader uploader) { m_uploader = std::move(uploader); }
    // How long an upload refused for a passing reason (429, 503, no connection) waits.
    void setUploadRetryDelayMs(int ms) { m_uploadRetryDelayMs = qMax(1, ms); }
    // The cid of the message whose files `room` is uploading now (empty: none).
    QString uploading(const QString &room) const;
    // Uploads started since the pump was made (for tests).
    int uploadsStarted() const { return m_uploadsStarted; }
    // The sender's name, for the messages handed on as acknowledged.
    void setUser(const QString &user) { m_user = user; }

    // The session is up: send, starting with each room's first unacknowledged message.
    void start();
    // The link is gone: whatever had no answer is pending again.
    void stop();
    bool isRunning() const { return m_running; }
    // A message of `room` is on the disk (queued by this process); the Outbox's `saved` signal
    // calls it.
    void enqueued(const QString &room);
    // Re-reads the outbox (another process may have added to it) and sends what is pending.
    void flush();
    bool isIdle() const;
    int inFlight(const QString &room = {}) const;
    // Sends made since the last start(), and refusals (`rate_limited`, `internal`) seen.
    int framesSent() const { return m_framesSent; }
    int transientRefusals() const { return m_transientRefusals; }

signals:
    // The server stored these messages of `room` (in seq order of their answers).
    void acknowledged(const QString &room, const QList<conversa::protocol::MessageEvent> &messages);
    // `sent` of `total` messages handled since the outbox was last empty (sent == total: done).
    void progress(int sent, int total);
    // Nothing pending in the outbox and nothing in flight.
    void drained();
    // The server refused an edit or deletion for good (`reason` in words); it left the outbox.
    void changeRefused(const conversa::core::OutboxEntry &change, const QString &reason);
    // How far the files of message `cid` are uploaded: 0..1, or -1 once it stopped uploading
    // (done, failed, cancelled, or the link went).
    void uploadProgress(const QString &room, const QString &cid, double fraction);

private:
    struct RoomQueue {
        QList<OutboxEntry> inFlight;   // sent, no answer yet, in send order
        QList<OutboxEntry> ready;      // read from the outbox, not sent yet
        qint64 cursor = 0;             // the last position read from the outbox
        bool exhausted = false;        // the outbox had nothing more after `cursor`
        bool held = false;             // waiting after a passing refusal
        bool resumeDue = false;        // the wait is over; resume once nothing is in flight
        qint64 rewindTo = -1;          // the first position to send again after the wait
        bool careful = false;          // one at a time for the rest of this session
        QPointer<FileTransfer> upload; // the file of ready.first() being uploaded
        bool uploadWait = false;       // waiting to try an upload again
    };

    static protocol::Request requestFor(const OutboxEntry &entry);
    void pump(const QString &room);
    void pumpAll();
    void refillTokens();
    bool takeToken();
    void scheduleTokenWait();
    // Uploads the next file of `entry` (the room's ready.first()).
    void startUpload(const QString &room, const OutboxEntry &entry);
    void onUploaded(const QString &room, const QString &cid, int index,
                    const protocol::FileRef &file);
    void onUploadFailed(const QString &room, const QString &cid, int status, const QString &reason);
    void stopUpload(RoomQueue &queue);
    void onRemoved(const QString &cid);
    void onAnswer(const QString &room, const OutboxEntry &entry, const RequestResult &result);
    void resume(const QString &room);
    void scheduleFlushAcks();
    void flushAcks();
    void retryUnrecorded();
    int unrecordedIn(const QString &room) const;
    void resetCounting();
    // Pending on the disk and not acknowledged yet.
    int savedPendingCount() const;
    void emitProgress();
    void checkIdle();

    Sender m_send;
    Uploader m_uploader;
    int m_uploadRetryDelayMs = 5000;
    int m_uploadsStarted = 0;
    QPointer<Outbox> m_outbox;
    QString m_user;
    int m_window = kDefaultWindow;
    int m_retryDelayMs = 1000;
    bool m_running = false;
    bool m_linkLost = false; // a send found the link gone; stop() follows
    quint64 m_generation = 0;
    QHash<QString, RoomQueue> m_rooms;

    // Token bucket in monotonic milliseconds.
    double m_rate = 0;
    double m_capacity = 0;
    double m_tokens = 0;
    qint64 m_tokensAtMs = 0;
    int m_unanswered = 0; // sends of every room without an answer yet
    QElapsedTimer m_monotonic;
    QTimer m_tokenTimer;
    QTimer m_pumpTimer; // sends what was queued, from the event loop

    QList<OutboxEntry> m_acks; // acknowledged, not written down yet
    QTimer m_flushTimer;
    QHash<QString, OutboxEntry> m_unrecorded; // cid -> acknowledged send the disk refused
    QTimer m_unrecordedTimer;

    bool m_counting = false;
    int m_sent = 0;
    int m_total = 0;
    int m_lastSent = -1;
    int m_lastTotal = -1;
    int m_framesSent = 0;
    int m_transientRefusals = 0;
};

} // namespace conversa::core
