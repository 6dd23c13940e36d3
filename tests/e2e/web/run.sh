#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Runs one group of the web client's tests with Node's test runner, one file at a time (each
# browser file starts its own server and Chromium).
#   run.sh engine    the page's engine (backoff, merge by seq, outbox) in Node
#   run.sh browser   the page in Debian's Chromium against a real conversa-server
# CTest runs both (tst_web_engine, tst_web_browser) with CONVERSA_SERVER_BIN and
# CONVERSA_CLI_BIN set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
group=${1:?usage: run.sh engine|browser [FILE...]}
shift
if ! command -v node >/dev/null; then
    echo "node is missing: install Debian's nodejs (scripts/test.sh does)" >&2
    exit 1
fi
# node:test as used here needs Node 18.19 or later (Debian 12 has 18.20).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 18 || (a === 18 && b >= 19) ? 0 : 1)'; then
    echo "node $(node --version) is too old: the web tests need 18.19 or later" >&2
    exit 1
fi
if [ "$group" = browser ] && [ ! -d node_modules/playwright-core ]; then
    echo "playwright-core is not installed: run tests/e2e/web/install-modules.sh (npm ci)" >&2
    exit 1
fi
if [ $# -eq 0 ]; then
    mapfile -t files < <(find "$group" -name '*.test.mjs' | sort)
else
    files=("$@")
fi
if [ ${#files[@]} -eq 0 ]; then
    echo "no test files in $group/" >&2
    exit 1
fi
status=0
for file in "${files[@]}"; do
    echo "==> node --test $file"
    node --test "$file" || status=1
done
exit "$status"
