// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageActions.h"

#include "Composer.h"
#include "ComposerContextBar.h"
#include "EmojiPicker.h"
#include "MessageDecorations.h"
#include "MessageView.h"
#include "QuickReactionBar.h"

#include <MessageModel.h>
#include <Room.h>

#include <QApplication>
#include <QClipboard>
#include <QMessageBox>
#include <QPushButton>

using namespace Qt::StringLiterals;
using conversa::core::MessageModel;

namespace conversa::ui {

MessageActions::MessageActions(MessageView *view, Composer *composer, ComposerContextBar *bar,
                               std::function<core::Room *()> room, QWidget *dialogParent)
    : QObject(view)
    , m_view(view)
    , m_composer(composer)
    , m_bar(bar)
    , m_room(std::move(room))
    , m_dialogParent(dialogParent)
{
    connect(view, &MessageView::replyRequested, this, &MessageActions::reply);
    connect(view, &MessageView::editRequested, this, &MessageActions::edit);
    connect(view, &MessageView::deleteRequested, this, &MessageActions::confirmDelete);
    connect(view, &MessageView::reactRequested, this, &MessageActions::showReactions);
    connect(view, &MessageView::reactionToggled, this, &MessageActions::toggleReaction);
    connect(view, &MessageView::copyLinkRequested, this, &MessageActions::copyLink);
    connect(composer, &Composer::editLastRequested, this, &MessageActions::editLast);
    connect(composer, &Composer::cancelRequested, this, &MessageActions::cancel);
    connect(bar, &ComposerContextBar::cancelled, this, [this](ComposerContextBar::Mode mode) {
        if (mode == ComposerContextBar::Mode::Edit && m_composer)
            m_composer->clear();
        if (m_composer)
            m_composer->setFocus();
    });
}

QStringList MessageActions::quickReactions()
{
    return {u"👍"_s, u"❤️"_s, u"😂"_s, u"🎉"_s, u"😮"_s, u"😢"_s};
}

QuickReactionBar *MessageActions::quickReactionBar() const
{
    return m_quickReactions;
}

qint64 MessageActions::replyTo() const
{
    return m_bar && m_bar->mode() == ComposerContextBar::Mode::Reply ? m_bar->seq() : 0;
}

qint64 MessageActions::editing() const
{
    return m_bar && m_bar->mode() == ComposerContextBar::Mode::Edit ? m_bar->seq() : 0;
}

QString MessageActions::previewOf(qint64 seq, QString *sender) const
{
    MessageModel *model = m_view ? m_view->messageModel() : nullptr;
    const auto message = model ? model->messageAt(seq) : std::nullopt;
    if (!message)
        return {};
    if (sender)
        *sender = message->from;
    return message->body;
}

void MessageActions::reply(qint64 seq)
{
    QString sender;
    const QString preview = previewOf(seq, &sender);
    if (editing() > 0)
        m_composer->clear(); // an edit's text is not the reply's
    m_bar->startReply(seq, sender, preview);
    m_composer->setFocus();
}

void MessageActions::edit(qint64 seq)
{
    const QString body = previewOf(seq);
    if (body.isEmpty())
        return;
    m_bar->startEdit(seq, body);
    m_composer->setPlainText(body);
    m_composer->moveCursor(QTextCursor::End);
    m_composer->setFocus();
}

void MessageActions::editLast()
{
    MessageModel *model = m_view ? m_view->messageModel() : nullptr;
    if (const qint64 seq = model ? model->lastOwnMessageSeq() : 0; seq > 0)
        edit(seq);
}

void MessageActions::cancel()
{
    if (!m_bar || m_bar->mode() == ComposerContextBar::Mode::None)
        return;
    if (m_bar->mode() == ComposerContextBar::Mode::Edit)
        m_composer->clear();
    m_bar->clear();
}

void MessageActions::confirmDelete(qint64 seq)
{
    core::Room *room = m_room();
    if (!room)
        return;
    QMessageBox box(QMessageBox::Question, tr("Delete message"),
                    tr("Delete this message for everyone? This cannot be undone."),
                    QMessageBox::Cancel, m_dialogParent);
    box.setObjectName(u"deleteMessageConfirmation"_s);
    QPushButton *remove = box.addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != static_cast<QAbstractButton *>(remove))
        return;
    if (room->deleteMessage(seq).isEmpty())
        emit problem(tr("The deletion could not be saved on this computer."));
    if (editing() == seq)
        cancel();
}

void MessageActions::showReactions(qint64 seq, QWidget *anchor)
{
    m_pickerSeq = seq;
    if (!m_quickReactions) {
        m_quickReactions = new QuickReactionBar(quickReactions(), m_dialogParent);
        connect(m_quickReactions, &QuickReactionBar::emojiChosen, this,
                [this](const QString &emoji) { toggleReaction(m_pickerSeq, emoji); });
        connect(m_quickReactions, &QuickReactionBar::moreRequested, this, [this] {
            if (!m_picker) {
                m_picker = new EmojiPicker(m_dialogParent);
                connect(m_picker, &EmojiPicker::emojiChosen, this,
                        [this](const QString &emoji) { toggleReaction(m_pickerSeq, emoji); });
            }
            m_picker->popup(m_quickReactionsAnchor ? m_quickReactionsAnchor.data()
                                                   : m_quickReactions.data());
        });
    }
    m_quickReactionsAnchor = anchor;
    m_quickReactions->popup(anchor);
}

void MessageActions::toggleReaction(qint64 seq, const QString &emoji)
{
    core::Room *room = m_room();
    if (room && !room->toggleReaction(seq, emoji))
        emit problem(tr("Reactions need the connection to the server."));
}

void MessageActions::copyLink(qint64 seq)
{
    core::Room *room = m_room();
    if (!room)
        return;
    QApplication::clipboard()->setText(u"conversa:%1/%2"_s.arg(room->name()).arg(seq));
}

} // namespace conversa::ui
