#!/usr/bin/env bash
# The Debian package, installed for real: builds it from a build directory (cpack), installs it
# with dpkg, checks what postinst made (the ocop account, keys 0600, the tokens file), verifies
# the systemd units with systemd-analyze, starts the installed services as their units would
# (each unit's ExecStart as its User=, in its StateDirectory=; systemd is not PID 1 here), runs a
# flow through the gateway (a token, an entity, a product, its audit entry), backs the stores up
# while they run and restores them into emptied state directories (ocopctl backup / restore
# --owner ocop), stops them, removes the package (the data stays) and purges it. The services and their clients run in a network
# namespace of their own, so the installed config's ports never meet a running demo's.
#
#   bash tests/package/test_package.sh BUILD_DIR     (configured with CMAKE_INSTALL_PREFIX=/usr)
#
# Needs root, dpkg and iproute2; exits 77 (skipped) without them. Refuses to run where ocop is
# installed. Leaves the machine as it found it: what the package made is removed at the end.
set -euo pipefail
build="$(cd "${1:?usage: test_package.sh BUILD_DIR}" && pwd)"
fail() { echo "test_package: FAILED: $*" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ] || ! command -v dpkg >/dev/null || ! command -v ip >/dev/null; then
  echo "test_package: needs root, dpkg and iproute2 (deploy/install-deps.sh --tests); skipped"
  exit 77
fi
grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr$' "$build/CMakeCache.txt" ||
  fail "$build is not configured with CMAKE_INSTALL_PREFIX=/usr (Debian's layout)"
dpkg-query -W -f='${Status}' ocop 2>/dev/null | grep -q "install ok" && fail "ocop is already installed here"
for d in /etc/ocop /var/lib/ocop; do [ ! -e "$d" ] || fail "$d exists: not a machine to test the package on"; done
getent passwd ocop >/dev/null && fail "an ocop account exists already"

