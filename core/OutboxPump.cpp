// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "OutboxPump.h"

#include "FileTransfer.h"

#include <QFile>

#include <cmath>

namespace conversa::core {

using namespace Qt::StringLiterals;
namespace proto = conversa::protocol;

namespace {

// Acknowledged sends the outbox could not mark, per room, before the room waits for the disk.
constexpr int kMaxUnrecordedPerRoom = 1000;

bool isTransientSendError(proto::ErrorCode code)
{
    return code == proto::ErrorCode::RateLimited || code == proto::ErrorCode::Internal ||
           code == proto::ErrorCode::Unauthorized;
}

} // namespace

OutboxPump::OutboxPump(Sender send, QObject *parent)
    : QObject(parent)
    , m_send(std::move(send))
{
    m_monotonic.start();
    m_tokenTimer.setSingleShot(true);
    m_tokenTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_tokenTimer, &QTimer::timeout, this, &OutboxPump::pumpAll);
    m_pumpTimer.setSingleShot(true);
    m_pumpTimer.setInterval(0);
    connect(&m_pumpTimer, &QTimer::timeout, this, &OutboxPump::pumpAll);
    // Every answer that arrived in one pass of the event loop is written down together.
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &OutboxPump::flushAcks);
    connect(&m_unrecordedTimer, &QTimer::timeout, this, &OutboxPump::retryUnrecorded);
}

OutboxPump::~OutboxPump()
{
    // What the server acknowledged is written down before going (a lost note only means a
    // resend the server de-duplicates, but there is no reason to lose it).
    if (m_outbox && !m_acks.isEmpty())
        m_outbox->markSent(m_acks);
}

void OutboxPump::setOutbox(Outbox *outbox)
{
    if (m_outbox)
        m_outbox->disconnect(this);
    m_outbox = outbox;
    m_counting = false;
    // A message is sent only once its commit returned (see Outbox).
    if (outbox) {
        connect(outbox, &Outbox::saved, this,
                [this](const OutboxEntry &entry) { enqueued(entry.room); });
        connect(outbox, &Outbox::notSaved, this, [this] { checkIdle(); });
        connect(outbox, &Outbox::entryRemoved, this, &OutboxPump::onRemoved);
    }
}

int OutboxPump::savedPendingCount() const
{
    return m_outbox ? qMax(0, m_outbox->pendingCount() - m_outbox->savingCount() -
                                  int(m_unrecorded.size()))
                    : 0;
}

void OutboxPump::setRate(double messagesPerSecond, int burst)
{
    const double rate = messagesPerSecond > 0 ? messagesPerSecond : 0;
    // One token stays in reserve: network jitter may bring two sends closer together at the
    // server than they were when they left here.
    const double told = burst > 0 ? burst : std::ceil(rate);
    const double capacity = rate > 0 ? std::max(1.0, told - 1) : 0;
    if (rate == m_rate && capacity == m_capacity)
        return;
    m_rate = rate;
    m_capacity = capacity;
    m_tokens = capacity;
    m_tokensAtMs = m_monotonic.elapsed();
    m_tokenTimer.stop();
    if (m_running)
        pumpAll();
}

void OutboxPump::refillTokens()
{
    const qint64 now = m_monotonic.elapsed();
    // The server takes a send's token when the send reaches it; until its answer is here, count
    // it as still to be taken there. So while the bucket here is full up to what is on its way,
    // the server's may be full already and earns nothing: neither does this one. (Otherwise
    // sends stuck behind a busy event loop or a slow link arrive together with those the wait
    // earned, one burst beyond the server's limit.)
    const double ceiling = std::max(0.0, m_capacity - m_unanswered);
    m_tokens = std::min(ceiling, m_tokens + double(now - m_tokensAtMs) * m_rate / 1000.0);
    m_tokensAtMs = now;
}

bool OutboxPump::takeToken()
{
    if (m_rate <= 0)
        return true;
    refillTokens();
    if (m_tokens < 1.0)
        return false;
    m_tokens -= 1.0;
    return true;
}

