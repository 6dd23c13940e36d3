// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QElapsedTimer>
#include <QWidget>

#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QTimer;
class QToolButton;

namespace conversa::core {
class SearchResultsModel;
class SessionManager;
} // namespace conversa::core

namespace conversa::ui {

// Full-text search of the user's rooms on the server, beside the conversation: a query field
// (searching a moment after typing stops, or at Enter), "only in this room", the results newest
// first (room, sender, time, the text with the words emphasised: SearchPanelDelegate), and older
// results of one room on demand. Activating a result (click, Enter) emits resultActivated.
class SearchPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SearchPanel(QWidget *parent = nullptr);

    void setSession(core::SessionManager *session);
    // The open room: what "only in this room" means (none: the box is disabled).
    void setCurrentRoom(const QString &room);
    // How rooms are named in results and in "only in …" (a dm by its peer, not its room name).
    void setRoomLabel(std::function<QString(const QString &room)> label);
    // Shows the panel with the query field focused and its text selected.
    void activate();
    // Searches at once (what the field's Enter does).
    void searchNow();

    core::SearchResultsModel *model() const { return m_model; }
    QLineEdit *queryField() const { return m_query; }
    QCheckBox *thisRoomOnly() const { return m_thisRoomOnly; }
    QListView *resultList() const { return m_results; }
    QLabel *statusLabel() const { return m_status; }
    QPushButton *moreButton() const { return m_more; }
    QToolButton *closeButton() const { return m_close; }

    // How long after the last keystroke a search starts.
    static constexpr int kTypingPauseMs = 600;

signals:
    void resultActivated(const QString &room, qint64 seq);
    void closeRequested();

protected:
    void changeEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void retranslateUi();
    void updateStatus();

    core::SearchResultsModel *m_model = nullptr;
    QLabel *m_title = nullptr;
    QToolButton *m_close = nullptr;
    QLineEdit *m_query = nullptr;
    QCheckBox *m_thisRoomOnly = nullptr;
    QLabel *m_status = nullptr;
    QListView *m_results = nullptr;
    class SearchPanelDelegate *m_delegate = nullptr;
    QPushButton *m_more = nullptr;
    QTimer *m_typingPause = nullptr;
    QString m_room;
    QElapsedTimer m_lastOpened;
    int m_lastOpenedRow = -1;
};

} // namespace conversa::ui
