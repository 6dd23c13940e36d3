// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <OutboxFile.h>

#include <QFrame>
#include <QList>

#include <functional>
#include <memory>

class QHBoxLayout;
class QImage;
class QMimeData;
class QScrollArea;
class QTemporaryDir;

namespace conversa::core {
class Room;
}

namespace conversa::ui {

// The files chosen for the next message, in a strip above the composer: a thumbnail for images
// (a file icon otherwise), the name, the size and a × that takes the file off. Hidden while
// empty. The composer's text becomes the caption; Enter sends the text and all the files as one
// message. Files come from the paperclip button, a drop, or a paste (an image on the clipboard
// is saved as a PNG first; see imageFileFor()).
class ComposerAttachments : public QFrame
{
    Q_OBJECT
public:
    // `room`: the room the files are for (its limits and outbox decide what may be attached).
    explicit ComposerAttachments(std::function<core::Room *()> room, QWidget *parent = nullptr);
    ~ComposerAttachments() override;

    // Attaches what it can of `paths`, `data` (a drop or paste) or a pasted image; the files
    // refused are named, with the reason, in the list returned (empty: all attached).
    QStringList attachFiles(const QStringList &paths);
    QStringList attachImage(const QImage &image);
    QStringList attachFrom(const QMimeData *data);

    QList<core::OutboxFile> files() const { return m_files; }
    int count() const { return int(m_files.size()); }
    bool isEmpty() const { return m_files.isEmpty(); }
    void add(const core::OutboxFile &file);
    void removeAt(int index);
    void clear();
    // The × buttons, in order (for tests and keyboard users).
    QList<QWidget *> removeButtons() const;

    // Local files a drop or paste carries (file URLs), or none.
    static QStringList localFiles(const QMimeData *data);
    // Whether `data` carries something to attach rather than text: local files, or an image
    // alone. The one rule for drops and pastes alike.
    static bool canAttach(const QMimeData *data);
    // Saves a pasted image as "Pasted image 2026-12-01 23.05.12.png" in a folder of this strip's
    // own (removed with it); the path, or empty with `error` in words.
    QString imageFileFor(const QImage &image, QString *error);
    // Width and height of an image file from its header (no decoding); 0x0 for other files.
    static QSize imageSize(const QString &path);

signals:
    void changed();

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();
    QWidget *chipFor(int index);

    std::function<core::Room *()> m_room;
    QList<core::OutboxFile> m_files;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_row = nullptr;
    QHBoxLayout *m_rowLayout = nullptr;
    QList<QWidget *> m_removeButtons;
    std::unique_ptr<QTemporaryDir> m_pasted;
};

} // namespace conversa::ui
