#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
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

# The server's package (absent when configured with -DCONVERSA_BUILD_SERVER=OFF).
if [ -e "$WORK/root/usr/bin/conversa-server" ]; then
    server_version() { "$WORK/root/usr/bin/conversa-server" --version | grep -q '^conversa-server '; }
    check "conversa-server --version from the unpacked package" server_version

    unit_verifies() {
        local unit="$WORK/root/usr/lib/systemd/system/conversa-server.service"
        mkdir -p "$WORK/unit"
        # systemd-analyze checks that ExecStart exists on this machine: point it at the unpacked one.
        sed "s|/usr/bin/conversa-server|$WORK/root/usr/bin/conversa-server|" "$unit" \
            >"$WORK/unit/conversa-server.service"
        # Documentation= must name what the package ships: files in it, man pages from it.
        local doc
        # shellcheck disable=SC2013 # Documentation= is a list of words
        for doc in $(sed -n 's/^Documentation=//p' "$unit"); do
            case $doc in
                file://*) [ -e "$WORK/root${doc#file://}" ] || { echo "$doc is not in the package"; return 1; } ;;
            esac
        done
        MANPATH="$WORK/root/usr/share/man" systemd-analyze verify "$WORK/unit/conversa-server.service"
    }
    check "systemd-analyze verify conversa-server.service (its Documentation= is in the package)" unit_verifies

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
fi

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

# The desktop client's package, when the build has the desktop app.
client_deb=$(printf '%s\n' "${debs[@]}" | grep '/conversa_[^/]*\.deb$' || true)
if [ -n "$client_deb" ]; then
    client_has_files() {
        local missing=0 path
        dpkg-deb -c "$client_deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$WORK/client.list"
        for path in /usr/bin/conversa /usr/bin/conversa-cli \
                /usr/share/applications/org.conversa.Conversa.desktop \
                /usr/share/metainfo/org.conversa.Conversa.metainfo.xml \
                /usr/share/icons/hicolor/scalable/apps/conversa.svg \
                /usr/share/icons/hicolor/{16x16,22x22,24x24,32x32,48x48,64x64,128x128,256x256,512x512}/apps/conversa.png \
                /usr/share/man/man1/conversa.1.gz /usr/share/man/man1/conversa-cli.1.gz \
                /usr/share/doc/conversa/copyright /usr/share/doc/conversa/changelog.gz \
                /usr/share/doc/conversa/examples/Conversa.conf; do
            grep -qxF "$path" "$WORK/client.list" || { echo "missing $path"; missing=1; }
        done
        return $missing
    }
    check "conversa .deb has the binaries, desktop file, metainfo, icons, man pages, example policy" \
        client_has_files

    client_depends() { # shlibdeps' libraries plus the run-time plugins it cannot see
        local depends
        depends=$(dpkg-deb -f "$client_deb" Depends)
        echo "Depends: $depends"
        local pkg
        for pkg in libqt6keychain1 libqt6sql6-sqlite libqt6svg6 qt6-image-formats-plugins libqt6widgets6 \
            libqt6websockets6; do
            grep -q "\b$pkg\b" <<<"$depends" || { echo "no $pkg"; return 1; }
        done
    }
    check "conversa .deb depends on Qt, QtKeychain and the SQLite, SVG and image plugins" client_depends

    desktop_integration_consistent() { # what the files name exists in the package
        local desktop=$WORK/root/usr/share/applications/org.conversa.Conversa.desktop
        local meta=$WORK/root/usr/share/metainfo/org.conversa.Conversa.metainfo.xml
        local icon exec launchable
        icon=$(sed -n 's/^Icon=//p' "$desktop")
        exec=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
        launchable=$(sed -n 's|.*<launchable type="desktop-id">\(.*\)</launchable>.*|\1|p' "$meta")
        [ -e "$WORK/root/usr/share/icons/hicolor/scalable/apps/$icon.svg" ] || { echo "Icon=$icon not installed"; return 1; }
        [ -x "$WORK/root/usr/bin/$exec" ] || { echo "Exec=$exec not installed"; return 1; }
        [ -e "$WORK/root/usr/share/applications/$launchable" ] || { echo "launchable $launchable not installed"; return 1; }
    }
    check "desktop file's Icon and Exec, and metainfo's launchable, are in the package" \
        desktop_integration_consistent

    example_policy_locks_server() { # the shipped example, in XDG_CONFIG_DIRS, wins over --server
        mkdir -p "$WORK/xdg/Conversa" "$WORK/home"
        cp "$WORK/root/usr/share/doc/conversa/examples/Conversa.conf" "$WORK/xdg/Conversa/Conversa.conf"
        local out rc=0
        out=$(env -u DBUS_SESSION_BUS_ADDRESS HOME="$WORK/home" XDG_CONFIG_DIRS="$WORK/xdg" \
              timeout 20 "$WORK/root/usr/bin/conversa-cli" rooms --server ws://127.0.0.1:9 \
              --user alice --data "$WORK/cli" 2>&1) || rc=$?
        echo "exit $rc: $out"
        [ "$rc" -eq 2 ] && grep -q 'wss://chat.example.com/ws' <<<"$out"
    }
    check "the example /etc/xdg policy locks the server URL (conversa-cli refuses another)" \
        example_policy_locks_server
fi

[ "$failures" -eq 0 ] || { echo "$failures packaging check(s) failed"; exit 1; }
echo "all packaging checks passed"
