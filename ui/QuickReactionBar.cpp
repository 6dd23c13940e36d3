// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "QuickReactionBar.h"

#include "MessageDecorations.h"
#include "Theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QScreen>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace conversa::ui {

QuickReactionBar::QuickReactionBar(const QStringList &emoji, QWidget *parent)
    : QFrame(parent, Qt::Popup)
{
    setObjectName(u"quickReactions"_s);
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(2);
    const QFont big = MessageDecorations::emojiFont(font(), 1.7);
    const int side = QFontMetrics(big).height() + 8;
    for (const QString &e : emoji) {
        auto *button = new QToolButton(this);
        button->setObjectName(u"quickReaction"_s);
        button->setText(e);
        button->setFont(big);
        button->setAutoRaise(true);
        button->setFixedSize(side, side);
        connect(button, &QToolButton::clicked, this, [this, e] {
            hide();
            emit emojiChosen(e);
        });
        layout->addWidget(button);
        m_emojiButtons.append(button);
    }
    m_more = new QToolButton(this);
    m_more->setObjectName(u"moreEmoji"_s);
    m_more->setAutoRaise(true);
    m_more->setIcon(Theme::icon(u"emoji"_s));
    m_more->setIconSize(QSize(side / 2, side / 2));
    m_more->setFixedSize(side, side);
    connect(m_more, &QToolButton::clicked, this, [this] {
        hide();
        emit moreRequested();
    });
    layout->addWidget(m_more);
    retranslateUi();
}

void QuickReactionBar::popup(QWidget *anchor)
{
    adjustSize();
    QPoint pos = anchor ? anchor->mapToGlobal(QPoint(anchor->width() - width(), anchor->height()))
                        : QCursor::pos();
    if (const QScreen *screen = anchor ? anchor->screen() : nullptr) {
        const QRect available = screen->availableGeometry();
        if (pos.y() + height() > available.bottom())
            pos.setY(anchor->mapToGlobal(QPoint(0, 0)).y() - height());
        pos.setX(qBound(available.left(), pos.x(), available.right() - width()));
    }
    move(pos);
    show();
    if (!m_emojiButtons.isEmpty())
        m_emojiButtons.first()->setFocus();
}

void QuickReactionBar::keyPressEvent(QKeyEvent *event)
{
    // Left and Right walk the strip as Tab does.
    if (event->key() == Qt::Key_Right || event->key() == Qt::Key_Left) {
        focusNextPrevChild(event->key() == Qt::Key_Right);
        return;
    }
    QFrame::keyPressEvent(event);
}

void QuickReactionBar::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::LanguageChange && m_more)
        retranslateUi();
}

void QuickReactionBar::retranslateUi()
{
    setAccessibleName(tr("React"));
    for (QToolButton *button : std::as_const(m_emojiButtons)) {
        const QString name = tr("React with %1").arg(button->text());
        button->setToolTip(name);
        button->setAccessibleName(name);
    }
    m_more->setToolTip(tr("More emoji…"));
    m_more->setAccessibleName(tr("More emoji…"));
}

} // namespace conversa::ui
