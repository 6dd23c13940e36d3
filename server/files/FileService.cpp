// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "files/FileService.h"

#include "Codec.h"
#include "Log.h"
#include "PasswordHasher.h"
#include "ServerContext.h"
#include "Validation.h"
#include "files/BlobPaths.h"
#include "files/ImageInfo.h"
#include "http/HttpRequest.h"
#include "sessions/Session.h"
#include "storage/StorageWriter.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QStorageInfo>
#include <QTcpSocket>

#include <csignal>
#include <unistd.h>

namespace conversa::server::files {

using namespace Qt::StringLiterals;

namespace {
// Read and written in pieces of this size; a download stops filling the socket past the mark.
constexpr qint64 kPieceBytes = 64 * 1024;
constexpr qint64 kSocketHighWater = 256 * 1024;
// An error answer drops at most this much of a body it refused before closing.
constexpr qint64 kMaxDiscardBytes = 64 * 1024 * 1024;
// Room left on the disk beyond an upload (the database and logs need some too).
constexpr qint64 kDiskReserveBytes = 16 * 1024 * 1024;

QByteArray messageJson(const QString &message)
{
    return QJsonDocument(QJsonObject{{"message"_L1, message}}).toJson(QJsonDocument::Compact);
}

QString newFileId()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex());
}

// A type the browser could run or render as a page is sent as plain bytes.
QString servedType(const QString &type)
{
    if (isKnownImageType(type))
        return type;
    if (type.contains("html"_L1) || type.contains("xml"_L1) || type.contains("script"_L1) ||
        type.startsWith("multipart/"_L1))
        return u"application/octet-stream"_s;
    return type;
}

QByteArray contentDisposition(const QString &type, const QString &name)
{
    QByteArray ascii;
    for (QChar c : name)
        ascii += (c.unicode() >= 0x20 && c.unicode() < 0x7f && c != u'"' && c != u'\\')
                     ? char(c.unicode())
                     : '_';
    return (isKnownImageType(type) ? "inline" : "attachment") + QByteArray("; filename=\"") +
           ascii + "\"; filename*=UTF-8''" + name.toUtf8().toPercentEncoding();
}
} // namespace

struct FileService::Transfer {
    enum class Stage { Receiving, Storing, Sending, Discarding };
    Stage stage = Stage::Receiving;
    qint64 userId = 0;
    QString userName;
    UploadRequest upload;
    qint64 received = 0;
    QFile spool;
    QCryptographicHash hash{QCryptographicHash::Sha256};
    QByteArray head; // the first kImageHeadBytes, for readImageInfo
    // Downloads: from a file (SQLite) or from rows of file_chunks (PostgreSQL).
    QFile blob;
    QString fileId;
    int nextChunk = 0;
    qint64 left = 0;
    QMetaObject::Connection reader, writer;
};

FileService::FileService(ServerContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    // With a file size limit (RLIMIT_FSIZE) a write past it must fail (and answer 507), not
    // kill the server.
    std::signal(SIGXFSZ, SIG_IGN);
    connect(&m_expiryTimer, &QTimer::timeout, this, &FileService::expire);
}

FileService::~FileService()
{
    for (auto &[id, transfer] : m_transfers) {
        if (transfer->stage == Transfer::Stage::Receiving)
            transfer->spool.remove();
    }
}

