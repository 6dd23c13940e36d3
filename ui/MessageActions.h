// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

class QWidget;

namespace conversa::core {
class Room;
}

namespace conversa::ui {

class Composer;
class ComposerContextBar;
class EmojiPicker;
class MessageView;
class QuickReactionBar;

// What the chat page does with the actions on a message: reply and edit (through the bar over
// the composer), delete (after asking), react (quick reactions, or the emoji picker), toggle a
// reaction chip, copy a link, and Up/Esc in the composer. The page keeps sending; it asks
// replyTo()/editing() what Enter means.
class MessageActions : public QObject
{
    Q_OBJECT
public:
    MessageActions(MessageView *view, Composer *composer, ComposerContextBar *bar,
                   std::function<core::Room *()> room, QWidget *dialogParent);

    // The emoji offered first when reacting.
    static QStringList quickReactions();
    // The strip they are offered in (null until the first reaction).
    QuickReactionBar *quickReactionBar() const;

    qint64 replyTo() const;
    qint64 editing() const;

public slots:
    void reply(qint64 seq);
    void edit(qint64 seq);
    void editLast();
    void confirmDelete(qint64 seq);
    void showReactions(qint64 seq, QWidget *anchor);
    void toggleReaction(qint64 seq, const QString &emoji);
    void copyLink(qint64 seq);
    // Leaves a reply or edit (an edit's text leaves the box with it).
    void cancel();

signals:
    // Something went wrong, in words, for the page to show.
    void problem(const QString &text);

private:
    QString previewOf(qint64 seq, QString *sender = nullptr) const;

    QPointer<MessageView> m_view;
    QPointer<Composer> m_composer;
    QPointer<ComposerContextBar> m_bar;
    std::function<core::Room *()> m_room;
    QPointer<QWidget> m_dialogParent;
    QPointer<EmojiPicker> m_picker;
    QPointer<QuickReactionBar> m_quickReactions;
    QPointer<QWidget> m_quickReactionsAnchor;
    qint64 m_pickerSeq = 0;
};

} // namespace conversa::ui
