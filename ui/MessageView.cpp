// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MessageView.h"

#include "FileActions.h"
#include "MessageActionBar.h"
#include "MessageDelegate.h"

#include <MessageModel.h>
#include <ThumbnailCache.h>

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QCursor>
#include <QIdentityProxyModel>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QTimer>
#include <QUrl>

#include <utility>

using namespace Qt::StringLiterals;
using conversa::core::MessageModel;

namespace conversa::ui {

namespace {

// QAbstractItemView fetches more whenever the last row is visible, which for a chat log (where
// "more" means older rows at the top) would page the whole history in at once. The view asks for
// older rows itself, when the reader reaches the top.
class NoAutoFetchProxy : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;
    bool canFetchMore(const QModelIndex &) const override { return false; }
    void fetchMore(const QModelIndex &) override {}
};

constexpr int kBottomSlack = 8; // pixels that still count as "at the bottom"

} // namespace

MessageView::MessageView(QWidget *parent)
    : QListView(parent)
    , m_proxy(new NoAutoFetchProxy(this))
    , m_delegate(new MessageDelegate(this))
{
    setObjectName(u"messageView"_s);
    setItemDelegate(m_delegate);
    setModel(m_proxy);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setResizeMode(QListView::Adjust);
    setLayoutMode(QListView::SinglePass);
    setUniformItemSizes(false);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setMouseTracking(true);
    setFrameShape(QFrame::NoFrame);
    verticalScrollBar()->setSingleStep(24);

    m_newMessagesButton = new QPushButton(this);
    m_newMessagesButton->setObjectName(u"newMessagesButton"_s);
    m_newMessagesButton->setCursor(Qt::PointingHandCursor);
    m_newMessagesButton->hide();
    connect(m_newMessagesButton, &QPushButton::clicked, this, &MessageView::scrollToNewest);

    m_historyNotice = new QLabel(this);
    m_historyNotice->setObjectName(u"historyNotice"_s);
    m_historyNotice->setWordWrap(true);
    m_historyNotice->setAlignment(Qt::AlignCenter);
    m_historyNotice->setAutoFillBackground(true);
    m_historyNotice->setForegroundRole(QPalette::ToolTipText);
    m_historyNotice->setBackgroundRole(QPalette::ToolTipBase);
    m_historyNotice->setContentsMargins(12, 6, 12, 6);
    m_historyNotice->hide();

    m_actionBar = new MessageActionBar(viewport());
    connect(m_actionBar, &MessageActionBar::replyRequested, this, &MessageView::replyRequested);
    connect(m_actionBar, &MessageActionBar::editRequested, this, &MessageView::editRequested);
    connect(m_actionBar, &MessageActionBar::deleteRequested, this, &MessageView::deleteRequested);
    connect(m_actionBar, &MessageActionBar::reactRequested, this, &MessageView::reactRequested);
    connect(m_actionBar, &MessageActionBar::copyLinkRequested, this,
            &MessageView::copyLinkRequested);
    m_fileActions = new FileActions(this);
    m_highlightTimer = new QTimer(this);
    m_highlightTimer->setSingleShot(true);
    m_highlightTimer->setInterval(2500);
    connect(m_highlightTimer, &QTimer::timeout, this, [this] {
        m_delegate->setHighlightedSeq(0);
        viewport()->update();
    });
    retranslateUi();
    // An edit, a deletion or a reaction changes a row's height: lay it out anew.
    connect(m_proxy, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                for (int row = topLeft.row(); row <= bottomRight.row(); ++row)
                    m_delegate->forget(m_proxy->index(row, 0));
                scheduleDelayedItemsLayout();
            });

    connect(m_proxy, &QAbstractItemModel::rowsAboutToBeInserted, this,
            &MessageView::onRowsAboutToBeInserted);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &MessageView::onRowsInserted);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &MessageView::onModelReset);
    connect(m_proxy, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex &, int first, int last) {
                // Trimmed rows are gone for good (paging them in again lays them out anew). A
                // pending row leaves as its delivered copy arrives under the same key: keep it.
                for (int row = first; row <= last; ++row) {
                    const QModelIndex index = m_proxy->index(row, 0);
                    if (index.data(MessageModel::StateRole).value<MessageModel::DeliveryState>() ==
                        MessageModel::DeliveryState::Delivered)
                        m_delegate->forget(index);
                }
            });
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this,
            [this](const QModelIndex &, int first, int last) {
                if (first == 0)
                    shiftTextSelection(-(last + 1)); // the oldest rows were trimmed
                else if (!m_delegate->textSelection().isEmpty())
                    clearTextSelection(); // a pending message went; keep it simple
                if (m_anchorSeq >= 0)
                    QTimer::singleShot(0, this, &MessageView::restoreAnchor);
            });
    connect(verticalScrollBar(), &QScrollBar::rangeChanged, this, &MessageView::onRangeChanged);
}

