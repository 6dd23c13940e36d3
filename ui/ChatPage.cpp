// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ChatPage.h"

#include "AppSettings.h"
#include "Composer.h"
#include "ComposerAttachments.h"
#include "ComposerContextBar.h"
#include "ConnectionBanner.h"
#include "EmojiPicker.h"
#include "MembersPanel.h"
#include "MessageActions.h"
#include "MessageDelegate.h"
#include "MessageView.h"
#include "QuickSwitcher.h"
#include "RoomFilterModel.h"
#include "RoomListDelegate.h"
#include "SearchPanel.h"
#include "SocialActions.h"
#include "Theme.h"

#include <Account.h>
#include <MemberListModel.h>
#include <MessageModel.h>
#include <Outbox.h>
#include <Room.h>
#include <RoomListModel.h>
#include <TypingUsers.h>

#include <QActionGroup>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using conversa::core::ConnectionState;
using conversa::core::RoomOperationResult;

namespace conversa::ui {

ChatPage::ChatPage(QWidget *parent)
    : QWidget(parent)
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_filtered(new RoomFilterModel(this))
{
    setObjectName(u"chatPage"_s);
    m_social = new SocialActions(this);
    connect(m_social, &SocialActions::openRoomRequested, this, [this](const QString &room) {
        m_room.clear();
        openRoom(room);
    });
    m_markReadTimer = new QTimer(this);
    m_markReadTimer->setSingleShot(true);
    m_markReadTimer->setInterval(1000);
    connect(m_markReadTimer, &QTimer::timeout, this, &ChatPage::markCurrentRoomRead);
    m_splitter->setObjectName(u"chatSplitter"_s);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(buildRoomColumn());
    m_splitter->addWidget(buildConversationColumn());
    m_membersPanel = new MembersPanel(this);
    m_membersPanel->setMinimumWidth(170);
    connect(m_membersPanel, &MembersPanel::messageRequested, m_social, &SocialActions::messageUser);
    m_splitter->addWidget(m_membersPanel);
    m_searchPanel = new SearchPanel(this);
    m_searchPanel->setMinimumWidth(260);
    m_searchPanel->hide();
    m_splitter->addWidget(m_searchPanel);
    connect(m_searchPanel, &SearchPanel::closeRequested, this, &ChatPage::hideSearch);
    connect(m_searchPanel, &SearchPanel::resultActivated, this, &ChatPage::revealMessage);
    m_searchPanel->setRoomLabel([this](const QString &room) {
        const QModelIndex entry = m_rooms ? m_rooms->indexOfRoom(room) : QModelIndex();
        return entry.data(core::RoomListModel::IsDirectRole).toBool()
                   ? entry.data(Qt::DisplayRole).toString()
                   : QString();
    });
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setStretchFactor(3, 0);
    m_splitter->setSizes({260, 760, 210});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
    retranslateUi();
}

void ChatPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    else if (event->type() == QEvent::PaletteChange)
        updateIcons();
}

void ChatPage::updateIcons()
{
    // Drawn in the palette's colours: redrawn when the theme changes.
    m_createButton->setIcon(Theme::icon(u"add"_s));
    m_newMessageButton->setIcon(Theme::icon(u"compose"_s));
    m_joinButton->setIcon(Theme::icon(u"join"_s));
    m_roomMenuButton->setIcon(Theme::icon(u"more"_s));
    m_searchButton->setIcon(Theme::icon(u"search"_s));
    m_emojiButton->setIcon(Theme::icon(u"emoji"_s));
    m_attachButton->setIcon(Theme::icon(u"attach"_s));
    m_sendButton->setIcon(Theme::icon(u"send"_s, Theme::accent()));
}

