// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <Frames.h>

#include <QAbstractListModel>
#include <QList>
#include <QPointer>
#include <QStringList>

#include <utility>

namespace conversa::core {

class SessionManager;

// The server's full-text search (`search`) and its results, newest first: each a message in its
// current state with its room. search() starts a search (a later one replaces an earlier one
// still waiting; its late answer is dropped); in one room, loadMore() asks for older results.
// The words a query looks for (wordsOf) and where they are in a text (matches) follow the
// server's rules, so a view can emphasise exactly what matched.
class SearchResultsModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        RoomRole = Qt::UserRole + 1,
        SeqRole,
        TimestampRole, // ms since the Unix epoch, server time
        SenderRole,
        BodyRole,
        EditedRole,  // ts of the last edit, 0 when never edited
        MatchesRole, // QVariantList of QPoint(start, length): where the words are in the body
    };
    Q_ENUM(Role)

    enum class State { Idle, Searching, Done, Failed };
    Q_ENUM(State)

    // Results asked for per search (the server gives at most 50).
    static constexpr int kPageSize = 30;
    // The longest query the server takes, in characters.
    static constexpr int kMaxQueryLength = protocol::kMaxSearchQueryLength;

    explicit SearchResultsModel(QObject *parent = nullptr);

    void setSession(SessionManager *session);

    // Searches the rooms the user is in, or only `room`. False (with errorText()) at once when
    // the query has no words or is too long; the model is then empty.
    bool search(const QString &query, const QString &room = {});
    // Older results of the same search (only within one room, while the last page was full).
    bool canLoadMore() const;
    void loadMore();
    void clear();

    State state() const { return m_state; }
    // Why the last search failed, in words.
    QString errorText() const { return m_errorText; }
    QString query() const { return m_query; }
    QString room() const { return m_room; }
    QStringList words() const { return m_words; }

    // The words a search for `query` looks for (case folded, without accents).
    static QStringList wordsOf(const QString &query);
    // Where in `text` the words are, as (start, length) in UTF-16 units, in order.
    static QList<std::pair<qsizetype, qsizetype>> matches(const QString &text,
                                                          const QStringList &words);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    const protocol::MessageEvent &result(int row) const { return m_results.at(row); }

signals:
    void stateChanged(conversa::core::SearchResultsModel::State state);

private:
    void ask(qint64 before);
    void setState(State state, const QString &errorText = {});

    QPointer<SessionManager> m_session;
    QString m_query;
    QString m_room;
    QStringList m_words;
    QList<protocol::MessageEvent> m_results;
    State m_state = State::Idle;
    QString m_errorText;
    bool m_lastPageFull = false;
    quint64 m_generation = 0; // answers to an earlier search are dropped
};

} // namespace conversa::core
