// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// Runs conversa-cli (the path comes from the build: CONVERSA_CLI_BIN) for the end-to-end suites.
class CliRunner
{
public:
    struct Result {
        int exitCode = -1;
        bool finished = false;
        QByteArray out;
        QByteArray err;
        QString describe() const;
    };

    static QString binary();

    // Synchronous run with `input` on standard input (closed afterwards).
    static Result
    run(const QStringList &arguments, const QByteArray &input = {},
        const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment(),
        int timeoutMs = 30000);
    // The environment of the test with CONVERSA_TOKEN set (or removed when empty).
    static QProcessEnvironment withToken(const QString &token);
};