void ChatPage::retranslateUi()
{
    m_roomsHeading->setText(tr("Rooms"));
    m_createButton->setText(tr("Create room"));
    m_createButton->setToolTip(tr("Create a room (Ctrl+N)"));
    m_createButton->setAccessibleName(tr("Create room"));
    m_joinButton->setText(tr("Find rooms"));
    m_joinButton->setToolTip(tr("Find and join public rooms (Ctrl+J)"));
    m_joinButton->setAccessibleName(tr("Find rooms"));
    m_newMessageButton->setText(tr("New message"));
    m_newMessageButton->setToolTip(tr("Write to someone directly (Ctrl+Shift+N)"));
    m_newMessageButton->setAccessibleName(tr("New message"));
    m_social->retranslate();
    m_filter->setPlaceholderText(tr("Filter rooms"));
    m_filter->setAccessibleName(tr("Filter rooms"));
    m_roomList->setAccessibleName(tr("Rooms"));
    m_roomMenuButton->setText(tr("Room menu"));
    m_roomMenuButton->setToolTip(tr("Room menu"));
    m_roomMenuButton->setAccessibleName(tr("Room menu"));
    m_searchButton->setText(tr("Search messages"));
    m_searchButton->setToolTip(tr("Search messages (Ctrl+Shift+F)"));
    m_searchButton->setAccessibleName(tr("Search messages"));
    m_leaveAction->setText(tr("Leave room…"));
    m_notificationsMenu->setTitle(tr("Notifications"));
    m_notificationActions.at(0)->setText(tr("All messages"));
    m_notificationActions.at(1)->setText(tr("Mentions only"));
    m_notificationActions.at(2)->setText(tr("Mute"));
    m_attachButton->setText(tr("Attach files"));
    m_attachButton->setToolTip(tr("Attach files (or drop them here, or paste an image)"));
    m_attachButton->setAccessibleName(tr("Attach files"));
    m_emojiButton->setText(tr("Emoji"));
    m_emojiButton->setToolTip(tr("Insert an emoji"));
    m_emojiButton->setAccessibleName(tr("Insert emoji"));
    m_sendButton->setText(tr("Send"));
    m_sendButton->setToolTip(tr("Send (Enter)"));
    m_sendButton->setAccessibleName(tr("Send message"));
    m_typingLabel->setAccessibleName(tr("Who is typing"));
    m_sendErrorLabel->setAccessibleName(tr("Why the message was not sent"));
    updateComposer();
    updateRoomHeader();
    showTyping();
}

QWidget *ChatPage::buildRoomColumn()
{
    auto *column = new QWidget(this);
    column->setObjectName(u"roomColumn"_s);
    column->setMinimumWidth(200);
    column->setAutoFillBackground(true);

    auto *heading = new QLabel(column);
    heading->setObjectName(u"roomsHeading"_s);
    QFont headingFont = heading->font();
    headingFont.setBold(true);
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.1);
    heading->setFont(headingFont);
    m_roomsHeading = heading;

    m_createButton = new QToolButton(column);
    m_createButton->setObjectName(u"createRoomButton"_s);
    m_createButton->setAutoRaise(true);
    m_joinButton = new QToolButton(column);
    m_joinButton->setObjectName(u"joinRoomButton"_s);
    m_joinButton->setAutoRaise(true);
    m_newMessageButton = new QToolButton(column);
    m_newMessageButton->setObjectName(u"newMessageButton"_s);
    m_newMessageButton->setAutoRaise(true);
    connect(m_newMessageButton, &QToolButton::clicked, this, &ChatPage::newMessage);
    for (QToolButton *button : {m_createButton, m_joinButton, m_newMessageButton}) {
        button->setToolButtonStyle(Qt::ToolButtonIconOnly);
        button->setIconSize(QSize(20, 20));
    }
    connect(m_createButton, &QToolButton::clicked, this, &ChatPage::createRoom);
    connect(m_joinButton, &QToolButton::clicked, this, &ChatPage::joinRoom);

    m_filter = new QLineEdit(column);
    m_filter->setObjectName(u"roomFilter"_s);
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filtered->setFilterText(text);
        reselectCurrentRoom();
    });

    m_roomList = new QListView(column);
    m_roomList->setObjectName(u"roomList"_s);
    m_roomList->setModel(m_filtered);
    m_roomList->setItemDelegate(new RoomListDelegate(m_roomList));
    m_roomList->setFrameShape(QFrame::NoFrame);
    m_roomList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_roomList->setMouseTracking(true);
    m_roomList->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_roomList->setBackgroundRole(QPalette::Window);
    connect(m_roomList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    openRoom(current.data(core::RoomListModel::NameRole).toString());
            });
    connect(m_filtered, &QAbstractItemModel::modelReset, this, &ChatPage::reselectCurrentRoom);
    connect(m_filtered, &QAbstractItemModel::layoutChanged, this, &ChatPage::reselectCurrentRoom);

    auto *header = new QHBoxLayout;
    header->addWidget(heading, 1);
    header->addWidget(m_newMessageButton);
    header->addWidget(m_joinButton);
    header->addWidget(m_createButton);

    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(8, 8, 4, 0);
    layout->setSpacing(6);
    layout->addLayout(header);
    layout->addWidget(m_filter);
    layout->addWidget(m_roomList, 1);
    return column;
}

