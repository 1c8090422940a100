#!/usr/bin/env bash
# The monitoring files of deploy/: the Prometheus alert rules pass `promtool check rules` and
# their unit tests (`promtool test rules`: each alert fires on the series that should raise it,
# and not on the others); every query of the Grafana dashboard is valid PromQL (checked by
# promtool as recording rules); and every ocop metric the rules and the dashboard name is one
# the gateway exposes. Needs promtool (Debian's prometheus package); exits 77 (skipped) without.
set -euo pipefail
src="${OCOP_SOURCE_DIR:?}"
fail() { echo "test_monitoring: FAILED: $*" >&2; exit 1; }
if ! command -v promtool >/dev/null; then
  echo "test_monitoring: needs promtool (deploy/install-deps.sh --tests); skipped"
  exit 77
fi
rules="$src/deploy/prometheus/ocop-alerts.yml"
dashboard="$src/deploy/grafana/ocop-dashboard.json"
work="$(mktemp -d /tmp/ocop-monitoring-XXXXXX)"
trap 'rm -rf "$work"' EXIT

promtool check rules "$rules" >"$work/check.log" 2>&1 || { cat "$work/check.log"; fail "promtool check rules"; }
(cd "$src/deploy/prometheus" && promtool test rules ocop-alerts.test.yml) >"$work/test.log" 2>&1 ||
  { cat "$work/test.log"; fail "promtool test rules"; }

# The dashboard's queries, as recording rules, so promtool parses each one.
python3 - "$dashboard" "$work/dashboard-rules.yml" "$work/dashboard-metrics" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
assert d.get("panels"), "no panels"
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
assert exprs, "no queries"
with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        out.write("      - record: dashboard_query_%d\n        expr: %s\n" % (i, json.dumps(e)))
with open(sys.argv[3], "w") as out:
    out.write("\n".join(sorted(set(m for e in exprs for m in re.findall(r"\bocop_[a-z_]+", e)))) + "\n")
PY
promtool check rules "$work/dashboard-rules.yml" >"$work/dash.log" 2>&1 || { cat "$work/dash.log"; fail "a dashboard query is not valid PromQL"; }

# Every metric named is one the gateway writes (histograms by their _bucket/_sum/_count series).
{ cat "$work/dashboard-metrics"; grep -o '\bocop_[a-z_]*' "$rules"; } | sort -u >"$work/named"
exposed="$(grep -ho '"ocop_[a-z_]*\|^ *"# TYPE ocop_[a-z_]*\|(out, "ocop_[a-z_]*' "$src"/services/gateway/gw_metrics.c |
           grep -o 'ocop_[a-z_]*' | sort -u)"
while read -r metric; do
  printf '%s\n' "$exposed" | grep -qx "$metric" || fail "$metric is named in deploy/ but the gateway does not expose it"
done <"$work/named"
echo "test_monitoring: passed ($(grep -c . "$work/named") metrics named, all exposed; $(grep -c 'record:' "$work/dashboard-rules.yml") dashboard queries parse)"