work="$(mktemp -d /tmp/ocop-package-XXXXXX)"
ns="ocop-pkg-$$"
ip netns add "$ns"
ip -n "$ns" link set lo up
in_ns() { ip netns exec "$ns" "$@"; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  dpkg --purge ocop >/dev/null 2>&1 || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf /etc/ocop /var/lib/ocop "$work"
  getent passwd ocop >/dev/null && userdel ocop 2>/dev/null || true
  getent group ocop >/dev/null && groupdel ocop 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo "test_package: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

echo "== package"
(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb="$(ls "$build"/package/ocop_*_*.deb)"
dpkg-deb -c "$deb" >"$work/contents"
for f in ./usr/sbin/ocop-registration ./usr/sbin/ocop-evaluation ./usr/sbin/ocop-promotion ./usr/sbin/ocop-audit \
         ./usr/sbin/ocop-gateway ./usr/bin/ocopctl ./usr/bin/ocop-audit-verify ./etc/ocop/ocop.json \
         ./usr/lib/systemd/system/ocop.target ./usr/lib/systemd/system/ocop-evaluation@.service \
         ./usr/share/ocop/web/index.html ./usr/share/ocop/evaluation/policies/policy-26-2026.json; do
  grep -q " $f\$" "$work/contents" || fail "$deb lacks $f"
done
dpkg-deb -f "$deb" Depends | grep -q libzmq5 || fail "Depends lacks the shared libraries"

echo "== install"
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
getent passwd ocop | grep -q ":/var/lib/ocop:/usr/sbin/nologin$" || fail "no ocop system account"
mode() { stat -c '%a %U' "$1"; }
for name in registration evaluation-1 promotion audit gateway; do
  [ "$(mode "/etc/ocop/keys/$name.key")" = "600 ocop" ] || fail "$name.key is $(mode "/etc/ocop/keys/$name.key")"
done
[ "$(mode /etc/ocop/keys/ocopctl.key)" = "600 root" ] || fail "ocopctl.key is $(mode /etc/ocop/keys/ocopctl.key)"
[ "$(mode /etc/ocop/keys/audit.sign)" = "600 ocop" ] || fail "audit.sign is $(mode /etc/ocop/keys/audit.sign)"
[ "$(mode /etc/ocop/tokens.json)" = "600 ocop" ] || fail "tokens.json is $(mode /etc/ocop/tokens.json)"
ocopctl config check >/dev/null || fail "the installed config does not pass its check"
units=(ocop.target ocop-registration.service ocop-evaluation@1.service ocop-promotion.service ocop-audit.service
       ocop-gateway.service)
systemd-analyze verify "${units[@]}" >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "systemd-analyze verify"; }
[ ! -s "$work/verify.log" ] || { cat "$work/verify.log"; fail "systemd-analyze verify printed warnings"; }
# Installing again keeps the keys and the tokens file.
sum_before="$(sha256sum /etc/ocop/keys/* /etc/ocop/tokens.json)"
dpkg -i "$deb" >"$work/dpkg2.log" 2>&1 || { cat "$work/dpkg2.log"; fail "dpkg -i over itself"; }
[ "$(sha256sum /etc/ocop/keys/* /etc/ocop/tokens.json)" = "$sum_before" ] || fail "reinstalling changed the keys"

echo "== start the installed services as their units say"
# A unit's setting, with the instance put in for %i.
setting() { sed -n "s/^$2=//p" "/usr/lib/systemd/system/$1" | sed "s/%i/$3/g"; }
start_unit() {
  local file="$1" instance="$2" name="$3" exec user group state
  exec="$(setting "$file" ExecStart "$instance")" user="$(setting "$file" User "$instance")"
  group="$(setting "$file" Group "$instance")" state="$(setting "$file" StateDirectory "$instance")"
  [ -n "$exec" ] && [ -n "$user" ] || fail "$file: no ExecStart or User"
  if [ -n "$state" ]; then
    install -d -m 0755 /var/lib/ocop
    install -d -m "$(setting "$file" StateDirectoryMode "$instance")" -o "$user" -g "$group" "/var/lib/$state"
  fi
  # shellcheck disable=SC2086 # ExecStart is a command line, split as systemd splits it
  setsid ip netns exec "$ns" setpriv --reuid="$user" --regid="$group" --init-groups -- $exec </dev/null >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    if [ "$name" = gateway ]; then
      in_ns curl -fsS -o /dev/null http://127.0.0.1:8080/healthz 2>/dev/null && return 0
      sleep 0.1
    else
      # With the service's own key, as the Kubernetes probes ping it.
      in_ns ocopctl --as "$name" --timeout 200 ping "$name" >/dev/null 2>&1 && return 0
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/$name.log"; fail "$name exited"; }
  done
  cat "$work/$name.log"
  fail "$name did not answer"
}
start_all() {
  start_unit ocop-registration.service "" registration
  start_unit ocop-evaluation@.service 1 evaluation-1
  start_unit ocop-promotion.service "" promotion
  start_unit ocop-audit.service "" audit
  start_unit ocop-gateway.service "" gateway
}
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid"; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && fail "pid $pid did not stop on SIGTERM"
    wait "$pid" || fail "pid $pid exited with an error"
  done
  pids=()
}
start_all
for state in registration evaluation-1 promotion audit; do
  [ "$(mode "/var/lib/ocop/$state")" = "700 ocop" ] || fail "/var/lib/ocop/$state is $(mode "/var/lib/ocop/$state")"
  ls /var/lib/ocop/$state/ | grep -q . || fail "no store in /var/lib/ocop/$state"
done

