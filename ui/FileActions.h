// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QPointer>
#include <QVariantMap>

#include <functional>

class QWidget;

namespace conversa::core {
class FileCache;
}

namespace conversa::ui {

class ImageViewer;

// What a click on a file in the chat does: Open downloads it into the account's FileCache and
// hands a copy under its own name to the desktop (never a program: those are only saved), Save
// as… copies it to a place the reader picks, and an image opens in the ImageViewer. Problems are
// said in words (`problem`, and a message box beside the view).
class FileActions : public QObject
{
    Q_OBJECT
public:
    explicit FileActions(QWidget *parentWidget);

    void setFiles(core::FileCache *files);
    core::FileCache *files() const;

    // How the destination of Save as… is asked (a QFileDialog by default; tests answer here).
    using PathChooser = std::function<QString(const QString &suggestedName)>;
    void setPathChooser(PathChooser chooser) { m_choosePath = std::move(chooser); }
    // How a file is handed to the desktop (QDesktopServices::openUrl by default).
    using Opener = std::function<bool(const QString &path)>;
    void setOpener(Opener opener) { m_open = std::move(opener); }
    // Whether problems also pop up in a message box (tests turn it off).
    void setShowProblems(bool show) { m_showProblems = show; }

    // Names Conversa never opens (programs and scripts): they can only be saved.
    static bool isProgram(const QString &fileName);

    // The viewer the last showImage() opened (nullptr once closed).
    ImageViewer *viewer() const;

public slots:
    // `file` as MessageModel::FilesRole holds it.
    void openFile(const QVariantMap &file);
    void saveFile(const QVariantMap &file);
    void showImage(const QVariantMap &file);

signals:
    void opened(const QString &path);
    void saved(const QString &path);
    void problem(const QString &message);

private:
    // Runs `then` with the cached copy of `file` once it is downloaded.
    void withFile(const QVariantMap &file, std::function<void(const QString &path)> then);
    void report(const QString &message);

    QWidget *m_parentWidget = nullptr;
    QPointer<core::FileCache> m_files;
    PathChooser m_choosePath;
    Opener m_open;
    bool m_showProblems = true;
    QPointer<ImageViewer> m_viewer;
};

} // namespace conversa::ui
