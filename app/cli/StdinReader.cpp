// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "StdinReader.h"

#include <iostream>
#include <string>
#include <thread>

StdinReader::StdinReader(QObject *parent)
    : QObject(parent)
{}

void StdinReader::start()
{
    std::thread([this] {
        std::string line;
        while (std::getline(std::cin, line)) {
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            emit lineRead(QString::fromStdString(line));
        }
        emit endOfInput();
    }).detach();
}
