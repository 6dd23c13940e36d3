// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "redis/SharedState.h"

#include "Log.h"
#include "Metrics.h"
#include "RateLimiter.h"
#include "Validation.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace conversa::server::redis {

using namespace Qt::StringLiterals;

namespace {
const QByteArray kInstancesKey = "conversa:instances"_ba;
const QByteArray kPresenceChannel = "conversa:presence"_ba;
const QByteArray kTypingChannel = "conversa:typing"_ba;
const QByteArray kVersionField = "#v"_ba; // user names never start with '#'

// A token bucket per user, on Redis's clock so instances with skewed clocks agree. The tokens
// are kept as a decimal string (Lua numbers would be cut to integers on the way out). Returns
// {1, 0} when a token was taken, {0, milliseconds until the next one} otherwise.
const QByteArray kTokenBucketScript = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(saved[1])
local last = tonumber(saved[2])
if tokens == nil or last == nil then
  tokens = burst
  last = now
end
tokens = math.min(burst, tokens + math.max(0, now - last) * rate / 1000)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}
)lua"_ba;

// Failed sign-ins, counted when an attempt starts, per account (KEYS[1]) and per address
// (KEYS[2]) in a sliding window (sorted sets of attempt ids by time), and the account's lock
// (KEYS[3]: strikes and until), which grows from ARGV[4] doubling to ARGV[5] each time the
// account's window fills again and is forgotten after ARGV[6] quiet: the rules of RateLimiter's
// FailureWindow and AccountLockout, for all instances at once. Returns {1, 0} with the attempt
// recorded under ARGV[3], or {0, milliseconds to wait}.
const QByteArray kLoginAttemptScript = R"lua(
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local firstLock = tonumber(ARGV[4])
local longestLock = tonumber(ARGV[5])
local forgetAfter = tonumber(ARGV[6])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local lock = redis.call('HMGET', KEYS[3], 'strikes', 'until')
local strikes = tonumber(lock[1]) or 0
local lockedUntil = tonumber(lock[2]) or 0
local wait = 0
if lockedUntil > now then
  wait = lockedUntil - now
end
if redis.call('ZCARD', KEYS[2]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + window - now)
end
if redis.call('ZCARD', KEYS[1]) >= limit then
  if lockedUntil <= now then
    if strikes > 0 and now - lockedUntil > forgetAfter then
      strikes = 0
    end
    local length = math.min(longestLock, firstLock * 2 ^ math.min(strikes, 10))
    strikes = strikes + 1
    lockedUntil = now + length
    redis.call('HSET', KEYS[3], 'strikes', strikes, 'until', lockedUntil)
    redis.call('PEXPIRE', KEYS[3], length + forgetAfter)
  end
  wait = math.max(wait, lockedUntil - now)
end
if wait > 0 then
  return {0, wait}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
redis.call('PEXPIRE', KEYS[2], window)
return {1, 0}
)lua"_ba;

// Takes instance ARGV[1] out of the set KEYS[2] only while its hash KEYS[1] does not exist.
const QByteArray kForgetInstanceScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.call('SREM', KEYS[2], ARGV[1])
end
return 0
)lua"_ba;

QByteArray shaOf(const QByteArray &script)
{
    return QCryptographicHash::hash(script, QCryptographicHash::Sha1).toHex();
}

QByteArray scriptSha()
{
    return shaOf(kTokenBucketScript);
}
} // namespace

