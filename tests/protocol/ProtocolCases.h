// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

// The protocol's frame examples, good and bad, kept once as data in tests/protocol/cases/ and
// read by the codec tests, the server's bad-input end-to-end tests and the check of the examples
// in docs/protocol.md. cases/README.md describes the format.
namespace conversa::test {

struct ProtocolCase {
    QString name;
    // What goes over the wire: the frame's UTF-8 text (not always valid UTF-8, not always JSON).
    QByteArray bytes;
    bool valid = false;
    // Bad cases: the error code the decoder (and the server) answer with.
    QString code;
    // Bad client frames: the `re` of that error, null when the request's id cannot be read.
    QJsonValue re;
    // The example is shown in docs/protocol.md.
    bool inDocs = false;
    // Not a frame but one message of a `messages` list (`history`, `sync`).
    bool messageObject = false;
};

enum class CaseFile { Requests, ServerFrames };

// Every case of the file, in file order. A file that cannot be read or a case that breaks the
// format makes `error` say why (and the list empty).
QList<ProtocolCase> loadProtocolCases(CaseFile file, QString *error);
QString protocolCasesPath(CaseFile file);

} // namespace conversa::test
