// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "AppSettings.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace conversa::ui {

AppSettings::AppSettings(QObject *parent)
    : QObject(parent)
{}

AppSettings::AppSettings(const QString &iniPath, QObject *parent)
    : QObject(parent)
    , m_settings(iniPath, QSettings::IniFormat)
{}

QVariant AppSettings::value(const QString &key, const QVariant &fallback) const
{
    return m_settings.value(key, fallback);
}

void AppSettings::setValue(const QString &key, const QVariant &newValue)
{
    if (m_settings.value(key) == newValue)
        return;
    m_settings.setValue(key, newValue);
    emit changed();
}

QString AppSettings::serverUrl() const
{
    return value(u"account/server"_s).toString();
}
void AppSettings::setServerUrl(const QString &url)
{
    setValue(u"account/server"_s, url);
}
QString AppSettings::userName() const
{
    return value(u"account/user"_s).toString();
}
void AppSettings::setUserName(const QString &user)
{
    setValue(u"account/user"_s, user);
}
bool AppSettings::keepSignedIn() const
{
    return value(u"account/keepSignedIn"_s, true).toBool();
}
void AppSettings::setKeepSignedIn(bool keep)
{
    setValue(u"account/keepSignedIn"_s, keep);
}
QString AppSettings::lastRoom() const
{
    return value(u"account/lastRoom"_s).toString();
}
void AppSettings::setLastRoom(const QString &room)
{
    setValue(u"account/lastRoom"_s, room);
}

QString AppSettings::proxyMode() const
{
    return value(u"network/proxyMode"_s, u"system"_s).toString();
}
void AppSettings::setProxyMode(const QString &mode)
{
    setValue(u"network/proxyMode"_s, mode);
}
QString AppSettings::proxyUrl() const
{
    return value(u"network/proxyUrl"_s).toString();
}
void AppSettings::setProxyUrl(const QString &url)
{
    setValue(u"network/proxyUrl"_s, url);
}
QString AppSettings::extraCaFile() const
{
    return value(u"network/extraCaFile"_s).toString();
}
void AppSettings::setExtraCaFile(const QString &path)
{
    setValue(u"network/extraCaFile"_s, path);
}

bool AppSettings::notifyOnMention() const
{
    return value(u"notifications/mentions"_s, true).toBool();
}
void AppSettings::setNotifyOnMention(bool on)
{
    setValue(u"notifications/mentions"_s, on);
}
bool AppSettings::notifyOnEveryMessage() const
{
    return value(u"notifications/everyMessage"_s, false).toBool();
}
void AppSettings::setNotifyOnEveryMessage(bool on)
{
    setValue(u"notifications/everyMessage"_s, on);
}

namespace {
// Account and room names as one settings key: percent-encoded, so '/' and '@' cannot nest or
// collide.
QString roomNotificationsKey(const QString &account, const QString &room)
{
    return u"roomNotifications/"_s + QString::fromLatin1(QUrl::toPercentEncoding(account)) + u'|' +
           QString::fromLatin1(QUrl::toPercentEncoding(room));
}
} // namespace

AppSettings::RoomNotifications AppSettings::roomNotifications(const QString &account,
                                                              const QString &room) const
{
    const QString stored = value(roomNotificationsKey(account, room)).toString();
    if (stored == u"all"_s)
        return RoomNotifications::All;
    if (stored == u"mentions"_s)
        return RoomNotifications::MentionsOnly;
    if (stored == u"mute"_s)
        return RoomNotifications::Mute;
    if (notifyOnEveryMessage())
        return RoomNotifications::All;
    return notifyOnMention() ? RoomNotifications::MentionsOnly : RoomNotifications::Mute;
}

void AppSettings::setRoomNotifications(const QString &account, const QString &room,
                                       RoomNotifications level)
{
    const QString name = level == RoomNotifications::All            ? u"all"_s
                         : level == RoomNotifications::MentionsOnly ? u"mentions"_s
                                                                    : u"mute"_s;
    setValue(roomNotificationsKey(account, room), name);
}

bool AppSettings::notifies(RoomNotifications level, bool mentionsMe)
{
    switch (level) {
    case RoomNotifications::All:
        return true;
    case RoomNotifications::MentionsOnly:
        return mentionsMe;
    case RoomNotifications::Mute:
        return false;
    }
    return false;
}

QString AppSettings::language() const
{
    return value(u"appearance/language"_s).toString();
}
void AppSettings::setLanguage(const QString &language)
{
    setValue(u"appearance/language"_s, language);
}
QString AppSettings::theme() const
{
    return value(u"appearance/theme"_s, u"system"_s).toString();
}
void AppSettings::setTheme(const QString &theme)
{
    setValue(u"appearance/theme"_s, theme);
}
bool AppSettings::startOnLogin() const
{
    return value(u"system/startOnLogin"_s, false).toBool();
}
void AppSettings::setStartOnLogin(bool on)
{
    setValue(u"system/startOnLogin"_s, on);
}

QByteArray AppSettings::windowGeometry() const
{
    return value(u"window/geometry"_s).toByteArray();
}
void AppSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(u"window/geometry"_s, geometry); // not a preference: no changed()
}
QByteArray AppSettings::splitterState() const
{
    return value(u"window/splitter"_s).toByteArray();
}
void AppSettings::setSplitterState(const QByteArray &state)
{
    m_settings.setValue(u"window/splitter"_s, state);
}

} // namespace conversa::ui
