#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzz build (OCOP_FUZZ=ON, see docs/fuzzing.md), one at a time,
# each for SECONDS (default 10) on a copy of its seeds in tests/fuzz/corpus and of the inputs that
# once made it fail in tests/fuzz/crashes, so the repository is never written to. Prints each target's executions; exits 1 when any target fails (a crash, a
# leak, undefined behaviour, a timeout or running out of memory), keeping its work directory
# with the input that failed.
#   usage: run.sh BUILD_DIR [SECONDS] [TARGET | -LIBFUZZER_OPTION]...
# With no TARGET every target runs; options go to libFuzzer as they are (e.g. -runs=10000000).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET | -LIBFUZZER_OPTION]...}"
seconds="${2:-10}"
shift $(($# < 2 ? $# : 2))
targets=()
options=()
for arg in "$@"; do
  case "$arg" in
    -*) options+=("$arg") ;;
    *) targets+=("$arg") ;;
  esac
done
if ((${#targets[@]} == 0)); then
  for src in "$here"/fuzz_*.c; do targets+=("$(basename "$src" .c)"); done
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ocop-fuzz-run-XXXXXX")"
failed=()
for target in "${targets[@]}"; do
  bin="$build/tests/fuzz/$target"
  if [ ! -x "$bin" ]; then
    echo "$target: no program $bin (build it: cmake --build $build --target $target)" >&2
    failed+=("$target")
    continue
  fi
  dir="$work/$target"
  mkdir -p "$dir/corpus"
  for kept in corpus crashes; do
    if [ -d "$here/$kept/$target" ]; then cp -R "$here/$kept/$target/." "$dir/corpus/"; fi
  done
  seeds="$(find "$dir/corpus" -type f | wc -l)"
  start="$(date +%s)"
  status=0
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/" ${options[@]+"${options[@]}"} "$dir/corpus" >"$dir/log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")"
  corpus="$(find "$dir/corpus" -type f | wc -l)"
  if [ "$status" -ne 0 ]; then
    echo "$target: FAILED (exit $status) after ${runs:-?} executions in ${elapsed} s; log and input kept in $dir:"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)|runtime error' "$dir/log" | head -20 || true
    failed+=("$target")
  else
    echo "$target: ${runs:-?} executions in ${elapsed} s (${speed:-?}/s), corpus $seeds -> $corpus, no crash"
    rm -rf "$dir"
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: ${#failed[@]} failed: ${failed[*]} (kept in $work)" >&2
  exit 1
fi
rmdir "$work"