void MessageView::setFiles(core::FileCache *files, core::ThumbnailCache *thumbnails)
{
    m_fileActions->setFiles(files);
    m_delegate->setThumbnails(thumbnails);
    disconnect(m_thumbnailsConnection);
    if (thumbnails) {
        // A thumbnail came (or failed): the row keeps its size, only its pixels change.
        m_thumbnailsConnection = connect(thumbnails, &core::ThumbnailCache::changed, this,
                                         [this] { viewport()->update(); });
    }
    viewport()->update();
}

void MessageView::setMessageModel(MessageModel *model)
{
    if (m_source)
        m_source->disconnect(this);
    m_source = model;
    if (model) {
        connect(model, &MessageModel::historyErrorChanged, this, &MessageView::updateHistoryNotice);
        connect(model, &MessageModel::scrollToRowRequested, this,
                &MessageView::onScrollToRowRequested);
        connect(model, &MessageModel::messageRevealed, this, &MessageView::onMessageRevealed);
        // From the model itself, before the proxy passes it on: QListView forgets its layout as
        // soon as it hears of a removal, and the anchor needs it.
        connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this] {
            if (!m_stickToBottom)
                rememberAnchor();
        });
        connect(model, &MessageModel::newerMessagesArrived, this, [this](int count) {
            m_unseen += count;
            updateNewMessagesButton();
        });
    }
    updateHistoryNotice();
    m_proxy->setSourceModel(model);
    onModelReset();
}

bool MessageView::isAtBottom() const
{
    const QScrollBar *bar = verticalScrollBar();
    return bar->value() >= bar->maximum() - kBottomSlack;
}

void MessageView::scrollToNewest()
{
    m_stickToBottom = true;
    m_anchorSeq = -1;
    m_jumpRow = -1;
    if (m_source)
        m_source->showNewest(); // pages the newest in again if the reader paged away from them
    m_unseen = 0;
    updateNewMessagesButton();
    scrollToBottom();
    // Layout may still be pending; the range change lands us at the bottom again.
    QTimer::singleShot(0, this, [this] {
        if (m_stickToBottom)
            scrollToBottom();
    });
    emit newestShown();
}

void MessageView::loadOlder()
{
    if (!m_source || m_loadingOlder || !m_source->canFetchMore({}))
        return;
    m_loadingOlder = true;
    m_source->fetchMore({});
    m_loadingOlder = false;
}

void MessageView::loadNewer()
{
    if (!m_source || m_loadingOlder || !m_source->canFetchNewer())
        return;
    m_loadingOlder = true;
    m_source->fetchNewer();
    m_loadingOlder = false;
}

void MessageView::jumpTo(qint64 seq)
{
    if (m_source)
        m_source->jumpTo(seq);
}

void MessageView::revealMessage(qint64 seq)
{
    if (m_source && seq > 0)
        m_source->revealMessage(seq);
}

