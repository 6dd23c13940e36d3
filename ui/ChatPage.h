// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionState.h>

#include <QMetaObject>
#include <QPointer>
#include <QWidget>

class QDragEnterEvent;
class QDragMoveEvent;
class QDropEvent;
class QLabel;
class QMimeData;
class QLineEdit;
class QMenu;
class QListView;
class QSplitter;
class QTimer;
class QToolButton;

namespace conversa::core {
class Account;
class MemberListModel;
class MessageModel;
class Outbox;
class Room;
class RoomListModel;
class SessionManager;
class TypingUsers;
} // namespace conversa::core

namespace conversa::ui {

class AppSettings;
class Composer;
class ComposerAttachments;
class ComposerContextBar;
class MessageActions;
class ConnectionBanner;
class EmojiPicker;
class MembersPanel;
class MessageView;
class QuickSwitcher;
class RoomFilterModel;
class SearchPanel;
class SocialActions;

// Models assembled by hand (benchmarks): shown, but nothing can be sent or changed through them.
// Everything else gives the page an Account (setAccount).
struct ChatSources {
    core::SessionManager *session = nullptr;
    core::Outbox *outbox = nullptr;
    core::RoomListModel *rooms = nullptr;
    core::MessageModel *messages = nullptr;
    core::MemberListModel *members = nullptr;
    core::TypingUsers *typing = nullptr;
};

// The signed-in screen: rooms on the left (filter, unread badges), the open room in the middle
// (messages, who is typing, the composer) and its members on the right.
class ChatPage : public QWidget
{
    Q_OBJECT
public:
    explicit ChatPage(QWidget *parent = nullptr);

    // The account whose rooms the page shows and acts on; its Room objects do the work.
    void setAccount(core::Account *account);
    core::Account *account() const;
    // The open room (nullptr when none, or without an account).
    core::Room *room() const;
    // Shows hand-made models without an account (see ChatSources).
    void setSources(const ChatSources &sources);
    void setCurrentUser(const QString &user);
    // Where the room menu keeps each room's notification level, under `accountKey`
    // (Account::key()); without it the menu offers no such choice.
    void setNotificationSettings(AppSettings *settings, const QString &accountKey);
    QString currentUser() const { return m_user; }
    QString currentRoom() const { return m_room; }
    void setConnectionState(core::ConnectionState state);

