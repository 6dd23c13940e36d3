// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ImageViewer.h"

#include "MessageFiles.h"

#include <ImageDecoder.h>

#include <QBoxLayout>
#include <QEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QShortcut>
#include <QToolButton>
#include <QWheelEvent>

#include <cmath>

using namespace Qt::StringLiterals;

namespace conversa::ui {

namespace {
constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 16.0;
constexpr double kZoomStep = 1.25;
} // namespace

// Paints the image at a zoom, centred, panned by dragging. Only what is in sight is drawn: a
// zoomed-in image is never scaled whole into a pixmap.
class ImageCanvas : public QWidget
{
public:
    explicit ImageCanvas(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(200, 150);
        setCursor(Qt::OpenHandCursor);
        setFocusPolicy(Qt::StrongFocus);
    }

    void setImage(const QImage &image)
    {
        m_image = image;
        m_fit = true;
        m_center = QPointF(image.width() / 2.0, image.height() / 2.0);
        update();
    }
    const QImage &image() const { return m_image; }
    void setMessage(const QString &message)
    {
        m_message = message;
        update();
    }

    double fitZoom() const
    {
        if (m_image.isNull())
            return 1.0;
        return qMin(1.0,
                    qMin(width() / double(m_image.width()), height() / double(m_image.height())));
    }
    double zoom() const { return m_fit ? fitZoom() : m_zoom; }
    bool isFitted() const { return m_fit; }
    void setZoom(double zoom)
    {
        m_zoom = qBound(kMinZoom, zoom, kMaxZoom);
        m_fit = false;
        update();
    }
    void fit()
    {
        m_fit = true;
        m_center = QPointF(m_image.width() / 2.0, m_image.height() / 2.0);
        update();
    }

    std::function<void()> zoomChanged;

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        painter.fillRect(rect(), palette().color(QPalette::Window).darker(110));
        if (m_image.isNull()) {
            painter.setPen(palette().color(QPalette::WindowText));
            painter.drawText(rect().adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap,
                             m_message);
            return;
        }
        const double z = zoom();
        painter.setRenderHint(QPainter::SmoothPixmapTransform, z < 4.0);
        painter.translate(width() / 2.0, height() / 2.0);
        painter.scale(z, z);
        painter.translate(-m_center);
        painter.drawImage(QPointF(0, 0), m_image);
    }
    void wheelEvent(QWheelEvent *event) override
    {
        const int steps = event->angleDelta().y() / 120;
        if (steps == 0 || m_image.isNull())
            return;
        setZoom(zoom() * std::pow(kZoomStep, steps));
        if (zoomChanged)
            zoomChanged();
        event->accept();
    }
    void mousePressEvent(QMouseEvent *event) override
    {
        m_drag = event->position();
        setCursor(Qt::ClosedHandCursor);
    }
    void mouseMoveEvent(QMouseEvent *event) override
    {
        if (!(event->buttons() & Qt::LeftButton) || m_image.isNull())
            return;
        const QPointF delta = event->position() - m_drag;
        m_drag = event->position();
        if (m_fit) {
            m_zoom = fitZoom();
            m_fit = false;
        }
        m_center -= delta / m_zoom;
        m_center.setX(qBound(0.0, m_center.x(), double(m_image.width())));
        m_center.setY(qBound(0.0, m_center.y(), double(m_image.height())));
        update();
    }
    void mouseReleaseEvent(QMouseEvent *) override { setCursor(Qt::OpenHandCursor); }

private:
    QImage m_image;
    QString m_message;
    double m_zoom = 1.0;
    bool m_fit = true;
    QPointF m_center;
    QPointF m_drag;
};

