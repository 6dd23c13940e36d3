#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# The hardening half of CI (scripts/test.sh runs it when CI=true or with --hardening):
#  1. every libFuzzer target in tests/fuzz, built with clang, for FUZZ_SECONDS each on a copy
#     of its seed corpus: a crash, sanitizer report, leak or timeout fails;
#  2. the unit and end-to-end suites built with CONVERSA_SANITIZE=address,undefined: any
#     AddressSanitizer, LeakSanitizer or UBSan report, from a test or from a conversa-server or
#     conversa-cli it starts, fails.
# Usage: scripts/ci-hardening.sh [--fuzz-only | --sanitize-only]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FUZZ_SECONDS=${FUZZ_SECONDS:-50}
FUZZ_BUILD_DIR=${CONVERSA_FUZZ_BUILD_DIR:-$REPO_ROOT/build-fuzz}
ASAN_BUILD_DIR=${CONVERSA_ASAN_BUILD_DIR:-$REPO_ROOT/build-asan}

run_fuzz=true
run_sanitize=true
case ${1:-} in
--fuzz-only) run_sanitize=false ;;
--sanitize-only) run_fuzz=false ;;
"") ;;
*)
    sed -n '4,11p' "$0" >&2
    exit 2
    ;;
esac

install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_BASEDIR=$REPO_ROOT
failed=()

# Seconds since `start`, for the log: CI's time budget is shared (tests/fuzz/README.md).
took() { echo "==> $1 took $((SECONDS - $2)) s"; }

fuzz() {
    local start=$SECONDS
    echo "==> Fuzzing: building in $FUZZ_BUILD_DIR (clang, address,undefined)"
    cmake -S "$REPO_ROOT" -B "$FUZZ_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++ -DCONVERSA_FUZZ=ON -DCONVERSA_BUILD_TESTS=OFF \
        -DCONVERSA_BUILD_CLIENT=OFF >/dev/null
    cmake --build "$FUZZ_BUILD_DIR" -j2 --target conversa-fuzzers
    took "Building the fuzzers" "$start"
    start=$SECONDS
    local corpus fuzzer
    for corpus in "$REPO_ROOT"/tests/fuzz/corpus/*/; do
        fuzzer=$(basename "$corpus")
        echo "==> Fuzzing $fuzzer for ${FUZZ_SECONDS} s"
        if ! bash "$REPO_ROOT/tests/fuzz/run.sh" "$FUZZ_BUILD_DIR" "$fuzzer" "$FUZZ_SECONDS"; then
            failed+=("$fuzzer")
        fi
    done
    took "Fuzzing" "$start"
}

sanitize() {
    local start=$SECONDS
    echo "==> Sanitizers: building in $ASAN_BUILD_DIR (address,undefined)"
    cmake -S "$REPO_ROOT" -B "$ASAN_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCONVERSA_SANITIZE=address,undefined -DCONVERSA_BUILD_TESTS=ON >/dev/null
    cd "$ASAN_BUILD_DIR"
    # Build only what the chosen suites run: their executables (named like the tests) and the
    # programs they start.
    local known tests targets=(conversa-server conversa-cli) name
    known=$(cmake --build . --target help | sed -n 's/^\([A-Za-z0-9_.-]*\): .*/\1/p')
    tests=$(sanitizer_suites .)
    for name in $tests; do
        if grep -qx -- "$name" <<<"$known"; then targets+=("$name"); fi
    done
    cmake --build . -j2 --target "${targets[@]}"
    took "Building the sanitizer suites" "$start"
    start=$SECONDS

    # Reports go to files, so one from a server or client a test started (whose stderr the
    # test may never show) still fails the run. The quarantine of freed memory is cut from
    # 256 MiB to 16 MiB: the hostile-client suites bound the server's resident memory, and
    # freed memory held back by ASan would count against it.
    local reports
    reports=$(mktemp -d "${TMPDIR:-/tmp}/conversa-sanitizers.XXXXXX")
    export ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=16:log_path=$reports/asan:log_exe_name=1"
    export LSAN_OPTIONS="suppressions=$REPO_ROOT/tests/fuzz/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan:log_exe_name=1"
    echo "==> Running the $SANITIZER_LABELS suites (without $SANITIZER_EXCLUDE_LABELS) under ASan and UBSan"
    local status=0
    ctest --output-on-failure -j2 --timeout 300 -L "$SANITIZER_LABELS" -LE "$SANITIZER_EXCLUDE_LABELS" ||
        status=$?
    unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
    took "Running the sanitizer suites" "$start"
    if compgen -G "$reports/*" >/dev/null; then
        echo "==> Sanitizer reports:"
        local report
        for report in "$reports"/*; do
            echo "--- $(basename "$report")"
            cat "$report"
        done
        status=1
    fi
    rm -rf "$reports"
    cd "$REPO_ROOT"
    if [ "$status" -ne 0 ]; then
        failed+=("sanitizer suites")
    fi
}

if $run_fuzz; then
    fuzz
fi
if $run_sanitize; then
    sanitize
fi
if [ ${#failed[@]} -gt 0 ]; then
    echo "==> Hardening FAILED: ${failed[*]}"
    exit 1
fi
echo "==> Hardening passed"