QWidget *ChatPage::buildConversationColumn()
{
    auto *column = new QWidget(this);
    column->setObjectName(u"conversationColumn"_s);

    m_roomTitle = new QLabel(column);
    m_roomTitle->setObjectName(u"roomTitle"_s);
    QFont titleFont = m_roomTitle->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    m_roomTitle->setFont(titleFont);
    m_roomSubtitle = new QLabel(column);
    m_roomSubtitle->setObjectName(u"roomSubtitle"_s);
    m_roomSubtitle->setForegroundRole(QPalette::PlaceholderText);
    m_roomMenuButton = new QToolButton(column);
    m_roomMenuButton->setObjectName(u"roomMenuButton"_s);
    m_roomMenuButton->setAutoRaise(true);
    m_roomMenuButton->setToolButtonStyle(Qt::ToolButtonIconOnly);
    m_roomMenuButton->setIconSize(QSize(20, 20));
    m_roomMenuButton->setPopupMode(QToolButton::InstantPopup);
    // The "more" icon says there is a menu; Fusion's extra arrow would only crowd it.
    m_roomMenuButton->setStyleSheet(u"QToolButton::menu-indicator { image: none; }"_s);
    m_roomMenu = new QMenu(m_roomMenuButton);
    m_roomMenu->setObjectName(u"roomMenu"_s);
    m_notificationsMenu = m_roomMenu->addMenu(QString());
    m_notificationsMenu->setObjectName(u"notificationsMenu"_s);
    auto *levels = new QActionGroup(m_notificationsMenu);
    for (const auto level :
         {AppSettings::RoomNotifications::All, AppSettings::RoomNotifications::MentionsOnly,
          AppSettings::RoomNotifications::Mute}) {
        QAction *action = m_notificationsMenu->addAction(QString());
        action->setCheckable(true);
        action->setActionGroup(levels);
        connect(action, &QAction::triggered, this, [this, level] {
            if (m_settings && !m_room.isEmpty())
                m_settings->setRoomNotifications(m_accountKey, m_room, level);
            updateNotificationChoice();
        });
        m_notificationActions.append(action);
    }
    m_notificationActions.at(0)->setObjectName(u"notifyAllAction"_s);
    m_notificationActions.at(1)->setObjectName(u"notifyMentionsAction"_s);
    m_notificationActions.at(2)->setObjectName(u"notifyMuteAction"_s);
    connect(m_roomMenu, &QMenu::aboutToShow, this, &ChatPage::updateNotificationChoice);
    m_roomMenu->addSeparator();
    m_social->addRoomMenuActions(m_roomMenu);
    m_roomMenu->addSeparator();
    m_leaveAction = m_roomMenu->addAction(QString(), this, &ChatPage::leaveRoom);
    m_leaveAction->setObjectName(u"leaveRoomAction"_s);
    m_roomMenuButton->setMenu(m_roomMenu);

    m_searchButton = new QToolButton(column);
    m_searchButton->setObjectName(u"searchButton"_s);
    m_searchButton->setAutoRaise(true);
    m_searchButton->setCheckable(true);
    m_searchButton->setToolButtonStyle(Qt::ToolButtonIconOnly);
    m_searchButton->setIconSize(QSize(20, 20));
    connect(m_searchButton, &QToolButton::clicked, this, [this] {
        if (m_searchPanel->isVisible())
            hideSearch();
        else
            showSearch();
    });

    auto *headerBar = new QWidget(column);
    headerBar->setObjectName(u"roomHeader"_s);
    auto *headerLayout = new QHBoxLayout(headerBar);
    headerLayout->setContentsMargins(16, 8, 12, 8);
    auto *titles = new QVBoxLayout;
    titles->setSpacing(0);
    titles->addWidget(m_roomTitle);
    titles->addWidget(m_roomSubtitle);
    headerLayout->addLayout(titles, 1);
    headerLayout->addWidget(m_searchButton);
    headerLayout->addWidget(m_roomMenuButton);

    m_banner = new ConnectionBanner(column);

    m_messages = new MessageView(column);
    connect(m_messages, &MessageView::newestShown, this, &ChatPage::scheduleMarkRead);
    connect(m_messages, &MessageView::retryRequested, this, &ChatPage::retryMessage);
    connect(m_messages, &MessageView::discardRequested, this, &ChatPage::discardMessage);
    connect(m_messages, &MessageView::cancelUploadRequested, this, &ChatPage::cancelUpload);
    connect(m_messages, &MessageView::linkActivated, this, &ChatPage::linkActivated);

    m_emptyLabel = new QLabel(column);
    m_emptyLabel->setObjectName(u"emptyRoomHint"_s);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setForegroundRole(QPalette::PlaceholderText);
    m_emptyLabel->setWordWrap(true);

    m_typingLabel = new QLabel(column);
    m_typingLabel->setObjectName(u"typingLabel"_s);
    m_typingLabel->setForegroundRole(QPalette::PlaceholderText);
    m_typingLabel->setContentsMargins(16, 0, 16, 0);
    QFont typingFont = m_typingLabel->font();
    typingFont.setItalic(true);
    m_typingLabel->setFont(typingFont);
    m_typingLabel->setMinimumHeight(m_typingLabel->fontMetrics().height());

    m_sendErrorLabel = new QLabel(column);
    m_sendErrorLabel->setObjectName(u"sendErrorLabel"_s);
    QPalette errorPalette = m_sendErrorLabel->palette();
    errorPalette.setColor(QPalette::WindowText, Theme::failureText());
    m_sendErrorLabel->setPalette(errorPalette);
    m_sendErrorLabel->setWordWrap(true);
    m_sendErrorLabel->setContentsMargins(16, 0, 16, 0);
    m_sendErrorLabel->hide();

    m_composer = new Composer(column);
    connect(m_composer, &Composer::sendRequested, this, &ChatPage::sendMessage);
    m_contextBar = new ComposerContextBar(column);
    m_actions = new MessageActions(
        m_messages, m_composer, m_contextBar, [this] { return m_openRoom.data(); }, this);
    connect(m_actions, &MessageActions::problem, this, &ChatPage::showSendError);
    m_attachments = new ComposerAttachments([this] { return m_openRoom.data(); }, column);
    connect(m_attachments, &ComposerAttachments::changed, this, [this] {
        m_composer->setHasAttachments(!m_attachments->isEmpty());
        updateSendButton();
    });
    connect(m_composer, &Composer::attachmentsOffered, this, &ChatPage::attachFrom);
    m_attachButton = new QToolButton(column);
    m_attachButton->setObjectName(u"attachButton"_s);
    connect(m_attachButton, &QToolButton::clicked, this, &ChatPage::chooseFilesToAttach);
    m_emojiButton = new QToolButton(column);
    m_emojiButton->setObjectName(u"emojiButton"_s);
    m_sendButton = new QToolButton(column);
    m_sendButton->setObjectName(u"sendButton"_s);
    for (QToolButton *button : {m_attachButton, m_emojiButton, m_sendButton}) {
        button->setAutoRaise(true);
        button->setToolButtonStyle(Qt::ToolButtonIconOnly);
        button->setIconSize(QSize(24, 24));
    }
    connect(m_sendButton, &QToolButton::clicked, m_composer, &Composer::requestSend);
    connect(m_emojiButton, &QToolButton::clicked, this, &ChatPage::showEmojiPicker);
    connect(m_composer, &QPlainTextEdit::textChanged, this, &ChatPage::updateSendButton);
    connect(m_composer, &Composer::typing, this, [this] {
        if (m_openRoom)
            m_openRoom->noteTyping();
    });

    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 8);
    layout->setSpacing(4);
    layout->addWidget(headerBar);
    layout->addWidget(m_banner);
    layout->addWidget(m_messages, 1);
    layout->addWidget(m_emptyLabel, 1);
    layout->addWidget(m_typingLabel);
    layout->addWidget(m_sendErrorLabel);
    layout->addWidget(m_contextBar);
    layout->addWidget(m_attachments);
    auto *composerRow = new QHBoxLayout;
    composerRow->setContentsMargins(12, 0, 12, 0);
    composerRow->setSpacing(4);
    composerRow->addWidget(m_attachButton, 0, Qt::AlignBottom);
    composerRow->addWidget(m_emojiButton, 0, Qt::AlignBottom);
    composerRow->addWidget(m_composer);
    composerRow->addWidget(m_sendButton, 0, Qt::AlignBottom);
    layout->addLayout(composerRow);
    updateIcons();
    return column;
}

