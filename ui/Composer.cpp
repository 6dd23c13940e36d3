// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Composer.h"

#include "ComposerAttachments.h"

#include <QAbstractItemView>
#include <QAbstractTextDocumentLayout>
#include <QCompleter>
#include <QEvent>
#include <QKeyEvent>
#include <QMimeData>
#include <QScrollBar>
#include <QTextBlock>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace conversa::ui {

namespace {
constexpr int kMaxVisibleLines = 6;
}

Composer::Composer(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setObjectName(u"composer"_s);
    setTabChangesFocus(true);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(document(), &QTextDocument::contentsChanged, this, [this] {
        updateGeometry();
        if (!toPlainText().isEmpty())
            emit typing();
    });
    updatePlaceholder();
}

void Composer::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        updatePlaceholder();
}

void Composer::setDisabledReason(const QString &reason)
{
    m_disabledReason = reason;
    setReadOnly(!reason.isEmpty());
    setEnabled(reason.isEmpty());
    updatePlaceholder();
}

void Composer::setRoomTitle(const QString &title, bool direct)
{
    m_roomTitle = title;
    m_direct = direct;
    updatePlaceholder();
}

void Composer::updatePlaceholder()
{
    setAccessibleName(tr("Message"));
    setAccessibleDescription(tr("Enter sends the message, Shift+Enter starts a new line."));
    setToolTip(m_disabledReason.isEmpty() ? formattingHint() : m_disabledReason);
    if (!m_disabledReason.isEmpty())
        setPlaceholderText(m_disabledReason);
    else if (!m_roomTitle.isEmpty() && m_direct)
        setPlaceholderText(tr("Message %1").arg(m_roomTitle));
    else if (!m_roomTitle.isEmpty())
        setPlaceholderText(tr("Message #%1").arg(m_roomTitle));
    else
        setPlaceholderText(tr("Write a message"));
    viewport()->update(); // an empty box shows the placeholder: repaint it now
}

QString Composer::formattingHint()
{
    return tr("Enter sends, Shift+Enter starts a new line.\nFormatting: **bold**, *italic*, "
              "`code`, ``` on its own line for a code block, > at the start for a quote, "
              "[text](https://…) for a link.");
}

int Composer::heightForLines(int lines) const
{
    const int lineHeight = fontMetrics().lineSpacing();
    const QMargins margins = contentsMargins();
    return lines * lineHeight + int(document()->documentMargin() * 2) + margins.top() +
           margins.bottom() + 4;
}

QSize Composer::sizeHint() const
{
    // Visual lines, wrapped ones included.
    int lines = 0;
    for (QTextBlock block = document()->begin(); block.isValid(); block = block.next())
        lines += qMax(1, block.layout() ? block.layout()->lineCount() : 1);
    lines = qBound(1, lines, kMaxVisibleLines);
    return QSize(QPlainTextEdit::sizeHint().width(), heightForLines(qMax(2, lines)));
}

QSize Composer::minimumSizeHint() const
{
    return QSize(100, heightForLines(2));
}

void Composer::requestSend()
{
    if (!m_disabledReason.isEmpty())
        return;
    const QString body = toPlainText();
    if (body.trimmed().isEmpty() && !m_hasAttachments)
        return;
    emit sendRequested(body);
}

bool Composer::canInsertFromMimeData(const QMimeData *source) const
{
    return ComposerAttachments::canAttach(source) || QPlainTextEdit::canInsertFromMimeData(source);
}

void Composer::insertFromMimeData(const QMimeData *source)
{
    // Files and images become attachments; text (a link to a file included) stays text.
    if (ComposerAttachments::canAttach(source)) {
        emit attachmentsOffered(source);
        return;
    }
    QPlainTextEdit::insertFromMimeData(source);
}

void Composer::setMentionCompletion(QAbstractItemModel *members, int role)
{
    if (!m_completer) {
        m_completer = new QCompleter(this);
        m_completer->setWidget(this);
        m_completer->setCompletionMode(QCompleter::PopupCompletion);
        m_completer->setCaseSensitivity(Qt::CaseInsensitive);
        m_completer->setFilterMode(Qt::MatchStartsWith);
        connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
                &Composer::insertMention);
        connect(this, &QPlainTextEdit::cursorPositionChanged, this, &Composer::updateCompletion);
    }
    m_completer->setModel(members);
    m_completer->setCompletionRole(role);
}

int Composer::mentionStart() const
{
    const QTextCursor cursor = textCursor();
    const QString block = cursor.block().text();
    int at = cursor.positionInBlock();
    // Names are short: look back a bounded distance, never through the whole text.
    const int limit = qMax(0, at - 64);
    while (at > limit) {
        const QChar c = block.at(at - 1);
        if (c == u'@') {
            const bool startsWord = at - 1 == 0 || !block.at(at - 2).isLetterOrNumber();
            return startsWord ? cursor.block().position() + at - 1 : -1;
        }
        if (!(c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'.'))
            return -1;
        --at;
    }
    return -1;
}

void Composer::updateCompletion()
{
    if (!m_completer || !m_completer->model())
        return;
    const int start = mentionStart();
    if (start < 0 || !hasFocus()) {
        m_completer->popup()->hide();
        return;
    }
    const QString prefix = toPlainText().mid(start + 1, textCursor().position() - start - 1);
    if (prefix != m_completer->completionPrefix()) {
        m_completer->setCompletionPrefix(prefix);
        m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    }
    if (m_completer->completionCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    QRect rect = cursorRect();
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0) +
                  m_completer->popup()->verticalScrollBar()->sizeHint().width() + 16);
    m_completer->complete(rect);
}

void Composer::insertMention(const QString &user)
{
    const int start = mentionStart();
    if (start < 0)
        return;
    QTextCursor cursor = textCursor();
    cursor.setPosition(start + 1, QTextCursor::KeepAnchor);
    cursor.insertText(user + u' ');
    setTextCursor(cursor);
    m_completer->popup()->hide();
}

void Composer::keyPressEvent(QKeyEvent *event)
{
    if (m_completer && m_completer->popup()->isVisible()) {
        // The list takes these: Enter picks a name rather than sending.
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
        case Qt::Key_Escape:
            event->ignore();
            return;
        default:
            break;
        }
    }
    if (event->key() == Qt::Key_Up && event->modifiers() == Qt::NoModifier &&
        toPlainText().isEmpty()) {
        event->accept();
        emit editLastRequested();
        return;
    }
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        event->accept();
        emit cancelRequested();
        return;
    }
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        event->accept();
        requestSend();
        return;
    }
    if (enter) {
        // Shift+Enter: a plain new line, never a paragraph separator or a send.
        insertPlainText(u"\n"_s);
        event->accept();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

} // namespace conversa::ui
