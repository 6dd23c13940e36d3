// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RateLimiter.h"
#include "files/UploadRequest.h"
#include "storage/Store.h"

#include <QObject>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>
#include <unordered_map>

namespace conversa::server {

class ServerContext;
struct Session;
struct HttpRequest;

namespace files {

// `POST /files` and `GET /files/<id>` on the chat port (DESIGN.md, "Files"): the device token as
// a bearer token, the body streamed to a spool file in pieces as it arrives (hashed on the way),
// then handed to the storage writer (SQLite: a content-addressed file under <data>/files;
// PostgreSQL: rows of file_chunks); downloads are written out as the client reads them. Neither
// ever holds a whole file in memory. Also removes uploads no message carries once they are
// older than `unattached_file_ttl_seconds`.
class FileService : public QObject
{
    Q_OBJECT
public:
    explicit FileService(ServerContext &context, QObject *parent = nullptr);
    ~FileService() override;

    // Makes the spool folder and starts the expiry timer. Returns an error in words, or an
    // empty string.
    QString start();
    static bool handles(QByteArrayView path);
    // Takes over the session's connection, whose request line and headers are `request` (its
    // body, if any, follows on the socket). Answers and closes it when done.
    void take(Session &session, const HttpRequest &request);

private:
    struct Transfer;

    void startUpload(Session &session, const HttpRequest &request, const TokenRecord &token);
    void readUpload(quint64 sessionId);
    void finishUpload(Session &session, Transfer &upload);
    void startDownload(Session &session, const QString &fileId, const TokenRecord &token);
    void pumpDownload(quint64 sessionId);
    std::optional<TokenRecord> authenticate(Session &session, const HttpRequest &request);
    // Answers with a status and a JSON body, then closes the connection once it is written
    // (after reading and dropping what remains of an announced body, so the client sees the
    // answer instead of a reset).
    void respond(Session &session, int status, QByteArrayView reason, const QByteArray &json,
                 qint64 bodyLeft = 0);
    void refuse(Session &session, const HttpError &error, qint64 bodyLeft = 0);
    void discard(quint64 sessionId);
    void drop(quint64 sessionId);
    void expire();
    Transfer *transfer(quint64 sessionId);

    ServerContext &m_context;
    QString m_spoolDir;
    QTemporaryDir m_postgresSpool; // PostgreSQL has no data folder: uploads wait here
    std::unordered_map<quint64, std::unique_ptr<Transfer>> m_transfers;
    FailureWindow m_uploadsPerUser;
    QTimer m_expiryTimer;
};

} // namespace files
} // namespace conversa::server