void ChatPage::showEmojiPicker()
{
    if (!m_emojiPicker) {
        m_emojiPicker = new EmojiPicker(this);
        connect(m_emojiPicker, &EmojiPicker::emojiChosen, this, [this](const QString &emoji) {
            // At the cursor, replacing a selection, as typed text would.
            m_composer->insertPlainText(emoji);
            m_composer->setFocus();
        });
    }
    m_emojiPicker->popup(m_emojiButton);
}

void ChatPage::setRoomModel(core::RoomListModel *rooms)
{
    if (m_rooms)
        m_rooms->disconnect(this);
    m_rooms = rooms;
    m_filtered->setSourceModel(rooms);
    if (m_switcher)
        m_switcher->deleteLater();
    m_switcher = new QuickSwitcher(rooms, this);
    connect(m_switcher, &QuickSwitcher::roomChosen, this, &ChatPage::openRoom);
    if (!rooms)
        return;
    connect(rooms, &QAbstractItemModel::modelReset, this, [this, rooms] {
        // A room we had open may have been left on another device.
        if (!m_room.isEmpty() && rooms->rowOfRoom(m_room) < 0)
            openRoom({});
        // Nothing open yet (first sign-in): open the first room rather than a blank page.
        if (m_room.isEmpty() && rooms->rowCount() > 0 && isVisible())
            openRoom(rooms->roomAt(0));
        updateRoomHeader();
    });
    // A rename, or a dm peer coming online, shows in the open room's header (also while a filter
    // hides the room from the list).
    connect(rooms, &QAbstractItemModel::dataChanged, this, &ChatPage::updateRoomHeader);
}

