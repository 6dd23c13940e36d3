// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "storage/StorageWriter.h"

#include "Log.h"
#include "storage/WriteBackend.h"

#include <QElapsedTimer>
#include <QTimer>

namespace conversa::server {

using namespace Qt::StringLiterals;

class StorageWriter::Worker : public QObject
{
public:
    explicit Worker(StorageWriter *owner)
        : m_owner(owner)
    {}

    QString open(const StorageLocation &location)
    {
        m_backend = location.kind == StorageKind::Postgresql ? makePostgresWriteBackend()
                                                             : makeSqliteWriteBackend();
        if (QString error = m_backend->open(location); !error.isEmpty())
            return error;
        if (location.kind == StorageKind::Postgresql) {
            // Notices a lost (or returning) database without waiting for a write.
            m_probe = new QTimer(this);
            m_probe->setInterval(1000);
            QObject::connect(m_probe, &QTimer::timeout, this, [this] {
                if (m_sinceLastBatch.isValid() && m_sinceLastBatch.elapsed() < 1000 &&
                    m_backend->reachable())
                    return;
                m_backend->probe();
                publishReachability();
            });
            m_probe->start();
        }
        return {};
    }

    void close()
    {
        delete m_probe;
        m_probe = nullptr;
        if (m_backend)
            m_backend->close();
        m_backend.reset();
    }

    void processQueue()
    {
        std::vector<Pending> batch;
        {
            QMutexLocker lock(&m_owner->m_mutex);
            batch.swap(m_owner->m_queue);
            m_owner->m_wakePosted = false;
        }
        if (batch.empty() || !m_backend)
            return;
        QElapsedTimer timer;
        timer.start();
        std::vector<const WriteJob *> jobs;
        jobs.reserve(batch.size());
        for (const Pending &pending : batch)
            jobs.push_back(&pending.job);
        std::vector<WriteResult> results(batch.size());
        if (!m_backend->applyBatch(jobs, results)) {
            for (WriteResult &result : results) {
                result = WriteResult();
                result.ok = false;
                result.code = protocol::ErrorCode::Internal;
                result.error = u"the server could not store this; try again"_s;
            }
        }
        m_sinceLastBatch.start();
        publishReachability();
        const int jobCount = static_cast<int>(batch.size());
        const qint64 micros = timer.nsecsElapsed() / 1000;
        if (m_owner->m_context) {
            QMetaObject::invokeMethod(
                m_owner->m_context,
                [batch = std::move(batch), results = std::move(results)]() {
                    for (size_t i = 0; i < batch.size(); ++i) {
                        if (batch[i].done)
                            batch[i].done(results[i]);
                    }
                },
                Qt::QueuedConnection);
        }
        emit m_owner->committed(jobCount, micros);
    }

private:
    void publishReachability()
    {
        const bool reachable = m_backend->reachable();
        if (m_owner->m_reachable.exchange(reachable) != reachable)
            emit m_owner->databaseReachableChanged(reachable);
    }

    StorageWriter *m_owner;
    std::unique_ptr<WriteBackend> m_backend;
    QTimer *m_probe = nullptr;
    QElapsedTimer m_sinceLastBatch;
};

StorageWriter::StorageWriter(QObject *context)
    : QObject(context)
    , m_context(context)
{
    m_thread.setObjectName(u"storage-writer"_s);
}

StorageWriter::~StorageWriter()
{
    stop();
}

QString StorageWriter::start(const QString &dataDir, SyncMode syncMode)
{
    return start(StorageLocation::sqlite(dataDir, syncMode));
}

QString StorageWriter::start(const StorageLocation &location)
{
    m_worker = std::make_unique<Worker>(this);
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    QString error;
    QMetaObject::invokeMethod(
        m_worker.get(), [&] { error = m_worker->open(location); }, Qt::BlockingQueuedConnection);
    return error;
}

void StorageWriter::submit(WriteJob job, WriteCallback done)
{
    QMutexLocker lock(&m_mutex);
    m_queue.push_back({std::move(job), std::move(done)});
    if (!m_wakePosted && m_worker) {
        m_wakePosted = true;
        QMetaObject::invokeMethod(
            m_worker.get(), [worker = m_worker.get()] { worker->processQueue(); },
            Qt::QueuedConnection);
    }
}

void StorageWriter::flush()
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(
        m_worker.get(), [worker = m_worker.get()] { worker->processQueue(); },
        Qt::BlockingQueuedConnection);
}

void StorageWriter::stop()
{
    if (!m_worker)
        return;
    flush();
    QMetaObject::invokeMethod(
        m_worker.get(),
        [worker = m_worker.get(), home = thread()] {
            worker->close();
            worker->moveToThread(home);
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_worker.reset();
}

} // namespace conversa::server
