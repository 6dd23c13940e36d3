// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

// "Start Conversa when I log in": an XDG autostart entry on Linux, the Run key on Windows.
class Autostart
{
public:
    static bool isSupported();
    // Returns false with a message when the setting could not be written.
    static bool setEnabled(bool enabled, QString *errorMessage = nullptr);
    static bool isEnabled();
    static QString linuxEntryPath();
};
