// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageActionBar.h"

#include "Theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace conversa::ui {

MessageActionBar::MessageActionBar(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(u"messageActionBar"_s);
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(0);
    const auto button = [this, layout](const QString &name) {
        auto *b = new QToolButton(this);
        b->setObjectName(name);
        b->setAutoRaise(true);
        b->setIconSize(QSize(18, 18));
        b->setFocusPolicy(Qt::TabFocus);
        layout->addWidget(b);
        return b;
    };
    m_reply = button(u"replyAction"_s);
    m_react = button(u"reactAction"_s);
    m_edit = button(u"editAction"_s);
    m_delete = button(u"deleteAction"_s);
    m_copyLink = button(u"copyLinkAction"_s);
    connect(m_reply, &QToolButton::clicked, this, [this] { emit replyRequested(m_seq); });
    connect(m_react, &QToolButton::clicked, this, [this] { emit reactRequested(m_seq, m_react); });
    connect(m_edit, &QToolButton::clicked, this, [this] { emit editRequested(m_seq); });
    connect(m_delete, &QToolButton::clicked, this, [this] { emit deleteRequested(m_seq); });
    connect(m_copyLink, &QToolButton::clicked, this, [this] { emit copyLinkRequested(m_seq); });
    retranslateUi();
    updateIcons();
    hide();
}

void MessageActionBar::showFor(qint64 seq, bool canEdit, bool canDelete)
{
    m_seq = seq;
    m_edit->setVisible(canEdit);
    m_delete->setVisible(canDelete);
    adjustSize();
    show();
    raise();
}

void MessageActionBar::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::LanguageChange && m_copyLink)
        retranslateUi();
    else if (event->type() == QEvent::PaletteChange && m_copyLink) // not while being built
        updateIcons();
}

void MessageActionBar::retranslateUi()
{
    setAccessibleName(tr("Message actions"));
    const std::pair<QToolButton *, QString> texts[] = {{m_reply, tr("Reply")},
                                                       {m_react, tr("React")},
                                                       {m_edit, tr("Edit")},
                                                       {m_delete, tr("Delete")},
                                                       {m_copyLink, tr("Copy link")}};
    for (const auto &[b, text] : texts) {
        b->setToolTip(text);
        b->setAccessibleName(text);
    }
}

void MessageActionBar::updateIcons()
{
    m_reply->setIcon(Theme::icon(u"reply"_s));
    m_react->setIcon(Theme::icon(u"emoji"_s));
    m_edit->setIcon(Theme::icon(u"edit"_s));
    m_delete->setIcon(Theme::icon(u"delete"_s, Theme::failureText()));
    m_copyLink->setIcon(Theme::icon(u"link"_s));
}

} // namespace conversa::ui
