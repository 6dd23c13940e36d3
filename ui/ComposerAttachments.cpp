// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ComposerAttachments.h"

#include "Theme.h"

#include <Room.h>

#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QHBoxLayout>
#include <QImage>
#include <QImageReader>
#include <QLabel>
#include <QMimeData>
#include <QPainter>
#include <QScrollArea>
#include <QScrollBar>
#include <QStyle>
#include <QTemporaryDir>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace conversa::ui {

namespace {

constexpr int kThumbnail = 44;
// Images with more pixels than this get a file icon, not a thumbnail (decoding it, even scaled,
// would cost too much memory for a preview).
constexpr qint64 kMaxThumbnailSourcePixels = qint64(64) * 1000 * 1000;

QPixmap thumbnailFor(const core::OutboxFile &file, const QWidget *widget)
{
    const qreal ratio = widget->devicePixelRatioF();
    const int side = int(kThumbnail * ratio);
    if (file.type.startsWith("image/"_L1) && file.width > 0 && file.height > 0 &&
        qint64(file.width) * file.height <= kMaxThumbnailSourcePixels) {
        QImageReader reader(file.localPath());
        // Decoded straight at the small size: the full image is never held.
        const QSize full(file.width, file.height);
        reader.setScaledSize(full.scaled(side, side, Qt::KeepAspectRatioByExpanding));
        const QImage image = reader.read();
        if (!image.isNull()) {
            QPixmap square(side, side);
            square.fill(Qt::transparent);
            QPainter painter(&square);
            painter.setRenderHint(QPainter::SmoothPixmapTransform);
            const QRect source((image.width() - side) / 2, (image.height() - side) / 2, side, side);
            painter.drawImage(QRect(0, 0, side, side), image, source);
            square.setDevicePixelRatio(ratio);
            return square;
        }
    }
    QPixmap icon = widget->style()->standardIcon(QStyle::SP_FileIcon).pixmap(kThumbnail * 2 / 3);
    return icon;
}

} // namespace

ComposerAttachments::ComposerAttachments(std::function<core::Room *()> room, QWidget *parent)
    : QFrame(parent)
    , m_room(std::move(room))
{
    setObjectName(u"composerAttachments"_s);
    setFrameShape(QFrame::NoFrame);
    m_scroll = new QScrollArea(this);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidgetResizable(true);
    m_scroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_row = new QWidget(m_scroll);
    m_rowLayout = new QHBoxLayout(m_row);
    m_rowLayout->setContentsMargins(0, 0, 0, 0);
    m_rowLayout->setSpacing(8);
    m_rowLayout->addStretch(1);
    m_scroll->setWidget(m_row);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 0, 12, 0);
    layout->addWidget(m_scroll);
    setFixedHeight(kThumbnail + 16 + m_scroll->horizontalScrollBar()->sizeHint().height());
    setAccessibleName(tr("Files to send"));
    hide();
}

ComposerAttachments::~ComposerAttachments() = default;

void ComposerAttachments::add(const core::OutboxFile &file)
{
    m_files.append(file);
    rebuild();
    emit changed();
}

void ComposerAttachments::removeAt(int index)
{
    if (index < 0 || index >= m_files.size())
        return;
    const core::OutboxFile file = m_files.takeAt(index);
    // A pasted image exists only for this message.
    if (m_pasted && file.source.startsWith(m_pasted->path()))
        QFile::remove(file.source);
    rebuild();
    emit changed();
}

void ComposerAttachments::clear()
{
    if (m_files.isEmpty())
        return;
    // The outbox has its own copies by now.
    m_files.clear();
    if (m_pasted) {
        const QDir pasted(m_pasted->path());
        for (const QString &name : pasted.entryList(QDir::Files))
            QFile::remove(pasted.filePath(name));
    }
    rebuild();
    emit changed();
}

QStringList ComposerAttachments::attachFiles(const QStringList &paths)
{
    QStringList problems;
    core::Room *room = m_room ? m_room() : nullptr;
    if (!room) {
        if (!paths.isEmpty())
            problems.append(tr("Open a room to send files."));
        return problems;
    }
    for (const QString &path : paths) {
        QString error;
        std::optional<core::OutboxFile> file = room->describeFile(path, m_files, &error);
        if (!file) {
            problems.append(error);
            continue;
        }
        if (file->type.startsWith("image/"_L1)) {
            const QSize size = imageSize(file->source);
            file->width = size.width();
            file->height = size.height();
        }
        m_files.append(*file);
    }
    if (problems.size() < paths.size()) {
        rebuild();
        emit changed();
    }
    return problems;
}

QStringList ComposerAttachments::attachImage(const QImage &image)
{
    QString error;
    const QString path = imageFileFor(image, &error);
    if (path.isEmpty())
        return {error};
    const QStringList problems = attachFiles({path});
    if (!problems.isEmpty())
        QFile::remove(path);
    return problems;
}

QStringList ComposerAttachments::attachFrom(const QMimeData *data)
{
    const QStringList paths = localFiles(data);
    if (!paths.isEmpty())
        return attachFiles(paths);
    if (canAttach(data))
        return attachImage(qvariant_cast<QImage>(data->imageData()));
    return {};
}