void MessageView::onMessageRevealed(int, qint64 seq)
{
    m_delegate->setHighlightedSeq(seq);
    m_highlightTimer->start();
    viewport()->update();
}

void MessageView::updateActionBar(const QPoint &pos)
{
    const QModelIndex index = indexAt(pos);
    const bool delivered =
        index.isValid() &&
        index.data(MessageModel::StateRole).value<MessageModel::DeliveryState>() ==
            MessageModel::DeliveryState::Delivered &&
        !index.data(MessageModel::DeletedRole).toBool();
    if (!delivered) {
        if (!m_actionBar->underMouse())
            m_actionBar->hide();
        return;
    }
    const bool own = index.data(MessageModel::OwnRole).toBool();
    const qint64 seq = index.data(MessageModel::SeqRole).toLongLong();
    if (m_actionBar->isVisible() && m_actionBar->seq() == seq)
        return;
    m_actionBar->showFor(seq, own, own || m_canDeleteOthers);
    // At the row's top right, over the row's own upper edge, like Telegram and Element.
    const QRect rect = visualRect(index);
    const int x = viewport()->width() - m_actionBar->width() - 16;
    const int y = qMax(0, rect.top() - m_actionBar->height() / 3);
    m_actionBar->move(x, y);
}

void MessageView::leaveEvent(QEvent *event)
{
    QListView::leaveEvent(event);
    if (!m_actionBar->geometry().contains(viewport()->mapFromGlobal(QCursor::pos())))
        m_actionBar->hide();
}

void MessageView::onScrollToRowRequested(int row)
{
    m_jumpRow = row;
    m_anchorSeq = -1;
    auto scroll = [this] {
        if (m_jumpRow < 0 || m_jumpRow >= m_proxy->rowCount())
            return;
        executeDelayedItemsLayout();
        m_stickToBottom = false;
        if (m_source)
            m_source->setTrimmingPaused(true);
        scrollTo(m_proxy->index(m_jumpRow, 0), QAbstractItemView::PositionAtCenter);
        selectionModel()->setCurrentIndex(m_proxy->index(m_jumpRow, 0),
                                          QItemSelectionModel::NoUpdate);
    };
    scroll();
    // A reset that came with the jump lays out (and would scroll) once more; scroll after it.
    QTimer::singleShot(0, this, [this, scroll] {
        scroll();
        m_jumpRow = -1;
    });
}

void MessageView::rememberAnchor()
{
    if (m_anchorSeq >= 0 || !m_source)
        return; // the first position of a burst of changes is the one to keep
    const QModelIndex top = indexAt(QPoint(viewport()->width() / 2, 1));
    if (!top.isValid())
        return;
    const qint64 seq = top.data(MessageModel::SeqRole).toLongLong();
    if (seq <= 0)
        return;
    m_anchorSeq = seq;
    m_anchorTop = visualRect(top).top();
}

bool MessageView::restoreAnchor()
{
    if (m_anchorSeq < 0 || !m_source || m_restoringAnchor)
        return false;
    // The rows' positions must be those after the change (a range change can come before the
    // delayed layout has run).
    m_restoringAnchor = true;
    executeDelayedItemsLayout();
    m_restoringAnchor = false;
    if (m_anchorSeq < 0)
        return true;
    const int row = m_source->rowOfSeq(m_anchorSeq);
    if (row < 0) {
        m_anchorSeq = -1;
        return false;
    }
    const int delta = visualRect(m_proxy->index(row, 0)).top() - m_anchorTop;
    m_anchorSeq = -1;
    if (delta != 0)
        verticalScrollBar()->setValue(verticalScrollBar()->value() + delta);
    return true;
}

