// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <MessageModel.h>

#include <QListView>
#include <QPointer>

class QLabel;
class QTimer;
class QPushButton;
class QIdentityProxyModel;

namespace conversa::core {
class FileCache;
class ThumbnailCache;
} // namespace conversa::core

namespace conversa::ui {

class FileActions;
class MessageActionBar;
class MessageDelegate;

// The chat log: a QListView over core::MessageModel with one painting delegate. It keeps the
// newest message in sight while the reader is at the bottom, offers "N new messages" when they
// scrolled up, pages older history in when they reach the top and newer history when they reach
// the bottom of a window that does not hold the newest messages (keeping what they look at in
// place while rows come and go), scrolls to the row of a jump, opens links, and turns clicks on
// Retry/Discard into signals.
class MessageView : public QListView
{
    Q_OBJECT
public:
    explicit MessageView(QWidget *parent = nullptr);

    void setMessageModel(core::MessageModel *model);
    core::MessageModel *messageModel() const { return m_source; }
    MessageDelegate *messageDelegate() const { return m_delegate; }

    bool isAtBottom() const;
    // Says why older messages did not load (hidden while they do).
    QLabel *historyNotice() const { return m_historyNotice; }
    int unseenCount() const { return m_unseen; }
    // Messages of the selection as text, oldest first.
    QString selectedText() const;
    // The actions floating over the message under the pointer.
    MessageActionBar *actionBar() const { return m_actionBar; }
    // Where the files of messages come from: thumbnails for images, downloads for Open, Save as…
    // and the image viewer (none: placeholders, and a click says why nothing opens).
    void setFiles(core::FileCache *files, core::ThumbnailCache *thumbnails);
    FileActions *fileActions() const { return m_fileActions; }
    // The reader owns the room: delete is offered on everyone's messages.
    void setCanDeleteOthers(bool can) { m_canDeleteOthers = can; }

public slots:
    void scrollToNewest();
    void copySelection();
    // Asks the model for older messages if there are any.
    void loadOlder();
    // Asks the model for newer messages when its window does not reach the newest.
    void loadNewer();
    // Shows the message with this seq (paged in from the cache or the server first if needed).
    void jumpTo(qint64 seq);
    // Shows message `seq` to a reader who asked for it (a reply's original, a search result):
    // loaded as needed, scrolled into the middle and highlighted for a moment.
    void revealMessage(qint64 seq);

signals:
    void linkActivated(const QUrl &url);
    void retryRequested(const QString &cid);
    void discardRequested(const QString &cid);
    // "Cancel upload" on a message whose files are uploading.
    void cancelUploadRequested(const QString &cid);
    void replyRequested(qint64 seq);
    void editRequested(qint64 seq);
    void deleteRequested(qint64 seq);
    // The react button: a picker opens beside `anchor`.
    void reactRequested(qint64 seq, QWidget *anchor);
    // A click on a reaction chip: take ours back, or join it.
    void reactionToggled(qint64 seq, const QString &emoji);
    void copyLinkRequested(qint64 seq);
    // The newest message is (again) on screen: the room can be marked read.
    void newestShown();

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void verticalScrollbarValueChanged(int value) override;
    void paintEvent(QPaintEvent *event) override;

private:
    void onRowsAboutToBeInserted(const QModelIndex &parent, int first, int last);
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onModelReset();
    void onRangeChanged(int min, int max);
    void onScrollToRowRequested(int row);
    void onMessageRevealed(int row, qint64 seq);
    // Floats the action bar over the delivered message at `pos` (hides it elsewhere).
    void updateActionBar(const QPoint &pos);
    // Paging adds and drops rows above and below the reader: the message at the top of the
    // viewport is remembered before, and put back at the same height after the layout.
    void rememberAnchor();
    bool restoreAnchor();
    void updateNewMessagesButton();
    void retranslateUi();
    void updateHistoryNotice();
    QStyleOptionViewItem optionForIndex(const QModelIndex &index) const;
    // Where a drag is in the text: the row under `pos` (or the nearest) and the character.
    std::pair<int, int> textPositionAt(const QPoint &pos) const;
    void clearTextSelection();
    void shiftTextSelection(int rows);

    QPointer<core::MessageModel> m_source;
    QIdentityProxyModel *m_proxy = nullptr;
    MessageDelegate *m_delegate = nullptr;
    QPushButton *m_newMessagesButton = nullptr;
    QLabel *m_historyNotice = nullptr;
    int m_unseen = 0;
    bool m_stickToBottom = true;
    qint64 m_anchorSeq = -1; // -1: no anchor to restore
    int m_anchorTop = 0;
    bool m_restoringAnchor = false;
    int m_jumpRow = -1; // a row to bring into sight once the layout is done
    bool m_loadingOlder = false;
    // A press on a message body starts selecting text instead of rows.
    bool m_selectingText = false;
    MessageActionBar *m_actionBar = nullptr;
    FileActions *m_fileActions = nullptr;
    QMetaObject::Connection m_thumbnailsConnection;
    bool m_canDeleteOthers = false;
    QTimer *m_highlightTimer = nullptr;
    std::pair<int, int> m_textAnchor{-1, 0};
};

} // namespace conversa::ui
