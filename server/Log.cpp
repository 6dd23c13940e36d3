// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Log.h"

#include <QDateTime>

#include <cstdio>

Q_LOGGING_CATEGORY(lcServer, "conversa.server")

namespace conversa::server {

namespace {
void writeLine(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    const char *level = "info";
    switch (type) {
    case QtDebugMsg:
        level = "debug";
        break;
    case QtInfoMsg:
        level = "info";
        break;
    case QtWarningMsg:
        level = "warn";
        break;
    case QtCriticalMsg:
    case QtFatalMsg:
        level = "error";
        break;
    }
    const QByteArray stamp = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8();
    std::fprintf(stderr, "%s %s %s\n", stamp.constData(), level, message.toUtf8().constData());
    std::fflush(stderr);
}
} // namespace

void installLogHandler()
{
    qInstallMessageHandler(writeLine);
}

} // namespace conversa::server
