// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "SearchResultsModel.h"

#include "SessionManager.h"

#include <Codec.h>
#include <Protocol.h>
#include <Validation.h>

#include <QPoint>

namespace conversa::core {

namespace proto = conversa::protocol;

SearchResultsModel::SearchResultsModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void SearchResultsModel::setSession(SessionManager *session)
{
    m_session = session;
}

QStringList SearchResultsModel::wordsOf(const QString &query)
{
    return proto::searchWords(query);
}

QList<std::pair<qsizetype, qsizetype>> SearchResultsModel::matches(const QString &text,
                                                                   const QStringList &words)
{
    QList<std::pair<qsizetype, qsizetype>> found;
    if (words.isEmpty())
        return found;
    // Runs of letters, digits and marks in the text as written, each folded as the server
    // folds a word; a run whose folded word is searched for is a match.
    const auto inWord = [](char32_t c) { return QChar::isLetterOrNumber(c) || QChar::isMark(c); };
    qsizetype i = 0;
    const qsizetype size = text.size();
    while (i < size) {
        const char32_t c = text.at(i).isHighSurrogate() && i + 1 < size
                               ? QChar::surrogateToUcs4(text.at(i), text.at(i + 1))
                               : text.at(i).unicode();
        const qsizetype width = c > 0xFFFF ? 2 : 1;
        if (!inWord(c)) {
            i += width;
            continue;
        }
        qsizetype end = i;
        while (end < size) {
            const char32_t d = text.at(end).isHighSurrogate() && end + 1 < size
                                   ? QChar::surrogateToUcs4(text.at(end), text.at(end + 1))
                                   : text.at(end).unicode();
            if (!inWord(d))
                break;
            end += d > 0xFFFF ? 2 : 1;
        }
        const QStringList folded = proto::searchWords(QStringView(text).sliced(i, end - i));
        for (const QString &word : folded) {
            if (words.contains(word)) {
                found.append({i, end - i});
                break;
            }
        }
        i = end;
    }
    return found;
}

bool SearchResultsModel::search(const QString &query, const QString &room)
{
    beginResetModel();
    m_results.clear();
    endResetModel();
    ++m_generation;
    m_query = query;
    m_room = room;
    m_words = wordsOf(query);
    m_lastPageFull = false;
    if (m_words.isEmpty()) {
        setState(State::Failed, tr("Type a word to search for."));
        return false;
    }
    if (query.size() > proto::kMaxSearchQueryLength) {
        setState(State::Failed,
                 tr("Search for at most %1 characters.").arg(proto::kMaxSearchQueryLength));
        return false;
    }
    if (m_words.size() > proto::kMaxSearchWords) {
        setState(State::Failed, tr("Search for at most %1 words.").arg(proto::kMaxSearchWords));
        return false;
    }
    ask(0);
    return true;
}

bool SearchResultsModel::canLoadMore() const
{
    return !m_room.isEmpty() && m_lastPageFull && m_state == State::Done && !m_results.isEmpty();
}

void SearchResultsModel::loadMore()
{
    if (canLoadMore())
        ask(m_results.constLast().seq);
}

void SearchResultsModel::clear()
{
    ++m_generation;
    beginResetModel();
    m_results.clear();
    endResetModel();
    m_query.clear();
    m_room.clear();
    m_words.clear();
    setState(State::Idle);
}

void SearchResultsModel::ask(qint64 before)
{
    if (!m_session) {
        setState(State::Failed, tr("Not signed in."));
        return;
    }
    setState(State::Searching);
    const quint64 generation = m_generation;
    m_session->request(proto::SearchRequest{{}, m_query, m_room, before, kPageSize},
                       [this, generation,
                        guard = QPointer<SearchResultsModel>(this)](const RequestResult &result) {
                           if (!guard || generation != m_generation)
                               return;
                           if (result.outcome == RequestResult::Outcome::ConnectionLost) {
                               setState(State::Failed, tr("Offline: search needs the server."));
                               return;
                           }
                           if (!result.isOk()) {
                               setState(State::Failed, result.message.isEmpty() ? result.codeName
                                                                                : result.message);
                               return;
                           }
                           const auto results = proto::searchResultsFromPayload(result.payload);
                           if (!results) {
                               setState(State::Failed,
                                        tr("The server's answer could not be read."));
                               return;
                           }
                           m_lastPageFull = results->size() >= kPageSize;
                           if (!results->isEmpty()) {
                               beginInsertRows({}, int(m_results.size()),
                                               int(m_results.size() + results->size() - 1));
                               m_results.append(*results);
                               endInsertRows();
                           }
                           setState(State::Done);
                       });
}

void SearchResultsModel::setState(State state, const QString &errorText)
{
    m_errorText = errorText;
    if (m_state == state && state != State::Failed)
        return;
    m_state = state;
    emit stateChanged(state);
}

int SearchResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_results.size());
}

QVariant SearchResultsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= m_results.size())
        return {};
    const proto::MessageEvent &m = m_results.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case BodyRole:
        return m.body;
    case RoomRole:
        return m.room;
    case SeqRole:
        return m.seq;
    case TimestampRole:
        return m.ts;
    case SenderRole:
        return m.from;
    case EditedRole:
        return m.edited;
    case MatchesRole: {
        QVariantList ranges;
        for (const auto &[start, length] : matches(m.body, m_words))
            ranges.append(QPoint(int(start), int(length)));
        return ranges;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> SearchResultsModel::roleNames() const
{
    return {{RoomRole, "room"},      {SeqRole, "seq"},   {TimestampRole, "ts"},
            {SenderRole, "sender"},  {BodyRole, "body"}, {EditedRole, "edited"},
            {MatchesRole, "matches"}};
}

} // namespace conversa::core
