#!/usr/bin/env bash
# bench_scale — the whole system at a multiple of the national programme, from outside.
#
#   bash bench/bench_scale.sh [--quick] [--no-write] [--scale S]...
#
# For each scale S (default 1 and 10; --quick: 0.1 and 1): a deployment of its own (deploy/demo.sh
# with OCOP_DEMO_DIR in a temporary directory, its own ports) loaded with S times the July 2025
# programme (9,084 entities, 17,400 products): registered, moved through the cycle, scored and
# certified by the councils, re-rated under 26/2026 and promoted, every event taken into the
# audit log. Then, on the loaded system: each step's time, each import's rate in its first and
# last tenth of rows (does registration slow as its store fills?), how long the audit service
# took to catch up after the last step, p50/p99 of each page of the dashboard complete and of
# every API call it makes (through the gateway, 50 calls each; --quick: 10), each service's
# memory (its heap apart from the store pages it maps, and peak) and store bytes per product,
# and each service's restart time (SIGTERM, start, until it answers). Prints a table and writes
# the "scale" section of docs/BENCHMARKS.md (not with --no-write). Needs about 0.5 GB of disk
# per 1x of scale (100x: about 50 GB; 1x, 10x and 100x together about 50 minutes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
ctl="$build/services/ocopctl/ocopctl"
docs="$root/docs/BENCHMARKS.md"
scales=() quick=0 write=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-write) write=0 ;;
    --scale) shift; [[ "${1:-}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench_scale: --scale takes a number" >&2; exit 2; }
             scales+=("$1") ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_scale: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#scales[@]} -gt 0 ] || { [ "$quick" = 1 ] && scales=(0.1 1) || scales=(1 10); }
calls=50
[ "$quick" = 1 ] && calls=10
out="$(mktemp -d /tmp/ocop-scale-results-XXXXXX)"
# The deployment being measured, stopped and removed however the script ends.
deployed=""
undeploy() {
  [ -z "$deployed" ] || { OCOP_DEMO_DIR="$deployed" bash "$root/deploy/demo.sh" stop >/dev/null 2>&1; rm -rf "$deployed"; }
  deployed=""
}
trap 'undeploy; rm -rf "$out"' EXIT

# Whether process $1 runs; one that has exited and waits to be reaped (by init: demo.sh started
# it and has gone) counts as gone.
running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat:0:1}" != Z ]
}

# p50 and p99 (ms) of the seconds in a file, one per line.
pcts() { sort -n "$1" | awk '{v[NR]=$1} END {i50=int(NR*0.5+0.5); i99=int(NR*0.99+0.5); if(i50<1)i50=1; if(i99<1)i99=1; printf "%.1f / %.1f", v[i50]*1000, v[i99]*1000}'; }

