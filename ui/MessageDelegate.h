// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "MessageDecorations.h"
#include "MessageFiles.h"

#include <MessageMarkup.h>

#include <QCache>
#include <QList>
#include <QPointer>
#include <QStyledItemDelegate>

#include <memory>

class QTextLayout;

namespace conversa::core {
class ThumbnailCache;
}

namespace conversa::ui {

// Paints every row of the message view: no widget per message. A row is, top to bottom, an
// optional day separator, an optional header (initials avatar, sender, time) when it starts a
// group, the wrapped body with links and @mentions marked, and for messages not yet stored a
// status line ("Sending…", or "Not sent" with Retry and Discard). The same geometry code serves
// sizeHint(), paint() and the hit tests the view uses for clicks.
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    enum class Action { None, Retry, Discard };

    struct Span {
        int start = 0;
        int length = 0;
        QString target; // links only: the URL to open
    };

    explicit MessageDelegate(QObject *parent = nullptr);

    // Whose @mentions are highlighted.
    void setCurrentUser(const QString &user);
    // Where image thumbnails come from (none: images stay placeholders).
    void setThumbnails(core::ThumbnailCache *thumbnails);
    QString currentUser() const { return m_currentUser; }

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;

    // Hovering a link shows where it really goes (a label may read like another address).
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

    // Everything under `pos` (view coordinates) in the row drawn at option.rect, from one layout
    // of the row: a mouse event asks for all of it.
    struct Hit {
        Action action = Action::None;
        bool replyQuote = false; // on the quote of the message this one replies to
        MessageFiles::Hit file;  // a thumbnail, card, or a card's Open / Save as…
        QString reaction;        // a reaction chip's emoji
        QString link;            // where a link goes
        // Whether a click here does something (the pointing-hand cursor).
        bool isActionable() const
        {
            return action != Action::None || replyQuote || file.part != MessageFiles::Part::None ||
                   !reaction.isEmpty() || !link.isEmpty();
        }
    };
    Hit hitAt(const QStyleOptionViewItem &option, const QModelIndex &index,
              const QPoint &pos) const;
    // One part of hitAt() each.
    QString linkAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                   const QPoint &pos) const;
    Action actionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                    const QPoint &pos) const;
    // Whether `pos` is on the quote of the message this one replies to.
    bool isOnReplyQuote(const QStyleOptionViewItem &option, const QModelIndex &index,
                        const QPoint &pos) const;
    // The file (thumbnail, card, or a card's Open / Save as…) under `pos`.
    MessageFiles::Hit fileAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                             const QPoint &pos) const;
    // Where the row drawn at option.rect shows its files.
    MessageFiles::Layout filesLayout(const QStyleOptionViewItem &option,
                                     const QModelIndex &index) const;
    // The reaction chip under `pos` (its emoji), or empty.
    QString reactionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                       const QPoint &pos) const;
    // The message shown highlighted for a moment (a revealed reply original or search result).
    void setHighlightedSeq(qint64 seq) { m_highlightedSeq = seq; }
    qint64 highlightedSeq() const { return m_highlightedSeq; }
    // The character of the body under `pos`: -1 above the body, the body's length below it.
    int cursorAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                 const QPoint &pos) const;

    // Text selected by dragging, from (startRow, startChar) to (endRow, endChar), start first.
    struct TextSelection {
        int startRow = -1;
        int startChar = 0;
        int endRow = -1;
        int endChar = 0;
        bool isEmpty() const
        {
            return startRow < 0 || (startRow == endRow && startChar == endChar);
        }
        // The selected characters of `row` as [from, to) in its body of `length` characters.
        std::pair<int, int> rangeIn(int row, int length) const;
    };
    void setTextSelection(const TextSelection &selection) { m_selection = selection; }
    const TextSelection &textSelection() const { return m_selection; }

    // Heights are cached per message and width; call when fonts or the current user change.
    void clearCache()
    {
        m_heightCache.clear();
        m_facts.clear();
    }
    // Drops what is cached for a message that left the model.
    void forget(const QModelIndex &index);
    // Each cache keeps at most this many messages, the least recently used go first: more than
    // a model holds, so a relayout of every row still hits.
    static constexpr int kCachedMessages = 5000;
    // Messages in the larger of the two caches (for tests).
    int cachedMessages() const { return qMax(m_heightCache.size(), m_facts.size()); }

    // Text helpers, public for tests.
    // What the body shows (and a drag selects): the text without its Markdown markers.
    static QString displayText(const QModelIndex &index);
    // Every link of a shown body: [label](url) ones, then bare addresses outside code and labels.
    static QList<Span> linksIn(const core::MarkedUpText &markup);
    static QList<Span> findLinks(const QString &text);
    static QList<Span> findMentions(const QString &text, const QString &user);
    static QString initials(const QString &user);
    // The word of `text` at or just before character `position`, as [from, to); empty when
    // there is none (spaces, punctuation).
    static std::pair<int, int> wordAt(const QString &text, int position);
    static bool mentions(const QString &text, const QString &user);
    // Whether a row starts a new group (other sender, other day, or a long pause before it).
    bool startsGroup(const QModelIndex &index) const;
    bool startsDay(const QModelIndex &index) const;
    // The plain text of a message for the clipboard: "[12:04] alice: hi".
    static QString clipboardText(const QModelIndex &index);
    // Hours and minutes in the reader's locale.
    static QString shortTime(const QDateTime &time);

private:
    struct Geometry {
        QRect row;
        QRect daySeparator; // empty when the day does not change here
        QRect avatar;       // empty for continuation rows
        QRect header;
        QRect replyQuote; // empty for a message that replies to nothing
        QRect body;
        MessageFiles::Layout files;        // images and file cards below the body
        MessageDecorations::Footer footer; // reactions and "(edited)" below the body
        QRect status;                      // empty for delivered messages
        QRect retry;
        QRect discard;
    };
    Geometry geometry(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    // The hit tests on a row's geometry, so that hitAt() lays the row out once.
    QString linkIn(const Geometry &g, const QStyleOptionViewItem &option, const QModelIndex &index,
                   const QPoint &pos) const;
    static Action actionIn(const Geometry &g, const QPoint &pos);
    static QString reactionIn(const Geometry &g, const QPoint &pos);
    int bodyHeight(const QStyleOptionViewItem &option, const QModelIndex &index, int width) const;
    // `markup` (when given) receives the parsed body the layout shows.
    std::unique_ptr<QTextLayout> bodyLayout(const QStyleOptionViewItem &option,
                                            const QModelIndex &index, int width,
                                            core::MarkedUpText *markup = nullptr) const;
    QString statusText(const QModelIndex &index) const;

    // What grouping needs of a message, worked out once: local-time conversions are slow, and a
    // relayout asks every row (and its neighbour) again.
    struct Facts {
        qint64 ms = 0;
        qint64 localDay = 0; // days since the epoch in local time
        QString sender;
    };
    Facts facts(const QModelIndex &index) const;
    // startsDay() and startsGroup() at once (geometry needs both, for every row of a relayout).
    struct Starts {
        bool day = false;
        bool group = false;
    };
    Starts starts(const QModelIndex &index) const;

    QString m_currentUser;
    QPointer<core::ThumbnailCache> m_thumbnails;
    TextSelection m_selection;
    qint64 m_highlightedSeq = 0;
    mutable QCache<QString, Facts> m_facts{kCachedMessages};
    // key: message identity; valid for m_cacheWidth
    mutable QCache<QString, int> m_heightCache{kCachedMessages};
    mutable int m_cacheWidth = -1;
};

} // namespace conversa::ui
