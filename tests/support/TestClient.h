// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QSslError>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <memory>
#include <optional>

namespace conversa::test {

// How TestClient::open() connects.
struct ClientOptions {
    // Sent as the handshake's Origin header when not empty.
    QString origin;
    // Offered subprotocols; by default conversa.v1.
    QStringList subprotocols{QStringLiteral("conversa.v1")};
    // Used for wss:// when set.
    std::optional<QSslConfiguration> ssl;
    // Accept any certificate (only for tests that are not about TLS).
    bool ignoreSslErrors = false;
    // Extra handshake headers.
    QList<QPair<QByteArray, QByteArray>> headers;
};

// A protocol-level WebSocket client for tests: it speaks raw JSON frames so tests can send
// anything, including frames the protocol library would refuse to encode.
//
//   TestClient alice;
//   QVERIFY2(alice.open(server.url()), qPrintable(alice.errorString()));
//   const QJsonObject ok = alice.login(u"alice"_s, u"secret"_s);
//   QVERIFY2(TestClient::isOk(ok), TestClient::describe(ok));
//   const QJsonObject event = bob.waitForEvent(u"message"_s);
//
// Frames with a `re` member are replies; everything else is an event and goes to a queue.
class TestClient : public QObject
{
    Q_OBJECT
public:
    using Options = ClientOptions;

    static constexpr int kDefaultTimeoutMs = 5000;

    explicit TestClient(QObject *parent = nullptr);
    ~TestClient() override;

    // Connects and waits for the handshake. False (see errorString(), sslErrors()) on failure.
    bool open(const QUrl &url, const Options &options = {}, int timeoutMs = kDefaultTimeoutMs);
    bool isConnected() const;
    // Closes with `code` and waits (up to timeoutMs) for the socket to be gone.
    void close(quint16 code = 1000, const QString &reason = {}, int timeoutMs = 2000);
    // Drops the TCP connection without a closing handshake.
    void abort();

    QWebSocket *socket() const { return m_socket.get(); }
    QString subprotocol() const;
    QString errorString() const { return m_errorString; }
    QList<QSslError> sslErrors() const { return m_sslErrors; }

    // --- raw sending ---------------------------------------------------------------------------
    void sendJson(const QJsonObject &frame);
    void sendText(const QString &text);
    void sendBinary(const QByteArray &data);
    // The next request id (1, 2, 3 ...).
    qint64 nextId() { return ++m_lastId; }

    // --- requests ------------------------------------------------------------------------------
    // Sends `frame` (adding an `id` unless it has one) and waits for the frame whose `re` equals
    // it. Returns an empty object on timeout or disconnect.
    QJsonObject request(QJsonObject frame, int timeoutMs = kDefaultTimeoutMs);
    // Sends `frame` (adding an `id`) without waiting; returns the id for waitForReply().
    QJsonValue post(QJsonObject frame);
    // Waits for the reply whose `re` equals `re` (which may be null) and takes it off the list.
    QJsonObject waitForReply(const QJsonValue &re, int timeoutMs = kDefaultTimeoutMs);
    // Waits for any reply and takes the oldest one off the list.
    QJsonObject waitForAnyReply(int timeoutMs = kDefaultTimeoutMs);
    // Replies received and not yet taken.
    QList<QJsonObject> pendingReplies() const { return m_replies; }

    QJsonObject login(const QString &user, const QString &password,
                      const QString &device = QStringLiteral("test-device"));
    QJsonObject auth(const QString &token);
    QJsonObject logout();
    QJsonObject rooms();
    QJsonObject create(const QString &room, const QString &title = {});
    QJsonObject join(const QString &room);
    QJsonObject leave(const QString &room);
    QJsonObject members(const QString &room);
    // A fresh cid (a UUID) is used when `cid` is empty.
    QJsonObject send(const QString &room, const QString &body, const QString &cid = {});
    QJsonObject history(const QString &room, std::optional<qint64> before = std::nullopt,
                        std::optional<int> limit = std::nullopt);
    QJsonObject sync(const QString &room, qint64 after, std::optional<int> limit = std::nullopt);
    QJsonObject read(const QString &room, qint64 seq);
    void typing(const QString &room);

    // Sends `count` messages without waiting between them, then waits for every reply.
    // Returns the replies in order of sending (empty objects for the ones that never came).
    QList<QJsonObject> sendBurst(const QString &room, const QStringList &bodies,
                                 int timeoutMs = 30000);

    // Set by a successful login()/auth().
    QString token() const { return m_token; }
    QString user() const { return m_user; }

    // --- events --------------------------------------------------------------------------------
    QList<QJsonObject> events() const { return m_events; }
    void clearEvents() { m_events.clear(); }
    // Waits for the first queued event of `type` that `match` accepts, removes and returns it.
    // Empty on timeout.
    QJsonObject waitForEvent(const QString &type, int timeoutMs = kDefaultTimeoutMs,
                             const std::function<bool(const QJsonObject &)> &match = {});
    // Queued events of `type` (not removed).
    QList<QJsonObject> eventsOfType(const QString &type) const;
    // Every frame received, in order (replies and events), and text that was not a JSON object.
    QList<QJsonObject> received() const { return m_received; }
    QStringList malformedFrames() const { return m_malformed; }
    QList<QByteArray> binaryFrames() const { return m_binary; }

    // --- closing -------------------------------------------------------------------------------
    // Waits until the socket is disconnected. True if it is.
    bool waitForDisconnected(int timeoutMs = kDefaultTimeoutMs);
    bool wasDisconnected() const { return m_disconnected; }
    // Close code and reason the peer sent (valid once disconnected). 1006 when the connection
    // ended without a closing handshake (e.g. the server process died).
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }

    // --- checks --------------------------------------------------------------------------------
    static bool isOk(const QJsonObject &reply);
    static bool isError(const QJsonObject &reply, const QString &code = {});
    static QString errorCode(const QJsonObject &reply);
    // Compact JSON for failure messages (a static buffer per call: use it at once).
    static const char *describe(const QJsonObject &frame);
    static QString toText(const QJsonObject &frame);
    // A summary of the client's state for failure messages: close code, last frames.
    QString diagnostics() const;

Q_SIGNALS:
    void frameReceived(const QJsonObject &frame);

private:
    void onText(const QString &text);
    void onDisconnected();
    bool waitFor(const std::function<bool()> &predicate, int timeoutMs);

    std::unique_ptr<QWebSocket> m_socket;
    qint64 m_lastId = 0;
    QString m_token;
    QString m_user;
    QList<QJsonObject> m_replies;
    QList<QJsonObject> m_events;
    QList<QJsonObject> m_received;
    QStringList m_malformed;
    QList<QByteArray> m_binary;
    QList<QSslError> m_sslErrors;
    QString m_errorString;
    bool m_connected = false;
    bool m_disconnected = false;
    bool m_closeStarted = false; // a closing handshake began (aboutToClose)
    int m_closeCode = -1;
    QString m_closeReason;
};

} // namespace conversa::test