void MessageView::onModelReset()
{
    m_unseen = 0;
    // A jump resets the model to a window away from the newest: no sticking to the bottom then.
    m_stickToBottom = !m_source || m_source->isAtNewest();
    if (m_source)
        m_source->setTrimmingPaused(!m_stickToBottom);
    m_anchorSeq = -1;
    m_delegate->clearCache(); // another room: the cached heights belong to other messages
    m_delegate->setTextSelection({});
    m_selectingText = false;
    updateNewMessagesButton();
    scrollToBottom();
    // A short room may not fill the window: page older history in until it does.
    QTimer::singleShot(0, this, [this] {
        executeDelayedItemsLayout(); // the real height of the rows, not the empty view's
        if (verticalScrollBar()->maximum() == 0)
            loadOlder();
        if (m_stickToBottom)
            scrollToBottom();
    });
}

void MessageView::shiftTextSelection(int rows)
{
    // The selection is kept by row number; rows added or dropped above it move it.
    MessageDelegate::TextSelection selection = m_delegate->textSelection();
    if (m_textAnchor.first >= 0)
        m_textAnchor.first = qMax(0, m_textAnchor.first + rows);
    if (selection.isEmpty())
        return;
    selection.startRow += rows;
    selection.endRow += rows;
    if (selection.endRow < 0) {
        clearTextSelection();
        return;
    }
    if (selection.startRow < 0) {
        selection.startRow = 0;
        selection.startChar = 0;
    }
    m_delegate->setTextSelection(selection);
}

void MessageView::onRowsAboutToBeInserted(const QModelIndex &, int first, int last)
{
    if (first == 0)
        shiftTextSelection(last - first + 1);
    if (first == 0 && m_proxy->rowCount() > 0 && !m_stickToBottom)
        rememberAnchor();
}

void MessageView::onRowsInserted(const QModelIndex &, int first, int last)
{
    if (m_anchorSeq >= 0) {
        // Paged history: put the reader's message back where it was once the rows are laid out.
        QTimer::singleShot(0, this, &MessageView::restoreAnchor);
        return;
    }
    if (m_stickToBottom) {
        QTimer::singleShot(0, this, [this] {
            if (m_stickToBottom)
                scrollToBottom();
        });
        emit newestShown();
        return;
    }
    // Only messages from others count as news; our own pending rows do not.
    for (int row = first; row <= last; ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        if (index.data(MessageModel::StateRole).value<MessageModel::DeliveryState>() ==
                MessageModel::DeliveryState::Delivered &&
            index.data(MessageModel::SenderRole).toString() != m_delegate->currentUser())
            ++m_unseen;
    }
    updateNewMessagesButton();
}

void MessageView::onRangeChanged(int, int max)
{
    if (restoreAnchor())
        return;
    if (m_stickToBottom)
        verticalScrollBar()->setValue(max);
}

void MessageView::verticalScrollbarValueChanged(int value)
{
    m_actionBar->hide(); // its message moved away from under it
    // Deliberately not the base class: it would fetch on reaching the bottom.
    // The bottom of a window that does not hold the newest messages is not "the newest".
    const bool atBottom = isAtBottom() && (!m_source || m_source->isAtNewest());
    if (atBottom != m_stickToBottom) {
        m_stickToBottom = atBottom;
        if (m_source)
            m_source->setTrimmingPaused(!atBottom);
        if (atBottom) {
            m_unseen = 0;
            updateNewMessagesButton();
            emit newestShown();
        }
    }
    const QScrollBar *bar = verticalScrollBar();
    if (value <= bar->minimum() + 40 && bar->maximum() > 0)
        QTimer::singleShot(0, this, &MessageView::loadOlder);
    else if (value >= bar->maximum() - 40 && m_source && m_source->canFetchNewer())
        QTimer::singleShot(0, this, &MessageView::loadNewer);
}

void MessageView::paintEvent(QPaintEvent *event)
{
    QListView::paintEvent(event);
    if (m_source && !m_source->room().isEmpty() && m_proxy->rowCount() == 0) {
        QPainter painter(viewport());
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(viewport()->rect().adjusted(24, 24, -24, -24),
                         Qt::AlignCenter | Qt::TextWordWrap,
                         tr("No messages here yet. Say hello!"));
    }
}

