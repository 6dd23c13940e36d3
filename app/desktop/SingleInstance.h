// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

// One running app per user and data folder: the first launch listens on a local socket; a later
// launch finds it, asks it to come to the front, and exits.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(const QString &key, QObject *parent = nullptr);

    // True when this process is the first one (and now listens); false when another one runs
    // and was asked to raise its window.
    bool claim(const QStringList &arguments);
    QString serverName() const { return m_name; }

signals:
    void activationRequested(const QStringList &arguments);

private:
    QString m_name;
    QLocalServer *m_server = nullptr;
};