SharedState::SharedState(RedisAddress address, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_metrics(metrics)
    , m_commands(address)
    , m_subscriber(address)
{
    m_clock.start();
    m_instanceId =
        QByteArray::number(QRandomGenerator::system()->generate64(), 16).rightJustified(16, '0');
    m_subscriber.setSubscriptions({kPresenceChannel, kTypingChannel});
    // Loaded on every connection before any EVALSHA can be sent, so a restarted Redis never
    // answers NOSCRIPT to a send (which would fall back to the local budget out of turn).
    connect(&m_commands, &RedisClient::ready, this, [this] {
        m_commands.command({"SCRIPT"_ba, "LOAD"_ba, kTokenBucketScript});
        m_commands.command({"SCRIPT"_ba, "LOAD"_ba, kLoginAttemptScript});
    });
    for (RedisClient *client : {&m_commands, &m_subscriber}) {
        connect(client, &RedisClient::ready, this, &SharedState::updateUp);
        connect(client, &RedisClient::lost, this, [this](const QString &reason) {
            // Once per outage, not once per failed attempt or per event.
            if (m_up || !m_downLogged) {
                qCWarning(lcServer).noquote()
                    << u"event=redis_down addr=%1 reason=%2 effect=\"typing, presence and send "
                       "limits are this instance's alone until Redis is back\""_s.arg(
                           m_commands.address().toString(), logValue(reason));
                m_downLogged = true;
            }
            updateUp();
        });
    }
    connect(&m_subscriber, &RedisClient::message, this, &SharedState::onMessage);
    m_checkTimer.setInterval(m_ttlMs / 3);
    connect(&m_checkTimer, &QTimer::timeout, this, &SharedState::check);
}

SharedState::~SharedState() = default;

void SharedState::setPresenceTtlMs(int ttlMs)
{
    m_ttlMs = ttlMs;
    m_checkTimer.setInterval(std::max(100, ttlMs / 3));
}

void SharedState::setClientTimings(int commandTimeoutMs, int pingIntervalMs, int firstDelayMs,
                                   int longestDelayMs)
{
    for (RedisClient *client : {&m_commands, &m_subscriber}) {
        client->setTimeouts(commandTimeoutMs, pingIntervalMs);
        client->setBackoff(firstDelayMs, longestDelayMs);
    }
}

void SharedState::start()
{
    m_metrics.redisUp = 0;
    m_downSinceMs = m_clock.elapsed();
    m_commands.start();
    m_subscriber.start();
    m_checkTimer.start();
}

void SharedState::leave()
{
    m_checkTimer.stop();
    m_localUsers.clear();
    m_left = true;
    if (!m_up)
        return;
    m_commands.command({"DEL"_ba, instanceKey(m_instanceId)});
    m_commands.command({"SREM"_ba, kInstancesKey, m_instanceId});
    m_commands.command({"PUBLISH"_ba, kPresenceChannel, "gone "_ba + m_instanceId});
    m_commands.flush();
}

void SharedState::updateUp()
{
    const bool up = m_commands.isReady() && m_subscriber.isReady();
    if (up == m_up)
        return;
    m_up = up;
    m_metrics.redisUp = up ? 1 : 0;
    if (up) {
        qCInfo(lcServer).noquote() << u"event=redis_up addr=%1 instance_id=%2"_s.arg(
            m_commands.address().toString(), QString::fromLatin1(m_instanceId));
        m_downLogged = false;
        // Redis may have restarted empty, and changes published while the subscriber was away
        // were missed: write all of ours, read all of theirs.
        writeWholeState();
        check();
    } else {
        m_downSinceMs = m_clock.elapsed();
    }
    emit upChanged(up);
}

QByteArray SharedState::instanceKey(const QByteArray &id) const
{
    return "conversa:instance:"_ba + id;
}

void SharedState::writeWholeState()
{
    if (m_left)
        return;
    m_rewriteNeeded = false;
    ++m_version;
    const QByteArray key = instanceKey(m_instanceId);
    QList<QByteArray> fields{"HSET"_ba, key, kVersionField, QByteArray::number(m_version)};
    for (const QString &user : std::as_const(m_localUsers))
        fields << user.toUtf8() << "1"_ba;
    auto failed = [this](const RedisResult &result) {
        if (!result.ok)
            m_rewriteNeeded = true;
    };
    // In one transaction, so no reader ever sees the hash half written.
    m_commands.command({"MULTI"_ba}, failed);
    m_commands.command({"DEL"_ba, key}, failed);
    m_commands.command(fields, failed);
    m_commands.command({"PEXPIRE"_ba, key, QByteArray::number(m_ttlMs)}, failed);
    m_commands.command({"SADD"_ba, kInstancesKey, m_instanceId}, failed);
    m_commands.command({"EXEC"_ba}, failed);
    m_commands.command({"PUBLISH"_ba, kPresenceChannel,
                        "sync "_ba + m_instanceId + ' ' + QByteArray::number(m_version)});
}

void SharedState::check()
{
    if (!m_up) {
        // Without Redis nothing says the others are still alive: after the time their claims
        // would have expired, their users count as offline here too.
        if (!m_remotes.isEmpty() && m_clock.elapsed() - m_downSinceMs > m_ttlMs) {
            const QList<QByteArray> ids = m_remotes.keys();
            for (const QByteArray &id : ids)
                forgetRemote(id);
        }
        return;
    }
    if (m_left)
        return;
    if (m_rewriteNeeded) {
        writeWholeState();
    } else {
        m_commands.command({"PEXPIRE"_ba, instanceKey(m_instanceId), QByteArray::number(m_ttlMs)},
                           [this](const RedisResult &result) {
                               // 0: our hash is gone (Redis restarted, or we were too slow).
                               if (result.ok && result.value.integer == 0)
                                   writeWholeState();
                           });
        // Another instance may have taken us out of the set while our hash was briefly gone
        // (after a Redis restart, between its read and our rewrite); an instance missing from
        // the set is never read again by those that forgot it, so claim our place every time.
        m_commands.command({"SADD"_ba, kInstancesKey, m_instanceId});
    }
    m_commands.command({"SMEMBERS"_ba, kInstancesKey}, [this](const RedisResult &result) {
        if (!result.ok)
            return;
        QSet<QByteArray> ids;
        for (const RespValue &element : result.value.elements)
            ids.insert(element.text);
        for (auto it = m_remotes.cbegin(); it != m_remotes.cend(); ++it)
            ids.insert(it.key());
        ids.remove(m_instanceId);
        for (const QByteArray &id : std::as_const(ids)) {
            m_commands.command(
                {"HGET"_ba, instanceKey(id), kVersionField}, [this, id](const RedisResult &result) {
                    if (!result.ok)
                        return;
                    if (result.value.type == RespValue::Type::Null) {
                        // Its claims expired: it died, or left without saying so.
                        forgetRemote(id);
                        // Only if it is still gone: it may have written itself again since.
                        m_commands.command({"EVAL"_ba, kForgetInstanceScript, "2"_ba,
                                            instanceKey(id), kInstancesKey, id});
                        return;
                    }
                    const auto it = m_remotes.constFind(id);
                    if (it == m_remotes.cend() || result.value.text.toLongLong() > it->version)
                        readRemote(id);
                });
        }
    });
}

void SharedState::readRemote(const QByteArray &id)
{
    Remote &remote = m_remotes[id];
    if (remote.reading)
        return;
    remote.reading = true;
    m_commands.command({"HGETALL"_ba, instanceKey(id)}, [this, id](const RedisResult &result) {
        const auto it = m_remotes.find(id);
        if (it == m_remotes.end())
            return;
        it->reading = false;
        if (!result.ok)
            return;
        const QList<RespValue> &fields = result.value.elements;
        if (fields.isEmpty()) {
            forgetRemote(id);
            return;
        }
        qint64 version = -1;
        QSet<QString> users;
        for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
            if (fields.at(i).text == kVersionField)
                version = fields.at(i + 1).text.toLongLong();
            else
                users.insert(QString::fromUtf8(fields.at(i).text));
        }
        // Pub/sub may already have brought something newer than this read.
        if (version >= it->version) {
            it->version = version;
            setRemoteUsers(id, users);
        }
    });
}

