#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Makes conversa.icns for the macOS bundle from the app's SVG icon. Runs on macOS (iconutil is
# part of Xcode's command line tools; rsvg-convert: `brew install librsvg`).
# Usage: installer/macos/make-icns.sh OUTPUT.icns   (then configure with -DCONVERSA_MACOS_ICNS=OUTPUT.icns)
set -euo pipefail
OUT=$1
SVG=$(cd "$(dirname "$0")/../.." && pwd)/resources/icons/conversa.svg
command -v rsvg-convert >/dev/null || { echo "FAIL: rsvg-convert not found (brew install librsvg)" >&2; exit 1; }
command -v iconutil >/dev/null || { echo "FAIL: iconutil not found (xcode-select --install)" >&2; exit 1; }
SET=$(mktemp -d)/conversa.iconset
mkdir -p "$SET"
for size in 16 32 128 256 512; do
    rsvg-convert -w $size -h $size "$SVG" -o "$SET/icon_${size}x${size}.png"
    rsvg-convert -w $((size * 2)) -h $((size * 2)) "$SVG" -o "$SET/icon_${size}x${size}@2x.png"
done
iconutil -c icns -o "$OUT" "$SET"
rm -rf "$(dirname "$SET")"
echo "wrote $OUT"
