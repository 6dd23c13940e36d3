// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "FileActions.h"

#include "ImageViewer.h"

#include <FileCache.h>

#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QStandardPaths>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace conversa::ui {

FileActions::FileActions(QWidget *parentWidget)
    : QObject(parentWidget)
    , m_parentWidget(parentWidget)
{
    m_choosePath = [this](const QString &suggested) {
        const QString folder = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
        return QFileDialog::getSaveFileName(m_parentWidget, tr("Save File"),
                                            QDir(folder).filePath(suggested));
    };
    m_open = [](const QString &path) {
        return QDesktopServices::openUrl(QUrl::fromLocalFile(path));
    };
}

void FileActions::setFiles(core::FileCache *files)
{
    m_files = files;
}

core::FileCache *FileActions::files() const
{
    return m_files;
}

ImageViewer *FileActions::viewer() const
{
    return m_viewer;
}

bool FileActions::isProgram(const QString &fileName)
{
    static const QStringList programs{
        u"exe"_s, u"msi"_s,     u"bat"_s,      u"cmd"_s,  u"com"_s, u"scr"_s, u"pif"_s,
        u"ps1"_s, u"vbs"_s,     u"vbe"_s,      u"js"_s,   u"jse"_s, u"wsf"_s, u"hta"_s,
        u"lnk"_s, u"jar"_s,     u"sh"_s,       u"bash"_s, u"run"_s, u"bin"_s, u"desktop"_s,
        u"app"_s, u"command"_s, u"appimage"_s, u"deb"_s,  u"rpm"_s, u"pkg"_s, u"dmg"_s,
        u"py"_s,  u"pl"_s,      u"rb"_s,       u"reg"_s,  u"cpl"_s, u"msc"_s, u"url"_s};
    return programs.contains(QFileInfo(fileName).suffix().toLower());
}

void FileActions::report(const QString &message)
{
    emit problem(message);
    if (!m_showProblems)
        return;
    auto *box =
        new QMessageBox(QMessageBox::Warning, tr("File"), message, QMessageBox::Ok, m_parentWidget);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}

void FileActions::withFile(const QVariantMap &file, std::function<void(const QString &)> then)
{
    const QString fileId = file.value(u"file"_s).toString();
    if (!m_files) {
        report(tr("Files cannot be downloaded while signed out."));
        return;
    }
    if (const QString path = m_files->cachedPath(fileId); !path.isEmpty()) {
        then(path);
        return;
    }
    // One answer, for this request: the connections go with the first ready or failed of it.
    auto *context = new QObject(this);
    connect(m_files, &core::FileCache::ready, context,
            [context, fileId, then](const QString &id, const QString &path) {
                if (id != fileId)
                    return;
                context->deleteLater();
                then(path);
            });
    connect(m_files, &core::FileCache::failed, context,
            [this, context, fileId, file](const QString &id, const QString &reason) {
                if (id != fileId)
                    return;
                context->deleteLater();
                report(tr("“%1” could not be downloaded: %2")
                           .arg(file.value(u"name"_s).toString(), reason));
            });
    connect(m_files, &QObject::destroyed, context, &QObject::deleteLater);
    m_files->fetch(fileId, file.value(u"size"_s).toLongLong());
}

void FileActions::openFile(const QVariantMap &file)
{
    const QString name = file.value(u"name"_s).toString();
    if (isProgram(name)) {
        report(tr("Conversa does not open programs or scripts such as “%1”. Use Save as… and "
                  "check it before you run it.")
                   .arg(name));
        return;
    }
    withFile(file, [this, file, name](const QString &path) {
        QString why;
        const QString named =
            m_files ? m_files->namedCopy(file.value(u"file"_s).toString(), name, &why) : QString();
        if (named.isEmpty()) {
            report(tr("“%1” cannot be opened: %2").arg(name, why));
            return;
        }
        Q_UNUSED(path);
        if (!m_open(named)) {
            report(tr("No application opens “%1”. Use Save as… to keep it.").arg(name));
            return;
        }
        emit opened(named);
    });
}

void FileActions::saveFile(const QVariantMap &file)
{
    const QString name = file.value(u"name"_s).toString();
    const QString target = m_choosePath(QFileInfo(name).fileName());
    if (target.isEmpty())
        return; // the reader changed their mind
    withFile(file, [this, name, target](const QString &path) {
        const QString part = target + u".part"_s;
        QFile::remove(part);
        if (!QFile::copy(path, part)) {
            report(tr("Cannot write “%1”.").arg(target));
            return;
        }
        // The dialog asked before replacing a file that was there.
        QFile::remove(target);
        if (!QFile::rename(part, target)) {
            QFile::remove(part);
            report(tr("Cannot write “%1”.").arg(target));
            return;
        }
        emit saved(target);
    });
}

void FileActions::showImage(const QVariantMap &file)
{
    if (!m_viewer) {
        m_viewer = new ImageViewer(m_parentWidget ? m_parentWidget->window() : nullptr);
        connect(m_viewer, &ImageViewer::saveRequested, this, &FileActions::saveFile);
    }
    m_viewer->showLoading(file);
    m_viewer->show();
    m_viewer->raise();
    m_viewer->activateWindow();
    const QString fileId = file.value(u"file"_s).toString();
    QPointer<ImageViewer> viewer = m_viewer;
    if (!m_files) {
        viewer->showProblem(tr("Files cannot be downloaded while signed out."));
        return;
    }
    auto *context = new QObject(this);
    connect(m_files, &core::FileCache::failed, context,
            [context, fileId, viewer](const QString &id, const QString &reason) {
                if (id != fileId)
                    return;
                context->deleteLater();
                if (viewer && viewer->fileId() == fileId)
                    viewer->showProblem(reason);
            });
    connect(m_files, &core::FileCache::ready, context,
            [context, fileId, viewer](const QString &id, const QString &path) {
                if (id != fileId)
                    return;
                context->deleteLater();
                if (viewer && viewer->fileId() == fileId)
                    viewer->showFile(path);
            });
    connect(m_files, &QObject::destroyed, context, &QObject::deleteLater);
    m_files->fetch(fileId, file.value(u"size"_s).toLongLong());
}

} // namespace conversa::ui
