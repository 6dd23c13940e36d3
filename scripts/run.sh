#!/usr/bin/env bash
# Installs what is missing, builds, and starts a local Conversa server with a demo account.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_packages "${BUILD_PACKAGES[@]}"
build_conversa -DCONVERSA_BUILD_TESTS=OFF

SERVER="$BUILD_DIR/server/conversa-server"
DATA_DIR=${CONVERSA_DEMO_DATA:-$REPO_ROOT/.demo-data}
LISTEN=${CONVERSA_DEMO_LISTEN:-127.0.0.1:8080}
DEMO_USER=demo
DEMO_PASSWORD=demo-password

if [ ! -f "$DATA_DIR/conversa.db" ]; then
    echo "==> Creating demo data in $DATA_DIR"
    printf '%s\n' "$DEMO_PASSWORD" | "$SERVER" user add "$DEMO_USER" --data "$DATA_DIR" --password-stdin
    printf '%s\n' "friend-password" | "$SERVER" user add friend --data "$DATA_DIR" --password-stdin
    "$SERVER" room create general --title "General" --data "$DATA_DIR"
fi

cat <<MSG

Conversa server on ws://$LISTEN/ws  (data: $DATA_DIR)
  accounts:  $DEMO_USER / $DEMO_PASSWORD   and   friend / friend-password
  room:      general (join it after signing in)
  health:    curl http://$LISTEN/healthz      metrics: curl http://$LISTEN/metrics
  protocol:  docs/protocol.md  (any WebSocket client with subprotocol conversa.v1)
MSG
CLI="$BUILD_DIR/app/cli/conversa-cli"
if [ -x "$CLI" ]; then
    cat <<MSG
  chat from two more terminals with conversa-cli (each asks for its password once and keeps
  the sign-in in the system keychain; see app/cli/README.md where there is none):
    terminal 2:  $CLI login ws://$LISTEN/ws $DEMO_USER --data ~/.conversa-demo-1
                 $CLI join general --data ~/.conversa-demo-1
                 $CLI chat general --data ~/.conversa-demo-1
    terminal 3:  the same with friend and --data ~/.conversa-demo-2
MSG
fi
echo "Press Ctrl+C to stop."
echo
exec "$SERVER" serve --listen "$LISTEN" --data "$DATA_DIR"
