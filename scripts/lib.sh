# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Shared by run.sh and test.sh: install what is missing, then configure and build.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${CONVERSA_BUILD_DIR:-$REPO_ROOT/build}

# What building needs (Debian 12 package names).
BUILD_PACKAGES=(
    build-essential cmake ninja-build ccache pkg-config git ca-certificates
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev libqt6sql6-sqlite libqt6sql6-psql
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    qtkeychain-qt6-dev libsodium-dev
    libqt6svg6 qt6-image-formats-plugins qt6-translations-l10n fonts-dejavu-core fonts-noto-color-emoji
    librsvg2-bin
)
# What the test suites use on top: real TLS certificates, a real keychain, a real proxy.
TEST_PACKAGES=(
    openssl curl procps
    dbus dbus-x11 gnome-keyring libsecret-tools
    squid tinyproxy microsocks
    lintian systemd desktop-file-utils appstream xz-utils
    nginx haproxy
    postgresql # tests/support/PostgresServer: initdb + pg_ctl in a temporary folder
    redis-server # tst_redis*, tst_cluster_redis: a real Redis on a free loopback port
    xvfb xauth xdotool imagemagick
    wixl msitools python3
    clang libclang-rt-14-dev llvm # ci-hardening.sh: libFuzzer, sanitizers, symbolized stacks
    chromium # tests/e2e/web: the browser client in a real browser (playwright-core drives it)
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
    local missing=()
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    echo "==> Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The suites CI runs under ASan and UBSan (scripts/ci-hardening.sh): the server, protocol and
# core ones. The desktop widget suites (label ui) are left out: they test painting and layout,
# which the others do not share, and would double the sanitizer build's time. So are the web
# client's (label web): their code is JavaScript, which ASan does not see; the server's side of
# serving the page runs under ASan in tst_webclient and tst_server_http.
SANITIZER_LABELS=${CONVERSA_ASAN_LABELS:-unit|e2e}
SANITIZER_EXCLUDE_LABELS=${CONVERSA_ASAN_EXCLUDE_LABELS:-ui|web}

configure_conversa() {
    export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
    # Paths relative to the checkout, so another clone or worktree reuses what one compiled.
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$REPO_ROOT}
    cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
}

build_conversa() {
    echo "==> Configuring and building in $BUILD_DIR"
    configure_conversa "$@"
    cmake --build "$BUILD_DIR" -j2
}

# The names of the suites the sanitizer pass runs, one a line, from a configured build folder.
sanitizer_suites() {
    (cd "$1" && ctest -N -L "$SANITIZER_LABELS" -LE "$SANITIZER_EXCLUDE_LABELS" |
        sed -n 's/^ *Test *#[0-9]*: //p')
}

# The web client's tests run on Node (any Node from 18.19: Debian 12's nodejs and npm, or a
# newer one already installed, which brings its own npm) and need playwright-core from
# tests/e2e/web/package-lock.json. Installs Debian's only when node or npm is missing.
install_web_test_tools() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        install_packages nodejs npm
    fi
    bash "$REPO_ROOT/tests/e2e/web/install-modules.sh"
}
