#!/bin/sh
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Runs a test inside a private D-Bus session with a fresh, unlocked GNOME Keyring, so the real
# Secret Service backend of QtKeychain is exercised without touching the user's own keyring.
# Exit code 77 (CTest: skipped) when the tools are not installed.
set -eu
for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (apt-get install dbus gnome-keyring libsecret-tools)"
        exit 77
    fi
done
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -m 700 "$home/run"
HOME="$home" XDG_RUNTIME_DIR="$home/run" XDG_DATA_HOME="$home/.local/share" \
    XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache" \
    dbus-run-session -- sh -c '
        printf %s test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
        exec "$@"' sh "$@"
