#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Regenerates installer/windows/conversa.ico (the exe's icon, also Add/Remove Programs') from
# resources/icons/conversa.svg: run it after the SVG changes, on Debian with librsvg2-bin and
# imagemagick installed. Sizes: what Windows shows in Explorer, the taskbar and the Start menu.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v rsvg-convert >/dev/null || { echo "FAIL: rsvg-convert not found (apt-get install librsvg2-bin)" >&2; exit 1; }
command -v convert >/dev/null || { echo "FAIL: convert not found (apt-get install imagemagick)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
pngs=()
for size in 16 20 24 32 40 48 64 256; do
    rsvg-convert --width $size --height $size "$ROOT/resources/icons/conversa.svg" -o "$WORK/$size.png"
    pngs+=("$WORK/$size.png")
done
convert "${pngs[@]}" "$ROOT/installer/windows/conversa.ico"
echo "wrote installer/windows/conversa.ico"