core::Account *ChatPage::account() const
{
    return m_account;
}

core::Room *ChatPage::room() const
{
    return m_openRoom;
}

void ChatPage::setAccount(core::Account *account)
{
    openRoom({});
    if (m_account)
        m_account->members()->disconnect(this);
    if (m_sources.typing)
        m_sources.typing->disconnect(this);
    if (m_sources.members)
        m_sources.members->disconnect(this);
    m_sources = {};
    m_account = account;
    m_searchPanel->setSession(account ? account->session() : nullptr);
    m_social->setAccount(account);
    setRoomModel(account ? account->rooms() : nullptr);
    m_messages->setMessageModel(nullptr);
    m_membersPanel->setModels(account ? account->members() : nullptr, nullptr);
    m_composer->setMentionCompletion(account ? account->members() : nullptr,
                                     core::MemberListModel::UserRole);
    if (account) {
        connect(account->members(), &QAbstractItemModel::modelReset, this,
                &ChatPage::updateRoomHeader);
        connect(account->members(), &QAbstractItemModel::layoutChanged, this,
                &ChatPage::updateRoomHeader);
    }
    updateComposer();
    updateRoomHeader();
}

void ChatPage::setSources(const ChatSources &sources)
{
    setAccount(nullptr);
    m_sources = sources;
    setRoomModel(sources.rooms);
    m_messages->setMessageModel(sources.messages);
    m_membersPanel->setModels(sources.members, sources.typing);
    m_composer->setMentionCompletion(sources.members, core::MemberListModel::UserRole);
    if (sources.typing)
        connect(sources.typing, &core::TypingUsers::changed, this, &ChatPage::showTyping);
    if (sources.members) {
        connect(sources.members, &QAbstractItemModel::modelReset, this,
                &ChatPage::updateRoomHeader);
        connect(sources.members, &QAbstractItemModel::layoutChanged, this,
                &ChatPage::updateRoomHeader);
    }
    updateComposer();
    updateRoomHeader();
}

void ChatPage::showTyping()
{
    if (m_openRoom)
        m_typingLabel->setText(m_openRoom->typingText());
    else if (m_sources.typing && !m_room.isEmpty())
        m_typingLabel->setText(m_sources.typing->displayText());
    else
        m_typingLabel->clear();
}

void ChatPage::setCurrentUser(const QString &user)
{
    m_user = user;
    m_social->setCurrentUser(user);
    m_messages->messageDelegate()->setCurrentUser(user);
    m_messages->messageDelegate()->clearCache();
    m_membersPanel->setCurrentUser(user);
}

void ChatPage::setNotificationSettings(AppSettings *settings, const QString &accountKey)
{
    m_settings = settings;
    m_accountKey = accountKey;
    updateNotificationChoice();
}

void ChatPage::updateNotificationChoice()
{
    m_notificationsMenu->menuAction()->setVisible(m_settings != nullptr);
    if (!m_settings || m_room.isEmpty())
        return;
    const auto level = m_settings->roomNotifications(m_accountKey, m_room);
    m_notificationActions.at(int(level))->setChecked(true);
}

void ChatPage::setConnectionState(ConnectionState state)
{
    m_state = state;
    updateComposer();
}

