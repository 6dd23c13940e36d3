// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Theme.h"

#include <QApplication>
#include <QBuffer>
#include <QFile>
#include <QGuiApplication>
#include <QImageReader>
#include <QPixmap>
#include <QStyleFactory>

using namespace Qt::StringLiterals;

// Q_INIT_RESOURCE must be used outside any namespace.
static void initConversaResources()
{
    Q_INIT_RESOURCE(conversa);
}

namespace conversa::ui {

void Theme::ensureResources()
{
    static const bool done = [] {
        initConversaResources();
        return true;
    }();
    Q_UNUSED(done);
}

namespace {
QPalette g_platformPalette;
bool g_dark = false;

bool looksDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}
} // namespace

Theme::Mode Theme::modeFromString(const QString &name)
{
    if (name == u"light"_s)
        return Mode::Light;
    if (name == u"dark"_s)
        return Mode::Dark;
    return Mode::System;
}

QString Theme::modeToString(Mode mode)
{
    switch (mode) {
    case Mode::Light:
        return u"light"_s;
    case Mode::Dark:
        return u"dark"_s;
    case Mode::System:
        break;
    }
    return u"system"_s;
}

void Theme::install(QApplication &app)
{
    ensureResources();
    g_platformPalette = QGuiApplication::palette();
    if (QStyle *fusion = QStyleFactory::create(u"Fusion"_s))
        app.setStyle(fusion);
}

void Theme::apply(Mode mode)
{
    bool dark = false;
    switch (mode) {
    case Mode::Light:
        dark = false;
        break;
    case Mode::Dark:
        dark = true;
        break;
    case Mode::System:
        // Some desktops also say it in the environment (e.g. GTK_THEME=Adwaita:dark).
        dark = looksDark(g_platformPalette) ||
               qEnvironmentVariable("GTK_THEME").endsWith(u":dark"_s, Qt::CaseInsensitive);
        break;
    }
    g_dark = dark;
    QApplication::setPalette(dark ? darkPalette() : lightPalette());
}

bool Theme::isDark()
{
    return g_dark;
}

QPalette Theme::lightPalette()
{
    QPalette p;
    const QColor window(0xf4, 0xf5, 0xf7);
    const QColor base(0xff, 0xff, 0xff);
    const QColor text(0x1d, 0x21, 0x27);
    const QColor accentColor(0x2f, 0x6f, 0xde);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0xee, 0xf0, 0xf3));
    p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xf0));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x86, 0x8f));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0xfa, 0xfa, 0xfb));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, Qt::white);
    p.setColor(QPalette::Midlight, QColor(0xe3, 0xe5, 0xe8));
    p.setColor(QPalette::Mid, QColor(0xc4, 0xc8, 0xce));
    p.setColor(QPalette::Dark, QColor(0x9a, 0x9f, 0xa6));
    p.setColor(QPalette::Shadow, QColor(0x50, 0x50, 0x50));
    p.setColor(QPalette::Highlight, accentColor);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x1a, 0x5f, 0xc8));
    p.setColor(QPalette::LinkVisited, QColor(0x6a, 0x3f, 0xb5));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x9a, 0x9f, 0xa6));
    return p;
}

QPalette Theme::darkPalette()
{
    QPalette p;
    const QColor window(0x23, 0x26, 0x2b);
    const QColor base(0x1b, 0x1d, 0x21);
    const QColor text(0xe4, 0xe6, 0xea);
    const QColor accentColor(0x4c, 0x8d, 0xf6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2d, 0x33));
    p.setColor(QPalette::ToolTipBase, QColor(0x31, 0x35, 0x3b));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x99));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x2e, 0x32, 0x38));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x3a, 0x3e, 0x45));
    p.setColor(QPalette::Midlight, QColor(0x33, 0x37, 0x3d));
    p.setColor(QPalette::Mid, QColor(0x45, 0x4a, 0x52));
    p.setColor(QPalette::Dark, QColor(0x15, 0x17, 0x1a));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, accentColor);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x7a, 0xb0, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb3, 0x9d, 0xf0));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x70, 0x76, 0x7f));
    return p;
}

QColor Theme::accent()
{
    return QApplication::palette().color(QPalette::Highlight);
}

QColor Theme::mutedText()
{
    return QApplication::palette().color(QPalette::PlaceholderText);
}

QColor Theme::mentionBackground()
{
    return g_dark ? QColor(0x4a, 0x3f, 0x1c) : QColor(0xff, 0xf4, 0xcc);
}

QColor Theme::failureText()
{
    return g_dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc6, 0x28, 0x28);
}

QColor Theme::onlineDot()
{
    return QColor(0x2e, 0xb8, 0x5c);
}

QColor Theme::offlineDot()
{
    return g_dark ? QColor(0x5c, 0x62, 0x6b) : QColor(0xb4, 0xb9, 0xc0);
}

QColor Theme::badgeBackground()
{
    return accent();
}

QColor Theme::mentionBadgeBackground()
{
    return g_dark ? QColor(0xe0, 0x6c, 0x3c) : QColor(0xd1, 0x4b, 0x1f);
}

QColor Theme::badgeText()
{
    return Qt::white;
}

QColor Theme::avatarColor(const QString &user)
{
    // A hue from a stable hash (qHash is seeded per process, so it is not usable here).
    quint32 hash = 2166136261u;
    for (const QChar c : user)
        hash = (hash ^ c.unicode()) * 16777619u;
    const int hue = int(hash % 360);
    return QColor::fromHsl(hue, 120, g_dark ? 110 : 140);
}

namespace {
QPixmap drawIcon(const QByteArray &svg, const QColor &color, int size)
{
    QByteArray recoloured = svg;
    recoloured.replace("#000000", color.name(QColor::HexRgb).toLatin1());
    QBuffer buffer(&recoloured);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, "svg");
    reader.setScaledSize(QSize(size, size));
    return QPixmap::fromImage(reader.read());
}
} // namespace

QIcon Theme::icon(const QString &name, const QColor &color)
{
    ensureResources();
    QFile file(u":/icons/%1.svg"_s.arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray svg = file.readAll();
    const QPalette palette = QApplication::palette();
    const QColor normal = color.isValid() ? color : palette.color(QPalette::ButtonText);
    const QColor disabled = palette.color(QPalette::Disabled, QPalette::ButtonText);
    QIcon icon;
    // Sizes for 1x and 2x screens; QIcon picks the nearest.
    for (const int size : {16, 20, 24, 32, 40, 48}) {
        icon.addPixmap(drawIcon(svg, normal, size), QIcon::Normal);
        icon.addPixmap(drawIcon(svg, disabled, size), QIcon::Disabled);
    }
    return icon;
}

QColor Theme::warningBackground()
{
    return g_dark ? QColor(0x4a, 0x3a, 0x1c) : QColor(0xff, 0xf1, 0xd6);
}

} // namespace conversa::ui
