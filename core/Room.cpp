// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Room.h"

#include "Account.h"
#include "MessageCache.h"
#include "MessageModel.h"
#include "Outbox.h"
#include "RoomListModel.h"
#include "SessionManager.h"
#include "TypingUsers.h"

#include <Validation.h>

using namespace Qt::StringLiterals;
namespace proto = conversa::protocol;

namespace conversa::core {

Room::Room(Account *account, const QString &name)
    : QObject(account)
    , m_account(account)
    , m_name(name)
    , m_typing(new TypingUsers(this))
{
    m_typing->setSession(account->session());
    m_typing->setRoom(name);
    connect(m_typing, &TypingUsers::changed, this, &Room::typingChanged);
    connect(account, &Account::limitsChanged, this, &Room::limitsChanged);
    connect(account->session(), &SessionManager::changeRefused, this,
            [this](const QString &room, const QString &kind, qint64 target, const QString &reason) {
                if (room == m_name)
                    emit changeRefused(kind, target, reason);
            });
    if (Outbox *outbox = account->outbox()) {
        connect(outbox, &Outbox::saved, this, [this](const OutboxEntry &entry) {
            if (entry.room == m_name)
                emit messageSaved(entry.cid);
        });
        connect(outbox, &Outbox::notSaved, this,
                [this](const OutboxEntry &entry, const QString &reason) {
                    if (entry.room == m_name)
                        emit messageNotSaved(entry.cid, entry.body, notSavedMessage(reason));
                });
    }
    RoomListModel *rooms = account->rooms();
    connect(rooms, &QAbstractItemModel::dataChanged, this, &Room::onRoomsChanged);
    connect(rooms, &QAbstractItemModel::modelReset, this, &Room::onRoomsChanged);
    connect(rooms, &QAbstractItemModel::layoutChanged, this, &Room::onRoomsChanged);
    m_lastUnread = unreadCount();
}

Room::~Room() = default;

QString Room::title() const
{
    if (!m_account)
        return m_name;
    const QString title =
        m_account->rooms()->indexOfRoom(m_name).data(RoomListModel::TitleRole).toString();
    return title.isEmpty() ? m_name : title;
}

ServerLimits Room::limits() const
{
    return m_account ? m_account->limits() : ServerLimits{};
}

SendResult Room::checkBody(const QString &body, bool withFiles) const
{
    SendResult result;
    result.sizeBytes = body.toUtf8().size();
    result.limitBytes = limits().maxBodyBytes;
    if (withFiles && body.isEmpty())
        return result; // files without a caption
    if (!proto::hasVisibleText(body) && !withFiles) {
        result.status = SendResult::Status::Empty;
        result.message = tr("There is nothing to send.");
        return result;
    }
    if (result.sizeBytes > result.limitBytes) {
        result.status = SendResult::Status::TooLong;
        result.message = result.limitBytes < 1024
                             ? tr("This message is %1 bytes; the server accepts up to %2 bytes. "
                                  "Split it into several messages.")
                                   .arg(result.sizeBytes)
                                   .arg(result.limitBytes)
                             : tr("This message is %1 KB; the server accepts up to %2 KB. Split it "
                                  "into several messages.")
                                   .arg((result.sizeBytes + 1023) / 1024)
                                   .arg(qMax<qint64>(1, result.limitBytes / 1024));
        return result;
    }
    const char32_t control = proto::firstControlCharacter(body, proto::AllowLineBreaks::Yes);
    if (!proto::isWellFormedText(body) || control != 0) {
        result.status = SendResult::Status::CharactersNotAllowed;
        result.message =
            control != 0 ? tr("The message contains a control character (U+%1) the server does not "
                              "accept.")
                               .arg(QString::number(control, 16).toUpper().rightJustified(4, u'0'))
                         : tr("The message contains characters the server does not accept.");
        return result;
    }
    return result;
}

SendResult Room::send(const QString &body, qint64 replyTo, const QList<OutboxFile> &files)
{
    // A caption of blanks is no caption.
    const QString text = !files.isEmpty() && !proto::hasVisibleText(body) ? QString() : body;
    SendResult result = checkBody(text, !files.isEmpty());
    if (!result.queued())
        return result;
    Outbox *outbox = m_account ? m_account->outbox() : nullptr;
    result.cid =
        outbox ? m_account->session()->sendMessage(m_name, text, qMax<qint64>(0, replyTo), files)
               : QString();
    if (result.cid.isEmpty()) {
        result.status = SendResult::Status::DiskError;
        result.message = notSavedMessage(outbox ? outbox->lastError() : QString());
        return result;
    }
    return result;
}

std::optional<OutboxFile> Room::describeFile(const QString &path, const QList<OutboxFile> &attached,
                                             QString *error) const
{
    OutboxFile file = AttachmentLimits::describe(path, error);
    if (file.name.isEmpty())
        return std::nullopt;
    Outbox *outbox = m_account ? m_account->outbox() : nullptr;
    const QString problem =
        AttachmentLimits::problem(file, attached, limits(), outbox ? outbox->fileBytes() : 0);
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    return file;
}

bool Room::cancelUpload(const QString &cid)
{
    return m_account && m_account->session()->cancelUpload(cid);
}

QString Room::uploadingMessage() const
{
    return m_account ? m_account->session()->uploadingIn(m_name) : QString();
}

SendResult Room::edit(qint64 seq, const QString &body)
{
    SendResult result = checkBody(body);
    if (!result.queued())
        return result;
    Outbox *outbox = m_account ? m_account->outbox() : nullptr;
    result.cid =
        outbox && seq > 0 ? m_account->session()->editMessage(m_name, seq, body) : QString();
    if (result.cid.isEmpty()) {
        result.status = SendResult::Status::DiskError;
        result.message = notSavedMessage(outbox ? outbox->lastError() : QString());
    }
    return result;
}

QString Room::deleteMessage(qint64 seq)
{
    Outbox *outbox = m_account ? m_account->outbox() : nullptr;
    return outbox && seq > 0 ? m_account->session()->deleteMessage(m_name, seq) : QString();
}

bool Room::react(qint64 seq, const QString &emoji, bool on)
{
    return m_account && m_account->session()->react(m_name, seq, emoji, on);
}

bool Room::toggleReaction(qint64 seq, const QString &emoji)
{
    const bool mine = m_messages && m_messages->hasMyReaction(seq, emoji);
    return react(seq, emoji, !mine);
}

bool Room::canDelete(const QString &sender) const
{
    if (!m_account)
        return false;
    const QString me = m_account->user();
    return !me.isEmpty() && (sender == me || owner() == me);
}

QString Room::owner() const
{
    if (!m_account)
        return {};
    return m_account->session()->roomOwner(m_name);
}

void Room::revealMessage(qint64 seq)
{
    if (MessageModel *model = messages())
        model->revealMessage(seq);
}

QString Room::notSavedMessage(const QString &detail)
{
    return tr("The message could not be saved on this computer (%1).")
        .arg(detail.isEmpty() ? tr("no outbox is open") : detail);
}

bool Room::retry(const QString &cid)
{
    Outbox *outbox = m_account ? m_account->outbox() : nullptr;
    if (!outbox || !outbox->retry(cid))
        return false;
    m_account->session()->flushOutbox();
    return true;
}

bool Room::discard(const QString &cid)
{
    Outbox *outbox = m_account ? m_account->outbox() : nullptr;
    return outbox && outbox->discard(cid);
}

int Room::pendingCount() const
{
    Outbox *outbox = m_account ? m_account->outbox() : nullptr;
    return outbox ? outbox->pendingCount(m_name) : 0;
}

MessageModel *Room::messages()
{
    if (!m_messages && m_account) {
        m_messages = new MessageModel(this);
        m_messages->setSources(m_account->cache(), m_account->outbox(), m_account->session());
        m_messages->setRoom(m_name);
    }
    return m_messages;
}

void Room::releaseMessages()
{
    if (!m_messages)
        return;
    // A view may still be disconnecting from it within this event.
    m_messages->deleteLater();
    m_messages = nullptr;
}

void Room::loadOlder()
{
    MessageModel *model = messages();
    if (model && model->canFetchMore())
        model->fetchMore();
}

void Room::jumpTo(qint64 seq)
{
    if (MessageModel *model = messages())
        model->jumpTo(seq);
}

void Room::showNewest()
{
    if (MessageModel *model = messages())
        model->showNewest();
}

void Room::markRead()
{
    qint64 newest = m_messages ? m_messages->newestSeq() : 0;
    if ((newest <= 0 || (m_messages && m_messages->isAtNewest())) && m_account) {
        // At the newest, edits and reactions after the last message are read too (they are
        // entries of the log and count in its last seq).
        const QModelIndex entry = m_account->rooms()->indexOfRoom(m_name);
        newest = qMax(newest, entry.data(RoomListModel::LastSeqRole).toLongLong());
    }
    markReadUpTo(newest);
}

void Room::markReadUpTo(qint64 seq)
{
    if (seq > 0 && m_account)
        m_account->rooms()->markRead(m_name, seq);
}

qint64 Room::readMarker() const
{
    MessageCache *cache = m_account ? m_account->cache() : nullptr;
    if (!cache)
        return 0;
    const auto cached = cache->room(m_name);
    return cached ? cached->readSeq : 0;
}

qint64 Room::unreadCount() const
{
    if (!m_account)
        return 0;
    return m_account->rooms()
        ->indexOfRoom(m_name)
        .data(RoomListModel::UnreadCountRole)
        .toLongLong();
}

void Room::onRoomsChanged()
{
    const qint64 unread = unreadCount();
    if (unread == m_lastUnread)
        return;
    m_lastUnread = unread;
    emit unreadCountChanged(unread);
}

void Room::noteTyping()
{
    if (m_account)
        m_account->session()->sendTyping(m_name);
}

QStringList Room::typingUsers() const
{
    return m_typing->users();
}

QString Room::typingText() const
{
    return m_typing->displayText();
}

} // namespace conversa::core