void ChatPage::openRoom(const QString &room)
{
    if (room == m_room)
        return;
    // Files chosen for one room never go to another by surprise.
    m_attachments->clear();
    for (const QMetaObject::Connection &connection : std::as_const(m_roomConnections))
        disconnect(connection);
    m_roomConnections.clear();
    m_room = room;
    m_social->setCurrentRoom(room);
    if (m_account) {
        const QPointer<core::Room> previous = m_openRoom;
        m_openRoom = room.isEmpty() ? nullptr : m_account->room(room);
        m_messages->setMessageModel(m_openRoom ? m_openRoom->messages() : nullptr);
        m_messages->setFiles(m_account->files(), m_account->thumbnails());
        // Only the open room keeps its rows in memory; reopening pages them in from the cache.
        if (previous && previous != m_openRoom)
            previous->releaseMessages();
        m_account->members()->setRoom(m_openRoom ? room : QString());
        m_membersPanel->setTyping(m_openRoom ? m_openRoom->typing() : nullptr);
        if (m_openRoom) {
            m_roomConnections.append(
                connect(m_openRoom, &core::Room::typingChanged, this, &ChatPage::showTyping));
            m_roomConnections.append(connect(m_openRoom, &QObject::destroyed, this, [this] {
                m_messages->setMessageModel(nullptr);
                openRoom({});
            }));
        }
    } else {
        if (m_sources.messages)
            m_sources.messages->setRoom(room);
        if (m_sources.members)
            m_sources.members->setRoom(room);
        if (m_sources.typing)
            m_sources.typing->setRoom(room);
    }
    m_searchPanel->setCurrentRoom(room);
    showTyping();
    showSendError({});
    if (m_contextBar->mode() == ComposerContextBar::Mode::Edit)
        m_composer->clear();
    m_contextBar->clear(); // a reply or edit belongs to the room it started in
    m_messages->setCanDeleteOthers(m_openRoom && !m_user.isEmpty() &&
                                   m_openRoom->owner() == m_user);
    if (m_openRoom) {
        m_roomConnections.append(
            connect(m_openRoom, &core::Room::changeRefused, this,
                    [this](const QString &kind, qint64, const QString &reason) {
                        showSendError(kind == u"edit"_s ? tr("The edit was refused: %1").arg(reason)
                                      : kind == u"delete"_s
                                          ? tr("The deletion was refused: %1").arg(reason)
                                          : tr("The reaction was refused: %1").arg(reason));
                    }));
    }
    updateNotificationChoice();
    reselectCurrentRoom();
    updateRoomHeader();
    updateComposer();
    if (!room.isEmpty()) {
        m_messages->scrollToNewest();
        m_composer->setFocus();
        // Opening a room reads it: no need to wait for the throttle.
        QTimer::singleShot(0, this, &ChatPage::markCurrentRoomRead);
    }
    emit roomOpened(room);
}

void ChatPage::reselectCurrentRoom()
{
    const int row = m_filtered->rowOfRoom(m_room);
    QItemSelectionModel *selection = m_roomList->selectionModel();
    const QSignalBlocker blocker(selection);
    if (row < 0) {
        selection->clear();
    } else {
        const QModelIndex index = m_filtered->index(row, 0);
        selection->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
    }
    m_roomList->viewport()->update();
}

void ChatPage::selectAdjacentRoom(int delta)
{
    const int count = m_filtered->rowCount();
    if (count == 0)
        return;
    int row = m_filtered->rowOfRoom(m_room);
    row = row < 0 ? (delta > 0 ? 0 : count - 1) : (row + delta + count) % count;
    openRoom(m_filtered->roomAt(row));
}

void ChatPage::showSearch()
{
    m_membersPanel->hide();
    m_searchPanel->activate();
    m_searchButton->setChecked(true);
}

void ChatPage::hideSearch()
{
    m_searchPanel->hide();
    m_searchButton->setChecked(false);
    m_membersPanel->show();
    if (!m_room.isEmpty())
        m_composer->setFocus();
}

void ChatPage::revealMessage(const QString &room, qint64 seq)
{
    if (!m_account || room.isEmpty())
        return;
    openRoom(room);
    if (m_openRoom && m_room == room)
        m_openRoom->revealMessage(seq);
}

void ChatPage::showQuickSwitcher()
{
    if (m_switcher)
        m_switcher->popup();
}

