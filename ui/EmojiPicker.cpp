// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "EmojiPicker.h"

#include "MessageDecorations.h"

#include <QEvent>
#include <QKeyEvent>
#include <QListWidget>
#include <QScreen>
#include <QTabWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace conversa::ui {

namespace {
// Space-separated; each entry is one emoji sequence.
const char *const kSmileys = "😀 😃 😄 😁 😆 😅 😂 🤣 🙂 🙃 😉 😊 😇 🥰 😍 🤩 😘 😋 "
                             "😛 "
                             "😜 "
                             "🤪 "
                             "🤔 "
                             "🤨 "
                             "😐 😑 😶 🙄 😏 😬 😌 😴 😷 🤒 🤯 🥳 😎 🤓 😕 😟 😮 😲 "
                             "😳 "
                             "🥺 "
                             "😢 "
                             "😭 "
                             "😱 "
                             "😤 😡 🤬";
const char *const kGestures =
    "👍 👎 👌 ✌️ 🤞 🤝 👏 🙌 👐 🙏 💪 👋 🤙 👉 👈 👆 👇 ☝️ "
    "✋ "
    "🤚 "
    "🖐️ "
    "🖖 ✍️ "
    "🤷 🤦 🙋 🙇 👀 🧠 🫡";
const char *const kSymbols =
    "❤️ 🧡 💛 💚 💙 💜 🖤 🤍 💔 💯 ✅ ❌ ❓ ❗ ⚠️ 🔥 ✨ ⭐ 🎉 "
    "🎊 "
    "🎂 "
    "🎁 "
    "🏆 "
    "🚀 💡 📌 📎 📅 ⏰ 🔒 🔑 🔔 💬 👁️ ☕ 🍕 🍺 🌱 🌞 🌧️ ⚡";
} // namespace

EmojiPicker::EmojiPicker(QWidget *parent)
    : QFrame(parent, Qt::Popup)
    , m_tabs(new QTabWidget(this))
{
    setObjectName(u"emojiPicker"_s);
    setFrameShape(QFrame::StyledPanel);
    m_tabs->setDocumentMode(true);
    const QFont emojiFont = MessageDecorations::emojiFont(font(), 1.4);
    const int cell = QFontMetrics(emojiFont).height() * 3 / 2 + 8;
    for (const char *set : {kSmileys, kGestures, kSymbols}) {
        auto *grid = new QListWidget(m_tabs);
        grid->setViewMode(QListView::IconMode);
        grid->setMovement(QListView::Static);
        grid->setResizeMode(QListView::Adjust);
        grid->setGridSize(QSize(cell, cell));
        grid->setUniformItemSizes(true);
        grid->setWrapping(true);
        grid->setFrameShape(QFrame::NoFrame);
        grid->setTextElideMode(Qt::ElideNone);
        grid->setFont(emojiFont);
        for (const QString &emoji : QString::fromUtf8(set).split(u' ', Qt::SkipEmptyParts)) {
            auto *item = new QListWidgetItem(emoji, grid);
            item->setTextAlignment(Qt::AlignCenter);
            item->setSizeHint(QSize(cell, cell));
            item->setToolTip(emoji);
        }
        auto choose = [this](QListWidgetItem *item) {
            if (!item)
                return;
            emit emojiChosen(item->text());
            hide();
        };
        connect(grid, &QListWidget::itemActivated, this, choose);
        connect(grid, &QListWidget::itemClicked, this, choose);
        m_tabs->addTab(grid, QString());
    }
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (QListWidget *grid = currentGrid()) {
            if (!grid->currentItem())
                grid->setCurrentRow(0);
            grid->setFocus();
        }
    });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_tabs);
    resize(cell * 8 + 30, cell * 5 + 50);
    retranslateUi();
}

QListWidget *EmojiPicker::currentGrid() const
{
    return qobject_cast<QListWidget *>(m_tabs->currentWidget());
}

void EmojiPicker::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
}

void EmojiPicker::retranslateUi()
{
    setAccessibleName(tr("Emoji"));
    m_tabs->setTabText(0, tr("Smileys"));
    m_tabs->setTabText(1, tr("Gestures"));
    m_tabs->setTabText(2, tr("Symbols"));
    for (int i = 0; i < m_tabs->count(); ++i)
        m_tabs->widget(i)->setAccessibleName(m_tabs->tabText(i));
}

void EmojiPicker::popup(QWidget *anchor)
{
    QPoint pos = anchor->mapToGlobal(QPoint(0, anchor->height()));
    if (const QScreen *screen = anchor->screen()) {
        const QRect available = screen->availableGeometry();
        if (pos.y() + height() > available.bottom())
            pos.setY(anchor->mapToGlobal(QPoint(0, 0)).y() - height() - 16);
        pos.setX(qBound(available.left(), pos.x(), available.right() - width()));
    }
    move(pos);
    show();
    if (QListWidget *grid = currentGrid()) {
        if (!grid->currentItem())
            grid->setCurrentRow(0);
        grid->setFocus();
    }
}

} // namespace conversa::ui
