// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QSslConfiguration>
#include <QTcpSocket>
#include <QUrl>

#include <memory>
#include <optional>

namespace conversa::test {

// A WebSocket client written on a bare QTcpSocket, for what QWebSocket will not do: never read
// what the server sends (to test back-pressure), flood pings, send from a chosen loopback source
// address (127.0.0.2) to look like another client, or put raw bytes (a PROXY header) first.
// Everything here blocks with a timeout; it is for tests only.
class RawWebSocket
{
public:
    struct Options {
        QHostAddress sourceAddress; // bind here before connecting (null: any)
        QByteArray prefix;          // bytes sent before the HTTP request
        QList<QPair<QByteArray, QByteArray>> extraHeaders;
        int receiveBufferBytes = 0; // SO_RCVBUF; small values make the server's writes stall
        std::optional<QSslConfiguration> ssl; // set: TLS (wss) with this configuration
    };

    RawWebSocket();
    ~RawWebSocket();

    // TCP connect and the HTTP upgrade; false with error() on anything but 101.
    bool open(const QUrl &url, const Options &options, int timeoutMs = 5000);
    bool open(const QUrl &url, int timeoutMs = 5000) { return open(url, Options{}, timeoutMs); }
    QString error() const { return m_error; }

    // Queue a masked frame; `flush` pushes it to the kernel without reading anything back.
    void sendText(const QByteArray &utf8);
    void sendPing(const QByteArray &payload);
    // Writes what is queued without running the event loop (so nothing is read).
    bool flush(int timeoutMs = 5000);

    // Reads until a text frame arrives and returns its payload; nullopt on timeout or close.
    std::optional<QByteArray> readText(int timeoutMs = 5000);
    // Reads a text frame whose JSON has "re": id (skipping events and pongs).
    std::optional<QByteArray> readReply(int id, int timeoutMs = 5000);
    // Sends `frame` with the next `id`, flushes, and returns the reply's JSON text ("no reply"
    // when none came in time).
    QByteArray request(QJsonObject frame, int timeoutMs = 10000);
    QByteArray login(const QString &user, const QString &password, int timeoutMs = 10000);
    // Reads for `forMs` (less when the connection ends), answering each ping with a pong when
    // `answer` is Yes and ignoring other frames; returns how many pings came. A close frame sets
    // lastCloseCode().
    enum class AnswerPings { No, Yes };
    int readPings(int forMs, AnswerPings answer);
    // Reads and discards until the connection ends; true when it did within the timeout.
    bool waitForEnd(int timeoutMs);
    bool isOpen() const;
    // The code of the close frame received, or 1006 when none came.
    int lastCloseCode() const { return m_closeCode; }

private:
    bool readFrame(int timeoutMs, quint8 *opcode, QByteArray *payload);
    void queueFrame(quint8 opcode, const QByteArray &payload);

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer; // received, not yet parsed
    QString m_error;
    int m_closeCode = 1006;
    int m_lastId = 0;
};

} // namespace conversa::test
