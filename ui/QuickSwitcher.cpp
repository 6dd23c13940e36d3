// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "QuickSwitcher.h"

#include "RoomFilterModel.h"
#include "RoomListDelegate.h"

#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace conversa::ui {

QuickSwitcher::QuickSwitcher(QAbstractItemModel *rooms, QWidget *parent)
    : QDialog(parent)
    , m_filtered(new RoomFilterModel(this))
    , m_filter(new QLineEdit(this))
    , m_list(new QListView(this))
{
    setObjectName(u"quickSwitcher"_s);
    setModal(true);
    m_filtered->setSourceModel(rooms);

    m_filter->setObjectName(u"quickSwitcherFilter"_s);
    m_filter->setClearButtonEnabled(true);
    m_filter->installEventFilter(this);

    m_list->setObjectName(u"quickSwitcherList"_s);
    m_list->setModel(m_filtered);
    m_list->setItemDelegate(new RoomListDelegate(m_list));
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setMouseTracking(true);

    auto *hint = new QLabel(this);
    m_hint = hint;
    hint->setForegroundRole(QPalette::PlaceholderText);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filter);
    layout->addWidget(m_list);
    layout->addWidget(hint);
    resize(440, 380);
    retranslateUi();

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filtered->setFilterText(text);
        selectRow(0);
    });
    connect(m_filter, &QLineEdit::returnPressed, this, &QuickSwitcher::choose);
    connect(m_list, &QListView::activated, this, &QuickSwitcher::choose);
    // Give the keyboard back to the main window, so its shortcuts work again at once.
    connect(this, &QDialog::finished, this, [this] {
        if (parentWidget())
            parentWidget()->window()->activateWindow();
    });
}

void QuickSwitcher::popup()
{
    m_filter->clear();
    m_filtered->setFilterText({});
    selectRow(0);
    if (parentWidget()) {
        const QRect area = parentWidget()->window()->geometry();
        move(area.center().x() - width() / 2, area.top() + area.height() / 5);
    }
    show();
    raise();
    activateWindow();
    m_filter->setFocus();
}

QString QuickSwitcher::currentRoom() const
{
    return m_filtered->roomAt(m_list->currentIndex().row());
}

void QuickSwitcher::selectRow(int row)
{
    if (m_filtered->rowCount() == 0)
        return;
    row = qBound(0, row, m_filtered->rowCount() - 1);
    m_list->setCurrentIndex(m_filtered->index(row, 0));
}

void QuickSwitcher::choose()
{
    const QString room = currentRoom();
    if (room.isEmpty())
        return;
    accept();
    emit roomChosen(room);
}

void QuickSwitcher::changeEvent(QEvent *event)
{
    QDialog::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
}

void QuickSwitcher::retranslateUi()
{
    setWindowTitle(tr("Go to room"));
    setAccessibleName(tr("Go to room"));
    m_filter->setPlaceholderText(tr("Type a room name"));
    m_filter->setAccessibleName(tr("Room name"));
    m_list->setAccessibleName(tr("Matching rooms"));
    m_hint->setText(tr("↑↓ to choose · Enter to open · Esc to close"));
}

bool QuickSwitcher::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const int row = m_list->currentIndex().row();
        if (key->key() == Qt::Key_Down) {
            selectRow(row + 1);
            return true;
        }
        if (key->key() == Qt::Key_Up) {
            selectRow(row - 1);
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace conversa::ui
