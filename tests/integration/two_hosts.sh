#!/usr/bin/env bash
# Integration: the registration service and a client on two different hosts.
#
# Two network namespaces made here (host A runs the service, host B runs ocopctl) are joined
# by a veth pair with addresses of their own; nothing leaves them. The configuration names the
# service by tcp://<host A>:port as a deployment across machines would. Checks: B registers,
# reads and replays events through CurveZMQ across the link; the root namespace, which has no
# route to A, gets no answer. Needs root (namespaces); exits 77 (skipped) without it.
set -euo pipefail
bin="${OCOP_BINARY_DIR:?}"
src="${OCOP_SOURCE_DIR:?}"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
  echo "two_hosts: needs root and iproute2 for network namespaces; skipped"
  exit 77
fi

tag="o$$"
ns_a="$tag-a" ns_b="$tag-b"
addr_a=10.254.77.1 addr_b=10.254.77.2
work="$(mktemp -d /tmp/ocop-two-hosts-XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "two_hosts: FAILED: $*"
  echo "--- service log"; tail -20 "$work/registration.log" 2>/dev/null || true
  exit 1
}

ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add "$tag-va" type veth peer name "$tag-vb"
ip link set "$tag-va" netns "$ns_a"
ip link set "$tag-vb" netns "$ns_b"
ip -n "$ns_a" addr add "$addr_a/30" dev "$tag-va"
ip -n "$ns_b" addr add "$addr_b/30" dev "$tag-vb"
for ns in "$ns_a" "$ns_b"; do ip -n "$ns" link set lo up; done
ip -n "$ns_a" link set "$tag-va" up
ip -n "$ns_b" link set "$tag-vb" up

ctl="$bin/services/ocopctl/ocopctl"
"$ctl" keygen --dir "$work/keys" registration ocopctl >/dev/null
cat > "$work/ocop.json" <<JSON
{
  "keys_dir": "keys",
  "data_dir": "data",
  "services": {
    "registration": {
      "endpoint": "tcp://$addr_a:7101",
      "events_endpoint": "tcp://$addr_a:7102",
      "rules_dir": "$src/services/registration/data",
      "allow": ["ocopctl"]
    }
  }
}
JSON
export OCOP_CONFIG="$work/ocop.json"

ip netns exec "$ns_a" "$bin/services/registration/ocop-registration" --config "$OCOP_CONFIG" \
  </dev/null >"$work/registration.log" 2>&1 &
pid=$!

on_b() { ip netns exec "$ns_b" "$ctl" "$@"; }
up=0
for _ in $(seq 1 100); do
  if on_b --timeout 200 ping >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$pid" 2>/dev/null || fail "the service exited"
done
[ "$up" -eq 1 ] || fail "host B got no answer from host A"
on_b ping | grep -q "service: registration" || fail "ping from B"

commune="$(on_b --output json unit list --parent 01 --limit 1 | grep -o '"code":[^,]*' | head -1 | grep -o '[0-9]\{5\}')"
[ -n "$commune" ] || fail "no commune of province 01 listed from B"
out="$(on_b entity register "{\"type\":\"cooperative\",\"name\":\"HTX Hai Máy\",\"tax_code\":\"0109998887\",\"commune_code\":\"$commune\"}")" \
  || fail "register from B: $out"
id="$(printf '%s\n' "$out" | sed -n 's/^id: //p')"
[ -n "$id" ] || fail "no id in: $out"
on_b entity get "$id" | grep -q "name: HTX Hai Máy" || fail "get from B"
on_b --output json events --from 1 | grep -q '"last_sequence":[[:space:]]*1' || fail "events from B"

# The root namespace has no route to host A: no answer, exit code 7 (unavailable).
set +e
"$ctl" --timeout 300 ping >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 7 ] || fail "the root namespace reached host A (exit $rc)"

kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the service did not stop on SIGTERM"
wait "$pid" || fail "the service exited with an error"
pid=""
echo "two_hosts: passed (service on $addr_a in $ns_a, client on $addr_b in $ns_b)"