QList<QWidget *> ComposerAttachments::removeButtons() const
{
    return m_removeButtons;
}

void ComposerAttachments::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::LanguageChange || event->type() == QEvent::PaletteChange) {
        setAccessibleName(tr("Files to send"));
        rebuild();
    }
}

void ComposerAttachments::rebuild()
{
    m_removeButtons.clear();
    while (m_rowLayout->count() > 1) {
        QLayoutItem *item = m_rowLayout->takeAt(0);
        if (QWidget *widget = item->widget())
            widget->deleteLater();
        delete item;
    }
    for (int i = 0; i < m_files.size(); ++i)
        m_rowLayout->insertWidget(i, chipFor(i));
    setVisible(!m_files.isEmpty());
}

QWidget *ComposerAttachments::chipFor(int index)
{
    const core::OutboxFile &file = m_files.at(index);
    auto *chip = new QFrame(m_row);
    chip->setObjectName(u"attachmentChip"_s);
    chip->setFrameShape(QFrame::StyledPanel);
    chip->setAutoFillBackground(true);
    QPalette palette = chip->palette();
    palette.setColor(QPalette::Window, palette.color(QPalette::AlternateBase));
    chip->setPalette(palette);
    chip->setToolTip(file.name);

    auto *thumbnail = new QLabel(chip);
    thumbnail->setObjectName(u"attachmentThumbnail"_s);
    thumbnail->setFixedSize(kThumbnail, kThumbnail);
    thumbnail->setAlignment(Qt::AlignCenter);
    thumbnail->setPixmap(thumbnailFor(file, this));

    auto *name = new QLabel(chip);
    name->setObjectName(u"attachmentName"_s);
    name->setText(name->fontMetrics().elidedText(file.name, Qt::ElideMiddle, 180));
    auto *size = new QLabel(core::AttachmentLimits::formatSize(file.size), chip);
    size->setObjectName(u"attachmentSize"_s);
    QPalette muted = size->palette();
    muted.setColor(QPalette::WindowText, Theme::mutedText());
    size->setPalette(muted);
    auto *text = new QVBoxLayout;
    text->setSpacing(0);
    text->addStretch(1);
    text->addWidget(name);
    text->addWidget(size);
    text->addStretch(1);

    auto *remove = new QToolButton(chip);
    remove->setObjectName(u"removeAttachment"_s);
    remove->setAutoRaise(true);
    remove->setIcon(Theme::icon(u"close"_s));
    remove->setIconSize(QSize(14, 14));
    remove->setToolTip(tr("Remove %1").arg(file.name));
    remove->setAccessibleName(tr("Remove %1").arg(file.name));
    connect(remove, &QToolButton::clicked, this, [this, index] { removeAt(index); });
    m_removeButtons.append(remove);

    auto *layout = new QHBoxLayout(chip);
    layout->setContentsMargins(4, 4, 2, 4);
    layout->setSpacing(6);
    layout->addWidget(thumbnail);
    layout->addLayout(text);
    layout->addWidget(remove, 0, Qt::AlignTop);
    return chip;
}

QStringList ComposerAttachments::localFiles(const QMimeData *data)
{
    QStringList paths;
    if (!data || !data->hasUrls())
        return paths;
    for (const QUrl &url : data->urls()) {
        if (url.isLocalFile() && !url.toLocalFile().isEmpty())
            paths.append(url.toLocalFile());
    }
    return paths;
}

bool ComposerAttachments::canAttach(const QMimeData *data)
{
    if (!data)
        return false;
    // An image alone (a screenshot, "Copy image"); an office program that copies text puts a
    // picture of it beside the text, and that paste or drop is the text.
    return !localFiles(data).isEmpty() || (data->hasImage() && !data->hasText());
}

QString ComposerAttachments::imageFileFor(const QImage &image, QString *error)
{
    if (!m_pasted)
        m_pasted = std::make_unique<QTemporaryDir>();
    if (!m_pasted->isValid() || image.isNull()) {
        if (error)
            *error = image.isNull()
                         ? tr("The pasted image cannot be read.")
                         : tr("The pasted image cannot be saved: %1").arg(m_pasted->errorString());
        return {};
    }
    const QString stamp = QDateTime::currentDateTime().toString(u"yyyy-MM-dd HH.mm.ss"_s);
    QString path = QDir(m_pasted->path()).filePath(tr("Pasted image %1.png").arg(stamp));
    // Two pastes within a second.
    for (int n = 2; QFile::exists(path); ++n)
        path = QDir(m_pasted->path()).filePath(tr("Pasted image %1 (%2).png").arg(stamp).arg(n));
    if (!image.save(path, "PNG")) {
        if (error)
            *error = tr("The pasted image cannot be saved.");
        return {};
    }
    return path;
}

QSize ComposerAttachments::imageSize(const QString &path)
{
    QImageReader reader(path);
    const QSize size = reader.canRead() ? reader.size() : QSize();
    return size.isValid() ? size : QSize();
}

} // namespace conversa::ui
