// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SearchPanel.h"

#include "SearchPanelDelegate.h"

#include <SearchResultsModel.h>

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using conversa::core::SearchResultsModel;

namespace conversa::ui {

SearchPanel::SearchPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new SearchResultsModel(this))
{
    setObjectName(u"searchPanel"_s);
    setAutoFillBackground(true);

    m_title = new QLabel(this);
    m_title->setObjectName(u"searchTitle"_s);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_close = new QToolButton(this);
    m_close->setObjectName(u"searchCloseButton"_s);
    m_close->setAutoRaise(true);
    m_close->setText(u"✕"_s);
    connect(m_close, &QToolButton::clicked, this, &SearchPanel::closeRequested);

    m_query = new QLineEdit(this);
    m_query->setObjectName(u"searchQuery"_s);
    m_query->setClearButtonEnabled(true);
    m_query->setMaxLength(SearchResultsModel::kMaxQueryLength);
    m_thisRoomOnly = new QCheckBox(this);
    m_thisRoomOnly->setObjectName(u"searchThisRoomOnly"_s);
    m_thisRoomOnly->setEnabled(false);
    m_status = new QLabel(this);
    m_status->setObjectName(u"searchStatus"_s);
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);

    m_results = new QListView(this);
    m_results->setObjectName(u"searchResults"_s);
    m_results->setModel(m_model);
    m_delegate = new SearchPanelDelegate(m_results);
    m_results->setItemDelegate(m_delegate);
    m_results->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_results->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_results->setUniformItemSizes(false);
    m_results->setWordWrap(true);
    m_results->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_results->setSelectionMode(QAbstractItemView::SingleSelection);
    m_results->setFrameShape(QFrame::NoFrame);
    m_more = new QPushButton(this);
    m_more->setObjectName(u"searchMoreButton"_s);
    m_more->hide();

    m_typingPause = new QTimer(this);
    m_typingPause->setSingleShot(true);
    m_typingPause->setInterval(kTypingPauseMs);
    connect(m_typingPause, &QTimer::timeout, this, &SearchPanel::searchNow);
    connect(m_query, &QLineEdit::textEdited, m_typingPause, qOverload<>(&QTimer::start));
    connect(m_query, &QLineEdit::returnPressed, this, &SearchPanel::searchNow);
    connect(m_thisRoomOnly, &QCheckBox::toggled, this, [this] {
        if (!m_query->text().trimmed().isEmpty())
            searchNow();
    });
    connect(m_model, &SearchResultsModel::stateChanged, this, &SearchPanel::updateStatus);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &SearchPanel::updateStatus);
    connect(m_more, &QPushButton::clicked, m_model, &SearchResultsModel::loadMore);
    // A single click opens a result (as other chat apps' search does), Enter too; a style that
    // activates on a single click reports the click twice, which opens it once.
    const auto open = [this](const QModelIndex &index) {
        const QString room = index.data(SearchResultsModel::RoomRole).toString();
        const qint64 seq = index.data(SearchResultsModel::SeqRole).toLongLong();
        if (m_lastOpened.isValid() && m_lastOpened.elapsed() < 300 &&
            m_lastOpenedRow == index.row())
            return;
        m_lastOpened.start();
        m_lastOpenedRow = index.row();
        emit resultActivated(room, seq);
    };
    connect(m_results, &QListView::activated, this, open);
    connect(m_results, &QListView::clicked, this, open);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_close);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(header);
    layout->addWidget(m_query);
    layout->addWidget(m_thisRoomOnly);
    layout->addWidget(m_status);
    layout->addWidget(m_results, 1);
    layout->addWidget(m_more);
    retranslateUi();
}

void SearchPanel::setSession(core::SessionManager *session)
{
    m_model->setSession(session);
    m_model->clear();
    updateStatus();
}

void SearchPanel::setRoomLabel(std::function<QString(const QString &room)> label)
{
    m_delegate->setRoomLabel(std::move(label));
    m_results->viewport()->update();
    retranslateUi();
}

void SearchPanel::setCurrentRoom(const QString &room)
{
    m_room = room;
    m_thisRoomOnly->setEnabled(!room.isEmpty());
    if (room.isEmpty())
        m_thisRoomOnly->setChecked(false);
    retranslateUi();
}

void SearchPanel::activate()
{
    show();
    m_query->setFocus(Qt::ShortcutFocusReason);
    m_query->selectAll();
}

void SearchPanel::searchNow()
{
    m_typingPause->stop();
    const QString query = m_query->text();
    if (query.trimmed().isEmpty()) {
        m_model->clear();
        updateStatus();
        return;
    }
    const bool oneRoom = m_thisRoomOnly->isChecked() && !m_room.isEmpty();
    m_model->search(query, oneRoom ? m_room : QString());
    updateStatus();
}

void SearchPanel::updateStatus()
{
    using State = SearchResultsModel::State;
    const int count = m_model->rowCount();
    switch (m_model->state()) {
    case State::Idle:
        m_status->setText(tr("Every word must appear; case and accents do not matter."));
        break;
    case State::Searching:
        m_status->setText(tr("Searching…"));
        break;
    case State::Failed:
        m_status->setText(m_model->errorText());
        break;
    case State::Done:
        m_status->setText(count == 0 ? tr("No messages found.")
                                     : tr("%n message(s) found, newest first.", nullptr, count));
        break;
    }
    m_status->setAccessibleDescription(m_status->text());
    m_more->setVisible(m_model->canLoadMore());
}

void SearchPanel::retranslateUi()
{
    m_title->setText(tr("Search messages"));
    m_close->setToolTip(tr("Close search (Esc)"));
    m_close->setAccessibleName(tr("Close search"));
    m_query->setPlaceholderText(tr("Search your rooms"));
    m_query->setAccessibleName(tr("Search query"));
    m_thisRoomOnly->setText(m_room.isEmpty() ? tr("Only in this room")
                                             : tr("Only in %1").arg(m_delegate->roomLabel(m_room)));
    m_results->setAccessibleName(tr("Search results"));
    m_more->setText(tr("Older results"));
    updateStatus();
}

void SearchPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
}

void SearchPanel::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        emit closeRequested();
        return;
    }
    if ((event->key() == Qt::Key_Down) && m_query->hasFocus() && m_model->rowCount() > 0) {
        m_results->setFocus();
        m_results->setCurrentIndex(m_model->index(0));
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace conversa::ui
