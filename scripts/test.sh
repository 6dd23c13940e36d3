#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds everything, and runs every test suite. With --hardening, or
# in CI (CI=true), then runs scripts/ci-hardening.sh: the fuzzers, and the suites under ASan+UBSan.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

hardening=false
if [ "${1:-}" = --hardening ] || [ "${CI:-}" = true ]; then
    hardening=true
fi

install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
install_web_test_tools
build_conversa -DCONVERSA_BUILD_TESTS=ON
echo "==> Running tests"
cd "$BUILD_DIR"
status=0
ctest --output-on-failure -j2 --timeout 300 || status=$?
if $hardening; then
    bash "$REPO_ROOT/scripts/ci-hardening.sh" || status=1
fi
exit "$status"
