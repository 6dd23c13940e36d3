// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QSettings>
#include <QString>

namespace conversa::ui {

// The person's own preferences (QSettings, native place). Admin policy is not here: it lives in
// core::ManagedSettings and wins over these values where it sets something.
class AppSettings : public QObject
{
    Q_OBJECT
public:
    explicit AppSettings(QObject *parent = nullptr);
    // A settings file of its own (tests, --data).
    explicit AppSettings(const QString &iniPath, QObject *parent = nullptr);

    QString serverUrl() const;
    void setServerUrl(const QString &url);
    QString userName() const;
    void setUserName(const QString &user);
    bool keepSignedIn() const;
    void setKeepSignedIn(bool keep);
    QString lastRoom() const;
    void setLastRoom(const QString &room);

    QString proxyMode() const; // system | none | http | socks5
    void setProxyMode(const QString &mode);
    QString proxyUrl() const;
    void setProxyUrl(const QString &url);
    QString extraCaFile() const;
    void setExtraCaFile(const QString &path);

    bool notifyOnMention() const;
    void setNotifyOnMention(bool on);
    bool notifyOnEveryMessage() const;
    void setNotifyOnEveryMessage(bool on);

    // Per room, kept per account (`account`: Account::key(), user and server): which messages
    // notify. A room never set follows the two settings above.
    enum class RoomNotifications { All, MentionsOnly, Mute };
    RoomNotifications roomNotifications(const QString &account, const QString &room) const;
    void setRoomNotifications(const QString &account, const QString &room, RoomNotifications level);
    // Whether a message in a room with `level` notifies: mentions do unless the room is muted.
    static bool notifies(RoomNotifications level, bool mentionsMe);

    QString language() const; // "" = the system's, else a locale name such as "pt_PT"
    void setLanguage(const QString &language);
    QString theme() const; // system | light | dark
    void setTheme(const QString &theme);
    bool startOnLogin() const;
    void setStartOnLogin(bool on);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray splitterState() const;
    void setSplitterState(const QByteArray &state);

    void sync() { m_settings.sync(); }

signals:
    void changed();

private:
    QVariant value(const QString &key, const QVariant &fallback = {}) const;
    void setValue(const QString &key, const QVariant &value);

    mutable QSettings m_settings;
};

} // namespace conversa::ui