# One scale: everything it measured into $out/S.md (rows of the tables) and the terminal.
run_scale() {
  local s="$1" dir port zport entities products
  entities=$(awk -v s="$s" 'BEGIN{printf "%d", 9084*s+0.5}')
  products=$(awk -v s="$s" 'BEGIN{printf "%d", 17400*s+0.5}')
  dir="$(mktemp -d /tmp/ocop-scale-XXXXXX)"
  deployed="$dir"
  port=18080 zport=17100
  local env=(OCOP_DEMO_DIR="$dir" OCOP_HTTP_PORT="$port" OCOP_ZMQ_PORT="$zport" OCOP_DEMO_BUILT=1
             OCOP_DEMO_ENTITIES="$entities" OCOP_DEMO_PRODUCTS="$products")
  echo "== ${s}x: $entities entities, $products products (in $dir)"
  local t0=$SECONDS
  if ! env "${env[@]}" bash "$root/deploy/demo.sh" >"$dir/demo.out" 2>&1; then
    tail -20 "$dir/demo.out"; return 1
  fi
  local load=$((SECONDS - t0))
  grep '^demo: .* took ' "$dir/demo.out" | sed 's/^demo: /  /'
  export OCOP_CONFIG="$dir/ocop.json"
  # The audit service follows on its own: how long until every source's lag is 0.
  local t1=$SECONDS lag=1 size=0
  for _ in $(seq 1 36000); do
    lag=$("$ctl" --output json call audit aud_sources_get 2>/dev/null | awk -F: '/"lag"/{gsub(/[ ,]/,"",$2); n+=$2} END{print n+0}')
    [ "$lag" = 0 ] && break
    sleep 0.1
  done
  local catchup=$((SECONDS - t1))
  size=$("$ctl" --output json call audit aud_tree_head_get | grep -o '"tree_size":[^,]*' | tr -dc 0-9)
  echo "  audit caught up ${catchup} s after the last step: $size entries"

  # The dashboard's calls, as its pages make them (web/app.js), as the officer of province 01: a
  # certified product of 01, the session that rated it, its certificate and producer, a fair.
  local token base year last product entity cert session date index fair
  token=$(awk '/^hanoi /{print $2}' "$dir/tokens.txt")
  base="http://127.0.0.1:$port" year=$(date -u +%Y) last=$((size - 1))
  get() { curl -s -H "Authorization: Bearer $token" "$base$1"; }
  field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
  product=$(get "/v1/products?province_code=01&stage=trade_promotion&limit=1" | field id)
  local rating
  rating=$(get "/v1/products/$product/rating")
  entity=$(field entity_id <<<"$rating") cert=$(field certificate_id <<<"$rating")
  session=$(get "/v1/certificates/$cert" | field session_id)
  date=$(get "/v1/sessions/$session" | field date)
  index=$(get "/v1/audit/events?product_id=$product&limit=500" | grep -o '"index":[0-9]*' | tail -1 | tr -dc 0-9)
  fair=$(get "/v1/calendar?year=$((year + 1))" | grep -o '"source":"FAIR-[^"]*"' | head -1 | cut -d'"' -f4)
  # Pages: stages separated by "--", the calls of a stage made at once (Promise.all), a stage
  # after the one before it (await).
  local pages=(
    "overview|/v1/reports/stars /v1/units?limit=100"
    "province|/v1/units?limit=100 /v1/reports/stars?province_code=01 /v1/counts?province_code=01 /v1/calendar?year=$year /v1/calendar?year=$((year + 1)) /v1/rounds?province_code=01&year=$year /v1/late-dossiers?province_code=01"
    "product|/v1/products/$product/rating -- /v1/certificates/$cert -- /v1/products/$product /v1/entities/$entity -- /v1/audit/events?product_id=$product&limit=500 -- /v1/audit/entries/$index/proof /dashboard.json"
    "session|/v1/sessions/$session /v1/products/$product/rating -- /v1/sessions/$session/sheets?product_id=$product /v1/products/$product/sheet?date=$date /v1/products/$product/self-assessment"
    "integrity|/v1/audit/reports/bunching?limit=60 /v1/audit/reports/leniency?limit=60"
    "calendar|/v1/calendar?year=$year -- /v1/calendar?year=$((year + 1))"
    "fair|/v1/fairs/$fair/applications")
  # Each call the pages make, and a province's product list, the tree head and the last entry's
  # proof that other systems ask for.
  local urls=() u page
  for page in "${pages[@]}"; do
    for u in ${page#*|}; do
      [ "$u" = -- ] || [[ " ${urls[*]} " == *" $u "* ]] || urls+=("$u")
    done
  done
  urls+=("/v1/products?province_code=01&limit=50" "/v1/audit/tree-head" "/v1/audit/entries/$last/proof")
  # Readable names for the ids in the table.
  label() {
    local l="$1"
    l="${l//$product/\{product\}}" l="${l//$entity/\{entity\}}" l="${l//\/$cert/\/\{certificate\}}"
    l="${l//$session/\{session\}}" l="${l//$fair/\{fair\}}" l="${l//=$date/=\{date\}}"
    l="${l//\/$last\//\/\{last\}\/}" l="${l//\/$index\//\/\{entry\}\/}" l="${l//year=$((year + 1))/year=\{next year\}}"
    echo "${l//year=$year/year=\{year\}}"
  }
  local code
  : >"$out/$s.calls"
  for u in "${urls[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base$u")
    # The calls one after another on one kept-alive connection, as a browser makes them.
    local each=()
    for _ in $(seq 1 $calls); do each+=(-o /dev/null "$base$u"); done
    curl -s -w '%{time_total}\n' -H "Authorization: Bearer $token" "${each[@]}" >"$out/t"
    printf '%s\t%s\t%s\n' "$(label "$u")" "$code" "$(pcts "$out/t")" >>"$out/$s.calls"
  done
  sed 's/^/  /' "$out/$s.calls"
  # Each page complete: per stage the slowest of its calls made at once, summed over the stages.
  local stage n
  : >"$out/$s.pages"
  for page in "${pages[@]}"; do
    : >"$out/t"
    for _ in $(seq 1 $calls); do
      local total=0
      while read -r -a stage; do
        each=()
        for u in "${stage[@]}"; do each+=(-o /dev/null "$base$u"); done
        total=$(curl -s --no-progress-meter --parallel --parallel-immediate -w '%{time_total}\n' -H "Authorization: Bearer $token" "${each[@]}" |
                awk -v t="$total" '$1 > m {m = $1} END {print t + m}')
      done < <(sed 's/ -- /\n/g' <<<"${page#*|}")
      echo "$total" >>"$out/t"
    done
    n=$(tr ' ' '\n' <<<"${page#*|}" | { grep -c '^--$' || true; })
    printf '%s\t%s\t%s\t%s\n' "${page%%|*}" "$(tr ' ' '\n' <<<"${page#*|}" | { grep -cv '^--$' || true; })" "$((n + 1))" "$(pcts "$out/t")" >>"$out/$s.pages"
  done
  awk -F'\t' '{printf "  page %-10s %2s calls in %s steps: %s ms\n", $1, $2, $3, $4}' "$out/$s.pages"

  # Memory and stores.
  # Memory: the process's own (heap, RssAnon) apart from the store's pages it has mapped
  # (RssFile: LMDB's map, shared with the page cache, given back under memory pressure).
  local name pid anon file hwm bytes
  : >"$out/$s.svc"
  for name in registration evaluation-1 evaluation-2 promotion audit gateway; do
    pid=$(cat "$dir/$name.pid")
    anon=$(awk '/^RssAnon/{print int($2/1024)}' "/proc/$pid/status")
    file=$(awk '/^RssFile/{print int($2/1024)}' "/proc/$pid/status")
    hwm=$(awk '/^VmHWM/{print int($2/1024)}' "/proc/$pid/status")
    bytes=$([ -d "$dir/data/$name" ] && du -sb "$dir/data/$name" | cut -f1 || echo 0)
    printf '%s\t%s\t%s\t%s\t\t%s\n' "$name" "$anon" "$hwm" "$((bytes / products))" "$file" >>"$out/$s.svc"
  done

  # Restarts: SIGTERM, start again as demo.sh does, time until it answers a ping.
  local binary ms
  for name in registration evaluation-1 evaluation-2 promotion audit; do
    case "$name" in
      evaluation-*) binary="$build/services/evaluation/ocop-evaluation" ;;
      *) binary="$build/services/$name/ocop-$name" ;;
    esac
    pid=$(cat "$dir/$name.pid")
    kill -TERM "$pid"
    for _ in $(seq 1 600); do running "$pid" || break; sleep 0.05; done
    local started ready=0
    started=$(date +%s%N)
    setsid "$binary" --config "$OCOP_CONFIG" --name "$name" </dev/null >>"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
    for _ in $(seq 1 6000); do
      "$ctl" --timeout 200 ping "$name" >/dev/null 2>&1 && { ready=1; break; }
      sleep 0.01
    done
    ms=$(( ($(date +%s%N) - started) / 1000000 ))
    [ "$ready" = 1 ] || ms="no answer"
    awk -F'\t' -v n="$name" -v ms="$ms" 'BEGIN{OFS="\t"} $1==n{$5=ms} {print}' "$out/$s.svc" >"$out/t" && mv "$out/t" "$out/$s.svc"
  done
  # The audit service's index of events by product is rebuilt after it answers (product queries
  # wait meanwhile): how long that took.
  local index_ms=""
  for _ in $(seq 1 6000); do
    if [ "$(grep -c product_index_rebuilt "$dir/audit.log")" -ge 2 ]; then
      index_ms=$(grep -o 'product_index_rebuilt .* ms=[0-9]*' "$dir/audit.log" | tail -1 | grep -o 'ms=[0-9]*$' | tr -dc 0-9)
      break
    fi
    sleep 0.05
  done
  awk -F'\t' '{printf "  %-13s heap %6s MiB, store pages mapped %6s MiB (peak RSS %6s)  store %6s B/product  restart %s ms\n", $1, $2, $6, $3, $4, $5}' "$out/$s.svc"
  echo "  audit: events-by-product index rebuilt ${index_ms:-?} ms after the restart"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$entities" "$products" "$load" "$catchup" "$size" "${index_ms:-?}" >"$out/$s.summary"
  grep '^demo: .* took ' "$dir/demo.out" | sed 's/^demo: \(.*\) took \([0-9]*\) s$/\1\t\2/' >"$out/$s.steps"
  # Each import's rate in its first and its last tenth of rows, from ocopctl's progress lines
  # ("KIND: P% (DONE/TOTAL, R rows/s, T s)", one for the first row and one per tenth); the first
  # tenth is timed from the first row's answer, so connecting and filling the window are left out.
  # A tenth of fewer than 10,000 rows is not reported: ocopctl keeps 4,000 rows in flight, so such
  # a tenth is answered in a few bursts and its rate says nothing.
  sed -n 's/^\([a-z]*\): \([0-9]*\)% (\([0-9]*\)\/[0-9]*, [0-9]* rows\/s, \([0-9.]*\) s)$/\1 \2 \3 \4/p' "$dir/demo.out" |
    awk '{ done[$1, $2] = $3; secs[$1, $2] = $4; if (!($1 in seen)) { seen[$1] = 1; kinds[++n] = $1 } }
         END { for (i = 1; i <= n; i++) { k = kinds[i]
                 if (!((k, 0) in done) || !((k, 10) in done) || !((k, 90) in done) || !((k, 100) in done)) continue
                 d0 = secs[k, 10] - secs[k, 0]; d9 = secs[k, 100] - secs[k, 90]
                 if (d0 <= 0 || d9 <= 0 || done[k, 100] - done[k, 90] < 10000) continue
                 first = (done[k, 10] - done[k, 0]) / d0; last = (done[k, 100] - done[k, 90]) / d9
                 printf "%s\t%.1fk&nbsp;/&nbsp;%.1fk&nbsp;(%.2f)\n", k, first / 1000, last / 1000, last / first } }' >"$out/$s.tenths"
  sed 's/&nbsp;/ /g; s/^/  import /; s/\t/ per tenth, first \/ last (ratio): /' "$out/$s.tenths"
  unset OCOP_CONFIG
  undeploy
}

