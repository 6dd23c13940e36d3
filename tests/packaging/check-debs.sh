#!/usr/bin/env bash
# Builds the .deb packages from a finished build, checks them the way Debian would, and runs the
# packaged binaries from a throwaway root. Usage: check-debs.sh BUILD_DIR
set -euo pipefail
BUILD_DIR=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
check() { # check NAME COMMAND...: runs a check, reports it, counts failures
    local name=$1; shift
    if "$@" >"$WORK/out" 2>&1; then
        echo "PASS: $name"
    else
        echo "FAIL: $name"; sed 's/^/    /' "$WORK/out"; failures=$((failures + 1))
    fi
}

(cd "$BUILD_DIR" && cpack -G DEB -B "$WORK/debs" >"$WORK/cpack.log" 2>&1) || {
    cat "$WORK/cpack.log"; exit 1; }
mapfile -t debs < <(ls "$WORK"/debs/*.deb)
echo "built: ${debs[*]##*/}"
[ ${#debs[@]} -ge 1 ] || { echo "FAIL: no .deb built"; exit 1; }

lintian_clean() { # no errors; warnings are printed but allowed
    lintian --allow-root --fail-on error "$1"
}
for deb in "${debs[@]}"; do
    check "lintian ${deb##*/}" lintian_clean "$deb"
    dpkg-deb -x "$deb" "$WORK/root"
done

server_version() { "$WORK/root/usr/bin/conversa-server" --version | grep -q '^conversa-server '; }
check "conversa-server --version from the unpacked package" server_version

unit_verifies() {
    local unit="$WORK/root/usr/lib/systemd/system/conversa-server.service"
    mkdir -p "$WORK/unit"
    # systemd-analyze checks that ExecStart exists on this machine: point it at the unpacked one.
    sed "s|/usr/bin/conversa-server|$WORK/root/usr/bin/conversa-server|" "$unit" \
        >"$WORK/unit/conversa-server.service"
    systemd-analyze verify "$WORK/unit/conversa-server.service"
}
check "systemd-analyze verify conversa-server.service" unit_verifies

config_is_accepted() { # the packaged default config must start the server as shipped
    local data="$WORK/data"
    sed 's/^listen = .*/listen = 127.0.0.1:0/; s/^admin_listen = .*/admin_listen = 127.0.0.1:0/' \
        "$WORK/root/etc/conversa/server.conf" >"$WORK/server.conf"
    timeout 10 "$WORK/root/usr/bin/conversa-server" serve --config "$WORK/server.conf" \
        --data "$data" >"$WORK/serve.out" 2>&1 &
    local pid=$!
    for _ in $(seq 50); do grep -q 'listening on' "$WORK/serve.out" && break; sleep 0.1; done
    kill -TERM $pid; wait $pid
    grep -q 'listening on ws://127.0.0.1:' "$WORK/serve.out"
}
check "the packaged server.conf starts the server" config_is_accepted

if [ -x "$WORK/root/usr/bin/conversa" ]; then
    check "conversa --version from the unpacked package" \
        env QT_QPA_PLATFORM=offscreen "$WORK/root/usr/bin/conversa" --version
fi
for desktop in "$WORK"/root/usr/share/applications/*.desktop; do
    [ -e "$desktop" ] && check "desktop-file-validate ${desktop##*/}" desktop-file-validate "$desktop"
done
for meta in "$WORK"/root/usr/share/metainfo/*.xml; do
    [ -e "$meta" ] && check "appstreamcli validate ${meta##*/}" appstreamcli validate --no-net "$meta"
done

[ "$failures" -eq 0 ] || { echo "$failures packaging check(s) failed"; exit 1; }
echo "all packaging checks passed"
