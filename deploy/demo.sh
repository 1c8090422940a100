#!/usr/bin/env bash
# Quick start (1): installs what is missing, builds, starts the whole system on 127.0.0.1 with the
# national demo dataset, and prints where it listens. `bash deploy/demo.sh stop` stops it;
# `bash deploy/demo.sh build` only installs and builds.
#
# Services: registration, two evaluation shards (the northern and southern provinces of the
# 2025 map), trade promotion and the audit service, which logs every event of the others in a signed Merkle
# tree. The demo data: the July 2025 national dataset moved through the OCOP cycle, then
# scored by the province councils (and the central council for 5★) and the certified products
# promoted. Everything is kept in var/demo; running the script again resumes where it stopped.
#
# Environment (for a second deployment beside the demo, e.g. bench/bench_scale.sh):
#   OCOP_DEMO_DIR       where to keep everything (default var/demo)
#   OCOP_HTTP_PORT      the gateway's port (default 8080)
#   OCOP_ZMQ_PORT       the base of the services' ports (default 7100: registration 7101-7102,
#                       audit 7301-7302, evaluation 7201-7202 and 7211-7212, promotion 7401-7402)
#   OCOP_DEMO_ENTITIES, OCOP_DEMO_PRODUCTS   the dataset's size (default: the July 2025 figures)
#   OCOP_DEMO_BUILT=1   skip installing and building (`bash deploy/demo.sh build` did it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="${OCOP_DEMO_DIR:-$root/var/demo}"
build="$root/build"
ctl="$build/services/ocopctl/ocopctl"
demo="$build/services/demo/ocop-demo"
services="registration evaluation-1 evaluation-2 promotion audit gateway"

# Whether process $1 runs. One that has exited counts as gone before it is reaped: the services
# outlive this script, so their parent is init, which may reap them seconds later.
running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat:0:1}" != Z ]
}

stop_one() {
  local name="$1" pid
  [ -f "$run/$name.pid" ] || return 1
  pid="$(cat "$run/$name.pid")"
  if running "$pid"; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do running "$pid" || break; sleep 0.1; done
    running "$pid" && kill -KILL "$pid"
  fi
  rm -f "$run/$name.pid"
}

stop() {
  local any=0
  for name in gateway audit promotion evaluation-2 evaluation-1 registration; do
    stop_one "$name" && any=1
  done
  if [ "$any" = 1 ]; then echo "ocop: stopped (data kept in $run/data)"; else echo "ocop: not running"; fi
}

if [ "${1:-}" = "stop" ]; then stop; exit 0; fi

build_programs() {
  bash "$root/deploy/install-deps.sh"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  # The programs this script runs and prints; tests, benchmarks and fuzzers are left to .ci/run.
  cmake --build "$build" -j"$(nproc)" --target ocop-registration ocop-evaluation ocop-promotion ocop-audit \
    ocop-audit-verify ocop-gateway ocopctl ocop-demo >/dev/null
}
if [ "${1:-}" = "build" ]; then build_programs; exit 0; fi
[ "${OCOP_DEMO_BUILT:-}" = 1 ] || build_programs
stop >/dev/null

mkdir -p "$run/keys" "$run/data"
chmod 700 "$run/keys"
for name in $services ocopctl; do
  [ -f "$run/keys/$name.key" ] || "$ctl" keygen --dir "$run/keys" "$name" >/dev/null
