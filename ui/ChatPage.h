// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ConnectionState.h>

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;
class QSplitter;
class QTimer;
class QToolButton;

namespace conversa::core {
class MemberListModel;
class MessageModel;
class Outbox;
class RoomListModel;
class SessionManager;
class TypingUsers;
} // namespace conversa::core

namespace conversa::ui {

class Composer;
class MembersPanel;
class MessageView;
class QuickSwitcher;
class RoomFilterModel;

// What the chat screen shows and acts on. The session is used for requests only (send, typing,
// read markers, create/join/leave); everything shown comes from the models.
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

    void setSources(const ChatSources &sources);
    void setCurrentUser(const QString &user);
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
    // Why the last message could not be queued (hidden when it was).
    QLabel *sendErrorLabel() const { return m_sendErrorLabel; }

public slots:
    void openRoom(const QString &room);
    // Alt+Up / Alt+Down: the room above or below in the (filtered) list, wrapping around.
    void selectAdjacentRoom(int delta);
    void showQuickSwitcher();
    void createRoom();
    void joinRoom();
    void leaveRoom();
    void markCurrentRoomRead();
    void sendMessage(const QString &body);
    void retryMessage(const QString &cid);
    void discardMessage(const QString &cid);

signals:
    void roomOpened(const QString &room);
    void linkActivated(const QUrl &url);

private:
    QWidget *buildRoomColumn();
    QWidget *buildConversationColumn();
    void updateComposer();
    void updateRoomHeader();
    void reselectCurrentRoom();
    void showRequestError(const QString &action, const QString &code, const QString &message);
    void scheduleMarkRead();
    void showSendError(const QString &text);

    ChatSources m_sources;
    QString m_user;
    QString m_room;
    core::ConnectionState m_state = core::ConnectionState::SignedOut;

    QSplitter *m_splitter = nullptr;
    RoomFilterModel *m_filtered = nullptr;
    QLineEdit *m_filter = nullptr;
    QListView *m_roomList = nullptr;
    QToolButton *m_createButton = nullptr;
    QToolButton *m_joinButton = nullptr;
    QLabel *m_roomTitle = nullptr;
    QLabel *m_roomSubtitle = nullptr;
    QToolButton *m_leaveButton = nullptr;
    MessageView *m_messages = nullptr;
    QLabel *m_emptyLabel = nullptr;
    QLabel *m_typingLabel = nullptr;
    QLabel *m_sendErrorLabel = nullptr;
    Composer *m_composer = nullptr;
    MembersPanel *m_membersPanel = nullptr;
    QuickSwitcher *m_switcher = nullptr;
    // Read markers are written to disk and sent to the server: once a second at most, not once
    // per incoming message.
    QTimer *m_markReadTimer = nullptr;
};

} // namespace conversa::ui