QString FileService::start()
{
    if (m_context.config.storage == StorageKind::Postgresql) {
        if (!m_postgresSpool.isValid())
            return u"cannot make a temporary folder for uploads: %1"_s.arg(
                m_postgresSpool.errorString());
        m_spoolDir = m_postgresSpool.path();
    } else {
        m_spoolDir = incomingDir(m_context.config.dataDir);
        if (!QDir().mkpath(m_spoolDir))
            return u"cannot create the uploads folder '%1'"_s.arg(m_spoolDir);
        // Uploads cut off by a crash or restart are never finished.
        const QDir incoming(m_spoolDir);
        for (const QString &stale : incoming.entryList(QDir::Files))
            QFile::remove(incoming.filePath(stale));
    }
    const qint64 ttlMs = m_context.config.unattachedFileTtlSeconds * 1000LL;
    m_expiryTimer.start(static_cast<int>(qBound(qint64(500), ttlMs / 4, qint64(60'000))));
    return {};
}

bool FileService::handles(QByteArrayView path)
{
    return path == QByteArrayView("/files") || path.startsWith(QByteArrayView("/files/"));
}

FileService::Transfer *FileService::transfer(quint64 sessionId)
{
    const auto it = m_transfers.find(sessionId);
    return it == m_transfers.end() ? nullptr : it->second.get();
}

void FileService::take(Session &session, const HttpRequest &request)
{
    QTcpSocket *tcp = session.tcp;
    disconnect(session.httpReader);
    tcp->read(request.headerBytes);
    session.fileTransfer = true;
    session.lastActivityMs = m_context.now();
    const quint64 id = session.id;
    auto &slot = m_transfers[id];
    slot = std::make_unique<Transfer>();
    connect(tcp, &QTcpSocket::disconnected, this, [this, id] { drop(id); });

    const bool upload = request.path == "/files";
    const qint64 body = qMax<qint64>(0, request.contentLength);
    if (upload ? request.method != "POST" : request.method != "GET") {
        respond(session, 405, "Method Not Allowed",
                messageJson(upload ? u"upload a file with POST /files"_s
                                   : u"download a file with GET /files/<id>"_s),
                body);
        return;
    }
    const QString fileId = QString::fromLatin1(request.path.mid(7));
    if (!upload && !protocol::isValidFileId(fileId)) {
        respond(session, 404, "Not Found", messageJson(u"there is no such file"_s));
        return;
    }
    if (m_context.shuttingDown) {
        respond(session, 503, "Service Unavailable",
                messageJson(u"this server is shutting down; try again"_s), body);
        return;
    }
    const std::optional<TokenRecord> token = authenticate(session, request);
    if (!token)
        return;
    if (upload)
        startUpload(session, request, *token);
    else
        startDownload(session, fileId, *token);
}

std::optional<TokenRecord> FileService::authenticate(Session &session, const HttpRequest &request)
{
    const qint64 body = qMax<qint64>(0, request.contentLength);
    const QByteArray bearer = bearerToken(request.authorization);
    if (bearer.isEmpty() || bearer.size() > protocol::kMaxTokenLength) {
        respond(session, 401, "Unauthorized",
                messageJson(u"send your device token as 'Authorization: Bearer TOKEN'"_s), body);
        return std::nullopt;
    }
    QString error;
    std::optional<TokenRecord> token =
        m_context.store.validToken(TokenSecrets::hashOf(QString::fromLatin1(bearer)), &error);
    if (!error.isEmpty()) {
        respond(session, 503, "Service Unavailable",
                messageJson(u"the server cannot read its database now; try again"_s), body);
        return std::nullopt;
    }
    if (!token) {
        m_context.logClient(session.address,
                            u"event=file_auth_failed addr=%1"_s.arg(session.address));
        respond(session, 401, "Unauthorized",
                messageJson(u"this token is not valid (revoked, expired or mistyped); sign in "
                            "again"_s),
                body);
    }
    return token;
}

void FileService::startUpload(Session &session, const HttpRequest &request,
                              const TokenRecord &token)
{
    const ServerConfig &config = m_context.config;
    const qint64 body = qMax<qint64>(0, request.contentLength);
    auto parsed = readUploadRequest(request, config.limits.maxFileBytes);
    if (const auto *error = std::get_if<HttpError>(&parsed)) {
        refuse(session, *error, body);
        return;
    }
    const UploadRequest upload = std::get<UploadRequest>(parsed);
    const qint64 t = m_context.now();
    if (m_uploadsPerUser.count(token.userName, t) >= config.uploadsPerMinute) {
        const qint64 waitMs = m_uploadsPerUser.retryAfterMs(token.userName, t);
        refuse(
            session,
            {429, "Too Many Requests",
             u"you may start %1 uploads a minute; try again in %2 s"_s.arg(config.uploadsPerMinute)
                 .arg((waitMs + 999) / 1000)},
            body);
        return;
    }
    QString error;
    const qint64 stored = m_context.store.storedFileBytes(token.userId, &error);
    if (stored < 0) {
        refuse(
            session,
            {503, "Service Unavailable", u"the server cannot read its database now; try again"_s},
            body);
        return;
    }
    if (stored + upload.size > config.fileQuotaBytesPerUser) {
        refuse(session,
               {413, "Content Too Large",
                u"your files take %1 of your %2 bytes; this one (%3 bytes) does not fit. "
                "Deleting messages with files frees their space"_s.arg(stored)
                    .arg(config.fileQuotaBytesPerUser)
                    .arg(upload.size)},
               body);
        return;
    }
    const QStorageInfo disk(m_spoolDir);
    if (disk.isValid() && disk.bytesAvailable() >= 0 &&
        disk.bytesAvailable() < upload.size + kDiskReserveBytes) {
        qCWarning(lcServer).noquote()
            << u"event=disk_full path=\"%1\" available=%2"_s.arg(m_spoolDir)
                   .arg(disk.bytesAvailable());
        refuse(session,
               {507, "Insufficient Storage",
                u"the server's disk is full; it cannot take this file now"_s},
               body);
        return;
    }
    m_uploadsPerUser.record(token.userName, t);

    Transfer &transfer = *m_transfers.at(session.id);
    transfer.userId = token.userId;
    transfer.userName = token.userName;
    transfer.upload = upload;
    transfer.spool.setFileName(QDir(m_spoolDir).filePath(newFileId()));
    if (!transfer.spool.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        qCCritical(lcServer).noquote() << u"event=file_spool_failed path=\"%1\" error=\"%2\""_s.arg(
            transfer.spool.fileName(), transfer.spool.errorString());
        refuse(session,
               {507, "Insufficient Storage", u"the server cannot store files now; try later"_s},
               body);
        return;
    }
    if (request.expectsContinue)
        session.tcp->write("HTTP/1.1 100 Continue\r\n\r\n");
    // Kept small, so a client sending faster than the disk writes waits in TCP instead.
    session.tcp->setReadBufferSize(kSocketHighWater);
    const quint64 id = session.id;
    transfer.reader =
        connect(session.tcp, &QTcpSocket::readyRead, this, [this, id] { readUpload(id); });
    readUpload(id);
}

void FileService::readUpload(quint64 sessionId)
{
    Session *session = m_context.sessions.find(sessionId);
    Transfer *upload = transfer(sessionId);
    if (!session || !session->tcp || !upload || upload->stage != Transfer::Stage::Receiving)
        return;
    QTcpSocket *tcp = session->tcp;
    while (upload->received < upload->upload.size) {
        const QByteArray piece =
            tcp->read(qMin(kPieceBytes, upload->upload.size - upload->received));
        if (piece.isEmpty())
            break;
        session->lastActivityMs = m_context.now();
        upload->hash.addData(piece);
        if (upload->head.size() < kImageHeadBytes)
            upload->head += QByteArrayView(piece).first(
                qMin(piece.size(), kImageHeadBytes - upload->head.size()));
        if (upload->spool.write(piece) != piece.size()) {
            qCCritical(lcServer).noquote()
                << u"event=file_write_failed path=\"%1\" error=\"%2\""_s.arg(
                       upload->spool.fileName(), upload->spool.errorString());
            upload->spool.remove();
            refuse(*session,
                   {507, "Insufficient Storage",
                    u"the server's disk is full; it cannot take this file now"_s},
                   upload->upload.size - upload->received - piece.size());
            return;
        }
        upload->received += piece.size();
    }
    if (upload->received == upload->upload.size)
        finishUpload(*session, *upload);
}

void FileService::finishUpload(Session &session, Transfer &upload)
{
    disconnect(upload.reader);
    upload.stage = Transfer::Stage::Storing;
    // The bytes reach the disk before the row that names them is committed.
    const bool written = upload.spool.flush() && ::fdatasync(upload.spool.handle()) == 0;
    upload.spool.close();
    if (!written) {
        upload.spool.remove();
        refuse(session, {507, "Insufficient Storage",
                         u"the server's disk is full; it cannot take this file now"_s});
        return;
    }
    const ImageInfo image = readImageInfo(upload.head);
    UploadRequest &file = upload.upload;
    if (isKnownImageType(file.type) && image.type != file.type) {
        upload.spool.remove();
        refuse(
            session,
            {415, "Unsupported Media Type",
             image.type.isEmpty()
                 ? u"the file is sent as %1, but its bytes are no such image"_s.arg(file.type)
                 : u"the file is sent as %1, but its bytes are %2"_s.arg(file.type, image.type)});
        return;
    }
    if (file.type == "application/octet-stream"_L1 && !image.type.isEmpty())
        file.type = image.type;
    write::AddFile job;
    job.id = newFileId();
    job.uploaderId = upload.userId;
    job.sha256 = QString::fromLatin1(upload.hash.result().toHex());
    job.name = file.name;
    job.type = file.type;
    job.size = file.size;
    if (!image.type.isEmpty()) {
        job.width = image.width;
        job.height = image.height;
    }
    job.spoolPath = upload.spool.fileName();
    upload.head.clear();
    const protocol::FileRef ref{job.id, job.name, job.type, job.size, job.width, job.height};
    m_context.writer->submit(std::move(job), [this, id = session.id, ref,
                                              spoolPath = upload.spool.fileName(),
                                              user = upload.userName](const WriteResult &result) {
        QFile::remove(spoolPath); // moved or copied into storage by now, or not wanted
        Session *session = m_context.sessions.find(id);
        if (!result.ok) {
            if (session)
                refuse(*session, {500, "Internal Server Error",
                                  u"the server could not store this file; try again"_s});
            return;
        }
        qCInfo(lcServer).noquote() << u"event=file_uploaded user=%1 file=%2 size=%3"_s.arg(
            user, ref.file, QString::number(ref.size));
        if (session)
            respond(*session, 201, "Created",
                    QJsonDocument(protocol::fileRefToJson(ref)).toJson(QJsonDocument::Compact));
    });
}

void FileService::startDownload(Session &session, const QString &fileId, const TokenRecord &token)
{
    QString error;
    const std::optional<FileRecord> file =
        m_context.store.readableFile(fileId, token.userId, &error);
    if (!error.isEmpty()) {
        respond(session, 503, "Service Unavailable",
                messageJson(u"the server cannot read its database now; try again"_s));
        return;
    }
    if (!file) {
        respond(session, 404, "Not Found", messageJson(u"there is no such file"_s));
        return;
    }
    Transfer &download = *m_transfers.at(session.id);
    download.stage = Transfer::Stage::Sending;
    download.fileId = fileId;
    download.left = file->ref.size;
    if (!m_context.store.isPostgres()) {
        download.blob.setFileName(blobPath(m_context.config.dataDir, file->sha256));
        if (!download.blob.open(QIODevice::ReadOnly) || download.blob.size() != file->ref.size) {
            qCCritical(lcServer).noquote() << u"event=file_missing file=%1 path=\"%2\""_s.arg(
                fileId, download.blob.fileName());
            respond(session, 500, "Internal Server Error",
                    messageJson(u"the server has lost this file's bytes"_s));
            return;
        }
    }
    const QString type = servedType(file->ref.type);
    session.tcp->write(httpHead(200, "OK", type.toLatin1(), file->ref.size,
                                "Content-Disposition: " + contentDisposition(type, file->ref.name) +
                                    "\r\nX-Content-Type-Options: nosniff"
                                    "\r\nContent-Security-Policy: default-src 'none'; sandbox"
                                    "\r\nCache-Control: private\r\n"));
    const quint64 id = session.id;
    download.writer =
        connect(session.tcp, &QTcpSocket::bytesWritten, this, [this, id] { pumpDownload(id); });
    pumpDownload(id);
}

void FileService::pumpDownload(quint64 sessionId)
{
    Session *session = m_context.sessions.find(sessionId);
    Transfer *download = transfer(sessionId);
    if (!session || !session->tcp || !download || download->stage != Transfer::Stage::Sending)
        return;
    QTcpSocket *tcp = session->tcp;
    session->lastActivityMs = m_context.now();
    while (download->left > 0 && tcp->bytesToWrite() < kSocketHighWater) {
        QByteArray piece;
        QString error;
        if (download->blob.isOpen())
            piece = download->blob.read(qMin(kPieceBytes, download->left));
        else
            piece = m_context.store.fileChunk(download->fileId, download->nextChunk++, &error);
        if (piece.isEmpty() || piece.size() > download->left) {
            qCCritical(lcServer).noquote()
                << u"event=file_read_failed file=%1 error=\"%2\""_s.arg(download->fileId, error);
            tcp->abort(); // the length is promised already: a cut connection says it failed
            return;
        }
        download->left -= piece.size();
        tcp->write(piece);
    }
    if (download->left == 0) {
        disconnect(download->writer);
        download->blob.close();
        tcp->disconnectFromHost();
    }
}

void FileService::refuse(Session &session, const HttpError &error, qint64 bodyLeft)
{
    respond(session, error.status, error.reason, messageJson(error.message), bodyLeft);
}

void FileService::respond(Session &session, int status, QByteArrayView reason,
                          const QByteArray &json, qint64 bodyLeft)
{
    QTcpSocket *tcp = session.tcp;
    if (!tcp)
        return;
    QByteArray extraHeaders = "X-Content-Type-Options: nosniff\r\n";
    if (status == 405)
        extraHeaders += "Allow: GET, POST\r\n";
    if (status == 401)
        extraHeaders += "WWW-Authenticate: Bearer\r\n";
    tcp->write(httpResponse(status, reason, "application/json", json, extraHeaders));
    Transfer *t = transfer(session.id);
    if (t)
        disconnect(t->reader);
    if (t && bodyLeft > 0 && bodyLeft <= kMaxDiscardBytes) {
        t->stage = Transfer::Stage::Discarding;
        t->left = bodyLeft;
        const quint64 id = session.id;
        t->reader = connect(tcp, &QTcpSocket::readyRead, this, [this, id] { discard(id); });
        discard(id);
        return;
    }
    tcp->disconnectFromHost();
}

void FileService::discard(quint64 sessionId)
{
    Session *session = m_context.sessions.find(sessionId);
    Transfer *t = transfer(sessionId);
    if (!session || !session->tcp || !t)
        return;
    while (t->left > 0) {
        const QByteArray piece = session->tcp->read(qMin(kPieceBytes, t->left));
        if (piece.isEmpty())
            break;
        session->lastActivityMs = m_context.now();
        t->left -= piece.size();
    }
    if (t->left == 0) {
        disconnect(t->reader);
        session->tcp->disconnectFromHost();
    }
}

void FileService::drop(quint64 sessionId)
{
    const auto it = m_transfers.find(sessionId);
    if (it == m_transfers.end())
        return;
    // A finished upload's spool file belongs to the writer now (its callback removes it).
    if (it->second->stage == Transfer::Stage::Receiving)
        it->second->spool.remove();
    m_transfers.erase(it);
}

void FileService::expire()
{
    const ServerConfig &config = m_context.config;
    m_uploadsPerUser.prune(m_context.now());
    if (!m_context.writer)
        return;
    m_context.writer->submit(write::ExpireFiles{QDateTime::currentMSecsSinceEpoch() -
                                                config.unattachedFileTtlSeconds * 1000LL});
}

} // namespace conversa::server::files