void SharedState::setRemoteUsers(const QByteArray &id, const QSet<QString> &users)
{
    const QSet<QString> before = m_remotes.value(id).users;
    m_remotes[id].users = users;
    for (const QString &user : before) {
        if (!users.contains(user))
            changeElsewhere(user, -1);
    }
    for (const QString &user : users) {
        if (!before.contains(user))
            changeElsewhere(user, +1);
    }
}

void SharedState::forgetRemote(const QByteArray &id)
{
    const auto it = m_remotes.constFind(id);
    if (it == m_remotes.cend())
        return;
    const QSet<QString> users = it->users;
    m_remotes.erase(it);
    for (const QString &user : users)
        changeElsewhere(user, -1);
}

void SharedState::changeElsewhere(const QString &user, int delta)
{
    const int before = m_elsewhere.value(user);
    const int after = std::max(0, before + delta);
    if (after == 0)
        m_elsewhere.remove(user);
    else
        m_elsewhere.insert(user, after);
    if ((before > 0) != (after > 0))
        emit remotePresenceChanged(user);
}

void SharedState::setLocalPresence(const QString &user, bool online)
{
    if (m_left || online == m_localUsers.contains(user))
        return;
    if (online)
        m_localUsers.insert(user);
    else
        m_localUsers.remove(user);
    if (!m_up)
        return; // written whole when Redis is back
    ++m_version;
    const QByteArray key = instanceKey(m_instanceId);
    const QByteArray version = QByteArray::number(m_version);
    auto failed = [this](const RedisResult &result) {
        if (!result.ok)
            m_rewriteNeeded = true;
    };
    if (online) {
        m_commands.command({"HSET"_ba, key, kVersionField, version, user.toUtf8(), "1"_ba}, failed);
    } else {
        m_commands.command({"HDEL"_ba, key, user.toUtf8()}, failed);
        m_commands.command({"HSET"_ba, key, kVersionField, version}, failed);
    }
    m_commands.command(
        {"PUBLISH"_ba, kPresenceChannel,
         (online ? "on "_ba : "off "_ba) + m_instanceId + ' ' + version + ' ' + user.toUtf8()},
        failed);
}

void SharedState::publishTyping(const QString &room, const QString &user)
{
    if (!m_up)
        return;
    m_commands.command(
        {"PUBLISH"_ba, kTypingChannel, m_instanceId + ' ' + room.toUtf8() + ' ' + user.toUtf8()},
        {}, RedisClient::Priority::Droppable);
}

bool SharedState::takeSendToken(const QString &user, double rate, int burst, RateCallback done)
{
    return takeToken("send"_ba, user, rate, burst, std::move(done));
}

