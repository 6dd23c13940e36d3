// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-bare-relay: the reference point for conversa-server's fan-out. A plain
// QWebSocketServer that speaks just enough of protocol v1 for conversa-load (auth, join, send)
// and relays every message to the room's connections, with no storage, no checks and no limits:
// what Qt alone costs per delivery on this machine.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

class BareRelay : public QObject
{
public:
    explicit BareRelay(QObject *parent = nullptr)
        : QObject(parent)
        , m_server(u"conversa-bare-relay"_s, QWebSocketServer::NonSecureMode, this)
    {
        m_server.setSupportedSubprotocols({u"conversa.v1"_s});
        m_server.setMaxPendingConnections(4096);
        connect(&m_server, &QWebSocketServer::newConnection, this, &BareRelay::accept);
    }

    bool listen(quint16 port)
    {
        if (!m_server.listen(QHostAddress::LocalHost, port)) {
            std::fprintf(stderr, "conversa-bare-relay: cannot listen: %s\n",
                         qPrintable(m_server.errorString()));
            return false;
        }
        std::printf("listening on ws://127.0.0.1:%d/ws\n", int(m_server.serverPort()));
        std::fflush(stdout);
        return true;
    }

private:
    void accept()
    {
        while (QWebSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QWebSocket::textMessageReceived, this,
                    [this, socket](const QString &text) { onText(socket, text); });
            connect(socket, &QWebSocket::disconnected, this, [this, socket] {
                for (const QString &room : m_roomsOf.take(socket))
                    m_members[room].removeOne(socket);
                socket->deleteLater();
            });
        }
    }

    void onText(QWebSocket *socket, const QString &text)
    {
        const QJsonObject request = QJsonDocument::fromJson(text.toUtf8()).object();
        const QString type = request.value("type"_L1).toString();
        QJsonObject ok{{"type"_L1, "ok"_L1}, {"re"_L1, request.value("id"_L1)}};
        if (type == "join"_L1) {
            const QString room = request.value("room"_L1).toString();
            if (!m_roomsOf[socket].contains(room)) {
                m_roomsOf[socket].append(room);
                m_members[room].append(socket);
            }
            ok.insert("room"_L1, room);
        } else if (type == "send"_L1) {
            const QString room = request.value("room"_L1).toString();
            const qint64 seq = ++m_seq[room];
            const qint64 ts = QDateTime::currentMSecsSinceEpoch();
            ok.insert("room"_L1, room);
            ok.insert("seq"_L1, seq);
            ok.insert("ts"_L1, ts);
            // Serialized once for every recipient, as conversa-server does.
            const QString event =
                QString::fromUtf8(QJsonDocument(QJsonObject{{"type"_L1, "message"_L1},
                                                            {"room"_L1, room},
                                                            {"seq"_L1, seq},
                                                            {"ts"_L1, ts},
                                                            {"sender"_L1, u"sender"_s},
                                                            {"cid"_L1, request.value("cid"_L1)},
                                                            {"body"_L1, request.value("body"_L1)}})
                                      .toJson(QJsonDocument::Compact));
            socket->sendTextMessage(
                QString::fromUtf8(QJsonDocument(ok).toJson(QJsonDocument::Compact)));
            for (QWebSocket *member : std::as_const(m_members[room])) {
                if (member != socket)
                    member->sendTextMessage(event);
            }
            return;
        } else if (type == "auth"_L1 || type == "login"_L1) {
            ok.insert("user"_L1, u"bench"_s);
            ok.insert("token"_L1, u"bare-relay-token"_s);
        }
        socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(ok).toJson(QJsonDocument::Compact)));
    }

    QWebSocketServer m_server;
    QHash<QString, QList<QWebSocket *>> m_members;
    QHash<QWebSocket *, QStringList> m_roomsOf;
    QHash<QString, qint64> m_seq;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"A bare Qt WebSocket relay for conversa-load: the reference point of server-bench.sh"_s);
    parser.addHelpOption();
    const QCommandLineOption portOption(u"port"_s, u"Port on 127.0.0.1 (0: any free one)."_s,
                                        u"port"_s, u"0"_s);
    parser.addOption(portOption);
    parser.process(app);
    BareRelay relay;
    if (!relay.listen(static_cast<quint16>(parser.value(portOption).toUInt())))
        return 1;
    return QCoreApplication::exec();
}
