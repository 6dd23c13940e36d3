// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Transport.h"

#include <Frames.h>

#include <QFile>
#include <QObject>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace conversa::core {

// One upload (POST /files) or download (GET /files/<id>) over HTTP to the server a session
// talks to, with the device token as a bearer token and the session's proxy and trusted CAs
// (`options`, as SessionManager::transportOptions gives them). The file is streamed from or to
// disk, never held whole. A download writes to PATH.part and renames it when every byte is in.
// Emits `finished` or `failed` (with the reason in words) once.
class FileTransfer : public QObject
{
    Q_OBJECT
public:
    FileTransfer(const TransportOptions &options, const QString &token, QObject *parent = nullptr);
    ~FileTransfer() override;

    // http(s)://HOST:PORT/files[/<id>] for a session at ws(s)://HOST:PORT/ws.
    static QUrl filesUrl(const QUrl &serverUrl, const QString &fileId = {});

    // `maxBytes`: the server's max_file_bytes (a larger file fails here, before sending).
    // `name` and `type` as the receivers see them (by default the file's name, and its media
    // type as mediaTypeOf() in OutboxFile.h says).
    void upload(const QString &path, qint64 maxBytes, const QString &name = {},
                const QString &type = {});
    // The HTTP status of the server's answer once `finished` or `failed` came: 0 when no answer
    // came (no connection), -1 when it failed here (the file cannot be read, or is too large).
    int httpStatus() const { return m_httpStatus; }
    // Stops the transfer now; neither `finished` nor `failed` follows.
    void abort();
    void download(const QString &fileId, const QString &outputPath);

signals:
    void progress(qint64 done, qint64 total);
    // Upload: the file as the server took it; download: `file.file` only.
    void finished(const conversa::protocol::FileRef &file);
    void failed(const QString &reason);

private:
    QNetworkReply *send(const QUrl &url, const QByteArray &method, QIODevice *body,
                        const QList<std::pair<QByteArray, QByteArray>> &headers);
    QString describeFailure(QNetworkReply *reply) const;
    void fail(const QString &reason);

    TransportOptions m_options;
    QString m_token;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    QFile m_file;
    QString m_outputPath;
    bool m_done = false;
    int m_httpStatus = 0;
};

} // namespace conversa::core
