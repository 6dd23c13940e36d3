// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "CliRunner.h"

using namespace Qt::StringLiterals;

QString CliRunner::Result::describe() const
{
    return u"exit %1%2\n--- stdout ---\n%3\n--- stderr ---\n%4"_s.arg(exitCode)
        .arg(finished ? QString() : u" (did not finish)"_s)
        .arg(QString::fromUtf8(out.right(3000)), QString::fromUtf8(err.right(3000)));
}

QString CliRunner::binary()
{
    return QStringLiteral(CONVERSA_CLI_BIN);
}

CliRunner::Result CliRunner::run(const QStringList &arguments, const QByteArray &input,
                                 const QProcessEnvironment &environment, int timeoutMs)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(binary(), arguments);
    Result result;
    if (!process.waitForStarted(10000)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    result.finished = process.waitForFinished(timeoutMs);
    if (!result.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

QProcessEnvironment CliRunner::withToken(const QString &token)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (token.isEmpty())
        environment.remove(u"CONVERSA_TOKEN"_s);
    else
        environment.insert(u"CONVERSA_TOKEN"_s, token);
    return environment;
}
