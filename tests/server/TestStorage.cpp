// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "TestStorage.h"

#include "PostgresServer.h"

#include <QCoreApplication>

#include <memory>

namespace conversa::test {

using namespace Qt::StringLiterals;

namespace {
std::unique_ptr<PostgresServer> &cluster()
{
    static std::unique_ptr<PostgresServer> server;
    return server;
}

void stopCluster()
{
    cluster().reset();
}
} // namespace

bool testingPostgres()
{
    return qEnvironmentVariable("CONVERSA_TEST_STORAGE") == "postgresql"_L1;
}

QString storageUnavailable()
{
    if (!testingPostgres() || PostgresServer::isInstalled())
        return {};
    return PostgresServer::whyUnavailable();
}

PostgresServer *sharedPostgres(QString *error)
{
    if (!cluster()) {
        cluster() = std::make_unique<PostgresServer>();
        // Before QCoreApplication goes: stopping runs pg_ctl through QProcess.
        qAddPostRoutine(stopCluster);
    }
    if (!cluster()->isRunning() && !cluster()->start()) {
        *error = cluster()->errorString();
        return nullptr;
    }
    return cluster().get();
}

server::StorageLocation freshStorage(const QString &dataDir, QString *error)
{
    if (!testingPostgres())
        return server::StorageLocation::sqlite(dataDir, server::SyncMode::Normal);
    static int databases = 0;
    PostgresServer *postgres = sharedPostgres(error);
    if (!postgres)
        return {};
    const QString url = postgres->createDatabase(u"t%1"_s.arg(++databases));
    if (url.isEmpty()) {
        *error = postgres->errorString();
        return {};
    }
    return server::StorageLocation::postgresql(url);
}

} // namespace conversa::test