void ChatPage::updateRoomHeader()
{
    const bool hasRoom = !m_room.isEmpty();
    m_messages->setVisible(hasRoom);
    m_emptyLabel->setVisible(!hasRoom);
    m_roomMenuButton->setVisible(hasRoom);
    if (!hasRoom) {
        const bool noRooms = !m_rooms || m_rooms->rowCount() == 0;
        m_emptyLabel->setText(noRooms
                                  ? tr("You are not in any room yet.\nJoin one with Ctrl+J "
                                       "(for example “general”) or create one with Ctrl+N.")
                                  : tr("Choose a room on the left, or create one with Ctrl+N."));
        m_roomTitle->setText(tr("No room open"));
        m_roomSubtitle->clear();
        return;
    }
    const QModelIndex entry = m_rooms ? m_rooms->indexOfRoom(m_room) : QModelIndex();
    const QString title = entry.isValid() ? entry.data(Qt::DisplayRole).toString() : m_room;
    const bool direct = entry.data(core::RoomListModel::IsDirectRole).toBool();
    m_roomTitle->setText(title);
    m_composer->setRoomTitle(title, direct);
    const core::MemberListModel *memberModel = m_account ? m_account->members() : m_sources.members;
    const int members = memberModel ? memberModel->rowCount() : 0;
    if (direct) {
        m_roomSubtitle->setText(entry.data(core::RoomListModel::PeerOnlineRole).toBool()
                                    ? tr("Direct message · online")
                                    : tr("Direct message"));
        return;
    }
    const QString place = entry.data(core::RoomListModel::KindRole).toString() == "private"_L1
                              ? tr("Private room #%1").arg(m_room)
                              : u"#"_s + m_room;
    m_roomSubtitle->setText(members > 0 ? tr("%1 · %n member(s)", nullptr, members).arg(place)
                                        : place);
}

void ChatPage::updateComposer()
{
    if (m_room.isEmpty())
        m_composer->setDisabledReason(tr("Choose a room to start writing."));
    else if (m_state == ConnectionState::SignedOut || m_state == ConnectionState::AuthFailed)
        m_composer->setDisabledReason(tr("You are signed out; sign in again to write."));
    else if (!m_openRoom || !m_account->outbox())
        m_composer->setDisabledReason(tr("Messages cannot be saved on this computer right now."));
    else
        m_composer->setDisabledReason({});
    m_emojiButton->setEnabled(m_composer->disabledReason().isEmpty());
    // Files need a room with an outbox (an Account), not hand-made models.
    m_attachButton->setEnabled(m_composer->disabledReason().isEmpty() && m_openRoom);
    setAcceptDrops(m_attachButton->isEnabled());
    updateSendButton();
}

void ChatPage::scheduleMarkRead()
{
    if (!m_markReadTimer->isActive())
        m_markReadTimer->start();
}

void ChatPage::markCurrentRoomRead()
{
    m_markReadTimer->stop();
    if (m_room.isEmpty())
        return;
    // Only what a person can actually see counts as read.
    if (!window()->isVisible() || window()->isMinimized() || !m_messages->isAtBottom())
        return;
    if (m_openRoom) {
        m_openRoom->markRead();
    } else if (m_sources.rooms && m_sources.messages) {
        const qint64 newest = m_sources.messages->newestSeq();
        if (newest > 0)
            m_sources.rooms->markRead(m_room, newest);
    }
}

void ChatPage::cancelUpload(const QString &cid)
{
    if (m_openRoom && !m_openRoom->cancelUpload(cid))
        showSendError(tr("The files are uploaded already; the message is on its way."));
}

void ChatPage::updateSendButton()
{
    m_sendButton->setEnabled(
        m_composer->isEnabled() &&
        (!m_composer->toPlainText().trimmed().isEmpty() || !m_attachments->isEmpty()));
}

void ChatPage::chooseFilesToAttach()
{
    if (!m_openRoom)
        return;
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Attach files"));
    if (!paths.isEmpty())
        attachFiles(paths);
    m_composer->setFocus();
}

void ChatPage::attachFiles(const QStringList &paths)
{
    const QStringList problems = m_attachments->attachFiles(paths);
    showSendError(problems.join(u' '));
}

void ChatPage::attachFrom(const QMimeData *data)
{
    const QStringList problems = m_attachments->attachFrom(data);
    showSendError(problems.join(u' '));
    m_composer->setFocus();
}

void ChatPage::dragEnterEvent(QDragEnterEvent *event)
{
    if (m_attachButton->isEnabled() && ComposerAttachments::canAttach(event->mimeData()))
        event->acceptProposedAction();
    else
        QWidget::dragEnterEvent(event);
}

void ChatPage::dragMoveEvent(QDragMoveEvent *event)
{
    if (m_attachButton->isEnabled() && ComposerAttachments::canAttach(event->mimeData()))
        event->acceptProposedAction();
    else
        QWidget::dragMoveEvent(event);
}

