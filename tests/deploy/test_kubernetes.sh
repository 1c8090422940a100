#!/usr/bin/env bash
# The Kubernetes manifests of deploy/kubernetes, checked offline: each overlay gets its keys and
# tokens (keys.sh, as an operator would), is rendered by `kubectl kustomize`, and every object
# is validated against the Kubernetes API schemas and against the config it carries
# (tests/deploy/k8s/validate.mjs); that config passes `ocopctl config check`; every program the
# containers run is one the package installs; the image's account is the one the pods run as.
# Needs kubectl, node and the validator's npm packages (deploy/install-deps.sh --tests); exits 77
# (skipped) without them.
set -euo pipefail
src="${OCOP_SOURCE_DIR:?}" bin="${OCOP_BINARY_DIR:?}"
fail() { echo "test_kubernetes: FAILED: $*" >&2; exit 1; }
validator="$src/tests/deploy/k8s"
if ! command -v kubectl >/dev/null || ! command -v node >/dev/null || [ ! -d "$validator/node_modules/kubernetes-models" ]; then
  echo "test_kubernetes: needs kubectl, node and npm ci in tests/deploy/k8s (deploy/install-deps.sh --tests); skipped"
  exit 77
fi
ctl="$bin/services/ocopctl/ocopctl"
work="$(mktemp -d /tmp/ocop-kubernetes-XXXXXX)"
trap 'rm -rf "$work"' EXIT

# What the package installs (its programs), laid out as the image has them.
DESTDIR="$work/root" cmake --install "$bin" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "cmake --install"; }
cp -r "$src/deploy/kubernetes" "$work/kubernetes"
rm -rf "$work"/kubernetes/overlays/*/keys "$work"/kubernetes/overlays/*/tokens.json
uid="$(sed -n 's/.*--uid \([0-9]*\).*/\1/p' "$src/deploy/container/Containerfile")"
[ -n "$uid" ] || fail "the Containerfile gives the ocop account no fixed uid"

overlays=0
for overlay in "$work"/kubernetes/overlays/*/; do
  name="$(basename "$overlay")"
  OCOPCTL="$ctl" bash "$work/kubernetes/keys.sh" "$overlay" >/dev/null
  kubectl kustomize "$overlay" >"$work/$name.yaml" 2>"$work/$name.err" || { cat "$work/$name.err"; fail "$name: kubectl kustomize"; }
  node "$validator/validate.mjs" "$work/$name.yaml" "$work/$name.json" "$work/$name.programs" >"$work/$name.out" 2>&1 ||
    { cat "$work/$name.out"; fail "$name: the rendered objects"; }
  "$ctl" --config "$work/$name.json" config check >/dev/null || fail "$name: its config fails the services' check"
  while read -r program; do
    case "$program" in
      sh) ;; # the base image's shell (the key-copying init containers)
      /*) [ -x "$work/root$program" ] || fail "$name runs $program, which the package does not install" ;;
      *) [ -x "$work/root/usr/bin/$program" ] || fail "$name runs $program, which the package does not install" ;;
    esac
  done <"$work/$name.programs"
  grep -q "runAsUser: $uid\$" "$work/$name.yaml" || fail "$name: pods do not run as the image's ocop account ($uid)"
  if grep "runAsUser:" "$work/$name.yaml" | grep -vq "runAsUser: $uid\$"; then fail "$name: a pod runs as another account"; fi
  overlays=$((overlays + 1))
  echo "  $name: $(cat "$work/$name.out")"
done
[ "$overlays" -ge 2 ] || fail "expected the single-node and multi-shard overlays"
echo "test_kubernetes: passed ($overlays overlays)"
