// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "RawWebSocket.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QThread>

namespace conversa::test {

using namespace Qt::StringLiterals;

RawWebSocket::RawWebSocket() = default;
RawWebSocket::~RawWebSocket() = default;

bool RawWebSocket::open(const QUrl &url, const Options &options, int timeoutMs)
{
    if (options.ssl) {
        auto tls = std::make_unique<QSslSocket>();
        tls->setSslConfiguration(*options.ssl);
        m_socket = std::move(tls);
    } else {
        m_socket = std::make_unique<QTcpSocket>();
    }
    m_buffer.clear();
    if (!options.sourceAddress.isNull() && !m_socket->bind(options.sourceAddress, 0)) {
        m_error = u"cannot bind to %1: %2"_s.arg(options.sourceAddress.toString(),
                                                 m_socket->errorString());
        return false;
    }
    if (options.receiveBufferBytes > 0)
        m_socket->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption,
                                  options.receiveBufferBytes);
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket.get())) {
        tls->connectToHostEncrypted(url.host(), static_cast<quint16>(url.port(443)));
        if (!tls->waitForEncrypted(timeoutMs)) {
            m_error = u"TLS connect: "_s + tls->errorString();
            return false;
        }
    } else {
        m_socket->connectToHost(url.host(), static_cast<quint16>(url.port(80)));
        if (!m_socket->waitForConnected(timeoutMs)) {
            m_error = u"connect: "_s + m_socket->errorString();
            return false;
        }
    }
    QByteArray key(16, Qt::Uninitialized);
    for (char &c : key)
        c = static_cast<char>(QRandomGenerator::global()->bounded(256));
    QByteArray request = options.prefix;
    request +=
        "GET " + url.path().toUtf8() + " HTTP/1.1\r\nHost: " + url.host().toUtf8() + ':' +
        QByteArray::number(url.port(80)) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key.toBase64() +
        "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: conversa.v1\r\n";
    for (const auto &[name, value] : options.extraHeaders)
        request += name + ": " + value + "\r\n";
    request += "\r\n";
    m_socket->write(request);
    const QDeadlineTimer deadline(timeoutMs);
    while (!m_buffer.contains("\r\n\r\n")) {
        if (!m_socket->waitForReadyRead(int(deadline.remainingTime()))) {
            m_error = u"no upgrade answer: "_s + QString::fromUtf8(m_buffer.left(200));
            return false;
        }
        m_buffer += m_socket->readAll();
    }
    const qsizetype end = m_buffer.indexOf("\r\n\r\n") + 4;
    const QByteArray head = m_buffer.left(end);
    m_buffer.remove(0, end);
    if (!head.startsWith("HTTP/1.1 101")) {
        m_error = u"upgrade refused: "_s + QString::fromUtf8(head.left(head.indexOf('\r')));
        return false;
    }
    return true;
}

void RawWebSocket::queueFrame(quint8 opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    const qsizetype n = payload.size();
    if (n < 126) {
        frame.append(char(0x80 | n));
    } else if (n < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char(n >> 8));
        frame.append(char(n & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(n) >> shift) & 0xff));
    }
    const quint32 mask = QRandomGenerator::global()->generate();
    const char maskBytes[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    frame.append(maskBytes, 4);
    const qsizetype start = frame.size();
    frame.append(payload);
    for (qsizetype i = 0; i < n; ++i)
        frame[start + i] = char(frame[start + i] ^ maskBytes[i % 4]);
    m_socket->write(frame);
}

void RawWebSocket::sendText(const QByteArray &utf8)
{
    queueFrame(0x1, utf8);
}

void RawWebSocket::sendPing(const QByteArray &payload)
{
    queueFrame(0x9, payload.left(125));
}

bool RawWebSocket::flush(int timeoutMs)
{
    // QAbstractSocket::flush writes without waiting and without reading.
    const QDeadlineTimer deadline(timeoutMs);
    while (m_socket->bytesToWrite() > 0 && !deadline.hasExpired()) {
        if (!m_socket->flush() && m_socket->state() != QAbstractSocket::ConnectedState)
            return false;
        if (m_socket->bytesToWrite() > 0)
            QThread::msleep(1);
    }
    return m_socket->bytesToWrite() == 0;
}

