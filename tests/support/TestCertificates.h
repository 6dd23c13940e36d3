// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSslConfiguration>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace conversa::test {

// A throw-away certificate authority and a server certificate signed by it, made with the
// `openssl` command line into a temporary folder (deleted with this object).
//
//   TestCertificates certs;
//   QVERIFY2(certs.generate(), qPrintable(certs.errorString()));
//   server.start({u"--tls-cert"_s, certs.serverCertificate(), u"--tls-key"_s, certs.serverKey()});
//   ClientOptions options;
//   options.ssl = certs.clientConfiguration();
//   client.open(server.url(), options);
class TestCertificates
{
public:
    enum class KeyType { Rsa, Ec };

    TestCertificates();

    // subjectAltName entries, e.g. {"IP:127.0.0.1", "DNS:localhost"} (the default).
    bool generate(KeyType keyType = KeyType::Rsa,
                  const QStringList &subjectAltNames = {QStringLiteral("IP:127.0.0.1"),
                                                        QStringLiteral("DNS:localhost")});
    QString errorString() const { return m_error; }

    QString folder() const { return m_dir.path(); }
    QString caCertificate() const { return m_dir.filePath(QStringLiteral("ca.crt")); }
    QString caKey() const { return m_dir.filePath(QStringLiteral("ca.key")); }
    QString serverCertificate() const { return m_dir.filePath(QStringLiteral("server.crt")); }
    QString serverKey() const { return m_dir.filePath(QStringLiteral("server.key")); }

    // The system defaults plus this CA.
    QSslConfiguration clientConfiguration() const;

    // The `openssl` executable, or empty when it is not installed.
    static QString opensslProgram();

private:
    bool run(const QStringList &arguments);

    QTemporaryDir m_dir;
    QString m_error;
};

} // namespace conversa::test
