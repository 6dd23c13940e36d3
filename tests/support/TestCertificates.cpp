// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "TestCertificates.h"

#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace conversa::test {

TestCertificates::TestCertificates() = default;

QString TestCertificates::opensslProgram()
{
    return QStandardPaths::findExecutable(u"openssl"_s);
}

bool TestCertificates::run(const QStringList &arguments)
{
    QProcess process;
    process.setProgram(opensslProgram());
    process.setArguments(arguments);
    process.setWorkingDirectory(m_dir.path());
    process.start();
    process.closeWriteChannel();
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        m_error = u"openssl %1 failed: %2 %3"_s.arg(
            arguments.join(u' '), process.errorString(),
            QString::fromLocal8Bit(process.readAllStandardError()));
        return false;
    }
    return true;
}

bool TestCertificates::generate(KeyType keyType, const QStringList &subjectAltNames)
{
    if (!m_dir.isValid()) {
        m_error = u"cannot create a temporary folder: "_s + m_dir.errorString();
        return false;
    }
    if (opensslProgram().isEmpty()) {
        m_error = u"the openssl command line is not installed"_s;
        return false;
    }
    const QStringList newKey =
        keyType == KeyType::Rsa
            ? QStringList{u"-newkey"_s, u"rsa:2048"_s}
            : QStringList{u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s};

    // The CA: self-signed, allowed to sign certificates.
    if (!run(QStringList{u"req"_s, u"-x509"_s} + newKey +
             QStringList{u"-nodes"_s, u"-keyout"_s, caKey(), u"-out"_s, caCertificate(), u"-days"_s,
                         u"2"_s, u"-subj"_s, u"/CN=Conversa Test CA"_s, u"-addext"_s,
                         u"basicConstraints=critical,CA:TRUE"_s, u"-addext"_s,
                         u"keyUsage=critical,keyCertSign,cRLSign"_s}))
        return false;

    // The server key and its signing request.
    const QString csr = m_dir.filePath(u"server.csr"_s);
    if (!run(QStringList{u"req"_s} + newKey +
             QStringList{u"-nodes"_s, u"-keyout"_s, serverKey(), u"-out"_s, csr, u"-subj"_s,
                         u"/CN=localhost"_s}))
        return false;

    // The server certificate with its subjectAltNames, signed by the CA.
    const QString extensions = m_dir.filePath(u"server.ext"_s);
    {
        QFile file(extensions);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            m_error = u"cannot write "_s + extensions;
            return false;
        }
        file.write("subjectAltName=" + subjectAltNames.join(u',').toUtf8() + "\n");
        file.write("basicConstraints=CA:FALSE\n");
        file.write(keyType == KeyType::Rsa ? "keyUsage=critical,digitalSignature,keyEncipherment\n"
                                           : "keyUsage=critical,digitalSignature\n");
        file.write("extendedKeyUsage=serverAuth\n");
    }
    if (!run({u"x509"_s, u"-req"_s, u"-in"_s, csr, u"-CA"_s, caCertificate(), u"-CAkey"_s, caKey(),
              u"-CAcreateserial"_s, u"-out"_s, serverCertificate(), u"-days"_s, u"2"_s,
              u"-sha256"_s, u"-extfile"_s, extensions}))
        return false;

    if (QSslCertificate::fromPath(caCertificate()).isEmpty() ||
        QSslCertificate::fromPath(serverCertificate()).isEmpty()) {
        m_error = u"openssl wrote certificates Qt cannot read"_s;
        return false;
    }
    return true;
}

QSslConfiguration TestCertificates::clientConfiguration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.addCaCertificates(caCertificate());
    return configuration;
}

} // namespace conversa::test
