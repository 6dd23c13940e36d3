// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ConnectionState.h"
#include "ManagedSettings.h"
#include "RoomActions.h"
#include "ServerLimits.h"
#include "SessionManager.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <optional>

namespace conversa::core {

class FileCache;
class MemberListModel;
class MessageCache;
class Outbox;
class Room;
class RoomListModel;
class ThumbnailCache;
class TokenRevoker;
class TokenStore;

// Names as a person types them, checked the way the server checks them.
bool isValidRoomName(const QString &name);
bool isValidUserName(const QString &name);

// The connection settings a front end passes in (Settings, a command line); admin policy wins
// over each of them.
struct NetworkSettings {
    // "system" (or empty), "none", "http", "socks5", or a whole "http://HOST:PORT" /
    // "socks5://HOST:PORT".
    QString proxy;
    // HOST:PORT or URL of the proxy when `proxy` is only the kind.
    QString proxyAddress;
    QString extraCaFile;
};

struct ProxySetting {
    SessionManager::ProxyMode mode = SessionManager::ProxyMode::System;
    QUrl url;
};
// Reads a proxy as NetworkSettings spells it; nothing, with the reason in words, when it is not
// one.
std::optional<ProxySetting> parseProxy(const QString &proxy, const QString &address,
                                       QString *error = nullptr);

// The server an account may use under the administrator's policy.
struct ServerChoice {
    QString server;      // what to use (empty: nobody said)
    bool locked = false; // the administrator fixed it; the user cannot type another one
    QString lockedBy;    // where that policy is, for "set by your administrator in …"
    QString error;       // the server asked for is not allowed, in words; empty when fine
};

// One signed-in account, as a front end sees it: its data folder (cache and outbox), its session
// with the server (proxy, CAs and admin policy applied), its token in the keychain (saved on
// sign-in, forgotten on sign-out or when the server refuses it), tokens still to be revoked, the
// models of its rooms and members, and one Room object per room it was asked for.
//
//   core::Account account({.dataDirectory = dir, .deviceName = name});
//   account.open(serverUrl, user);          // cache and outbox of user@host:port
//   account.setNetwork({u"system"_s});
//   account.resumeSaved();                  // or signIn(password, keep)
class Account : public QObject
{
    Q_OBJECT
public:
    struct Options {
        QString dataDirectory; // empty: the platform's app data folder
        QString deviceName;    // shown in the server's list of sign-ins
        bool useKeychain = true;
        // Revoke sign-outs the server did not confirm later (revocations.sqlite in the data
        // folder, tokens in the keychain): the desktop app. conversa-cli reports them instead.
        bool revokeLater = false;
    };

    explicit Account(const Options &options, QObject *parent = nullptr);
    ~Account() override;

    QString dataDirectory() const { return m_dataDirectory; }
    const ManagedSettings &policy() const { return m_policy; }
    // `requested` (typed, saved or on a command line) under the administrator's policy.
    ServerChoice chooseServer(const QString &requested) const;
    // Proxy and extra CAs for this account's session and its revocations, policy first. False
    // with the reason in words when a setting is unusable (the others are applied).
    bool setNetwork(const NetworkSettings &settings, QString *problem = nullptr);

    // Opens the cache and outbox of `user` on `server` (closing another account's first). False
    // with lastError() when the files cannot be opened.
    bool open(const QUrl &server, const QString &user);
    void close();
    bool isOpen() const;
    QString lastError() const { return m_lastError; }
    QString key() const { return m_key; } // user@host:port
    QString user() const { return m_user; }
    QUrl serverUrl() const { return m_url; }

    // Sign in with a password; the new token goes to the keychain when `keepSignedIn`.
    void signIn(const QString &password, bool keepSignedIn);
    // Resume with the token the keychain keeps for this account; `savedSignInUnavailable` says
    // why not when there is none.
    void resumeSaved();
    // Resume with a token the caller has (CONVERSA_TOKEN).
    void resume(const QString &token);
    // Sign out for good: the token leaves the keychain and is revoked on the server, now when
    // online, else later (revokeLater) once the server can be reached.
    void signOut();
    // Ends the session without revoking anything (the app quits; the token stays saved).
    void disconnectSession();

    ConnectionStatus status() const;
    ServerLimits limits() const;

    SessionManager *session() const { return m_session; }
    TokenStore *tokens() const { return m_tokens; }
    TokenRevoker *revoker() const { return m_revoker; }
    MessageCache *cache() const { return m_cache; }
    Outbox *outbox() const { return m_outbox; }
    // The files of messages downloaded into the account's folder, and their thumbnails (both
    // nullptr while no account is open).
    FileCache *files() const { return m_files; }
    ThumbnailCache *thumbnails() const { return m_thumbnails; }
    // Direct messages, private rooms, invites, the directory, rename and remove.
    RoomActions *actions() const { return m_actions; }
    RoomListModel *rooms() const { return m_rooms; }
    MemberListModel *members() const { return m_members; }

    // The room called `name`, made on first use and kept while the account is open; nullptr for
    // a name that is not a room name or while no account is open.
    Room *room(const QString &name);
    // Messages waiting in the outbox, over all rooms.
    int pendingCount() const;

    // `done` runs once, unless `context` is gone by then. The room list follows by itself.
    using RoomOperationHandler = std::function<void(const RoomOperationResult &)>;
    void createRoom(const QString &name, const QString &title, const QObject *context,
                    RoomOperationHandler done);
    void joinRoom(const QString &name, const QObject *context, RoomOperationHandler done);
    void leaveRoom(const QString &name, const QObject *context, RoomOperationHandler done);

signals:
    void statusChanged(const conversa::core::ConnectionStatus &status);
    void limitsChanged(const conversa::core::ServerLimits &limits);
    // resumeSaved() has the token and resumes the session now.
    void resumingSaved();
    // resumeSaved() found no token it can use; `message` says why, in words.
    void savedSignInUnavailable(const QString &message);
    // The keychain did not take the new token: the sign-in lasts for this run only.
    void tokenNotSaved(const QString &message);
    // A token of a sign-out could not be kept for revoking later: it stays valid on the server.
    void revocationDropped(const QString &message);
    // A message from someone else while the session is live (not when catching up).
    void messageArrived(const QString &room, const QString &sender, const QString &body);
    // The outbox gained or lost entries (pendingCount()).
    void pendingCountChanged(int pending);
    // The outbox draining: `sent` of `total` queued messages answered since it was last empty.
    void outboxProgress(int sent, int total);

private:
    void applyNetwork(SessionManager &session) const;

    Options m_options;
    QString m_dataDirectory;
    ManagedSettings m_policy;
    ProxySetting m_proxy;
    QString m_extraCaFile;

    SessionManager *m_session = nullptr;
    TokenStore *m_tokens = nullptr;
    TokenRevoker *m_revoker = nullptr;
    MessageCache *m_cache = nullptr;
    Outbox *m_outbox = nullptr;
    FileCache *m_files = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    RoomListModel *m_rooms = nullptr;
    MemberListModel *m_members = nullptr;
    RoomActions *m_actions = nullptr;
    QHash<QString, Room *> m_roomObjects;

    QUrl m_url;
    QString m_user;
    QString m_key;
    QString m_lastError;
    bool m_keepSignedIn = false;
    // Bumped by every sign-in and resume: a keychain answer for an older one is stale.
    quint64 m_attempt = 0;
};

} // namespace conversa::core
