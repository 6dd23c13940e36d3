// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QImage>
#include <QVariantMap>
#include <QWidget>
#include <functional>

class QLabel;
class QToolButton;

namespace conversa::ui {

class ImageCanvas;

// A window showing one image of a message at full size: decoded off the GUI thread with
// ImageDecoder's limits, fitted to the window at first; the wheel, Ctrl+= and Ctrl+- zoom, Ctrl+0
// shows it at 100 %, F fits it again, a drag pans; Save as… keeps it, Esc closes.
class ImageViewer : public QWidget
{
    Q_OBJECT
public:
    explicit ImageViewer(QWidget *parent = nullptr);

    // The image `file` (as FilesRole holds it) is on its way.
    void showLoading(const QVariantMap &file);
    // Its bytes are at `path`: decode and show them.
    void showFile(const QString &path);
    // It cannot be shown: `reason` in words.
    void showProblem(const QString &reason);

    QString fileId() const { return m_file.value(QStringLiteral("file")).toString(); }
    QImage image() const;
    // The zoom (1.0 is 100 %) and whether it follows the window's size.
    double zoom() const;
    bool isFitted() const;
    QLabel *statusLabel() const { return m_status; }

public slots:
    void zoomIn();
    void zoomOut();
    void zoomToFit();
    void zoomToActualSize();

signals:
    void saveRequested(const QVariantMap &file);
    // A decoded image is on screen (or the decode failed: `problem` is set).
    void imageShown();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void updateZoomLabel();

    QVariantMap m_file;
    quint64 m_generation = 0; // a decode for an earlier image is dropped
    ImageCanvas *m_canvas = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_zoomLabel = nullptr;
    QToolButton *m_fitButton = nullptr;
    QToolButton *m_actualButton = nullptr;
    QToolButton *m_zoomInButton = nullptr;
    QToolButton *m_zoomOutButton = nullptr;
    QToolButton *m_saveButton = nullptr;
};

} // namespace conversa::ui
