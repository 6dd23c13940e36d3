#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, starts a local Conversa server with demo accounts, and opens
# the desktop app signed in to it. Without a display it keeps serving and says how to connect.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_packages "${BUILD_PACKAGES[@]}"
build_conversa -DCONVERSA_BUILD_TESTS=OFF

SERVER="$BUILD_DIR/server/conversa-server"
CLI="$BUILD_DIR/app/cli/conversa-cli"
APP="$BUILD_DIR/app/desktop/conversa"
DATA_DIR=${CONVERSA_DEMO_DATA:-$REPO_ROOT/.demo-data}
LISTEN=${CONVERSA_DEMO_LISTEN:-127.0.0.1:8080}
URL="ws://$LISTEN/ws"
DEMO_USER=demo
DEMO_PASSWORD=demo-password
FRIEND_PASSWORD=friend-password

fresh=false
if [ ! -f "$DATA_DIR/conversa.db" ]; then
    echo "==> Creating demo data in $DATA_DIR"
    printf '%s\n' "$DEMO_PASSWORD" | "$SERVER" user add "$DEMO_USER" --data "$DATA_DIR" --password-stdin
    printf '%s\n' "$FRIEND_PASSWORD" | "$SERVER" user add friend --data "$DATA_DIR" --password-stdin
    "$SERVER" room create general --title "General" --data "$DATA_DIR"
    fresh=true
fi

"$SERVER" serve --listen "$LISTEN" --data "$DATA_DIR" &
SERVER_PID=$!
trap 'kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://$LISTEN/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# Both demo accounts join #general, and friend says hello, so the app opens on a live room.
if $fresh; then
    for account in "$DEMO_USER:$DEMO_PASSWORD" friend:"$FRIEND_PASSWORD"; do
        user=${account%%:*}
        token=$(printf '%s\n' "${account#*:}" | "$CLI" login "$URL" "$user" --password-stdin \
            --print-token --data "$DATA_DIR/cli-$user" 2>/dev/null)
        CONVERSA_TOKEN=$token "$CLI" join general --server "$URL" --user "$user" \
            --data "$DATA_DIR/cli-$user" >/dev/null
    done
    CONVERSA_TOKEN=$token "$CLI" send general "Welcome to Conversa! Say hi back." --server "$URL" \
        --user friend --data "$DATA_DIR/cli-friend" >/dev/null
fi

cat <<MSG

Conversa server on $URL  (data: $DATA_DIR)
  accounts:  $DEMO_USER / $DEMO_PASSWORD   and   friend / $FRIEND_PASSWORD   (both in #general)
  browser:   http://$LISTEN/   (sign in as $DEMO_USER)
  health:    curl http://$LISTEN/healthz      metrics: curl http://$LISTEN/metrics
  chat as friend from a terminal (see app/cli/README.md):
    $CLI login $URL friend --data ~/.conversa-friend
    $CLI chat general --data ~/.conversa-friend
MSG

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "==> Opening the desktop app (sign in as $DEMO_USER / $DEMO_PASSWORD); closing it stops the server."
    "$APP" --server "$URL" --user "$DEMO_USER" || true
else
    echo "No display: the desktop app needs one (try: xvfb-run or a desktop session)."
    echo "Serving until Ctrl+C."
    wait $SERVER_PID
fi
