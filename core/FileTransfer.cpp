// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "FileTransfer.h"

#include "OutboxFile.h"
#include "TransportSettings.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace conversa::core {

FileTransfer::FileTransfer(const TransportOptions &options, const QString &token, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_token(token)
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setProxy(proxyFor(options));
}

FileTransfer::~FileTransfer()
{
    if (m_reply)
        m_reply->abort();
    if (!m_outputPath.isEmpty() && !m_done)
        QFile::remove(m_outputPath + u".part"_s);
}

QUrl FileTransfer::filesUrl(const QUrl &serverUrl, const QString &fileId)
{
    QUrl url = serverUrl;
    url.setScheme(serverUrl.scheme() == "wss"_L1 ? u"https"_s : u"http"_s);
    url.setPath(fileId.isEmpty() ? u"/files"_s : u"/files/"_s + fileId);
    url.setQuery(QString());
    return url;
}

QNetworkReply *FileTransfer::send(const QUrl &url, const QByteArray &method, QIODevice *body,
                                  const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setHeader(QNetworkRequest::UserAgentHeader, m_options.userAgent);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    if (url.scheme() == "https"_L1)
        request.setSslConfiguration(sslFor(m_options));
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, body);
    m_reply = reply;
    return reply;
}

QString FileTransfer::describeFailure(QNetworkReply *reply) const
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    // A download refused in the reader's terms: the server's words are about the request.
    const bool downloading = !m_outputPath.isEmpty();
    if (downloading && status == 404)
        return tr("This file is not available (404): it was deleted, or you are no longer in a "
                  "room that has it.");
    if (downloading && status == 401)
        return tr("The server did not accept this sign-in for the download (401).");
    const QString message =
        QJsonDocument::fromJson(reply->readAll()).object().value("message"_L1).toString();
    if (status != 0 && !message.isEmpty())
        return tr("The server refused (%1): %2").arg(status).arg(message);
    if (status != 0)
        return tr("The server answered %1 %2.")
            .arg(status)
            .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
    return reply->errorString();
}

void FileTransfer::fail(const QString &reason)
{
    if (m_done)
        return;
    m_done = true;
    emit failed(reason);
}

void FileTransfer::abort()
{
    m_done = true;
    if (m_reply)
        m_reply->abort();
    m_file.close();
}

void FileTransfer::upload(const QString &path, qint64 maxBytes, const QString &name,
                          const QString &type)
{
    m_file.setFileName(path);
    m_httpStatus = -1;
    if (!m_file.open(QIODevice::ReadOnly)) {
        QMetaObject::invokeMethod(
            this,
            [this, path, why = m_file.errorString()] {
                fail(tr("Cannot read “%1”: %2").arg(path, why));
            },
            Qt::QueuedConnection);
        return;
    }
    if (m_file.size() > maxBytes) {
        QMetaObject::invokeMethod(
            this,
            [this, path, size = m_file.size(), maxBytes] {
                fail(tr("“%1” is %2 bytes; the server takes files of up to %3 bytes.")
                         .arg(path)
                         .arg(size)
                         .arg(maxBytes));
            },
            Qt::QueuedConnection);
        return;
    }
    m_httpStatus = 0;
    const QString sentName = name.isEmpty() ? QFileInfo(path).fileName() : name;
    const QString sentType = type.isEmpty() ? mediaTypeOf(path) : type;
    QNetworkReply *reply = send(filesUrl(m_options.url), "POST", &m_file,
                                {{"Content-Type", sentType.toLatin1()},
                                 {"Content-Length", QByteArray::number(m_file.size())},
                                 {"X-Filename", sentName.toUtf8().toPercentEncoding()}});
    connect(reply, &QNetworkReply::uploadProgress, this, &FileTransfer::progress);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        m_file.close();
        if (m_done)
            return; // aborted
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_httpStatus = status;
        if (status != 201) {
            fail(describeFailure(reply));
            return;
        }
        const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
        const protocol::FileRef file{o.value("file"_L1).toString(), o.value("name"_L1).toString(),
                                     o.value("type"_L1).toString(), o.value("size"_L1).toInteger(),
                                     o.value("width"_L1).toInt(),   o.value("height"_L1).toInt()};
        if (file.file.isEmpty()) {
            fail(tr("The server's answer to the upload names no file."));
            return;
        }
        m_done = true;
        emit finished(file);
    });
}

void FileTransfer::download(const QString &fileId, const QString &outputPath)
{
    m_outputPath = outputPath;
    m_file.setFileName(outputPath + u".part"_s);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        QMetaObject::invokeMethod(
            this,
            [this, why = m_file.errorString()] {
                fail(tr("Cannot write “%1”: %2").arg(m_outputPath, why));
            },
            Qt::QueuedConnection);
        return;
    }
    QNetworkReply *reply = send(filesUrl(m_options.url, fileId), "GET", nullptr, {});
    reply->setReadBufferSize(256 * 1024);
    const auto take = [this, reply] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status != 200)
            return; // the answer is an error's words, read in `finished`
        while (reply->bytesAvailable() > 0) {
            const QByteArray piece = reply->read(64 * 1024);
            if (m_file.write(piece) != piece.size()) {
                fail(tr("Cannot write “%1”: %2").arg(m_outputPath, m_file.errorString()));
                reply->abort();
                return;
            }
        }
    };
    connect(reply, &QNetworkReply::readyRead, this, take);
    connect(reply, &QNetworkReply::downloadProgress, this, &FileTransfer::progress);
    connect(reply, &QNetworkReply::finished, this, [this, reply, take, fileId] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_httpStatus = status;
        if (status == 200 && reply->error() == QNetworkReply::NoError)
            take();
        m_file.close();
        if (m_done)
            return;
        if (status != 200 || reply->error() != QNetworkReply::NoError) {
            QFile::remove(m_file.fileName());
            fail(describeFailure(reply));
            return;
        }
        QFile::remove(m_outputPath);
        if (!QFile::rename(m_file.fileName(), m_outputPath)) {
            fail(tr("Cannot write “%1”.").arg(m_outputPath));
            return;
        }
        m_done = true;
        emit finished(protocol::FileRef{fileId, QFileInfo(m_outputPath).fileName()});
    });
}

} // namespace conversa::core