void ChatPage::dropEvent(QDropEvent *event)
{
    if (!m_attachButton->isEnabled() || !ComposerAttachments::canAttach(event->mimeData())) {
        QWidget::dropEvent(event);
        return;
    }
    event->acceptProposedAction();
    attachFrom(event->mimeData());
}

void ChatPage::sendMessage(const QString &body)
{
    // One message on its way to the disk at a time (it takes milliseconds): a second Enter
    // meanwhile would queue the same text twice.
    if (!m_openRoom || !m_saving.cid.isEmpty())
        return;
    // Enter sends a new message, a reply, or the edit in progress (all through the outbox).
    const qint64 editing = m_actions->editing();
    // An edit changes the text only; the files wait for the next message.
    const QList<core::OutboxFile> files =
        editing > 0 ? QList<core::OutboxFile>() : m_attachments->files();
    const core::SendResult result = editing > 0
                                        ? m_openRoom->edit(editing, body)
                                        : m_openRoom->send(body, m_actions->replyTo(), files);
    switch (result.status) {
    case core::SendResult::Status::Queued:
        m_contextBar->clear();
        // Shown as "Sending…" already; the text leaves the box once the outbox has it.
        showSendError({});
        m_saving = {m_openRoom, result.cid, body, !files.isEmpty(), {}};
        m_saving.connections = {
            connect(m_openRoom, &core::Room::messageSaved, this, &ChatPage::onMessageSaved),
            connect(m_openRoom, &core::Room::messageNotSaved, this, &ChatPage::onMessageNotSaved),
            connect(m_openRoom, &QObject::destroyed, this, [this] { forgetSaving(); })};
        m_messages->scrollToNewest();
        return;
    case core::SendResult::Status::Empty:
        return;
    case core::SendResult::Status::TooLong:
        QMessageBox::warning(this, tr("Message too long"), result.message);
        return;
    case core::SendResult::Status::CharactersNotAllowed:
        showSendError(tr("Not sent: %1 Your text is still in the box.").arg(result.message));
        return;
    case core::SendResult::Status::DiskError:
        showSendError(tr("Not sent: %1 Your text is still in the box; press Enter to try again.")
                          .arg(result.message));
        return;
    }
}

void ChatPage::forgetSaving()
{
    for (const QMetaObject::Connection &connection : std::as_const(m_saving.connections))
        disconnect(connection);
    m_saving = {};
}

void ChatPage::onMessageSaved(const QString &cid)
{
    if (cid != m_saving.cid)
        return;
    const QString body = m_saving.body;
    // The outbox has its own copies of the files now.
    if (m_saving.withFiles)
        m_attachments->clear();
    forgetSaving();
    // Whatever was typed after Enter stays.
    const QString text = m_composer->toPlainText();
    if (text == body)
        m_composer->clear();
    else if (text.startsWith(body))
        m_composer->setPlainText(text.mid(body.size()));
}

void ChatPage::onMessageNotSaved(const QString &cid, const QString &body, const QString &message)
{
    if (cid != m_saving.cid)
        return;
    forgetSaving();
    if (m_composer->toPlainText().isEmpty())
        m_composer->setPlainText(body);
    showSendError(
        tr("Not sent: %1 Your text is still in the box; press Enter to try again.").arg(message));
}

void ChatPage::showSendError(const QString &text)
{
    m_sendErrorLabel->setText(text);
    m_sendErrorLabel->setVisible(!text.isEmpty());
}

void ChatPage::retryMessage(const QString &cid)
{
    if (m_openRoom)
        m_openRoom->retry(cid);
}

void ChatPage::discardMessage(const QString &cid)
{
    if (m_openRoom)
        m_openRoom->discard(cid);
}

void ChatPage::createRoom()
{
    m_social->createRoom();
}

void ChatPage::joinRoom()
{
    m_social->findRooms();
}

void ChatPage::newMessage()
{
    m_social->newMessage();
}

void ChatPage::leaveRoom()
{
    if (!m_account || m_room.isEmpty())
        return;
    const QString room = m_room;
    const auto answer = QMessageBox::question(
        this, tr("Leave room"), tr("Leave #%1? You can join it again later.").arg(room));
    if (answer != QMessageBox::Yes)
        return;
    m_account->leaveRoom(room, this, [this](const RoomOperationResult &result) {
        if (!result.ok()) {
            QMessageBox::warning(this, tr("Leave room"), result.message);
            return;
        }
        if (m_room == result.room)
            openRoom({});
    });
}

} // namespace conversa::ui
