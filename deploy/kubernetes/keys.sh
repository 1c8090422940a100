#!/usr/bin/env bash
# Makes what an overlay's Secrets are generated from, in the overlay directory: keys/ with a
# CURVE pair for every service of its config (its ocop.json, else the base's), the gateway and
# ocopctl, and the audit service's signing pair; and tokens.json, the gateway's users (empty;
# add users with `ocopctl token create --file OVERLAY/tokens.json ...`). Existing files are kept.
#
#   bash deploy/kubernetes/keys.sh OVERLAY_DIR      (ocopctl on PATH, or OCOPCTL=/path/to/ocopctl)
set -euo pipefail
overlay="${1:?usage: keys.sh OVERLAY_DIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ctl="${OCOPCTL:-ocopctl}"
config="$overlay/ocop.json"
[ -f "$config" ] || config="$here/base/ocop.json"
mkdir -p "$overlay/keys"
chmod 700 "$overlay/keys"
# shellcheck disable=SC2046 # one word per service name
"$ctl" keygen --dir "$overlay/keys" --keep $("$ctl" --config "$config" config services) gateway ocopctl >/dev/null
"$ctl" keygen --dir "$overlay/keys" --keep --sign audit >/dev/null
[ -f "$overlay/tokens.json" ] || (umask 077 && printf '{"users": []}\n' >"$overlay/tokens.json")
echo "keys.sh: $overlay/keys and $overlay/tokens.json ready (keep them out of version control)"
