// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Account.h"

#include "AccountPaths.h"
#include "FileCache.h"
#include "MemberListModel.h"
#include "MessageCache.h"
#include "Outbox.h"
#include "Room.h"
#include "RoomListModel.h"
#include "ThumbnailCache.h"
#include "TokenRevoker.h"
#include "TokenStore.h"

#include <Validation.h>

#include <QDir>
#include <QStandardPaths>
#include <QTimer>

using namespace Qt::StringLiterals;
namespace proto = conversa::protocol;

namespace conversa::core {

bool isValidRoomName(const QString &name)
{
    return proto::isValidRoomName(name);
}

bool isValidUserName(const QString &name)
{
    return proto::isValidUserName(name);
}

std::optional<ProxySetting> parseProxy(const QString &proxy, const QString &address, QString *error)
{
    QString kind = proxy.trimmed();
    QString where = address.trimmed();
    if (kind.contains(u"://"_s)) {
        where = kind;
        kind = QUrl(kind).scheme();
    }
    kind = kind.toLower();
    if (kind.isEmpty() || kind == u"system"_s)
        return ProxySetting{SessionManager::ProxyMode::System, {}};
    if (kind == u"none"_s)
        return ProxySetting{SessionManager::ProxyMode::None, {}};
    if (kind == u"http"_s || kind == u"socks5"_s) {
        const QUrl url(where.contains(u"://"_s) ? where : kind + u"://"_s + where);
        if (url.host().isEmpty()) {
            if (error)
                *error = Account::tr("The proxy needs an address, e.g. http://proxy:3128.");
            return std::nullopt;
        }
        return ProxySetting{kind == u"http"_s ? SessionManager::ProxyMode::Http
                                              : SessionManager::ProxyMode::Socks5,
                            url};
    }
    if (error)
        *error = Account::tr("Unknown proxy “%1”: use system, none, http://HOST:PORT or "
                             "socks5://HOST:PORT.")
                     .arg(proxy);
    return std::nullopt;
}

Account::Account(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_dataDirectory = options.dataDirectory.isEmpty()
                          ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                          : options.dataDirectory;
    QDir().mkpath(m_dataDirectory);

    m_tokens = new TokenStore(this);
    if (options.revokeLater) {
        // Tokens of sign-outs the server did not confirm (offline, or the app quit first):
        // revoked now, and retried while the app runs.
        m_revoker = new TokenRevoker(this);
        m_revoker->setSessionSetup([this](SessionManager &session) {
            session.setDeviceName(m_options.deviceName);
            applyNetwork(session);
        });
        // The tokens themselves are in the keychain, so without one nothing is kept.
        m_revoker->setKeychainAllowed(options.useKeychain);
        if (options.useKeychain) {
            if (m_revoker->open(QDir(m_dataDirectory).filePath(u"revocations.sqlite"_s)))
                QTimer::singleShot(0, m_revoker, &TokenRevoker::revokeAll);
            else
                qWarning("conversa: %s", qUtf8Printable(m_revoker->lastError()));
        }
        connect(
            m_revoker, &TokenRevoker::dropped, this,
            [this](const QString &, const QString &message) { emit revocationDropped(message); });
    }

    m_session = new SessionManager(this);
    m_session->setDeviceName(options.deviceName);
    m_rooms = new RoomListModel(this);
    m_members = new MemberListModel(this);
    m_members->setSession(m_session);
    m_actions = new RoomActions(m_session, this);

    connect(m_session, &SessionManager::statusChanged, this, &Account::statusChanged);
    connect(m_session, &SessionManager::serverLimitsChanged, this, &Account::limitsChanged);
    connect(m_session, &SessionManager::outboxProgress, this, &Account::outboxProgress);
    connect(m_session, &SessionManager::tokenIssued, this,
            [this](const QString &, const QString &token) {
                if (m_keepSignedIn && m_options.useKeychain && !m_key.isEmpty())
                    m_tokens->writeToken(m_key, token);
            });
    connect(m_tokens, &TokenStore::tokenWritten, this,
            [this](const QString &, TokenStore::Result result, const QString &message) {
                if (result != TokenStore::Result::Ok)
                    emit tokenNotSaved(message);
            });
    connect(m_session, &SessionManager::tokenRejected, this, [this] {
        // Useless now; the next sign-in saves a new one.
        if (m_options.useKeychain && !m_key.isEmpty())
            m_tokens->deleteToken(m_key);
    });
    connect(m_session, &SessionManager::messageReceived, this,
            [this](const proto::MessageEvent &message) {
                // Catching up after a reconnect is not news.
                if (message.from == m_user || m_session->state() != ConnectionState::Online)
                    return;
                emit messageArrived(message.room, message.from, message.body);
            });
}

Account::~Account()
{
    m_session->signOut();
}

ServerChoice Account::chooseServer(const QString &requested) const
{
    ServerChoice choice{requested.trimmed(), false, {}, {}};
    const QString managed = m_policy.managedValue(ManagedSettings::ServerUrl).toString();
    if (managed.isEmpty())
        return choice;
    if (m_policy.serverUrlChangeAllowed()) {
        if (choice.server.isEmpty())
            choice.server = managed;
        return choice;
    }
    choice.locked = true;
    choice.lockedBy = m_policy.origin(ManagedSettings::ServerUrl);
    if (!choice.server.isEmpty() && SessionManager::normalizeServerUrl(choice.server) !=
                                        SessionManager::normalizeServerUrl(managed)) {
        choice.error = tr("Your administrator set the server to %1; it cannot be changed "
                          "(policy in %2).")
                           .arg(managed, choice.lockedBy);
    }
    choice.server = managed;
    return choice;
}

bool Account::setNetwork(const NetworkSettings &settings, QString *problem)
{
    QString proxy = settings.proxy;
    QString address = settings.proxyAddress;
    if (m_policy.isManaged(ManagedSettings::ProxyMode)) {
        proxy = m_policy.managedValue(ManagedSettings::ProxyMode).toString();
        address = m_policy.managedValue(ManagedSettings::ProxyUrl).toString();
    } else if (m_policy.isManaged(ManagedSettings::ProxyUrl)) {
        address = m_policy.managedValue(ManagedSettings::ProxyUrl).toString();
    }
    bool ok = true;
    QString proxyError;
    if (const auto parsed = parseProxy(proxy, address, &proxyError)) {
        m_proxy = *parsed;
    } else {
        ok = false;
        if (problem)
            *problem = proxyError;
    }

    const QString caFile =
        m_policy.effective(ManagedSettings::ExtraCaFile, settings.extraCaFile).toString();
    QString caError;
    if (!m_session->setExtraCaFile(caFile, &caError)) {
        if (ok && problem)
            *problem = caError;
        ok = false;
    } else {
        m_extraCaFile = caFile;
    }
    m_session->setProxy(m_proxy.mode, m_proxy.url);
    return ok;
}

void Account::applyNetwork(SessionManager &session) const
{
    session.setProxy(m_proxy.mode, m_proxy.url);
    session.setExtraCaFile(m_extraCaFile);
}

bool Account::open(const QUrl &server, const QString &user)
{
    const QString key = SessionManager::accountKey(user, server);
    if (key == m_key && isOpen())
        return true;
    close();
    m_lastError.clear();
    if (!server.isValid() || !isValidUserName(user)) {
        m_lastError = !server.isValid()
                          ? tr("“%1” is not a server address; use ws://host:port or wss://host.")
                                .arg(server.toString())
                          : tr("“%1” is not a valid user name.").arg(user);
        return false;
    }
    const AccountPaths paths(m_dataDirectory);
    QDir().mkpath(paths.accountDirectory(key));
    m_cache = new MessageCache(this);
    m_outbox = new Outbox(this);
    if (!m_cache->open(paths.cachePath(key))) {
        m_lastError = tr("Cannot open the message cache %1: %2")
                          .arg(paths.cachePath(key), m_cache->lastError());
        close();
        return false;
    }
    if (!m_outbox->open(paths.outboxPath(key))) {
        m_lastError =
            tr("Cannot open the outbox %1: %2").arg(paths.outboxPath(key), m_outbox->lastError());
        close();
        return false;
    }
    m_url = server;
    m_user = user;
    m_key = key;
    m_files = new FileCache(paths.filesDirectory(key), this);
    m_files->setConnectionSource([session = m_session] {
        return FileCache::Connection{session->transportOptions(), session->token()};
    });
    m_thumbnails = new ThumbnailCache(m_files, this);
    m_session->setServerUrl(server);
    m_session->setCache(m_cache);
    m_session->setOutbox(m_outbox);
    m_rooms->setCurrentUser(user);
    m_rooms->setCache(m_cache);
    m_rooms->setSession(m_session);
    connect(m_outbox, &Outbox::entryChanged, this,
            [this] { emit pendingCountChanged(pendingCount()); });
    connect(m_outbox, &Outbox::entryRemoved, this,
            [this] { emit pendingCountChanged(pendingCount()); });
    emit pendingCountChanged(pendingCount());
    return true;
}

void Account::close()
{
    qDeleteAll(m_roomObjects);
    m_roomObjects.clear();
    m_members->setRoom({});
    m_session->setCache(nullptr);
    m_session->setOutbox(nullptr);
    m_rooms->setCache(nullptr);
    m_rooms->setCurrentUser({});
    delete m_thumbnails;
    delete m_files;
    delete m_cache;
    delete m_outbox;
    m_thumbnails = nullptr;
    m_files = nullptr;
    m_cache = nullptr;
    m_outbox = nullptr;
    m_key.clear();
    m_user.clear();
    m_url.clear();
}

bool Account::isOpen() const
{
    return m_cache && m_outbox && m_cache->isOpen() && m_outbox->isOpen();
}

void Account::signIn(const QString &password, bool keepSignedIn)
{
    ++m_attempt;
    m_keepSignedIn = keepSignedIn && m_options.useKeychain;
    m_session->signIn(m_user, password);
}

void Account::resumeSaved()
{
    const quint64 attempt = ++m_attempt;
    if (!m_options.useKeychain) {
        emit savedSignInUnavailable(tr("The keychain is not used (--no-keychain)."));
        return;
    }
    const QString key = m_key;
    auto *once = new QObject(this);
    connect(m_tokens, &TokenStore::tokenRead, once,
            [this, once, key, attempt](const QString &readKey, TokenStore::Result result,
                                       const QString &token, const QString &message) {
                if (readKey != key)
                    return;
                once->deleteLater();
                // A sign-in typed meanwhile, or another account, wins over this answer.
                if (attempt != m_attempt || key != m_key || m_session->isAuthenticated())
                    return;
                if (result != TokenStore::Result::Ok || token.isEmpty()) {
                    emit savedSignInUnavailable(
                        result == TokenStore::Result::NotFound
                            ? tr("Not signed in as %1 on this computer.").arg(key)
                            : message);
                    return;
                }
                m_keepSignedIn = true;
                emit resumingSaved();
                m_session->resume(m_user, token);
            });
    m_tokens->readToken(key);
}

void Account::resume(const QString &token)
{
    ++m_attempt;
    m_keepSignedIn = false;
    m_session->resume(m_user, token);
}

void Account::signOut()
{
    ++m_attempt;
    if (m_options.useKeychain && !m_key.isEmpty())
        m_tokens->deleteToken(m_key);
    const QUrl server = m_session->serverUrl();
    const QString user = m_session->user();
    const QString token = m_session->token();
    if (token.isEmpty() || !m_revoker) {
        m_session->logout();
    } else if (!m_session->isAuthenticated()) {
        // Offline: the revoker keeps the token in the keychain until the server has revoked it.
        m_revoker->add(server, user, token);
        m_session->signOut();
    } else {
        auto *once = new QObject(this);
        connect(m_session, &SessionManager::loggedOut, once,
                [this, once, server, user, token](bool confirmed) {
                    if (!confirmed)
                        m_revoker->add(server, user, token);
                    once->deleteLater();
                });
        m_session->logout();
    }
}

void Account::disconnectSession()
{
    m_session->signOut();
}

ConnectionStatus Account::status() const
{
    return m_session->status();
}

ServerLimits Account::limits() const
{
    return m_session->serverLimits();
}

Room *Account::room(const QString &name)
{
    if (!isOpen() || !isValidRoomName(name))
        return nullptr;
    Room *&room = m_roomObjects[name];
    if (!room)
        room = new Room(this, name);
    return room;
}

int Account::pendingCount() const
{
    return m_outbox ? m_outbox->pendingCount() : 0;
}

void Account::createRoom(const QString &name, const QString &title, const QObject *context,
                         RoomOperationHandler done)
{
    m_actions->createRoom(name, title, false, context, std::move(done));
}

void Account::joinRoom(const QString &name, const QObject *context, RoomOperationHandler done)
{
    m_actions->joinRoom(name, context, std::move(done));
}

void Account::leaveRoom(const QString &name, const QObject *context, RoomOperationHandler done)
{
    m_actions->leaveRoom(name, context, std::move(done));
}

} // namespace conversa::core