bool RawWebSocket::isOpen() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

bool RawWebSocket::readFrame(int timeoutMs, quint8 *opcode, QByteArray *payload)
{
    const QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        if (m_buffer.size() >= 2) {
            const auto b1 = static_cast<quint8>(m_buffer[1]);
            qsizetype header = 2;
            quint64 length = b1 & 0x7f;
            if (length == 126 && m_buffer.size() >= 4) {
                length = (quint8(m_buffer[2]) << 8) | quint8(m_buffer[3]);
                header = 4;
            } else if (length == 127 && m_buffer.size() >= 10) {
                length = 0;
                for (int i = 2; i < 10; ++i)
                    length = (length << 8) | quint8(m_buffer[i]);
                header = 10;
            } else if (length >= 126) {
                header = -1;
            }
            if (header > 0 && m_buffer.size() >= header + qsizetype(length)) {
                *opcode = quint8(m_buffer[0]) & 0x0f;
                *payload = m_buffer.mid(header, qsizetype(length));
                m_buffer.remove(0, header + qsizetype(length));
                return true;
            }
        }
        if (deadline.hasExpired() || !m_socket)
            return false;
        if (m_socket->bytesAvailable() == 0 &&
            !m_socket->waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            return false;
        m_buffer += m_socket->readAll();
    }
}

std::optional<QByteArray> RawWebSocket::readText(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    quint8 opcode = 0;
    QByteArray payload;
    while (readFrame(int(qMax<qint64>(0, deadline.remainingTime())), &opcode, &payload)) {
        if (opcode == 0x1)
            return payload;
        if (opcode == 0x8) {
            if (payload.size() >= 2)
                m_closeCode = (quint8(payload[0]) << 8) | quint8(payload[1]);
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<QByteArray> RawWebSocket::readReply(int id, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (auto text = readText(int(qMax<qint64>(0, deadline.remainingTime())))) {
        const QJsonObject frame = QJsonDocument::fromJson(*text).object();
        if (frame.value("re"_L1).toInt(-1) == id)
            return text;
    }
    return std::nullopt;
}

QByteArray RawWebSocket::request(QJsonObject frame, int timeoutMs)
{
    const int id = ++m_lastId;
    frame.insert("id"_L1, id);
    sendText(QJsonDocument(frame).toJson(QJsonDocument::Compact));
    flush(timeoutMs);
    return readReply(id, timeoutMs).value_or("no reply");
}

QByteArray RawWebSocket::login(const QString &user, const QString &password, int timeoutMs)
{
    return request({{"type"_L1, "login"_L1}, {"user"_L1, user}, {"password"_L1, password}},
                   timeoutMs);
}

int RawWebSocket::readPings(int forMs, AnswerPings answer)
{
    const QDeadlineTimer deadline(forMs);
    int pings = 0;
    quint8 opcode = 0;
    QByteArray payload;
    while (isOpen() && !deadline.hasExpired()) {
        if (!readFrame(int(qMax<qint64>(1, deadline.remainingTime())), &opcode, &payload))
            continue;
        if (opcode == 0x9) {
            ++pings;
            if (answer == AnswerPings::Yes) {
                queueFrame(0xA, payload);
                flush();
            }
        } else if (opcode == 0x8) {
            if (payload.size() >= 2)
                m_closeCode = (quint8(payload[0]) << 8) | quint8(payload[1]);
            break;
        }
    }
    return pings;
}

bool RawWebSocket::waitForEnd(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            return true;
        if (m_socket->bytesAvailable() == 0)
            m_socket->waitForReadyRead(
                int(qMax<qint64>(1, qMin<qint64>(200, deadline.remainingTime()))));
        m_socket->readAll();
        if (m_socket->state() != QAbstractSocket::ConnectedState ||
            m_socket->error() == QAbstractSocket::RemoteHostClosedError)
            return true;
    }
    return false;
}

} // namespace conversa::test
