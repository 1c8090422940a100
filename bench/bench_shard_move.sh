#!/usr/bin/env bash
# bench_shard_move — a province moved between running evaluation shards, on a loaded deployment.
#
#   bash bench/bench_shard_move.sh [--quick] [--no-write] [--scale S]
#
# A deployment of its own (deploy/demo.sh in a temporary directory, its own ports) loaded with S
# times the July 2025 programme (default 1; --quick: 0.1): registered, scored, certified,
# re-rated and promoted, two shards. The province of evaluation-1 with the most products moves to
# evaluation-2 and back (`ocopctl shard move`), while a reader asks the gateway for one of its
# products' rating as fast as it answers. For each move: the records copied, the time in all and
# how long its writes were fenced (as ocopctl reports them); for the reader: its calls during the
# moves, how many were not 200, and their p50 / p99 / max. Prints a table and writes the "shard
# move" section of docs/BENCHMARKS.md (not with --no-write).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
ctl="$build/services/ocopctl/ocopctl"
docs="$root/docs/BENCHMARKS.md"
scale=1 quick=0 write=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 scale=0.1 ;;
    --no-write) write=0 ;;
    --scale) shift; [[ "${1:-}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench_shard_move: --scale takes a number" >&2; exit 2; }
             scale="$1" ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_shard_move: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
entities=$(awk -v s="$scale" 'BEGIN{printf "%d", 9084*s+0.5}')
products=$(awk -v s="$scale" 'BEGIN{printf "%d", 17400*s+0.5}')
dir="$(mktemp -d /tmp/ocop-move-XXXXXX)"
port=18180 zport=17600
env=(OCOP_DEMO_DIR="$dir" OCOP_HTTP_PORT="$port" OCOP_ZMQ_PORT="$zport"
     OCOP_DEMO_ENTITIES="$entities" OCOP_DEMO_PRODUCTS="$products")
reader=""
cleanup() {
  [ -n "$reader" ] && kill "$reader" 2>/dev/null || true
  env "${env[@]}" bash "$root/deploy/demo.sh" stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

echo "== ${scale}x: $entities entities, $products products (in $dir)"
if ! env "${env[@]}" bash "$root/deploy/demo.sh" >"$dir/demo.out" 2>&1; then
  tail -20 "$dir/demo.out"
  exit 1
fi
export OCOP_CONFIG="$dir/ocop.json"

# The province of evaluation-1 with the most products (registration's counts), and one of them.
north=$(awk '/"evaluation-1"/{s=1} s && /"provinces"/{gsub(/[^0-9,]/,""); print; exit}' "$OCOP_CONFIG" | tr ',' ' ')
best="" most=0
for p in $north; do
  n=$("$ctl" --output json counts --province "$p" | tr -d ' \t\n' | grep -o '"count":"\{0,1\}[0-9]*' | tr -dc '0-9\n' | awk '{n+=$1} END{print n+0}')
  if [ "$n" -gt "$most" ]; then best=$p most=$n; fi
done
[ -n "$best" ] || { echo "bench_shard_move: no province of evaluation-1 has products" >&2; exit 1; }
product=$(curl -s "http://127.0.0.1:$port/v1/products?province_code=$best&limit=1" -H "Authorization: Bearer $(awk '/^admin /{print $2}' "$dir/tokens.txt")" |
          grep -o '"id":"PRD-[0-9]*"' | head -1 | cut -d'"' -f4)
echo "  province $best: $most products; reading /v1/products/$product/rating meanwhile"

# The reader: status and seconds of every call, until stopped.
( while :; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$port/v1/products/$product/rating"
  done ) >"$dir/reads" 2>/dev/null &
reader=$!
sleep 1
: >"$dir/moves"
for to in evaluation-2 evaluation-1; do
  "$ctl" shard move --province "$best" --to "$to" 2>"$dir/move.err" || { cat "$dir/move.err"; exit 1; }
  sed 's/^/  /' "$dir/move.err"
  records=$(grep -o 'copy under the fence: [0-9]*' "$dir/move.err" | grep -o '[0-9]*$')
  written=$(grep -o 'copy under the fence: [0-9]* records of [0-9]* read, [0-9]*' "$dir/move.err" | grep -o '[0-9]*$')
  total=$(grep -o '[0-9]* ms in all' "$dir/move.err" | grep -o '^[0-9]*')
  fenced=$(grep -o 'writes fenced [0-9]* ms' "$dir/move.err" | grep -o '[0-9]*')
  printf '%s\t%s\t%s\t%s\t%s\n' "$to" "$records" "$written" "$total" "$fenced" >>"$dir/moves"
done
sleep 1
kill "$reader" 2>/dev/null || true
wait "$reader" 2>/dev/null || true
reader=""
calls=$(wc -l <"$dir/reads")
bad=$(awk '$1 != 200' "$dir/reads" | wc -l)
lat=$(awk '{print $2}' "$dir/reads" | sort -n | awk '{v[NR]=$1} END {i50=int(NR*0.5+0.5); i99=int(NR*0.99+0.5); if(i50<1)i50=1; if(i99<1)i99=1; printf "%.1f / %.1f / %.1f", v[i50]*1000, v[i99]*1000, v[NR]*1000}')
echo "  reader: $calls calls, $bad not 200, p50 / p99 / max $lat ms"

[ "$write" = 1 ] || exit 0
{
  echo "<!-- shard-move:begin -->"
  echo "## Moving a province between running shards"
  echo
  echo "\`bench/bench_shard_move.sh\` ($(date -u '+%Y-%m-%d %H:%M UTC'), $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(nproc) cores, Release build$([ "$quick" = 1 ] && echo ', --quick')): the demo deployment at ${scale}x ($products products); the province of evaluation-1 with the most products ($best, $most products) moved to evaluation-2 and back with \`ocopctl shard move\` while a reader asked the gateway for one of its products' rating in a loop (config unchanged: the gateway follows the redirect, then remembers it)."
  echo
  echo "| move | records of the province | written under the fence | in all, ms | writes fenced, ms |"
  echo "|---|---:|---:|---:|---:|"
  awk -F'\t' -v p="$best" '{printf "| %s → %s | %s | %s | %s | %s |\n", p, $1, $2, $3, $4, $5}' "$dir/moves"
  echo
  echo "Reader during the moves: $calls calls, $bad not answered 200, p50 / p99 / max $lat ms."
  echo
  echo "<!-- shard-move:end -->"
} >"$dir/section.md"
if grep -q '<!-- shard-move:begin -->' "$docs"; then
  awk -v f="$dir/section.md" '
    /<!-- shard-move:begin -->/ { while ((getline l < f) > 0) print l; skip = 1; next }
    /<!-- shard-move:end -->/ { skip = 0; next }
    !skip { print }' "$docs" >"$dir/docs" && cp "$dir/docs" "$docs"
else
  { echo; cat "$dir/section.md"; } >>"$docs"
fi
echo "wrote the shard move section of $docs"
