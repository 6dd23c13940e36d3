// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QIcon>
#include <QPalette>
#include <QString>

class QApplication;

namespace conversa::ui {

// The look of the app: Fusion everywhere (the same on every desktop, and it honours palettes),
// with a light and a dark palette. "System" picks one from the platform's own palette, which is
// the only hint Qt 6.4 offers about the desktop's colour scheme.
class Theme
{
public:
    enum class Mode { System, Light, Dark };

    static Mode modeFromString(const QString &name);
    static QString modeToString(Mode mode);

    // Call once, before any window exists: remembers the platform palette for Mode::System.
    static void install(QApplication &app);
    static void apply(Mode mode);
    // Registers the compiled-in icons (:/icons/…); cheap, and safe to call more than once.
    static void ensureResources();
    static bool isDark();

    static QPalette lightPalette();
    static QPalette darkPalette();

    // Colours the painting delegates share; derived from the current palette.
    static QColor accent();
    static QColor mutedText();
    static QColor mentionBackground();
    static QColor failureText();
    static QColor onlineDot();
    static QColor offlineDot();
    static QColor badgeBackground();
    static QColor badgeText();
    // The badge counting unread mentions of me (apart from the unread count's).
    static QColor mentionBadgeBackground();
    // A line icon from resources/icons/<name>.svg drawn in `color` (the palette's button text
    // when invalid), with a disabled variant: the SVGs are drawn in black and recoloured here,
    // so one file serves the light and the dark palette. Call again after a palette change.
    static QIcon icon(const QString &name, const QColor &color = {});
    // A banner's background for trouble (connection lost, sign-in not kept).
    static QColor warningBackground();
    // A stable colour per user name for the initials avatar.
    static QColor avatarColor(const QString &user);
};

} // namespace conversa::ui
