#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Files on loopback: starts conversa-server (SQLite, sync_mode full) on a throwaway data folder,
# signs in with conversa-cli, then measures with curl the upload (POST /files) and download
# (GET /files/<id>) throughput of one 25 MiB file, and the server's RSS before and at its peak
# (VmHWM) while PARALLEL (20) clients upload 25 MiB each at once: streaming keeps it flat.
# Usage: bench/files-bench.sh [BUILD_DIR]
set -euo pipefail
BUILD_DIR=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
SERVER=$BUILD_DIR/server/conversa-server
CLI=$BUILD_DIR/app/cli/conversa-cli
PARALLEL=${PARALLEL:-20}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/conversa-files-bench.XXXXXX")
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

"$SERVER" user add bench --data "$WORK/data" --password-stdin <<<"bench-password" >/dev/null
"$SERVER" serve --listen 127.0.0.1:0 --data "$WORK/data" --uploads-per-minute 1000 \
    --file-quota-bytes-per-user 10000000000 >"$WORK/out.log" 2>"$WORK/err.log" &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q "listening on" "$WORK/out.log" 2>/dev/null && break
    sleep 0.1
done
URL=$(grep -o 'ws://[^ ]*' "$WORK/out.log" | head -1)
HTTP=${URL/ws:/http:}
HTTP=${HTTP%/ws}
TOKEN=$("$CLI" login "$URL" bench --password-stdin --print-token --data "$WORK/cli" <<<"bench-password")
head -c $((25 * 1024 * 1024)) /dev/urandom >"$WORK/file.bin"
rss() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$SERVER_PID/status"; }
mbps() { awk -v bytes="$1" -v s="$2" 'BEGIN { printf "%.0f", bytes / s / 1048576 }'; }

upload() {
    curl -sS -o "$1" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/zip' -H 'X-Filename: file.zip' \
        --data-binary @"$WORK/file.bin" "$HTTP/files"
}
size=$(stat -c %s "$WORK/file.bin")
up_s=$(upload "$WORK/up.json")
id=$(sed -n 's/.*"file":"\([0-9a-f]*\)".*/\1/p' "$WORK/up.json")
down_s=$(curl -sS -o "$WORK/back.bin" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" \
    "$HTTP/files/$id")
cmp -s "$WORK/file.bin" "$WORK/back.bin" || { echo "download differs" >&2; exit 1; }
echo "upload 25 MiB:   $(mbps "$size" "$up_s") MB/s ($up_s s)"
echo "download 25 MiB: $(mbps "$size" "$down_s") MB/s ($down_s s)"

before=$(rss VmRSS)
peak_before=$(rss VmHWM)
start=$(date +%s.%N)
for i in $(seq "$PARALLEL"); do
    upload "$WORK/p$i.json" >/dev/null &
done
wait $(jobs -p | grep -v "^$SERVER_PID$") 2>/dev/null || true
end=$(date +%s.%N)
ok=$(grep -l '"file"' "$WORK"/p*.json | wc -l)
echo "$PARALLEL parallel uploads of 25 MiB: $ok stored in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s;" \
    "server RSS before $((before / 1024)) MiB (peak so far $((peak_before / 1024)) MiB), peak $(($(rss VmHWM) / 1024)) MiB, after $(($(rss VmRSS) / 1024)) MiB"
