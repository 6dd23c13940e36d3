// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Log.h"

#include <QDateTime>

#include <cstdio>

Q_LOGGING_CATEGORY(lcServer, "conversa.server")

namespace conversa::server {

namespace {
bool isControl(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

void appendEscaped(QString &out, QChar c)
{
    switch (c.unicode()) {
    case u'\n':
        out += u"\\n";
        break;
    case u'\r':
        out += u"\\r";
        break;
    case u'\t':
        out += u"\\t";
        break;
    default:
        out += QStringView(u"\\x");
        out += QString::number(c.unicode(), 16).rightJustified(2, u'0');
    }
}

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
    // Last line of defence: whatever a call site forgot to escape cannot start a new line.
    const QString line = terminalSafe(message);
    std::fprintf(stderr, "%s %s %s\n", stamp.constData(), level, line.toUtf8().constData());
    std::fflush(stderr);
}
} // namespace

QString terminalSafe(QStringView text)
{
    QString out;
    out.reserve(text.size());
    for (QChar c : text) {
        if (isControl(c.unicode()))
            appendEscaped(out, c);
        else
            out += c;
    }
    return out;
}

QString logValue(QStringView value, qsizetype maxLength)
{
    const bool cut = value.size() > maxLength;
    const QStringView kept = cut ? value.first(maxLength) : value;
    QString out;
    out.reserve(kept.size() + 2);
    bool needsQuotes = kept.isEmpty();
    for (QChar c : kept) {
        if (isControl(c.unicode())) {
            appendEscaped(out, c);
        } else if (c == u'"' || c == u'\\') {
            out += u'\\';
            out += c;
            needsQuotes = true;
        } else {
            if (c.isSpace() || c == u'=')
                needsQuotes = true;
            out += c;
        }
    }
    if (cut)
        out += u"…";
    return needsQuotes ? QChar(u'"') + out + QChar(u'"') : out;
}

void installLogHandler()
{
    qInstallMessageHandler(writeLine);
}

} // namespace conversa::server
