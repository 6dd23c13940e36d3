// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QPlainTextEdit>

class QAbstractItemModel;
class QCompleter;

namespace conversa::ui {

// Where a message is written. Enter sends, Shift+Enter starts a new line; the box grows with its
// text up to a few lines. Typing emits `typing` (core throttles what goes on the wire). When the
// room cannot be written to, the box is disabled and says why.
class Composer : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit Composer(QWidget *parent = nullptr);

    // Empty: writable. Otherwise disabled, with `reason` shown in the box.
    void setDisabledReason(const QString &reason);
    QString disabledReason() const { return m_disabledReason; }
    // A direct message names its peer without the room sign.
    void setRoomTitle(const QString &title, bool direct = false);
    // The Markdown subset messages may use, in a sentence (the box's tooltip while writable).
    static QString formattingHint();

    // "@" followed by letters offers the names of `members` (`role`: the user name) and puts the
    // one chosen in place of what was typed, followed by a space.
    void setMentionCompletion(QAbstractItemModel *members, int role);
    QCompleter *mentionCompleter() const { return m_completer; }

    // What Enter does: emits sendRequested with the text, unless it is blank (and no files are
    // attached) or disabled.
    void requestSend();
    // Files are attached: Enter sends even without text (the files, without a caption).
    void setHasAttachments(bool has) { m_hasAttachments = has; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // The text stays in the box: whoever stores the message clears it (clear()) once it is safe,
    // so a message that could not be stored is never lost.
    void sendRequested(const QString &body);
    void typing();
    // Up in an empty box: edit my last message.
    void editLastRequested();
    // Esc (no completion open): leave the reply or edit in progress.
    void cancelRequested();
    // Files or an image were pasted or dropped here: they are attached, not inserted as text.
    void attachmentsOffered(const QMimeData *data);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;

private:
    void updatePlaceholder();
    // The "@name" being typed just before the cursor: [from, cursor), or from = -1.
    int mentionStart() const;
    void updateCompletion();
    void insertMention(const QString &user);
    int heightForLines(int lines) const;

    QString m_disabledReason;
    QString m_roomTitle;
    bool m_direct = false;
    bool m_hasAttachments = false;
    QCompleter *m_completer = nullptr;
};

} // namespace conversa::ui
