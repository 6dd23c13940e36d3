// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ConversaTest.h"

using namespace Qt::StringLiterals;

namespace conversa::test {

std::unique_ptr<TestClient> openWithToken(const QUrl &url, const QString &token, QString *why,
                                          const ClientOptions &options)
{
    auto client = std::make_unique<TestClient>();
    if (!client->open(url, options)) {
        if (why)
            *why = u"cannot connect to %1: %2"_s.arg(url.toString(), client->errorString());
        return nullptr;
    }
    const QJsonObject reply = client->auth(token);
    if (!TestClient::isOk(reply)) {
        if (why)
            *why = u"auth failed: "_s + TestClient::toText(reply);
        return nullptr;
    }
    return client;
}

std::unique_ptr<TestClient> openWithLogin(const QUrl &url, const QString &user,
                                          const QString &password, QString *why,
                                          const ClientOptions &options)
{
    auto client = std::make_unique<TestClient>();
    if (!client->open(url, options)) {
        if (why)
            *why = u"cannot connect to %1: %2"_s.arg(url.toString(), client->errorString());
        return nullptr;
    }
    const QJsonObject reply = client->login(user, password);
    if (!TestClient::isOk(reply)) {
        if (why)
            *why = u"login as %1 failed: %2"_s.arg(user, TestClient::toText(reply));
        return nullptr;
    }
    return client;
}

QList<QJsonObject> messagesOf(const QJsonObject &reply)
{
    QList<QJsonObject> messages;
    const QJsonArray array = reply.value(u"messages"_s).toArray();
    for (const QJsonValue &value : array)
        messages.append(value.toObject());
    return messages;
}

QList<qint64> seqsOf(const QList<QJsonObject> &messages)
{
    QList<qint64> seqs;
    seqs.reserve(messages.size());
    for (const QJsonObject &message : messages)
        seqs.append(message.value(u"seq"_s).toInteger(-1));
    return seqs;
}

QJsonObject roomRow(const QJsonObject &roomsReply, const QString &room)
{
    const QJsonArray rows = roomsReply.value(u"rooms"_s).toArray();
    for (const QJsonValue &row : rows) {
        if (row.toObject().value(u"room"_s).toString() == room)
            return row.toObject();
    }
    return {};
}

QJsonObject memberRow(const QJsonObject &membersReply, const QString &user)
{
    const QJsonArray rows = membersReply.value(u"members"_s).toArray();
    for (const QJsonValue &row : rows) {
        if (row.toObject().value(u"user"_s).toString() == user)
            return row.toObject();
    }
    return {};
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> values;
    for (qint64 v = first; v <= last; ++v)
        values.append(v);
    return values;
}

} // namespace conversa::test
