#!/usr/bin/env bash
# Quick start (1): installs what is missing, builds, starts the whole system on 127.0.0.1 with the
# national demo dataset, and prints where it listens. `bash deploy/demo.sh stop` stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="$root/var/demo"
build="$root/build"
ctl="$build/services/ocopctl/ocopctl"

stop() {
  if [ -f "$run/registration.pid" ]; then
    pid="$(cat "$run/registration.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$run/registration.pid"
    echo "ocop: stopped (data kept in $run/data)"
  else
    echo "ocop: not running"
  fi
}

if [ "${1:-}" = "stop" ]; then stop; exit 0; fi

bash "$root/deploy/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
stop >/dev/null

mkdir -p "$run/keys" "$run/data"
chmod 700 "$run/keys"
[ -f "$run/keys/registration.key" ] || "$ctl" keygen --dir "$run/keys" registration ocopctl >/dev/null
cat > "$run/ocop.json" <<JSON
{
  "keys_dir": "keys",
  "data_dir": "data",
  "services": {
    "registration": {
      "endpoint": "tcp://127.0.0.1:7101",
      "events_endpoint": "tcp://127.0.0.1:7102",
      "rules_dir": "$root/services/registration/data",
      "allow": ["ocopctl"]
    }
  }
}
JSON
export OCOP_CONFIG="$run/ocop.json"
# Detached from this shell (own session, no inherited descriptors) so it outlives the script.
setsid "$build/services/registration/ocop-registration" --config "$OCOP_CONFIG" \
  </dev/null >>"$run/registration.log" 2>&1 &
echo $! > "$run/registration.pid"
for _ in $(seq 1 100); do
  "$ctl" --timeout 200 ping >/dev/null 2>&1 && break
  kill -0 "$(cat "$run/registration.pid")" 2>/dev/null || { tail -5 "$run/registration.log"; exit 1; }
done
"$ctl" --timeout 2000 ping >/dev/null

if [ ! -f "$run/dataset/products.csv" ]; then
  "$ctl" demo generate --rules "$root/services/registration/data" --out "$run/dataset"
fi
"$ctl" import entities "$run/dataset/entities.csv" || [ $? -eq 3 ]
"$ctl" import products "$run/dataset/products.csv" || [ $? -eq 3 ]
# The July 2025 products are certified: move them through the cycle to trade promotion.
if [ ! -f "$run/dataset/transitions.csv" ]; then
  "$ctl" demo advance --journal "$run/dataset/products.csv.journal" --out "$run/dataset/transitions.csv"
fi
"$ctl" import transitions "$run/dataset/transitions.csv" || [ $? -eq 3 ]

cat <<TXT

ocop is running on loopback with the demo dataset:
  registration   requests tcp://127.0.0.1:7101   events tcp://127.0.0.1:7102   (CurveZMQ)
  store          $run/data/registration    log $run/registration.log
Try:
  export OCOP_CONFIG=$run/ocop.json
  $ctl counts --province 01
  $ctl product list --province 22 --limit 5
Stop with:  bash deploy/demo.sh stop
TXT