echo "== a flow through the gateway"
token="$(ocopctl token create --file /etc/ocop/tokens.json --name admin --role central_officer)"
[ "$(mode /etc/ocop/tokens.json)" = "600 ocop" ] || fail "root's token create took the tokens file from the gateway"
api() { in_ns curl -sS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
status=""
for _ in $(seq 1 100); do # the gateway re-reads the file when it changes
  status="$(api -o /dev/null -w '%{http_code}' "http://127.0.0.1:8080/v1/units?parent_code=01&limit=1")"
  [ "$status" = 200 ] && break
  sleep 0.1
done
[ "$status" = 200 ] || fail "the new token is not accepted (HTTP $status)"
commune="$(api "http://127.0.0.1:8080/v1/units?parent_code=01&limit=1" | grep -o '"code":"[0-9]\{5\}"' | head -1 | tr -dc 0-9)"
[ -n "$commune" ] || fail "no commune of province 01"
entity="$(api -X POST http://127.0.0.1:8080/v1/entities \
  -d "{\"type\":\"cooperative\",\"name\":\"HTX Chè Tân Cương\",\"tax_code\":\"4600123456\",\"commune_code\":\"$commune\"}" |
  grep -o '"id":"ENT-[0-9]*"' | head -1 | cut -d'"' -f4)"
[ -n "$entity" ] || fail "no entity registered"
product="$(api -X POST http://127.0.0.1:8080/v1/products \
  -d "{\"entity_id\":\"$entity\",\"name\":\"Chè xanh Tân Cương\",\"sector_code\":\"1\",\"product_set_code\":\"4\",\"commune_code\":\"$commune\",\"processing\":\"processed\"}" |
  grep -o '"id":"PRD-[0-9]*"' | head -1 | cut -d'"' -f4)"
[ -n "$product" ] || fail "no product registered"
api "http://127.0.0.1:8080/v1/products/$product" | grep -q "Chè xanh Tân Cương" || fail "the product does not read back"
size=0
for _ in $(seq 1 100); do # the audit service follows registration on its own
  size="$(in_ns curl -sS http://127.0.0.1:8080/v1/audit/tree-head | { grep -o '"tree_size":"*[0-9]*' || true; } | tr -dc 0-9)"
  [ "${size:-0}" -ge 2 ] && break
  sleep 0.1
done
[ "${size:-0}" -ge 2 ] || fail "the audit log did not take the two registrations (tree size ${size:-0})"

echo "== backup while running, restore into emptied stores (as operations.md says)"
(cd / && ocopctl backup "$work/backup") >"$work/backup.log" 2>&1 || { cat "$work/backup.log"; fail "ocopctl backup"; }
stop_all
mkdir "$work/old-stores" && mv /var/lib/ocop/* "$work/old-stores/"
(cd / && ocopctl restore "$work/backup" --owner ocop) >"$work/restore.log" 2>&1 ||
  { cat "$work/restore.log"; fail "ocopctl restore"; }
start_all
api "http://127.0.0.1:8080/v1/products/$product" | grep -q "Chè xanh Tân Cương" || fail "the restored product does not read back"
after="$(in_ns curl -sS http://127.0.0.1:8080/v1/audit/tree-head | { grep -o '"tree_size":"*[0-9]*' || true; } | tr -dc 0-9)"
[ "${after:-0}" -ge "$size" ] || fail "the restored audit log lost entries (${after:-0} < $size)"

echo "== stop, remove, purge"
stop_all
dpkg -r ocop >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "dpkg -r"; }
[ ! -e /usr/sbin/ocop-registration ] || fail "dpkg -r left the binaries"
[ -e /etc/ocop/ocop.json ] || fail "dpkg -r removed the config (a conffile stays until purge)"
ls /var/lib/ocop/registration | grep -q . || fail "dpkg -r removed the stores"
dpkg --purge ocop >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge"; }
[ ! -e /etc/ocop/ocop.json ] || fail "purge left the config"
[ -e /etc/ocop/keys/audit.sign ] && ls /var/lib/ocop/audit | grep -q . || fail "purge removed the keys or the stores"
echo "test_package: passed ($(basename "$deb"): installed, $entity and $product through the gateway, audited, backed up and restored, removed and purged; the stores and keys stay)"
