#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Installs the browser tests' npm packages (playwright-core only, pinned in package-lock.json)
# with `npm ci`, unless the same lockfile is already installed. Never downloads a browser: the
# tests drive Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
stamp=node_modules/.conversa-installed-lock
if [ -d node_modules/playwright-core ] && cmp -s package-lock.json "$stamp"; then
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "npm is missing: install Debian's nodejs and npm (scripts/test.sh does)" >&2
    exit 1
fi
# Node trusts only its own CA list; a machine behind a TLS-inspecting proxy has that proxy's CA in
# the system store, so let npm trust the system store as well.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
echo "==> npm ci in $(pwd)"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund
cp package-lock.json "$stamp"
