// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

// One include for suites that drive a real conversa-server: the helpers and a few checks that
// print the frame that was actually received when they fail.

#include "HttpProbe.h"
#include "RawWebSocket.h"
#include "ServerProcess.h"
#include "TestCertificates.h"
#include "TestClient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QTest>

#include <memory>

namespace conversa::test {

// Opens a client on `url` and authenticates it with `token`. nullptr, with the reason in
// `*why`, when either step fails.
std::unique_ptr<TestClient> openWithToken(const QUrl &url, const QString &token, QString *why,
                                          const ClientOptions &options = {});
// Opens a client on `url` and logs in (Argon2id: expect ~0.1 s per login).
std::unique_ptr<TestClient> openWithLogin(const QUrl &url, const QString &user,
                                          const QString &password, QString *why,
                                          const ClientOptions &options = {});

// `messages` of a history/sync reply as a list of objects.
QList<QJsonObject> messagesOf(const QJsonObject &reply);
// The seqs of `messages`, in the order given.
QList<qint64> seqsOf(const QList<QJsonObject> &messages);
// The row of `rooms` for `room` in a `rooms` reply (empty when absent).
QJsonObject roomRow(const QJsonObject &roomsReply, const QString &room);
// The row of `members` for `user` in a `members` reply (empty when absent).
QJsonObject memberRow(const QJsonObject &membersReply, const QString &user);
// 1, 2, ... n
QList<qint64> range(qint64 first, qint64 last);

} // namespace conversa::test

// The reply is an `ok`; otherwise fails the test showing the frame.
#define VERIFY_OK(reply)                                                                           \
    do {                                                                                           \
        const QJsonObject verifyOkReply_ = (reply);                                                \
        QVERIFY2(::conversa::test::TestClient::isOk(verifyOkReply_),                               \
                 qPrintable(QStringLiteral("expected ok, got ") +                                  \
                            ::conversa::test::TestClient::toText(verifyOkReply_)));                \
    } while (false)

// The reply is an `error` with `code`; otherwise fails the test showing the frame.
#define VERIFY_ERROR(reply, code)                                                                  \
    do {                                                                                           \
        const QJsonObject verifyErrorReply_ = (reply);                                             \
        const QString verifyErrorCode_ = (code);                                                   \
        QVERIFY2(::conversa::test::TestClient::isError(verifyErrorReply_, verifyErrorCode_),       \
                 qPrintable(QStringLiteral("expected error '%1', got %2")                          \
                                .arg(verifyErrorCode_,                                             \
                                     ::conversa::test::TestClient::toText(verifyErrorReply_))));   \
    } while (false)

// The client is disconnected within `timeoutMs` with close code `code`.
#define VERIFY_CLOSED(client, code, timeoutMs)                                                     \
    do {                                                                                           \
        QVERIFY2((client).waitForDisconnected(timeoutMs),                                          \
                 qPrintable(QStringLiteral("still connected after %1 ms; ").arg(timeoutMs) +       \
                            (client).diagnostics()));                                              \
        QVERIFY2((client).closeCode() == (code),                                                   \
                 qPrintable(QStringLiteral("expected close code %1; ").arg(code) +                 \
                            (client).diagnostics()));                                              \
    } while (false)
