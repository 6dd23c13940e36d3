// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ComposerContextBar.h"

#include "Theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace conversa::ui {

ComposerContextBar::ComposerContextBar(QWidget *parent)
    : QWidget(parent)
    , m_icon(new QLabel(this))
    , m_label(new QLabel(this))
    , m_cancel(new QToolButton(this))
{
    setObjectName(u"composerContextBar"_s);
    m_label->setObjectName(u"composerContextLabel"_s);
    m_label->setTextFormat(Qt::PlainText);
    m_label->setMinimumWidth(50);
    m_cancel->setObjectName(u"composerContextCancel"_s);
    m_cancel->setAutoRaise(true);
    m_cancel->setIconSize(QSize(16, 16));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(16, 2, 12, 0);
    layout->addWidget(m_icon);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        const Mode mode = m_mode;
        clear();
        emit cancelled(mode);
    });
    retranslateUi();
    hide();
}

void ComposerContextBar::startReply(qint64 seq, const QString &sender, const QString &preview)
{
    m_mode = Mode::Reply;
    m_seq = seq;
    m_sender = sender;
    m_preview = preview;
    retranslateUi();
    show();
}

void ComposerContextBar::startEdit(qint64 seq, const QString &preview)
{
    m_mode = Mode::Edit;
    m_seq = seq;
    m_sender.clear();
    m_preview = preview;
    retranslateUi();
    show();
}

void ComposerContextBar::clear()
{
    m_mode = Mode::None;
    m_seq = 0;
    hide();
}

void ComposerContextBar::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange || event->type() == QEvent::PaletteChange)
        retranslateUi();
}

void ComposerContextBar::retranslateUi()
{
    m_cancel->setIcon(Theme::icon(u"close"_s));
    const QString cancel =
        m_mode == Mode::Edit ? tr("Cancel editing (Esc)") : tr("Cancel the reply (Esc)");
    m_cancel->setToolTip(cancel);
    m_cancel->setAccessibleName(cancel);
    m_icon->setPixmap(
        Theme::icon(m_mode == Mode::Edit ? u"edit"_s : u"reply"_s, Theme::accent()).pixmap(16, 16));
    const QString preview = m_preview.simplified();
    const QString shown = preview.size() > 80 ? preview.left(79) + u'…' : preview;
    const QString text = m_mode == Mode::Edit ? tr("Editing your message: %1").arg(shown)
                                              : tr("Replying to %1: %2").arg(m_sender, shown);
    m_label->setText(m_label->fontMetrics().elidedText(text, Qt::ElideRight, 4000));
    m_label->setAccessibleName(text);
    setAccessibleName(text);
}

} // namespace conversa::ui
