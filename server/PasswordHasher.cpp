// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "PasswordHasher.h"

#include <QCryptographicHash>

#include <sodium.h>

namespace conversa::server {

bool PasswordHasher::initialize()
{
    return sodium_init() >= 0;
}

QByteArray PasswordHasher::hash(const QString &password)
{
    const QByteArray utf8 = password.toUtf8();
    QByteArray out(crypto_pwhash_STRBYTES, '\0');
    if (crypto_pwhash_str(
            out.data(), utf8.constData(), static_cast<unsigned long long>(utf8.size()),
            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return {};
    out.truncate(static_cast<qsizetype>(qstrlen(out.constData())));
    return out;
}

bool PasswordHasher::verify(const QByteArray &storedHash, const QString &password)
{
    const QByteArray utf8 = password.toUtf8();
    QByteArray terminated = storedHash;
    terminated.append('\0');
    return crypto_pwhash_str_verify(terminated.constData(), utf8.constData(),
                                    static_cast<unsigned long long>(utf8.size())) == 0;
}

const QByteArray &PasswordHasher::decoyHash()
{
    static const QByteArray decoy = [] {
        unsigned char random[16];
        randombytes_buf(random, sizeof random);
        return hash(QString::fromLatin1(
            QByteArray(reinterpret_cast<const char *>(random), sizeof random).toHex()));
    }();
    return decoy;
}

QString TokenSecrets::generate()
{
    unsigned char secret[32];
    randombytes_buf(secret, sizeof secret);
    const QByteArray bytes(reinterpret_cast<const char *>(secret), sizeof secret);
    sodium_memzero(secret, sizeof secret);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray TokenSecrets::hashOf(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

} // namespace conversa::server
