#!/usr/bin/env bash
# Quick start (2): installs what is missing, builds, and runs the whole test suite twice: a
# normal build, then AddressSanitizer + UndefinedBehaviorSanitizer; then every fuzz target briefly.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="$(nproc)"
bash "$root/deploy/install-deps.sh" --tests

cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$jobs"
ctest --test-dir "$root/build" --output-on-failure -j"$jobs"

cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DOCOP_SANITIZE=ON >/dev/null
cmake --build "$root/build-asan" -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs"

# The decoders' libFuzzer targets, ten seconds each, under ASan/UBSan (docs/fuzzing.md).
CC=clang cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_BUILD_TYPE=Debug -DOCOP_SANITIZE=ON -DOCOP_FUZZ=ON >/dev/null
cmake --build "$root/build-fuzz" -j"$jobs" --target fuzz
bash "$root/tests/fuzz/run.sh" "$root/build-fuzz" 10
