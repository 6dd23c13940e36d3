#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Runs one libFuzzer target for a bounded time, growing a working corpus seeded from
# tests/fuzz/corpus/<fuzzer> (the seeds in the repository are only read).
#   tests/fuzz/run.sh BUILD_DIR FUZZER SECONDS [WORK_DIR] [-- libFuzzer options...]
# WORK_DIR (default: a new temporary folder, removed afterwards unless something was found)
# keeps the corpus and any crash-*, leak-*, timeout-* or oom-* input between runs.
# Exits non-zero on a crash, a sanitizer report, a leak, a timeout or running out of memory.
set -euo pipefail

if [ $# -lt 3 ]; then
    sed -n '4,9p' "$0" >&2
    exit 2
fi
FUZZ_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=$1
FUZZER=$2
SECONDS_TO_RUN=$3
shift 3
WORK_DIR=""
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    WORK_DIR=$1
    shift
fi
[ "${1:-}" = "--" ] && shift

BINARY=$BUILD_DIR/tests/fuzz/$FUZZER
SEEDS=$FUZZ_SRC/corpus/$FUZZER
if [ ! -x "$BINARY" ] || [ ! -d "$SEEDS" ]; then
    echo "run.sh: no fuzzer $BINARY or no seeds $SEEDS" >&2
    exit 2
fi

# Each parser is fed inputs up to the size its caller can hand it: the server decodes frames up
# to max_frame_bytes but a valid one needs little more than the 16 KiB body limit; the client
# reads frames of any size, 4 KiB covers every member rule; ChatServer peeks 8 KiB + 1 of HTTP,
# and 552 bytes for a PROXY header.
case $FUZZER in
fuzz_decode_request) OPTIONS=(-dict="$FUZZ_SRC/json.dict" -max_len=17000) ;;
fuzz_server_frame) OPTIONS=(-dict="$FUZZ_SRC/json.dict" -max_len=4096) ;;
fuzz_http_request) OPTIONS=(-dict="$FUZZ_SRC/http.dict" -max_len=8193) ;;
fuzz_proxy_header) OPTIONS=(-dict="$FUZZ_SRC/http.dict" -max_len=1024) ;;
fuzz_log_value) OPTIONS=(-max_len=1024) ;;
fuzz_upload_request) OPTIONS=(-dict="$FUZZ_SRC/http.dict" -max_len=8193) ;;
fuzz_image_info) OPTIONS=(-dict="$FUZZ_SRC/image.dict" -max_len=4096) ;;
*) OPTIONS=() ;;
esac

REMOVE_WORK_DIR=false
if [ -z "$WORK_DIR" ]; then
    WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/conversa-$FUZZER.XXXXXX")
    REMOVE_WORK_DIR=true
fi
mkdir -p "$WORK_DIR/corpus"
cp -n "$SEEDS"/* "$WORK_DIR/corpus/"

status=0
"$BINARY" "${OPTIONS[@]}" -max_total_time="$SECONDS_TO_RUN" -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$WORK_DIR/" "$@" "$WORK_DIR/corpus" \
    >"$WORK_DIR/$FUZZER.log" 2>&1 || status=$?

grep -E 'DONE|^Done ' "$WORK_DIR/$FUZZER.log" || true
if [ "$status" -ne 0 ]; then
    echo "==> $FUZZER FAILED (exit $status); the end of its log:"
    tail -n 60 "$WORK_DIR/$FUZZER.log"
    for input in "$WORK_DIR"/crash-* "$WORK_DIR"/leak-* "$WORK_DIR"/timeout-* "$WORK_DIR"/oom-*; do
        [ -e "$input" ] || continue
        echo "==> $input (base64; add it to tests/fuzz/corpus/$FUZZER once fixed):"
        base64 -w 76 "$input" | head -n 40
    done
    echo "==> Everything is kept in $WORK_DIR"
elif $REMOVE_WORK_DIR; then
    rm -rf "$WORK_DIR"
fi
exit "$status"
