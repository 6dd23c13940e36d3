// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QString>

// Reads standard input line by line on a thread of its own and hands each line to the main
// thread by a queued signal. Works for terminals, pipes and files on every platform.
//
// The object must outlive the thread, which may still be blocked in a read when the program
// ends: create it with `new` and never delete it.
class StdinReader : public QObject
{
    Q_OBJECT
public:
    explicit StdinReader(QObject *parent = nullptr);
    void start();

signals:
    void lineRead(const QString &line);
    void endOfInput();
};
