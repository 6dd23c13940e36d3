#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds everything, and runs every test suite.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
build_conversa -DCONVERSA_BUILD_TESTS=ON
echo "==> Running tests"
cd "$BUILD_DIR"
exec ctest --output-on-failure -j2 --timeout 300