void MessageView::wheelEvent(QWheelEvent *event)
{
    // Scrolling up where the bar cannot move (a short room, or already at the top after a failed
    // request) still asks for older messages.
    const QScrollBar *bar = verticalScrollBar();
    if (event->angleDelta().y() > 0 && (bar->maximum() == 0 || bar->value() == bar->minimum()))
        loadOlder();
    else if (event->angleDelta().y() < 0 && bar->value() == bar->maximum())
        loadNewer();
    QListView::wheelEvent(event);
}

void MessageView::retranslateUi()
{
    setAccessibleName(tr("Messages"));
    m_newMessagesButton->setAccessibleName(tr("Jump to new messages"));
    m_historyNotice->setAccessibleName(tr("Older messages"));
}

void MessageView::changeEvent(QEvent *event)
{
    QListView::changeEvent(event);
    if (event->type() != QEvent::LanguageChange)
        return;
    retranslateUi();
    // Texts painted from the model ("Sending…", the empty room's line) are drawn again in the
    // new language; the heights cached for the old texts no longer hold.
    updateNewMessagesButton();
    m_delegate->clearCache();
    scheduleDelayedItemsLayout();
    viewport()->update();
}

void MessageView::updateNewMessagesButton()
{
    if (m_unseen <= 0) {
        m_newMessagesButton->hide();
        return;
    }
    m_newMessagesButton->setText(tr("%n new message(s) ↓", nullptr, m_unseen));
    m_newMessagesButton->adjustSize();
    const QSize size = m_newMessagesButton->sizeHint();
    m_newMessagesButton->setGeometry((width() - size.width()) / 2, height() - size.height() - 12,
                                     size.width(), size.height());
    m_newMessagesButton->show();
    m_newMessagesButton->raise();
}

void MessageView::updateHistoryNotice()
{
    const QString error = m_source ? m_source->historyError() : QString();
    m_historyNotice->setText(error);
    if (error.isEmpty()) {
        m_historyNotice->hide();
        return;
    }
    const int noticeWidth = qMax(120, qMin(viewport()->width() - 24, 560));
    m_historyNotice->setGeometry((width() - noticeWidth) / 2, 8, noticeWidth,
                                 m_historyNotice->heightForWidth(noticeWidth));
    m_historyNotice->show();
    m_historyNotice->raise();
}

void MessageView::resizeEvent(QResizeEvent *event)
{
    const bool wasAtBottom = m_stickToBottom;
    QListView::resizeEvent(event);
    // Widths changed, so every wrapped height did too.
    m_delegate->clearCache();
    scheduleDelayedItemsLayout();
    if (wasAtBottom)
        QTimer::singleShot(0, this, &MessageView::scrollToBottom);
    updateNewMessagesButton();
    updateHistoryNotice();
}

QStyleOptionViewItem MessageView::optionForIndex(const QModelIndex &index) const
{
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    option.rect = visualRect(index);
    return option;
}

std::pair<int, int> MessageView::textPositionAt(const QPoint &pos) const
{
    QModelIndex index = indexAt(pos);
    if (!index.isValid()) {
        // Above the first or below the last row: the nearest end of the text.
        const int rows = m_proxy->rowCount();
        if (rows == 0)
            return {-1, 0};
        const bool above = pos.y() < visualRect(m_proxy->index(0, 0)).top();
        index = m_proxy->index(above ? 0 : rows - 1, 0);
        if (above)
            return {index.row(), 0};
        return {index.row(), int(MessageDelegate::displayText(index).size())};
    }
    const int cursor = m_delegate->cursorAt(optionForIndex(index), index, pos);
    if (cursor < 0)
        return {index.row(), 0};
    return {index.row(), cursor};
}

void MessageView::clearTextSelection()
{
    if (m_delegate->textSelection().isEmpty() && !m_selectingText)
        return;
    m_delegate->setTextSelection({});
    m_selectingText = false;
    viewport()->update();
}

