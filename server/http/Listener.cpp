// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "http/Listener.h"

#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace conversa::server {

using namespace Qt::StringLiterals;

namespace {
constexpr int kFirstRetryMs = 50;
constexpr int kLongestRetryMs = 2000;
// Accepting forever in one wake-up would starve everything else during a connection storm.
constexpr int kMaxAcceptsPerWakeUp = 256;

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}
} // namespace

Listener::Listener(std::optional<QSslConfiguration> tls, QObject *parent)
    : QObject(parent)
    , m_tls(std::move(tls))
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (m_notifier)
            m_notifier->setEnabled(true);
        acceptPending();
    });
}

Listener::~Listener()
{
    close();
}

QString Listener::listen(const QHostAddress &address, quint16 port, int backlog)
{
    close();
    sockaddr_storage storage{};
    socklen_t length = 0;
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    if (v6) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, bytes.c, 16);
        length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return errnoText(errno);
    const int on = 1;
    ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(m_fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 ||
        ::listen(m_fd, backlog) != 0) {
        const QString error = errnoText(errno);
        close();
        return error;
    }
    sockaddr_storage bound{};
    socklen_t boundLength = sizeof bound;
    ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&bound), &boundLength);
    m_address = address;
    m_port = ntohs(v6 ? reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port
                      : reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &Listener::acceptPending);
    return {};
}

void Listener::close()
{
    m_retry.stop();
    delete m_notifier;
    m_notifier = nullptr;
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

void Listener::acceptPending()
{
    for (int i = 0; i < kMaxAcceptsPerWakeUp && m_fd >= 0; ++i) {
        const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            const int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK)
                return;
            if (error == EINTR || error == ECONNABORTED || error == EPROTO)
                continue; // a client that left before we took it: try the next one
            // Out of descriptors or memory: the connection stays in the kernel's queue. Stop
            // looking until the retry, or the notifier would wake us again at once, forever.
            const bool firstInRow = m_backoffMs == 0;
            m_backoffMs = firstInRow ? kFirstRetryMs : qMin(kLongestRetryMs, m_backoffMs * 2);
            m_notifier->setEnabled(false);
            m_retry.start(m_backoffMs);
            emit acceptFailed(errnoText(error), firstInRow, m_backoffMs);
            return;
        }
        m_backoffMs = 0;
        QTcpSocket *socket = nullptr;
        if (m_tls) {
            auto *tls = new QSslSocket;
            tls->setSslConfiguration(*m_tls);
            socket = tls;
        } else {
            socket = new QTcpSocket;
        }
        if (!socket->setSocketDescriptor(fd)) {
            ::close(fd);
            delete socket;
            continue;
        }
        if (auto *tls = qobject_cast<QSslSocket *>(socket))
            tls->startServerEncryption();
        emit accepted(socket);
    }
}

} // namespace conversa::server