bool SharedState::takeToken(const QByteArray &budget, const QString &user, double rate, int burst,
                            RateCallback done)
{
    if (!m_commands.isReady())
        return false;
    static const QByteArray sha = scriptSha();
    m_commands.command({"EVALSHA"_ba, sha, "1"_ba,
                        "conversa:rate:"_ba + budget + ':' + user.toUtf8(),
                        QByteArray::number(rate, 'g', 12), QByteArray::number(burst)},
                       [this, done = std::move(done)](const RedisResult &result) {
                           if (!result.ok || result.value.elements.size() != 2) {
                               if (result.error.startsWith("NOSCRIPT"_L1))
                                   m_commands.command({"SCRIPT"_ba, "LOAD"_ba, kTokenBucketScript});
                               done(Verdict::Unavailable, 0);
                               return;
                           }
                           const bool allowed = result.value.elements.at(0).integer == 1;
                           done(allowed ? Verdict::Allowed : Verdict::Refused,
                                result.value.elements.at(1).integer);
                       });
    return true;
}

bool SharedState::takeLoginAttempt(const QString &account, const QString &address, int limit,
                                   LoginCallback done)
{
    if (!m_commands.isReady())
        return false;
    static const QByteArray sha = shaOf(kLoginAttemptScript);
    const QByteArray attempt = m_instanceId + ':' + QByteArray::number(++m_attempts);
    m_commands.command(
        {"EVALSHA"_ba, sha, "3"_ba, "conversa:login:user:"_ba + account.toUtf8(),
         "conversa:login:addr:"_ba + address.toUtf8(), "conversa:login:lock:"_ba + account.toUtf8(),
         QByteArray::number(limit), QByteArray::number(kLoginWindowMs), attempt,
         QByteArray::number(AccountLockout::kFirstLockMs),
         QByteArray::number(AccountLockout::kLongestLockMs),
         QByteArray::number(AccountLockout::kForgetAfterMs)},
        [this, attempt, done = std::move(done)](const RedisResult &result) {
            if (!result.ok || result.value.elements.size() != 2) {
                if (result.error.startsWith("NOSCRIPT"_L1))
                    m_commands.command({"SCRIPT"_ba, "LOAD"_ba, kLoginAttemptScript});
                done(Verdict::Unavailable, 0, {});
                return;
            }
            if (result.value.elements.at(0).integer == 1)
                done(Verdict::Allowed, 0, attempt);
            else
                done(Verdict::Refused, result.value.elements.at(1).integer, {});
        });
    return true;
}

void SharedState::forgetLoginAttempt(const QString &account, const QString &address,
                                     const QByteArray &attempt)
{
    m_commands.command({"ZREM"_ba, "conversa:login:user:"_ba + account.toUtf8(), attempt});
    m_commands.command({"ZREM"_ba, "conversa:login:addr:"_ba + address.toUtf8(), attempt});
}

void SharedState::onMessage(const QByteArray &channel, const QByteArray &payload)
{
    const QList<QByteArray> words = payload.split(' ');
    if (channel == kTypingChannel) {
        if (words.size() != 3 || words.at(0) == m_instanceId)
            return;
        const QString room = QString::fromUtf8(words.at(1));
        const QString user = QString::fromUtf8(words.at(2));
        if (protocol::isValidRoomName(room) && protocol::isValidUserName(user))
            emit remoteTyping(room, user);
        return;
    }
    if (channel == kPresenceChannel)
        onPresenceMessage(words);
}

void SharedState::onPresenceMessage(const QList<QByteArray> &words)
{
    if (words.size() < 2 || words.at(1) == m_instanceId)
        return;
    const QByteArray &kind = words.at(0);
    const QByteArray &id = words.at(1);
    if (kind == "gone") {
        forgetRemote(id);
        return;
    }
    if (words.size() < 3)
        return;
    const qint64 version = words.at(2).toLongLong();
    if (kind == "sync") {
        const auto it = m_remotes.constFind(id);
        if (it == m_remotes.cend() || version > it->version)
            readRemote(id);
        return;
    }
    if (kind != "on" && kind != "off")
        return;
    Remote &remote = m_remotes[id];
    if (version <= remote.version)
        return;
    // A change we did not see came before this one: read the whole hash again.
    const bool missedSome = remote.version < 0 || version > remote.version + 1;
    remote.version = version;
    for (qsizetype i = 3; i < words.size(); ++i) {
        const QString user = QString::fromUtf8(words.at(i));
        if (!protocol::isValidUserName(user))
            continue;
        Remote &current = m_remotes[id];
        if (kind == "on" && !current.users.contains(user)) {
            current.users.insert(user);
            changeElsewhere(user, +1);
        } else if (kind == "off" && current.users.remove(user)) {
            changeElsewhere(user, -1);
        }
    }
    if (missedSome)
        readRemote(id);
}

} // namespace conversa::server::redis