done
port="${OCOP_HTTP_PORT:-8080}"
z="${OCOP_ZMQ_PORT:-7100}"
reg=$((z + 1)) ev1=$((z + 101)) ev2=$((z + 111)) aud=$((z + 201)) pro=$((z + 301))
north='"01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25", "31", "33", "37", "38", "40"'
south='"42", "44", "46", "48", "51", "52", "56", "66", "68", "75", "79", "80", "82", "86", "91", "92", "96"'
# Each store may grow to 64 KiB per product of the dataset (the audit log takes about 22), and
# never less than the services' default of 8 GiB: a map is address space, not disk.
products="${OCOP_DEMO_PRODUCTS:-17400}"
[[ "$products" =~ ^[0-9]+$ ]] || { echo "demo: OCOP_DEMO_PRODUCTS must be a number" >&2; exit 2; }
map_max=$(( products / 16 > 8192 ? products / 16 : 8192 ))
cat > "$run/ocop.json" <<JSON
{
  "keys_dir": "keys",
  "data_dir": "data",
  "services": {
    "registration": {
      "endpoint": "tcp://127.0.0.1:$reg",
      "events_endpoint": "tcp://127.0.0.1:$((reg + 1))",
      "rules_dir": "$root/services/registration/data",
      "map_max_mb": $map_max,
      "allow": ["ocopctl", "gateway", "evaluation-1", "evaluation-2", "audit"]
    },
    "evaluation-1": {
      "endpoint": "tcp://127.0.0.1:$ev1",
      "events_endpoint": "tcp://127.0.0.1:$((ev1 + 1))",
      "rules_dir": "$root/services/evaluation/data",
      "shard": 1,
      "map_max_mb": $map_max,
      "provinces": [$north],
      "allow": ["ocopctl", "gateway", "audit", "promotion"]
    },
    "evaluation-2": {
      "endpoint": "tcp://127.0.0.1:$ev2",
      "events_endpoint": "tcp://127.0.0.1:$((ev2 + 1))",
      "rules_dir": "$root/services/evaluation/data",
      "shard": 2,
      "map_max_mb": $map_max,
      "provinces": [$south],
      "allow": ["ocopctl", "gateway", "audit", "promotion"]
    },
    "promotion": {
      "endpoint": "tcp://127.0.0.1:$pro",
      "events_endpoint": "tcp://127.0.0.1:$((pro + 1))",
      "rules_dir": "$root/services/promotion/data",
      "sources": ["evaluation-1", "evaluation-2"],
      "map_max_mb": $map_max,
      "allow": ["ocopctl", "gateway", "audit"]
    },
    "audit": {
      "endpoint": "tcp://127.0.0.1:$aud",
      "events_endpoint": "tcp://127.0.0.1:$((aud + 1))",
      "sources": ["registration", "evaluation-1", "evaluation-2", "promotion"],
      "map_size_mb": 256,
      "map_max_mb": $map_max,
      "allow": ["ocopctl", "gateway"]
    }
  },
  "gateway": { "listen": "127.0.0.1:$port", "tokens": "tokens.json", "static_dir": "$root/web" }
}
JSON
export OCOP_CONFIG="$run/ocop.json"

start() {
  local name="$1" binary="$2"
  setsid "$binary" --config "$OCOP_CONFIG" --name "$name" </dev/null >>"$run/$name.log" 2>&1 &
  echo $! > "$run/$name.pid"
  for _ in $(seq 1 100); do
    "$ctl" --timeout 200 ping "$name" >/dev/null 2>&1 && return 0
    running "$(cat "$run/$name.pid")" || { tail -5 "$run/$name.log"; exit 1; }
  done
  "$ctl" --timeout 2000 ping "$name" >/dev/null
}
start registration "$build/services/registration/ocop-registration"
start evaluation-1 "$build/services/evaluation/ocop-evaluation"
start evaluation-2 "$build/services/evaluation/ocop-evaluation"
start promotion "$build/services/promotion/ocop-promotion"
start audit "$build/services/audit/ocop-audit"

# The gateway: HTTP/JSON for people and other systems. Demo users, one per role, with their
# tokens in tokens.txt (the gateway's tokens.json keeps only their hashes).
if [ ! -f "$run/tokens.txt" ]; then
  rm -f "$run/tokens.json"
  ( umask 077
    for spec in "admin central_officer" "inspector auditor" "hanoi province_officer --province 01" \
                "hcmc province_officer --province 79"; do
      set -- $spec
      echo "$1 $("$ctl" token create --file "$run/tokens.json" --name "$1" --role "${@:2}")"
    done > "$run/tokens.txt" )
fi
setsid "$build/services/gateway/ocop-gateway" --config "$OCOP_CONFIG" </dev/null >>"$run/gateway.log" 2>&1 &
echo $! > "$run/gateway.pid"
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  running "$(cat "$run/gateway.pid")" || { tail -5 "$run/gateway.log"; exit 1; }
  sleep 0.1