bash "$root/deploy/demo.sh" build
for s in "${scales[@]}"; do run_scale "$s"; done
[ "$write" = 1 ] || exit 0

# The docs section: one column per scale.
{
  echo "<!-- scale:begin -->"
  echo "## The whole system at scale"
  echo
  echo "\`bench/bench_scale.sh\` ($(date -u '+%Y-%m-%d %H:%M UTC'), $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(nproc) cores, Release build$([ "$quick" = 1 ] && echo ', --quick')): a deployment of its own per scale (\`deploy/demo.sh\` in a temporary directory) loaded with that multiple of the July 2025 programme — registered, moved through the cycle, scored and certified, re-rated under 26/2026 and promoted, every event taken into the audit log — then measured from outside, as the officer of province 01 (p50 / p99 ms of $calls, curl's total time): each page of the dashboard complete (the calls it makes together made at once, its steps one after another, the slowest call of each step summed), every API call the dashboard makes through the gateway (one after another on one kept-alive connection), each service's memory and store, and its restart (SIGTERM, start, until it answers a ping)."
  echo
  printf '| | %s |\n|---|%s\n' "$(for s in "${scales[@]}"; do printf '%sx | ' "$s"; done | sed 's/ | $//')" "$(for s in "${scales[@]}"; do printf -- '---:|'; done)"
  row() { printf '| %s |' "$1"; shift; for v in "$@"; do printf ' %s |' "$v"; done; echo; }
  row "entities / products" $(for s in "${scales[@]}"; do awk -F'\t' '{printf "%s&nbsp;/&nbsp;%s", $2, $3}' "$out/$s.summary"; echo; done)
  row "audit log entries" $(for s in "${scales[@]}"; do cut -f6 "$out/$s.summary"; done)
  while IFS=$'\t' read -r step _; do
    row "$step, s" $(for s in "${scales[@]}"; do awk -F'\t' -v st="$step" '$1==st{print $2}' "$out/$s.steps"; done)
  done <"$out/${scales[0]}.steps"
  while IFS=$'\t' read -r kind _; do
    row "import $kind, first / last tenth, rows/s (ratio)" $(for s in "${scales[@]}"; do awk -F'\t' -v k="$kind" 'BEGIN{v="–"} $1==k{v=$2} END{print v}' "$out/$s.tenths"; done)
  done <"$out/${scales[-1]}.tenths"
  row "audit caught up after the last step, s" $(for s in "${scales[@]}"; do cut -f5 "$out/$s.summary"; done)
  while IFS=$'\t' read -r page ncalls steps _; do
    row "$page page complete ($ncalls call$([ "$ncalls" = 1 ] || echo s) in $steps step$([ "$steps" = 1 ] || echo s)), ms" $(for s in "${scales[@]}"; do awk -F'\t' -v p="$page" '$1==p{gsub(/ /,"\\&nbsp;",$4); print $4}' "$out/$s.pages"; done)
  done <"$out/${scales[0]}.pages"
  while IFS=$'\t' read -r call code _; do
    row "\`GET ${call//|/\\|}\` ($code), ms" $(for s in "${scales[@]}"; do awk -F'\t' -v c="$call" '$1==c{gsub(/ /,"\\&nbsp;",$3); print $3}' "$out/$s.calls"; done)
  done <"$out/${scales[0]}.calls"
  for name in registration evaluation-1 evaluation-2 promotion audit gateway; do
    row "$name: heap / store pages mapped (peak RSS), MiB" $(for s in "${scales[@]}"; do awk -F'\t' -v n="$name" '$1==n{printf "%s&nbsp;/&nbsp;%s&nbsp;(%s)\n", $2, $6, $3}' "$out/$s.svc"; done)
  done
  for name in registration evaluation-1 evaluation-2 promotion audit; do
    row "$name: store B/product" $(for s in "${scales[@]}"; do awk -F'\t' -v n="$name" '$1==n{print $4}' "$out/$s.svc"; done)
  done
  for name in registration evaluation-1 evaluation-2 promotion audit; do
    row "$name: restart until it answers, ms" $(for s in "${scales[@]}"; do awk -F'\t' -v n="$name" '$1==n{print $5}' "$out/$s.svc"; done)
  done
  row "audit: events-by-product index after a restart, ms" $(for s in "${scales[@]}"; do cut -f7 "$out/$s.summary"; done)
  echo
  echo "<!-- scale:end -->"
} >"$out/section.md"
if grep -q '<!-- scale:begin -->' "$docs"; then
  awk -v f="$out/section.md" '
    /<!-- scale:begin -->/ { while ((getline l < f) > 0) print l; skip = 1; next }
    /<!-- scale:end -->/ { skip = 0; next }
    !skip { print }' "$docs" >"$out/docs" && cp "$out/docs" "$docs"
else
  { echo; cat "$out/section.md"; } >>"$docs"
fi
echo "wrote the scale section of $docs"