void OutboxPump::scheduleTokenWait()
{
    if (m_tokenTimer.isActive() || m_rate <= 0)
        return;
    const double waitMs = std::ceil((1.0 - m_tokens) * 1000.0 / m_rate);
    m_tokenTimer.start(int(std::clamp(waitMs, 1.0, 60'000.0)));
}

// --- session --------------------------------------------------------------------------------

void OutboxPump::start()
{
    m_running = true;
    m_linkLost = false;
    m_unanswered = 0;
    ++m_generation;
    for (RoomQueue &queue : m_rooms)
        stopUpload(queue);
    m_rooms.clear();
    m_framesSent = 0;
    m_transientRefusals = 0;
    if (!m_outbox)
        return;
    resetCounting();
    for (const QString &room : m_outbox->roomsWithPending())
        m_rooms.insert(room, RoomQueue{});
    m_lastSent = -1; // a new session says where the drain stands, even if nothing changed
    emitProgress();
    pumpAll();
    checkIdle();
}

void OutboxPump::stop()
{
    if (!m_running)
        return;
    m_running = false;
    ++m_generation;
    m_tokenTimer.stop();
    m_pumpTimer.stop();
    m_unanswered = 0;
    flushAcks();
    // An upload cut off here starts again from its first byte after the reconnect.
    for (RoomQueue &queue : m_rooms)
        stopUpload(queue);
    m_rooms.clear();
}

void OutboxPump::enqueued(const QString &room)
{
    if (!m_outbox)
        return;
    if (m_counting)
        ++m_total;
    else
        resetCounting();
    emitProgress();
    if (!m_running)
        return;
    m_rooms[room].exhausted = false;
    // Sent from the event loop, not from inside the caller: a caller that queues many at once
    // (blocking the loop meanwhile) would otherwise earn tokens for sends that cannot leave
    // before it returns, and they would reach the server in one burst beyond its limit.
    if (!m_pumpTimer.isActive())
        m_pumpTimer.start();
}

void OutboxPump::flush()
{
    if (!m_outbox)
        return;
    flushAcks();
    if (m_counting)
        m_total = m_sent + savedPendingCount();
    else
        resetCounting();
    emitProgress();
    if (m_running) {
        for (const QString &room : m_outbox->roomsWithPending())
            m_rooms[room].exhausted = false;
        pumpAll();
    }
    checkIdle();
}

bool OutboxPump::isIdle() const
{
    for (const RoomQueue &queue : m_rooms) {
        if (!queue.inFlight.isEmpty() || queue.upload)
            return false;
    }
    return !m_outbox || m_outbox->pendingCount() == 0;
}

int OutboxPump::inFlight(const QString &room) const
{
    if (!room.isEmpty())
        return int(m_rooms.value(room).inFlight.size());
    int count = 0;
    for (const RoomQueue &queue : m_rooms)
        count += int(queue.inFlight.size());
    return count;
}

// --- sending --------------------------------------------------------------------------------

proto::Request OutboxPump::requestFor(const OutboxEntry &entry)
{
    if (entry.kind == u"edit"_s)
        return proto::EditRequest{{}, entry.room, entry.target, entry.cid, entry.body};
    if (entry.kind == u"delete"_s)
        return proto::DeleteRequest{{}, entry.room, entry.target, entry.cid};
    proto::SendRequest send{{}, entry.room, entry.cid, entry.body, entry.replyTo};
    for (const OutboxFile &file : entry.files)
        send.files.append(file.fileId);
    return send;
}

void OutboxPump::pumpAll()
{
    const QStringList rooms = m_rooms.keys();
    for (const QString &room : rooms)
        pump(room);
}

int OutboxPump::unrecordedIn(const QString &room) const
{
    int count = 0;
    for (const OutboxEntry &entry : m_unrecorded)
        count += entry.room == room ? 1 : 0;
    return count;
}

void OutboxPump::pump(const QString &room)
{
    if (!m_running || m_linkLost || !m_outbox)
        return;
    auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        it = m_rooms.insert(room, RoomQueue{});
    if (it->held || it->upload || it->uploadWait)
        return;
    const int window = it->careful ? 1 : m_window;
    while (it->inFlight.size() < window) {
        if (it->ready.isEmpty()) {
            if (it->exhausted)
                break;
            // The disk has refused too many notes: the room waits until it takes them again.
            if (!m_unrecorded.isEmpty() && unrecordedIn(room) >= kMaxUnrecordedPerRoom)
                break;
            QList<OutboxEntry> next = m_outbox->pendingAfter(room, it->cursor, qMax(window, 64));
            if (next.isEmpty()) {
                it->exhausted = true;
                break;
            }
            it->cursor = next.constLast().position;
            // Stored by the server already, only our note of it is missing.
            next.removeIf([this](const OutboxEntry &e) { return m_unrecorded.contains(e.cid); });
            it->ready = std::move(next);
            continue;
        }
        // Its files go first; what comes after it waits (what went before is on its way).
        if (it->ready.constFirst().needsUpload()) {
            startUpload(room, it->ready.constFirst());
            break;
        }
        if (!takeToken()) {
            scheduleTokenWait();
            break;
        }
        const OutboxEntry entry = it->ready.takeFirst();
        it->inFlight.append(entry);
        ++m_unanswered;
        ++m_framesSent;
        const quint64 generation = m_generation;
        m_send(requestFor(entry), [this, room, entry, generation](const RequestResult &result) {
            if (generation == m_generation)
                onAnswer(room, entry, result);
        });
        if (m_linkLost || !m_running)
            return;
        it = m_rooms.find(room); // an answer handler may have changed the rooms
        if (it == m_rooms.end() || it->held)
            return;
    }
}

// --- uploads --------------------------------------------------------------------------------

QString OutboxPump::uploading(const QString &room) const
{
    const auto it = m_rooms.constFind(room);
    return it != m_rooms.cend() && it->upload && !it->ready.isEmpty() ? it->ready.constFirst().cid
                                                                      : QString();
}

void OutboxPump::startUpload(const QString &room, const OutboxEntry &entry)
{
    RoomQueue &queue = m_rooms[room];
    if (queue.upload || !m_uploader)
        return;
    int index = 0;
    while (index < entry.files.size() && entry.files.at(index).uploaded())
        ++index;
    if (index >= entry.files.size())
        return;
    qint64 total = 0;
    qint64 before = 0;
    for (int i = 0; i < entry.files.size(); ++i) {
        total += entry.files.at(i).size;
        if (i < index)
            before += entry.files.at(i).size;
    }
    FileTransfer *transfer = m_uploader(entry.files.at(index), this);
    if (!transfer)
        return;
    ++m_uploadsStarted;
    queue.upload = transfer;
    const QString cid = entry.cid;
    const quint64 generation = m_generation;
    emit uploadProgress(room, cid, total > 0 ? double(before) / double(total) : 0.0);
    connect(transfer, &FileTransfer::progress, this,
            [this, room, cid, before, total](qint64 done, qint64) {
                if (total > 0)
                    emit uploadProgress(room, cid,
                                        qBound(0.0, double(before + done) / double(total), 1.0));
            });
    connect(transfer, &FileTransfer::finished, this,
            [this, room, cid, index, generation, transfer](const proto::FileRef &file) {
                transfer->deleteLater();
                if (generation == m_generation)
                    onUploaded(room, cid, index, file);
                else if (m_outbox) // the server has it even so: never upload it twice
                    m_outbox->setFileUploaded(cid, index, file.file);
            });
    connect(transfer, &FileTransfer::failed, this,
            [this, room, cid, generation, transfer](const QString &reason) {
                transfer->deleteLater();
                if (generation == m_generation)
                    onUploadFailed(room, cid, transfer->httpStatus(), reason);
            });
}

void OutboxPump::onUploaded(const QString &room, const QString &cid, int index,
                            const proto::FileRef &file)
{
    // Written down first, whatever the queue does meanwhile (a rewind after a refused send
    // re-reads the outbox): after a restart this file is not uploaded again. A message
    // discarded meanwhile has no row to note it in.
    if (m_outbox)
        m_outbox->setFileUploaded(cid, index, file.file);
    auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        return;
    it->upload = nullptr;
    if (!it->ready.isEmpty() && it->ready.constFirst().cid == cid) {
        OutboxEntry &entry = it->ready.first();
        if (index < entry.files.size())
            entry.files[index].fileId = file.file;
        if (!entry.needsUpload())
            emit uploadProgress(room, cid, -1);
    } else {
        emit uploadProgress(room, cid, -1);
    }
    pump(room);
    checkIdle();
}

void OutboxPump::onUploadFailed(const QString &room, const QString &cid, int status,
                                const QString &reason)
{
    auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        return;
    it->upload = nullptr;
    if (it->ready.isEmpty() || it->ready.constFirst().cid != cid)
        return;
    emit uploadProgress(room, cid, -1);
    // No answer (the server is away), too many uploads this minute, a server going down, a
    // token being renewed: the same file again a little later.
    const bool passing = status == 0 || status == 401 || status == 429 || status == 503;
    const QList<OutboxFile> &files = it->ready.constFirst().files;
    const auto next = std::find_if(files.cbegin(), files.cend(),
                                   [](const OutboxFile &f) { return !f.uploaded(); });
    if (passing && next != files.cend() && QFile::exists(next->path)) {
        ++m_transientRefusals;
        qWarning("conversa-core: an upload failed for now (%d: %s); trying again", status,
                 qUtf8Printable(reason));
        it->uploadWait = true;
        const quint64 generation = m_generation;
        QTimer::singleShot(m_uploadRetryDelayMs, this, [this, room, generation] {
            if (generation != m_generation)
                return;
            auto it = m_rooms.find(room);
            if (it == m_rooms.end())
                return;
            it->uploadWait = false;
            pump(room);
        });
        return;
    }
    // Too large, over the quota, not the image it says, the server's disk full, the copy gone:
    // the person decides (retry or discard), with the server's words.
    it->ready.removeFirst();
    ++m_sent;
    if (!m_outbox || !m_outbox->markFailed(cid, reason))
        qWarning("conversa-core: cannot mark a message as not sent");
    emitProgress();
    if (!m_running)
        return;
    pump(room);
    checkIdle();
}

void OutboxPump::stopUpload(RoomQueue &queue)
{
    if (!queue.upload)
        return;
    FileTransfer *transfer = queue.upload;
    queue.upload = nullptr;
    transfer->abort();
    transfer->deleteLater();
    if (!queue.ready.isEmpty()) {
        const OutboxEntry &entry = queue.ready.constFirst();
        emit uploadProgress(entry.room, entry.cid, -1);
    }
}

void OutboxPump::onRemoved(const QString &cid)
{
    // A message discarded while it waits or uploads: its upload stops, the room goes on.
    for (auto it = m_rooms.begin(); it != m_rooms.end(); ++it) {
        const qsizetype at =
            std::distance(it->ready.cbegin(),
                          std::find_if(it->ready.cbegin(), it->ready.cend(),
                                       [&cid](const OutboxEntry &e) { return e.cid == cid; }));
        if (at >= it->ready.size())
            continue;
        if (at == 0)
            stopUpload(*it);
        it->ready.removeAt(at);
        if (m_running && !m_pumpTimer.isActive())
            m_pumpTimer.start();
        break;
    }
    checkIdle();
}

void OutboxPump::onAnswer(const QString &room, const OutboxEntry &sent, const RequestResult &result)
{
    auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        return;
    it->inFlight.removeIf([&sent](const OutboxEntry &e) { return e.cid == sent.cid; });
    if (m_rate > 0)
        refillTokens(); // up to now with this send still on its way
    m_unanswered = qMax(0, m_unanswered - 1);
    if (result.outcome == RequestResult::Outcome::ConnectionLost) {
        // Still pending; it goes out again, same cid, after the reconnect.
        m_linkLost = true;
        return;
    }
    if (result.isOk()) {
        OutboxEntry entry = sent;
        entry.seq = result.payload.value("seq"_L1).toInteger();
        entry.ts = result.payload.value("ts"_L1).toInteger();
        m_acks.append(entry);
        ++m_sent;
        if (!m_flushTimer.isActive())
            m_flushTimer.start();
    } else if (isTransientSendError(result.code)) {
        // Whatever is behind it must not overtake it for good: hold the room, then send again
        // from here, one at a time for the rest of this session.
        ++m_transientRefusals;
        qWarning("conversa-core: the server refused a send for now (%s: %s); sending again from "
                 "there",
                 qUtf8Printable(result.codeName), qUtf8Printable(result.message));
        if (!it->held) {
            it->held = true;
            it->careful = true;
            it->rewindTo = sent.position;
            const quint64 generation = m_generation;
            QTimer::singleShot(m_retryDelayMs, this, [this, room, generation] {
                if (generation != m_generation)
                    return;
                auto it = m_rooms.find(room);
                if (it == m_rooms.end())
                    return;
                it->resumeDue = true;
                if (it->inFlight.isEmpty())
                    resume(room);
            });
        } else {
            it->rewindTo = qMin(it->rewindTo, sent.position);
        }
    } else {
        // Refused for good: the person decides (retry or discard). The rest goes on.
        ++m_sent;
        if (!m_flushTimer.isActive())
            m_flushTimer.start();
        const QString reason = result.message.isEmpty() ? result.codeName : result.message;
        const quint64 generation = m_generation;
        // Its receivers may do anything, ending this session included.
        if (!sent.isMessage()) {
            // A refused edit or deletion has no row to retry from: it goes, and says why.
            if (m_outbox)
                m_outbox->discard(sent.cid);
            emit changeRefused(sent, reason);
        } else if (!m_outbox || !m_outbox->markFailed(sent.cid, reason)) {
            qWarning("conversa-core: cannot mark a message as not sent");
        }
        if (generation != m_generation || !m_running)
            return;
        it = m_rooms.find(room);
        if (it == m_rooms.end())
            return;
    }
    if (it->held) {
        if (it->resumeDue && it->inFlight.isEmpty())
            resume(room);
        return;
    }
    pump(room);
}

void OutboxPump::resume(const QString &room)
{
    // Acknowledged ones are written down first, so that the rewound read skips them.
    flushAcks();
    auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        return;
    it->held = false;
    it->resumeDue = false;
    it->ready.clear();
    it->exhausted = false;
    if (it->rewindTo > 0)
        it->cursor = qMin(it->cursor, it->rewindTo - 1);
    it->rewindTo = -1;
    pump(room);
}

// --- acknowledgements -----------------------------------------------------------------------

void OutboxPump::flushAcks()
{
    m_flushTimer.stop();
    if (!m_acks.isEmpty()) {
        const QList<OutboxEntry> acks = std::exchange(m_acks, {});
        if (m_outbox && !m_outbox->markSent(acks)) {
            // The server has them; only our note of that is missing. Keep the notes in memory,
            // write them down later, and let the queue go on past them.
            qWarning("conversa-core: outbox write failed (will retry): %s",
                     qUtf8Printable(m_outbox->lastError()));
            for (const OutboxEntry &entry : acks)
                m_unrecorded.insert(entry.cid, entry);
            if (!m_unrecordedTimer.isActive())
                m_unrecordedTimer.start(m_retryDelayMs);
        }
        QStringList rooms;
        QHash<QString, QList<proto::MessageEvent>> byRoom;
        for (const OutboxEntry &entry : acks) {
            if (entry.seq <= 0)
                continue;
            if (!byRoom.contains(entry.room))
                rooms.append(entry.room);
            proto::MessageEvent message{entry.room, entry.seq,  entry.ts,     m_user,
                                        entry.cid,  entry.body, entry.replyTo};
            message.kind = entry.kind;
            message.target = entry.target;
            for (const OutboxFile &file : entry.files)
                message.files.append(file.ref());
            byRoom[entry.room].append(std::move(message));
        }
        for (const QString &room : std::as_const(rooms)) {
            QList<proto::MessageEvent> &messages = byRoom[room];
            std::sort(messages.begin(), messages.end(),
                      [](const auto &a, const auto &b) { return a.seq < b.seq; });
            emit acknowledged(room, messages);
        }
    }
    emitProgress();
    checkIdle();
}

void OutboxPump::retryUnrecorded()
{
    if (!m_outbox)
        return;
    QList<OutboxEntry> still;
    for (auto it = m_unrecorded.begin(); it != m_unrecorded.end();) {
        const auto current = m_outbox->entry(it.key());
        // Recorded meanwhile, or gone (discarded, or the outbox was emptied).
        if (!current || current->state != OutboxState::Pending) {
            it = m_unrecorded.erase(it);
        } else {
            still.append(it.value());
            ++it;
        }
    }
    if (!still.isEmpty() && m_outbox->markSent(still)) {
        for (const OutboxEntry &entry : std::as_const(still))
            m_unrecorded.remove(entry.cid);
    }
    if (m_unrecorded.isEmpty())
        m_unrecordedTimer.stop();
    // A room that waited for the disk goes on.
    pumpAll();
    checkIdle();
}

// --- progress -------------------------------------------------------------------------------

void OutboxPump::resetCounting()
{
    m_counting = true;
    m_sent = 0;
    m_total = savedPendingCount();
}

void OutboxPump::emitProgress()
{
    if (!m_counting)
        return;
    m_total = qMax(m_total, m_sent);
    if (m_sent == m_lastSent && m_total == m_lastTotal)
        return;
    m_lastSent = m_sent;
    m_lastTotal = m_total;
    emit progress(m_sent, m_total);
}

void OutboxPump::checkIdle()
{
    if (!isIdle())
        return;
    if (m_counting) {
        m_sent = m_total;
        emitProgress();
        m_counting = false;
    }
    emit drained();
}

} // namespace conversa::core