void MessageView::mousePressEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    const QModelIndex index = indexAt(pos);
    clearTextSelection();
    if (event->button() == Qt::LeftButton && event->modifiers() == Qt::NoModifier &&
        index.isValid()) {
        const QStyleOptionViewItem option = optionForIndex(index);
        const MessageDelegate::Hit hit = m_delegate->hitAt(option, index, pos);
        if (hit.file.part != MessageFiles::Part::None) {
            event->accept(); // the release opens it; the row is not selected for a click
            return;
        }
        const bool onBody = hit.action == MessageDelegate::Action::None &&
                            m_delegate->cursorAt(option, index, pos) >= 0;
        if (onBody) {
            // Text selection starts here; the row still becomes the current one.
            m_selectingText = true;
            m_textAnchor = textPositionAt(pos);
            selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
            event->accept();
            return;
        }
    }
    QListView::mousePressEvent(event);
}

void MessageView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_selectingText && (event->buttons() & Qt::LeftButton)) {
        const auto focus = textPositionAt(event->position().toPoint());
        MessageDelegate::TextSelection selection;
        const bool forward =
            focus.first > m_textAnchor.first ||
            (focus.first == m_textAnchor.first && focus.second >= m_textAnchor.second);
        const auto &start = forward ? m_textAnchor : focus;
        const auto &end = forward ? focus : m_textAnchor;
        selection.startRow = start.first;
        selection.startChar = start.second;
        selection.endRow = end.first;
        selection.endChar = end.second;
        m_delegate->setTextSelection(selection);
        if (!selection.isEmpty())
            selectionModel()->clearSelection(); // text, not rows, is what will be copied
        viewport()->update();
        event->accept();
        return;
    }
    QListView::mouseMoveEvent(event);
    const QModelIndex index = indexAt(event->position().toPoint());
    const bool pointing =
        index.isValid() &&
        m_delegate->hitAt(optionForIndex(index), index, event->position().toPoint()).isActionable();
    if (!(event->buttons() & Qt::LeftButton))
        updateActionBar(event->position().toPoint());
    viewport()->setCursor(pointing ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void MessageView::mouseReleaseEvent(QMouseEvent *event)
{
    const bool wasSelectingText = m_selectingText;
    m_selectingText = false;
    if (wasSelectingText && !m_delegate->textSelection().isEmpty()) {
        // On X11 a selection also goes to the primary selection, for middle-click pasting.
        if (QApplication::clipboard()->supportsSelection())
            QApplication::clipboard()->setText(selectedText(), QClipboard::Selection);
        event->accept();
        return;
    }
    const QPoint pos = event->position().toPoint();
    const QModelIndex index = indexAt(pos);
    if (event->button() == Qt::LeftButton && index.isValid()) {
        const MessageDelegate::Hit hit = m_delegate->hitAt(optionForIndex(index), index, pos);
        const QString cid = index.data(MessageModel::CidRole).toString();
        switch (hit.action) {
        case MessageDelegate::Action::Retry:
            emit retryRequested(cid);
            event->accept();
            return;
        case MessageDelegate::Action::Discard:
            emit discardRequested(cid);
            event->accept();
            return;
        case MessageDelegate::Action::None:
            break;
        }
        const qint64 seq = index.data(MessageModel::SeqRole).toLongLong();
        if (hit.replyQuote) {
            revealMessage(index.data(MessageModel::ReplyToRole).toLongLong());
            event->accept();
            return;
        }
        const MessageFiles::Hit &file = hit.file;
        switch (file.part) {
        case MessageFiles::Part::Image:
            m_fileActions->showImage(file.file);
            event->accept();
            return;
        case MessageFiles::Part::Card:
        case MessageFiles::Part::Open:
            m_fileActions->openFile(file.file);
            event->accept();
            return;
        case MessageFiles::Part::Save:
            m_fileActions->saveFile(file.file);
            event->accept();
            return;
        case MessageFiles::Part::None:
            break;
        }
        if (!hit.reaction.isEmpty()) {
            emit reactionToggled(seq, hit.reaction);
            event->accept();
            return;
        }
        if (!hit.link.isEmpty()) {
            emit linkActivated(QUrl(hit.link));
            event->accept();
            return;
        }
    }
    QListView::mouseReleaseEvent(event);
}

void MessageView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    const QModelIndex index = indexAt(pos);
    if (event->button() == Qt::LeftButton && event->modifiers() == Qt::NoModifier &&
        index.isValid()) {
        const QStyleOptionViewItem option = optionForIndex(index);
        const int cursor = m_delegate->cursorAt(option, index, pos);
        const QString body = MessageDelegate::displayText(index);
        if (cursor >= 0 && cursor <= body.size() &&
            m_delegate->actionAt(option, index, pos) == MessageDelegate::Action::None) {
            const auto [from, to] = MessageDelegate::wordAt(body, cursor);
            if (to > from) {
                MessageDelegate::TextSelection selection;
                selection.startRow = selection.endRow = index.row();
                selection.startChar = from;
                selection.endChar = to;
                m_delegate->setTextSelection(selection);
                selectionModel()->clearSelection(); // the word, not the row, is what is copied
                m_textAnchor = {index.row(), from};
                // The release that follows keeps the word (and opens no link under it).
                m_selectingText = true;
                viewport()->update();
                event->accept();
                return;
            }
        }
    }
    QListView::mouseDoubleClickEvent(event);
}