ImageViewer::ImageViewer(QWidget *parent)
    : QWidget(parent, Qt::Window)
{
    setObjectName(u"imageViewer"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    resize(900, 680);
    m_canvas = new ImageCanvas(this);
    m_canvas->setObjectName(u"imageCanvas"_s);
    m_canvas->zoomChanged = [this] { updateZoomLabel(); };
    m_status = new QLabel(this);
    m_status->setObjectName(u"imageStatus"_s);
    m_zoomLabel = new QLabel(this);
    const auto button = [this](const char *name) {
        auto *b = new QToolButton(this);
        b->setObjectName(QString::fromLatin1(name));
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        return b;
    };
    m_fitButton = button("fitButton");
    m_actualButton = button("actualSizeButton");
    m_zoomOutButton = button("zoomOutButton");
    m_zoomInButton = button("zoomInButton");
    m_saveButton = button("saveButton");
    connect(m_fitButton, &QToolButton::clicked, this, &ImageViewer::zoomToFit);
    connect(m_actualButton, &QToolButton::clicked, this, &ImageViewer::zoomToActualSize);
    connect(m_zoomInButton, &QToolButton::clicked, this, &ImageViewer::zoomIn);
    connect(m_zoomOutButton, &QToolButton::clicked, this, &ImageViewer::zoomOut);
    connect(m_saveButton, &QToolButton::clicked, this, [this] { emit saveRequested(m_file); });

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 6);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_zoomLabel);
    for (QToolButton *b :
         {m_zoomOutButton, m_zoomInButton, m_fitButton, m_actualButton, m_saveButton})
        bar->addWidget(b);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_canvas, 1);
    layout->addLayout(bar);

    // Ctrl+= as well as Ctrl++: on most keyboards + needs Shift.
    for (const QKeySequence &keys : {QKeySequence(QKeySequence::ZoomIn), QKeySequence(u"Ctrl+="_s)})
        connect(new QShortcut(keys, this), &QShortcut::activated, this, &ImageViewer::zoomIn);
    connect(new QShortcut(QKeySequence::ZoomOut, this), &QShortcut::activated, this,
            &ImageViewer::zoomOut);
    connect(new QShortcut(QKeySequence(u"Ctrl+0"_s), this), &QShortcut::activated, this,
            &ImageViewer::zoomToActualSize);
    connect(new QShortcut(QKeySequence(u"F"_s), this), &QShortcut::activated, this,
            &ImageViewer::zoomToFit);
    connect(new QShortcut(QKeySequence::Save, this), &QShortcut::activated, this,
            [this] { emit saveRequested(m_file); });
    retranslateUi();
}

void ImageViewer::retranslateUi()
{
    m_fitButton->setText(tr("Fit"));
    m_fitButton->setToolTip(tr("Fit the image to the window (F)"));
    m_actualButton->setText(tr("100 %"));
    m_actualButton->setToolTip(tr("Show the image at its real size (Ctrl+0)"));
    m_zoomInButton->setText(tr("+"));
    m_zoomInButton->setToolTip(tr("Zoom in (Ctrl+=)"));
    m_zoomInButton->setAccessibleName(tr("Zoom in"));
    m_zoomOutButton->setText(tr("−"));
    m_zoomOutButton->setToolTip(tr("Zoom out (Ctrl+-)"));
    m_zoomOutButton->setAccessibleName(tr("Zoom out"));
    m_saveButton->setText(tr("Save as…"));
    m_saveButton->setToolTip(tr("Save the image (Ctrl+S)"));
    const QString name = m_file.value(u"name"_s).toString();
    setWindowTitle(name.isEmpty() ? tr("Image") : tr("%1 — Image").arg(name));
    updateZoomLabel();
}

void ImageViewer::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void ImageViewer::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        close();
        return;
    }
    QWidget::keyPressEvent(event);
}

void ImageViewer::showLoading(const QVariantMap &file)
{
    m_file = file;
    ++m_generation;
    m_canvas->setImage({});
    m_canvas->setMessage(tr("Loading…"));
    m_status->setText(MessageFiles::describe(file));
    m_saveButton->setEnabled(!fileId().isEmpty());
    retranslateUi();
}

void ImageViewer::showFile(const QString &path)
{
    const quint64 generation = m_generation;
    core::ImageDecoder::decodeLater(this, path, {}, {},
                                    [this, generation](const core::DecodedImage &decoded) {
                                        if (generation != m_generation)
                                            return;
                                        if (!decoded.ok()) {
                                            showProblem(decoded.error);
                                            return;
                                        }
                                        m_canvas->setImage(decoded.image);
                                        m_status->setText(tr("%1 · %2 × %3")
                                                              .arg(MessageFiles::describe(m_file))
                                                              .arg(decoded.fullSize.width())
                                                              .arg(decoded.fullSize.height()));
                                        updateZoomLabel();
                                        emit imageShown();
                                    });
}

void ImageViewer::showProblem(const QString &reason)
{
    m_canvas->setImage({});
    m_canvas->setMessage(reason);
    m_status->setText(reason);
    emit imageShown();
}

QImage ImageViewer::image() const
{
    return m_canvas->image();
}

double ImageViewer::zoom() const
{
    return m_canvas->zoom();
}

bool ImageViewer::isFitted() const
{
    return m_canvas->isFitted();
}

void ImageViewer::zoomIn()
{
    m_canvas->setZoom(m_canvas->zoom() * kZoomStep);
    updateZoomLabel();
}

void ImageViewer::zoomOut()
{
    m_canvas->setZoom(m_canvas->zoom() / kZoomStep);
    updateZoomLabel();
}

void ImageViewer::zoomToFit()
{
    m_canvas->fit();
    updateZoomLabel();
}

void ImageViewer::zoomToActualSize()
{
    m_canvas->setZoom(1.0);
    updateZoomLabel();
}

void ImageViewer::updateZoomLabel()
{
    m_zoomLabel->setText(
        m_canvas->image().isNull() ? QString() : tr("%1 %").arg(qRound(m_canvas->zoom() * 100)));
}

} // namespace conversa::ui