done

# Each step says how long it took ("demo: STEP took N s").
timed() {
  local step="$1" t0=$SECONDS rc=0
  shift
  "$@" || rc=$?
  echo "demo: $step took $((SECONDS - t0)) s"
  return "$rc"
}
size=()
[ -n "${OCOP_DEMO_ENTITIES:-}" ] && size+=(--entities "$OCOP_DEMO_ENTITIES")
[ -n "${OCOP_DEMO_PRODUCTS:-}" ] && size+=(--products "$OCOP_DEMO_PRODUCTS")
if [ ! -f "$run/dataset/products.csv" ]; then
  timed generate "$demo" generate --rules "$root/services/registration/data" --out "$run/dataset" "${size[@]}"
fi
timed "import entities" "$ctl" import entities "$run/dataset/entities.csv" || [ $? -eq 3 ]
timed "import products" "$ctl" import products "$run/dataset/products.csv" || [ $? -eq 3 ]
if [ ! -f "$run/dataset/transitions.csv" ]; then
  "$demo" advance --journal "$run/dataset/products.csv.journal" --out "$run/dataset/transitions.csv"
fi
timed "import transitions" "$ctl" import transitions "$run/dataset/transitions.csv" || [ $? -eq 3 ]
timed evaluate sh -c '"$1" evaluate --date 2025-07-15 >"$2"' - "$demo" "$run/evaluate.log"
tail -1 "$run/evaluate.log"
# After the hand-over to 26/2026/QĐ-TTg: catalogue 26-2026, a round of upgrades, revocations.
timed rerate sh -c '"$1" rerate >"$2"' - "$demo" "$run/rerate.log"
tail -1 "$run/rerate.log"
timed promote sh -c '"$1" promote >"$2"' - "$demo" "$run/promote.log"
tail -1 "$run/promote.log"
# The audit service follows on its own; say how far it is.
for _ in $(seq 1 600); do
  size="$("$ctl" --output json call audit aud_tree_head_get 2>/dev/null | grep -o '"tree_size":[^,]*' | tr -dc 0-9)"
  [ -n "$size" ] && [ "$size" -gt 0 ] && break
  sleep 0.1
done
echo "audit: ${size:-0} events in the signed log so far (it keeps catching up in the background)"

cat <<TXT

ocop is running on loopback with the demo dataset:
  gateway        http://127.0.0.1:$port   (the dashboard; the API under /v1, /openapi.json, /healthz,
                 /metrics; officers' tokens in $run/tokens.txt)
  registration   requests tcp://127.0.0.1:$reg   events tcp://127.0.0.1:$((reg + 1))   (CurveZMQ)
  evaluation-1   requests tcp://127.0.0.1:$ev1   events tcp://127.0.0.1:$((ev1 + 1))   (17 northern provinces)
  evaluation-2   requests tcp://127.0.0.1:$ev2   events tcp://127.0.0.1:$((ev2 + 1))   (17 southern provinces)
  promotion      requests tcp://127.0.0.1:$pro   events tcp://127.0.0.1:$((pro + 1))   (fairs, points of sale, plans)
  audit          requests tcp://127.0.0.1:$aud   (every event above, Merkle tree, signed heads)
  stores         $run/data/    logs $run/*.log
Try:
  curl -s http://127.0.0.1:$port/v1/reports/stars?province_code=01
  curl -s -H "Authorization: Bearer \$(awk '/^hanoi /{print \$2}' $run/tokens.txt)" \\
       "http://127.0.0.1:$port/v1/products?province_code=01&limit=2"
  export OCOP_CONFIG=$run/ocop.json
  $ctl counts --province 01
  $ctl stars --year 2025
  $ctl stars --province 79
  $ctl product list --province 22 --limit 5
  $ctl call audit aud_tree_head_get                  # the latest signed tree head
  $ctl audit export /tmp/ocop-audit.export && \
    $build/services/audit/ocop-audit-verify --key $run/keys/audit.sign.pub --export /tmp/ocop-audit.export
Stop with:  bash deploy/demo.sh stop
TXT
