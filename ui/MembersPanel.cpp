// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "MembersPanel.h"

#include "MessageDelegate.h"
#include "Theme.h"

#include <MemberListModel.h>
#include <TypingUsers.h>

#include <QEvent>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using conversa::core::MemberListModel;

namespace conversa::ui {

// One member per row: a small avatar with the online dot on it, the name, "(you)", "typing…".
class MemberDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QPointer<core::TypingUsers> typing;
    QString currentUser;

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        return QSize(160, qMax(30, QFontMetrics(option.font).height() + 14));
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        const QString user = index.data(MemberListModel::UserRole).toString();
        const bool online = index.data(MemberListModel::OnlineRole).toBool();
        if (option.state & QStyle::State_Selected) {
            QColor selection = option.palette.color(QPalette::Highlight);
            selection.setAlpha(60);
            painter->fillRect(option.rect, selection);
        }
        const int size = 22;
        const QRect avatar(option.rect.left() + 10, option.rect.center().y() - size / 2, size,
                           size);
        QColor avatarColor = Theme::avatarColor(user);
        if (!online)
            avatarColor.setAlpha(110);
        painter->setPen(Qt::NoPen);
        painter->setBrush(avatarColor);
        painter->drawEllipse(avatar);
        QFont small = option.font;
        small.setBold(true);
        small.setPixelSize(9);
        painter->setFont(small);
        painter->setPen(Qt::white);
        painter->drawText(avatar, Qt::AlignCenter, MessageDelegate::initials(user));
        // The presence dot sits on the avatar's lower right, ringed in the background colour.
        const QRect dot(avatar.right() - 7, avatar.bottom() - 7, 10, 10);
        painter->setBrush(online ? Theme::onlineDot() : Theme::offlineDot());
        painter->setPen(QPen(option.palette.color(QPalette::Base), 2));
        painter->drawEllipse(dot);

        QString label = user;
        if (user == currentUser)
            label = MembersPanel::tr("%1 (you)").arg(user);
        const QRect text = option.rect.adjusted(avatar.right() + 10 - option.rect.left(), 0, -8, 0);
        painter->setFont(option.font);
        painter->setPen(online ? option.palette.color(QPalette::Text) : Theme::mutedText());
        const QFontMetrics metrics(option.font);
        const bool isTyping = online && typing && typing->users().contains(user);
        const QString typingLabel = MembersPanel::tr("typing…");
        const int typingWidth = isTyping ? metrics.horizontalAdvance(typingLabel) + 8 : 0;
        const QString shown = metrics.elidedText(label, Qt::ElideRight, text.width() - typingWidth);
        painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter, shown);
        if (isTyping) {
            QFont italic = option.font;
            italic.setItalic(true);
            painter->setFont(italic);
            painter->setPen(Theme::accent());
            painter->drawText(text.adjusted(metrics.horizontalAdvance(shown) + 8, 0, 0, 0),
                              Qt::AlignLeft | Qt::AlignVCenter, typingLabel);
        }
        painter->restore();
    }
};

MembersPanel::MembersPanel(QWidget *parent)
    : QWidget(parent)
    , m_header(new QLabel(this))
    , m_list(new QListView(this))
    , m_delegate(new MemberDelegate(this))
{
    setObjectName(u"membersPanel"_s);
    m_header->setObjectName(u"membersHeader"_s);
    QFont headerFont = m_header->font();
    headerFont.setBold(true);
    m_header->setFont(headerFont);
    m_header->setContentsMargins(10, 8, 10, 4);
    m_list->setObjectName(u"membersList"_s);
    m_list->setItemDelegate(m_delegate);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_list, &QListView::customContextMenuRequested, this, [this](const QPoint &at) {
        const QString user = m_list->indexAt(at).data(core::MemberListModel::UserRole).toString();
        if (user.isEmpty())
            return;
        QMenu menu(this);
        QAction *message = menu.addAction(tr("Send %1 a direct message").arg(user));
        message->setObjectName(u"messageMemberAction"_s);
        message->setEnabled(user != m_delegate->currentUser);
        if (menu.exec(m_list->viewport()->mapToGlobal(at)) == message)
            emit messageRequested(user);
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_header);
    layout->addWidget(m_list, 1);
    updateHeader();
}

void MembersPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange) {
        updateHeader();
        m_list->viewport()->update(); // "(you)", "typing…"
    }
}

void MembersPanel::setModels(MemberListModel *members, core::TypingUsers *typing)
{
    if (m_members)
        m_members->disconnect(this);
    m_members = members;
    m_list->setModel(members);
    // No model (a page without an account, or between two): nothing to follow.
    if (members) {
        connect(members, &QAbstractItemModel::modelReset, this, &MembersPanel::updateHeader);
        connect(members, &QAbstractItemModel::layoutChanged, this, &MembersPanel::updateHeader);
        connect(members, &QAbstractItemModel::rowsInserted, this, &MembersPanel::updateHeader);
        connect(members, &QAbstractItemModel::dataChanged, this, &MembersPanel::updateHeader);
        connect(members, &MemberListModel::presenceKnownChanged, this, &MembersPanel::updateHeader);
    }
    setTyping(typing);
    updateHeader();
}

void MembersPanel::setTyping(core::TypingUsers *typing)
{
    if (m_typing)
        m_typing->disconnect(m_list->viewport());
    m_typing = typing;
    m_delegate->typing = typing;
    if (typing)
        connect(typing, &core::TypingUsers::changed, m_list->viewport(),
                qOverload<>(&QWidget::update));
    m_list->viewport()->update();
}

void MembersPanel::setCurrentUser(const QString &user)
{
    m_delegate->currentUser = user;
    m_list->viewport()->update();
}

void MembersPanel::updateHeader()
{
    setAccessibleName(tr("Members"));
    m_list->setAccessibleName(tr("Room members"));
    const int total = m_members ? m_members->rowCount() : 0;
    const int online = m_members ? m_members->onlineCount() : 0;
    if (total == 0) {
        m_header->setText(tr("Members"));
        return;
    }
    if (!m_members->presenceKnown()) {
        m_header->setText(tr("Members · offline"));
        return;
    }
    m_header->setText(tr("Members · %1 of %n online", nullptr, total).arg(online));
}

} // namespace conversa::ui