QString MessageView::selectedText() const
{
    const MessageDelegate::TextSelection &text = m_delegate->textSelection();
    if (!text.isEmpty()) {
        QStringList parts;
        for (int row = text.startRow; row <= text.endRow && row < m_proxy->rowCount(); ++row) {
            // What was dragged over is what shows, without Markdown markers.
            const QString body = MessageDelegate::displayText(m_proxy->index(row, 0));
            const auto [from, to] = text.rangeIn(row, int(body.size()));
            parts.append(body.mid(from, to - from));
        }
        return parts.join(u'\n');
    }
    QModelIndexList rows = selectionModel() ? selectionModel()->selectedRows() : QModelIndexList{};
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList lines;
    for (const QModelIndex &index : rows)
        lines.append(rows.size() == 1 ? index.data(MessageModel::BodyRole).toString()
                                      : MessageDelegate::clipboardText(index));
    return lines.join(u'\n');
}

void MessageView::copySelection()
{
    const QString text = selectedText();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

void MessageView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copySelection();
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_End && event->modifiers() == Qt::NoModifier) {
        scrollToNewest();
        event->accept();
        return;
    }
    const int before = verticalScrollBar()->value();
    QListView::keyPressEvent(event);
    // Home, Page Up or Up at the very top: the bar did not move, so ask for older ones here.
    const bool upward = event->key() == Qt::Key_Home || event->key() == Qt::Key_PageUp ||
                        event->key() == Qt::Key_Up;
    if (upward && before == verticalScrollBar()->minimum() &&
        verticalScrollBar()->value() == before)
        loadOlder();
}

