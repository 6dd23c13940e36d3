// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Composer.h"

#include <QAbstractTextDocumentLayout>
#include <QEvent>
#include <QKeyEvent>
#include <QTextBlock>

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

void Composer::setRoomTitle(const QString &title)
{
    m_roomTitle = title;
    updatePlaceholder();
}

void Composer::updatePlaceholder()
{
    setAccessibleName(tr("Message"));
    setAccessibleDescription(tr("Enter sends the message, Shift+Enter starts a new line."));
    setToolTip(m_disabledReason.isEmpty() ? formattingHint() : m_disabledReason);
    if (!m_disabledReason.isEmpty())
        setPlaceholderText(m_disabledReason);
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
    if (body.trimmed().isEmpty())
        return;
    emit sendRequested(body);
}

void Composer::keyPressEvent(QKeyEvent *event)
{
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
