#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds everything, and runs every test suite. With --hardening, or
# in CI (CI=true), then runs scripts/ci-hardening.sh: the fuzzers, and the server, protocol and
# core suites under ASan+UBSan. Those suites then run only there, once, and are not built here:
# the same tests twice would cost CI about a third of its time for nothing ASan does not check.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

hardening=false
if [ "${1:-}" = --hardening ] || [ "${CI:-}" = true ]; then
    hardening=true
fi

install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
install_web_test_tools
elsewhere=()
if $hardening; then
    configure_conversa -DCONVERSA_BUILD_TESTS=ON -DCONVERSA_TESTS_NOT_IN_ALL=
    mapfile -t elsewhere < <(sanitizer_suites "$BUILD_DIR")
fi
# Always passed, so a build folder configured for CI builds every suite again afterwards.
build_conversa -DCONVERSA_BUILD_TESTS=ON "-DCONVERSA_TESTS_NOT_IN_ALL=$(IFS=';' && echo "${elsewhere[*]}")"
echo "==> Running tests"
cd "$BUILD_DIR"
status=0
if [ ${#elsewhere[@]} -gt 0 ]; then
    echo "==> ${#elsewhere[@]} suites run under the sanitizers below, not here"
    ctest --output-on-failure -j2 --timeout 300 -E "^($(IFS='|' && echo "${elsewhere[*]}"))\$" ||
        status=$?
else
    ctest --output-on-failure -j2 --timeout 300 || status=$?
fi
if $hardening; then
    bash "$REPO_ROOT/scripts/ci-hardening.sh" || status=1
fi
exit "$status"