void MessageView::contextMenuEvent(QContextMenuEvent *event)
{
    // From the keyboard (Menu key, Shift+F10) the menu is for the current message.
    const bool fromKeyboard = event->reason() == QContextMenuEvent::Keyboard;
    const QModelIndex index = fromKeyboard ? currentIndex() : indexAt(event->pos());
    if (!index.isValid())
        return;
    const QPoint where = fromKeyboard ? visualRect(index).center() : event->pos();
    if (!selectionModel()->isSelected(index))
        selectionModel()->select(index, QItemSelectionModel::ClearAndSelect);
    QMenu menu(this);
    menu.setAccessibleName(tr("Message actions"));
    QAction *copy = menu.addAction(tr("&Copy"), this, &MessageView::copySelection);
    copy->setShortcut(QKeySequence::Copy);
    const QStyleOptionViewItem option = optionForIndex(index);
    const QString link = m_delegate->linkAt(option, index, where);
    if (!link.isEmpty()) {
        menu.addAction(tr("Copy &link address"), this,
                       [link] { QApplication::clipboard()->setText(link); });
        menu.addAction(tr("&Open link"), this, [this, link] { emit linkActivated(QUrl(link)); });
    }
    // The message's files: what a click on them does, for the keyboard and screen readers too.
    bool firstFile = true;
    for (const QVariant &entry : MessageFiles::filesOf(index)) {
        const QVariantMap file = entry.toMap();
        if (file.value(u"file"_s).toString().isEmpty())
            continue; // still being sent
        if (std::exchange(firstFile, false))
            menu.addSeparator();
        QString name = file.value(u"name"_s).toString();
        name.replace(u'&', u"&&"_s); // a name is no mnemonic
        if (MessageFiles::isInlineImage(file))
            menu.addAction(tr("View “%1”").arg(name), this,
                           [this, file] { m_fileActions->showImage(file); })
                ->setObjectName(u"viewFileMenuAction"_s);
        else
            menu.addAction(tr("Open “%1”").arg(name), this,
                           [this, file] { m_fileActions->openFile(file); })
                ->setObjectName(u"openFileMenuAction"_s);
        menu.addAction(tr("Save “%1” as…").arg(name), this,
                       [this, file] { m_fileActions->saveFile(file); })
            ->setObjectName(u"saveFileMenuAction"_s);
    }
    const auto state = index.data(MessageModel::StateRole).value<MessageModel::DeliveryState>();
    if (state == MessageModel::DeliveryState::Delivered &&
        !index.data(MessageModel::DeletedRole).toBool()) {
        // What the hover actions offer, for the keyboard and screen readers too.
        const qint64 seq = index.data(MessageModel::SeqRole).toLongLong();
        const bool own = index.data(MessageModel::OwnRole).toBool();
        menu.addSeparator();
        menu.addAction(tr("Re&ply"), this, [this, seq] { emit replyRequested(seq); })
            ->setObjectName(u"replyMenuAction"_s);
        menu.addAction(tr("Re&act…"), this, [this, seq] { emit reactRequested(seq, this); });
        if (own)
            menu.addAction(tr("&Edit"), this, [this, seq] { emit editRequested(seq); })
                ->setObjectName(u"editMenuAction"_s);
        if (own || m_canDeleteOthers)
            menu.addAction(tr("&Delete…"), this, [this, seq] { emit deleteRequested(seq); })
                ->setObjectName(u"deleteMenuAction"_s);
        menu.addAction(tr("Copy link to &message"), this,
                       [this, seq] { emit copyLinkRequested(seq); });
        if (const qint64 original = index.data(MessageModel::ReplyToRole).toLongLong();
            original > 0)
            menu.addAction(tr("Show the &original"), this,
                           [this, original] { revealMessage(original); });
    }
    if (state == MessageModel::DeliveryState::Pending &&
        index.data(MessageModel::UploadProgressRole).toDouble() >= 0) {
        const QString cid = index.data(MessageModel::CidRole).toString();
        menu.addSeparator();
        menu.addAction(tr("Cancel &upload"), this, [this, cid] { emit cancelUploadRequested(cid); })
            ->setObjectName(u"cancelUploadMenuAction"_s);
    }
    if (state == MessageModel::DeliveryState::Failed) {
        const QString cid = index.data(MessageModel::CidRole).toString();
        menu.addSeparator();
        menu.addAction(tr("&Retry sending"), this, [this, cid] { emit retryRequested(cid); });
        menu.addAction(tr("&Discard message"), this, [this, cid] { emit discardRequested(cid); });
    }
    menu.exec(fromKeyboard ? viewport()->mapToGlobal(where) : event->globalPos());
}

} // namespace conversa::ui