    QSplitter *splitter() const { return m_splitter; }
    QListView *roomList() const { return m_roomList; }
    QLineEdit *roomFilter() const { return m_filter; }
    MessageView *messageView() const { return m_messages; }
    Composer *composer() const { return m_composer; }
    MembersPanel *membersPanel() const { return m_membersPanel; }
    QuickSwitcher *quickSwitcher() const { return m_switcher; }
    QLabel *typingLabel() const { return m_typingLabel; }
    ConnectionBanner *connectionBanner() const { return m_banner; }
    QToolButton *sendButton() const { return m_sendButton; }
    QToolButton *emojiButton() const { return m_emojiButton; }
    // The paperclip: chooses files to attach (attachFiles()).
    QToolButton *attachButton() const { return m_attachButton; }
    // The files chosen for the next message, above the composer.
    ComposerAttachments *composerAttachments() const { return m_attachments; }
    QToolButton *roomMenuButton() const { return m_roomMenuButton; }
    QMenu *roomMenu() const { return m_roomMenu; }
    QToolButton *searchButton() const { return m_searchButton; }
    SearchPanel *searchPanel() const { return m_searchPanel; }
    SocialActions *socialActions() const { return m_social; }
    QToolButton *newMessageButton() const { return m_newMessageButton; }
    EmojiPicker *emojiPicker() const { return m_emojiPicker; }
    // Why the last message could not be queued (hidden when it was).
    QLabel *sendErrorLabel() const { return m_sendErrorLabel; }
    // "Replying to …" / "Editing …" over the composer.
    ComposerContextBar *composerContextBar() const { return m_contextBar; }
    MessageActions *messageActions() const { return m_actions; }

public slots:
    void openRoom(const QString &room);
    // Alt+Up / Alt+Down: the room above or below in the (filtered) list, wrapping around.
    void selectAdjacentRoom(int delta);
    void showQuickSwitcher();
    // Ctrl+Shift+F: the search panel (in place of the members), its query field focused.
    void showSearch();
    void hideSearch();
    // Opens `room` and shows message `seq` there, loading history as needed (a search result).
    void revealMessage(const QString &room, qint64 seq);
    void createRoom();
    void joinRoom();
    // "New message…": a dm with someone picked or typed.
    void newMessage();
    void leaveRoom();
    void markCurrentRoomRead();
    void sendMessage(const QString &body);
    // Attaches files to the next message (what the paperclip's file dialog, a drop and a paste
    // of files do); those refused are named under the composer, with the reason.
    void attachFiles(const QStringList &paths);
    // A drop or paste: local files, or an image (saved as a PNG first).
    void attachFrom(const QMimeData *data);
    // The paperclip: a file dialog, then attachFiles().
    void chooseFilesToAttach();
    // Stops the upload of a message with files and forgets it (its menu's "Cancel upload").
    void cancelUpload(const QString &cid);
    void retryMessage(const QString &cid);
    void discardMessage(const QString &cid);

signals:
    void roomOpened(const QString &room);
    void linkActivated(const QUrl &url);

protected:
    void changeEvent(QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void retranslateUi();
    void setRoomModel(core::RoomListModel *rooms);
    void showTyping();
    QWidget *buildRoomColumn();
    QWidget *buildConversationColumn();
    void updateComposer();
    void updateSendButton();
    void updateIcons();
    void updateNotificationChoice();
    void showEmojiPicker();
    void updateRoomHeader();
    void reselectCurrentRoom();
    void scheduleMarkRead();
    void showSendError(const QString &text);
    void onMessageSaved(const QString &cid);
    void onMessageNotSaved(const QString &cid, const QString &body, const QString &message);
    void forgetSaving();

    QPointer<core::Account> m_account;
    SocialActions *m_social = nullptr;
    QToolButton *m_newMessageButton = nullptr;
    QPointer<core::Room> m_openRoom;
    ChatSources m_sources; // without an account
    QString m_user;
    QString m_room;
    core::ConnectionState m_state = core::ConnectionState::SignedOut;

    QSplitter *m_splitter = nullptr;
    // What the header and the search panel read: the filter only narrows the list on the left.
    QPointer<core::RoomListModel> m_rooms;
    RoomFilterModel *m_filtered = nullptr;
    QLineEdit *m_filter = nullptr;
    QListView *m_roomList = nullptr;
    QLabel *m_roomsHeading = nullptr;
    QToolButton *m_createButton = nullptr;
    QToolButton *m_joinButton = nullptr;
    QLabel *m_roomTitle = nullptr;
    QLabel *m_roomSubtitle = nullptr;
    QToolButton *m_roomMenuButton = nullptr;
    QMenu *m_roomMenu = nullptr;
    QToolButton *m_searchButton = nullptr;
    SearchPanel *m_searchPanel = nullptr;
    QAction *m_leaveAction = nullptr;
    QMenu *m_notificationsMenu = nullptr;
    QList<QAction *> m_notificationActions; // All, MentionsOnly, Mute
    QPointer<AppSettings> m_settings;
    QString m_accountKey;
    ConnectionBanner *m_banner = nullptr;
    MessageView *m_messages = nullptr;
    QLabel *m_emptyLabel = nullptr;
    QLabel *m_typingLabel = nullptr;
    QLabel *m_sendErrorLabel = nullptr;
    Composer *m_composer = nullptr;
    ComposerContextBar *m_contextBar = nullptr;
    MessageActions *m_actions = nullptr;
    QToolButton *m_emojiButton = nullptr;
    QToolButton *m_sendButton = nullptr;
    QToolButton *m_attachButton = nullptr;
    ComposerAttachments *m_attachments = nullptr;
    EmojiPicker *m_emojiPicker = nullptr;
    MembersPanel *m_membersPanel = nullptr;
    QuickSwitcher *m_switcher = nullptr;
    // Read markers are written to disk and sent to the server: once a second at most, not once
    // per incoming message.
    QTimer *m_markReadTimer = nullptr;
    QList<QMetaObject::Connection> m_roomConnections; // to the open Room
    // The message sent last, until the outbox has it on the disk: its text stays in the composer
    // until then, so a refused save loses nothing.
    struct SavingMessage {
        QPointer<core::Room> room;
        QString cid;
        QString body;
        bool withFiles = false;
        QList<QMetaObject::Connection> connections;
    };
    SavingMessage m_saving;
};

} // namespace conversa::ui
