// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "http/FrontDoor.h"

#include "Log.h"
#include "ServerContext.h"
#include "files/FileService.h"
#include "http/HttpRequest.h"
#include "http/Listener.h"
#include "storage/StorageWriter.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

namespace conversa::server {

using namespace Qt::StringLiterals;
using Stage = Session::Stage;

namespace {
constexpr qsizetype kMaxHttpHeaderBytes = 8192;

std::optional<QSslConfiguration> loadTls(const ServerConfig &config, QString *error)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(config.tlsCertFile);
    if (chain.isEmpty()) {
        *error = u"no PEM certificate found in '%1'"_s.arg(config.tlsCertFile);
        return std::nullopt;
    }
    QFile keyFile(config.tlsKeyFile);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = u"cannot read TLS key '%1'"_s.arg(config.tlsKeyFile);
        return std::nullopt;
    }
    const QByteArray pem = keyFile.readAll();
    QSslKey key;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Opaque}) {
        key = QSslKey(pem, algorithm, QSsl::Pem);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error = u"'%1' is not a PEM RSA or EC private key"_s.arg(config.tlsKeyFile);
        return std::nullopt;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    return tls;
}
} // namespace

FrontDoor::FrontDoor(ServerContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{}

QString FrontDoor::listen()
{
    const ServerConfig &config = m_context.config;
    m_webSockets =
        new QWebSocketServer(u"conversa-server"_s, QWebSocketServer::NonSecureMode, this);
    m_webSockets->setSupportedSubprotocols({QString(protocol::kSubprotocol)});
    m_webSockets->setMaxPendingConnections(100000);
    m_webSockets->setHandshakeTimeout(config.authTimeoutSeconds * 1000);
    connect(m_webSockets, &QWebSocketServer::newConnection, this, &FrontDoor::adoptWebSockets);

    m_files = new files::FileService(m_context, this);
    if (QString error = m_files->start(); !error.isEmpty())
        return error;
    if (config.tlsEnabled()) {
        QString error;
        const auto tls = loadTls(config, &error);
        if (!tls)
            return error;
        m_listener = new Listener(*tls, this);
    } else {
        m_listener = new Listener(std::nullopt, this);
    }
    if (QString error = listenOn(m_listener, config.listen, false); !error.isEmpty())
        return error;
    if (config.adminListen) {
        m_adminListener = new Listener(std::nullopt, this);
        if (QString error = listenOn(m_adminListener, *config.adminListen, true); !error.isEmpty())
            return error;
    }
    return {};
}

QString FrontDoor::listenOn(Listener *listener, const ListenAddress &address, bool adminPort)
{
    connect(listener, &Listener::accepted, this,
            [this, adminPort](QTcpSocket *socket) { acceptConnection(socket, adminPort); });
    connect(listener, &Listener::acceptFailed, this, &FrontDoor::onAcceptFailed);
    if (QString error = listener->listen(address.host, address.port, 1024); !error.isEmpty())
        return u"cannot listen on %1:%2: %3"_s.arg(address.host.toString())
            .arg(address.port)
            .arg(error);
    return {};
}

void FrontDoor::close()
{
    if (m_listener)
        m_listener->close();
    if (m_adminListener)
        m_adminListener->close();
}

quint16 FrontDoor::port() const
{
    return m_listener ? m_listener->port() : 0;
}

QUrl FrontDoor::webSocketUrl() const
{
    QUrl url;
    url.setScheme(m_context.config.tlsEnabled() ? u"wss"_s : u"ws"_s);
    url.setHost(m_listener->address().toString());
    url.setPort(m_listener->port());
    url.setPath(QString(protocol::kWebSocketPath));
    return url;
}

QUrl FrontDoor::adminUrl() const
{
    if (!m_adminListener)
        return {};
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(m_adminListener->address().toString());
    url.setPort(m_adminListener->port());
    return url;
}

void FrontDoor::acceptConnection(QTcpSocket *tcp, bool adminPort)
{
    tcp->setParent(this);
    if (auto *tls = qobject_cast<QSslSocket *>(tcp)) {
        connect(tls, &QSslSocket::errorOccurred, this, [this, tls](QAbstractSocket::SocketError e) {
            if (e != QAbstractSocket::SslHandshakeFailedError)
                return;
            const QString address = normalizedAddress(tls->peerAddress());
            m_context.logClient(address, u"event=tls_failed addr=%1 error=%2"_s.arg(
                                             address, logValue(tls->errorString())));
        });
    }
    // Small frames both ways (handshake answers, acks, events): no Nagle delay.
    tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    Session &s = m_context.sessions.create();
    s.adminPort = adminPort;
    s.tcp = tcp;
    s.socketAddress = normalizedAddress(tcp->peerAddress());
    s.address = s.socketAddress;
    s.peerPort = tcp->peerPort();
    const quint64 id = s.id;
    connect(
        tcp, &QTcpSocket::disconnected, this,
        [this, id] {
            Session *session = m_context.sessions.find(id);
            if (session && session->stage != Stage::WebSocket && session->stage != Stage::Closing)
                onHttpEnded(id);
        },
        Qt::QueuedConnection);
    const ServerConfig &config = m_context.config;
    if (adminPort) {
        // The admin port has its own small budget, apart from the chat port's per-address one.
        if (++m_adminConnections > config.maxAdminConnections) {
            m_context.logClient(
                s.address,
                u"event=refused reason=too_many_admin_connections addr=%1"_s.arg(s.address));
            respondHttp(s, 429, "Too Many Requests", "too many admin connections\n");
            return;
        }
    } else if (!config.trustedProxies.contains(tcp->peerAddress()) && !admitAddress(s)) {
        // A trusted proxy's connections are counted once its header names the client.
        return;
    }
    s.httpReader = connect(tcp, &QTcpSocket::readyRead, this, [this, id] {
        if (Session *session = m_context.sessions.find(id))
            readHttp(*session);
    });
    if (tcp->bytesAvailable() > 0)
        readHttp(s);
}

bool FrontDoor::admitAddress(Session &session)
{
    session.addressCounted = true;
    const int count = ++m_connectionsPerAddress[session.address];
    if (count <= m_context.config.maxConnectionsPerAddress)
        return true;
    m_context.logClient(session.address, u"event=refused reason=too_many_connections addr=%1"_s.arg(
                                             session.address));
    respondHttp(session, 429, "Too Many Requests", "too many connections from your address\n");
    return false;
}

void FrontDoor::release(const Session &session)
{
    if (session.adminPort) {
        --m_adminConnections;
    } else if (session.addressCounted) {
        if (auto count = m_connectionsPerAddress.find(session.address);
            count != m_connectionsPerAddress.end() && --count.value() <= 0)
            m_connectionsPerAddress.erase(count);
    }
    m_upgrading.remove({session.socketAddress, session.peerPort});
}

void FrontDoor::respondHttp(Session &session, int code, QByteArrayView reason, QByteArrayView body,
                            QByteArrayView contentType)
{
    sendAndClose(session, httpResponse(code, reason, contentType, body));
}

void FrontDoor::sendAndClose(Session &session, const QByteArray &response)
{
    QTcpSocket *tcp = session.tcp;
    if (!tcp)
        return;
    disconnect(session.httpReader);
    tcp->readAll();
    tcp->write(response);
    tcp->disconnectFromHost();
}

void FrontDoor::readHttp(Session &session)
{
    QTcpSocket *tcp = session.tcp;
    if (!tcp || session.stage != Stage::Http)
        return;
    const ServerConfig &config = m_context.config;
    const bool fromTrustedProxy =
        !session.adminPort && config.trustedProxies.contains(tcp->peerAddress());
    if (fromTrustedProxy && config.proxyProtocol && !session.addressCounted) {
        const ProxyHeader proxy = ProxyHeader::parse(tcp->peek(ProxyHeader::kMaxLength));
        switch (proxy.status) {
        case ProxyHeader::Status::NeedMore:
            return;
        case ProxyHeader::Status::Malformed:
            m_context.logClient(
                session.address,
                u"event=refused reason=bad_proxy_header addr=%1"_s.arg(session.address));
            respondHttp(session, 400, "Bad Request", "malformed PROXY protocol header\n");
            return;
        case ProxyHeader::Status::Complete:
            tcp->read(proxy.length);
            if (!proxy.source.isNull())
                session.address = normalizedAddress(proxy.source);
            break;
        case ProxyHeader::Status::NotProxy:
            break;
        }
    }
    const QByteArray head = tcp->peek(kMaxHttpHeaderBytes + 1);
    HttpRequest request;
    const auto status = HttpRequest::parse(head, &request);
    if (fromTrustedProxy && !session.addressCounted &&
        status != HttpRequest::ParseStatus::NeedMore) {
        // Without a PROXY header (or with proxy_protocol off) the proxy's X-Forwarded-For
        // names the client.
        if (status == HttpRequest::ParseStatus::Complete &&
            session.address == session.socketAddress)
            session.address = normalizedAddress(config.trustedProxies.clientFromForwardedFor(
                tcp->peerAddress(), request.forwardedFor));
        if (!admitAddress(session))
            return;
    }
    if (status == HttpRequest::ParseStatus::NeedMore) {
        if (head.size() > kMaxHttpHeaderBytes)
            respondHttp(session, 431, "Request Header Fields Too Large", "headers too large\n");
        return;
    }
    if (status == HttpRequest::ParseStatus::Malformed) {
        respondHttp(session, 400, "Bad Request", "malformed HTTP request\n");
        return;
    }
    if (!session.adminPort && files::FileService::handles(request.path)) {
        m_files->take(session, request);
        return;
    }
    if (request.method != "GET") {
        respondHttp(session, 405, "Method Not Allowed", "only GET is served here\n");
        return;
    }
    if (request.path == "/healthz") {
        if (m_context.shuttingDown)
            respondHttp(session, 503, "Service Unavailable", "draining\n");
        else if (m_context.writer && !m_context.writer->databaseReachable())
            respondHttp(session, 503, "Service Unavailable", "database unreachable\n");
        else
            respondHttp(session, 200, "OK", "ok\n");
        return;
    }
    const bool metricsHere = session.adminPort || !m_adminListener;
    if (request.path == "/metrics" && metricsHere) {
        respondHttp(session, 200, "OK", m_context.metrics.render(), "text/plain; version=0.0.4");
        return;
    }
    if (!session.adminPort && config.webClient) {
        if (const QByteArray page = m_webClient.response(request.path); !page.isEmpty()) {
            sendAndClose(session, page);
            return;
        }
    }
    if (session.adminPort || request.path != protocol::kWebSocketPath.latin1()) {
        respondHttp(session, 404, "Not Found", "not found; the WebSocket endpoint is /ws\n");
        return;
    }
    if (!request.wantsUpgrade) {
        respondHttp(session, 426, "Upgrade Required", "this endpoint speaks WebSocket only\n");
        return;
    }
    if (m_context.shuttingDown) {
        // A balancer retries this on another instance (HAProxy: retry-on 503).
        respondHttp(session, 503, "Service Unavailable",
                    "this server is shutting down; connect again to reach another one\n");
        return;
    }
    if (!request.origin.isEmpty() &&
        !config.allowedOrigins.contains(QString::fromUtf8(request.origin)) &&
        !WebClient::isOwnOrigin(request.origin, request.host, config.tlsEnabled(),
                                fromTrustedProxy)) {
        m_context.logClient(session.address,
                            u"event=refused reason=origin addr=%1 origin=%2"_s.arg(
                                session.address, logValue(QString::fromUtf8(request.origin))));
        respondHttp(session, 403, "Forbidden", "this Origin is not allowed\n");
        return;
    }
    upgrade(session);
}

void FrontDoor::upgrade(Session &session)
{
    QTcpSocket *tcp = session.tcp;
    disconnect(session.httpReader);
    session.stage = Stage::Upgrading;
    const quint64 id = session.id;
    // Any bytes (frames, pings, pongs) count as activity for the idle limit. A client that keeps
    // sending but never reads (pings whose pongs pile up) is dropped at its output cap.
    connect(tcp, &QTcpSocket::readyRead, this, [this, id] {
        Session *s = m_context.sessions.find(id);
        if (!s)
            return;
        s->lastActivityMs = m_context.now();
        if (s->tcp && s->tcp->bytesToWrite() > m_context.sessions.outputCap(*s))
            m_context.sessions.dropOverflowing(*s, "pongs");
    });
    m_upgrading.insert({session.socketAddress, session.peerPort}, id);
    m_webSockets->handleConnection(tcp);
    // The request is already buffered, so no further readyRead may come to start the handshake.
    if (tcp->bytesAvailable() > 0)
        QMetaObject::invokeMethod(tcp, &QTcpSocket::readyRead, Qt::QueuedConnection);
}

void FrontDoor::adoptWebSockets()
{
    while (m_webSockets->hasPendingConnections()) {
        QWebSocket *ws = m_webSockets->nextPendingConnection();
        if (!ws)
            break;
        ws->setParent(this);
        const auto key = qMakePair(normalizedAddress(ws->peerAddress()), ws->peerPort());
        const quint64 id = m_upgrading.take(key);
        Session *session = m_context.sessions.find(id);
        if (!session || m_context.shuttingDown) {
            ws->close(QWebSocketProtocol::CloseCodeGoingAway, u"server shutting down"_s);
            ws->deleteLater();
            continue;
        }
        onWebSocket(*session, ws);
    }
}

void FrontDoor::onAcceptFailed(const QString &reason, bool firstInRow, int retryMs)
{
    ++m_context.metrics.acceptErrors;
    // One line per run of failures (and at most one a minute): the condition, not each retry.
    const qint64 t = m_context.now();
    if (!firstInRow || (m_lastAcceptFailureLogMs != 0 && t - m_lastAcceptFailureLogMs < 60'000))
        return;
    m_lastAcceptFailureLogMs = t;
    qCWarning(lcServer).noquote() << u"event=accept_failed reason=%1 retry_ms=%2"_s.arg(
        logValue(reason), QString::number(retryMs));
}

} // namespace conversa::server
