#!/usr/bin/env bash
# Installs the Debian packages ocop needs to build, run and test, skipping those present.
# With --tests, also what the dashboard's end-to-end test needs: Debian's Chromium, Node.js and
# npm (when missing), and playwright-core from npm in tests/e2e (npm ci, pinned by its lock file),
# with kubernetes-models in tests/deploy/k8s for the manifests' offline validation;
# what the example Python client needs (python3-zmq, python3-protobuf, python3-nacl, protoc); and
# Clang with libFuzzer for the fuzz targets; what the package test needs (dpkg-dev for cpack's
# shared-library dependencies, systemd for systemd-analyze, iproute2 for its network namespace);
# prometheus for promtool, which checks the alert rules (its server is not started).
# With --bench, what the benchmarks need beyond the build: wrk (the gateway's HTTP load) and
# PostgreSQL (the registration benchmark's comparison, a temporary cluster it starts itself; the
# packaged server is not started). Both options may be given.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages=(build-essential cmake pkg-config libzmq3-dev libprotobuf-c-dev protobuf-c-compiler
          liblmdb-dev lmdb-utils libcjson-dev libsodium-dev libutf8proc-dev libmicrohttpd-dev libcurl4-openssl-dev libzstd-dev
          uthash-dev libcmocka-dev)
tests=0
for arg in "$@"; do
  case "$arg" in
    --tests)
      tests=1
      packages+=(chromium python3-zmq python3-protobuf python3-nacl protobuf-compiler clang libclang-rt-dev
                 curl iproute2 systemd dpkg-dev prometheus)
      command -v node >/dev/null || packages+=(nodejs)
      command -v npm >/dev/null || packages+=(npm)
      command -v kubectl >/dev/null || packages+=(kubernetes-client) # kubectl kustomize
      ;;
    --bench) packages+=(wrk postgresql) ;;
    *) echo "usage: install-deps.sh [--tests] [--bench]" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ocop: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  # Packages that ship a server (prometheus) must not start it here: policy-rc.d says so to
  # their maintainer scripts for the length of the install.
  policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && made_policy=1
  fi
  rc=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  [ "$made_policy" = 0 ] || $SUDO rm -f "$policy"
  [ "$rc" = 0 ] || exit "$rc"
fi
if [ "$tests" = 1 ]; then
  # npm packages of the tests, pinned by their lock files: (directory, the package that tells
  # whether the locked version is there).
  for spec in "tests/e2e playwright-core" "tests/deploy/k8s kubernetes-models"; do
    set -- $spec
    dir="$root/$1" pkg="$2"
    want="$(node -p "require('$dir/package-lock.json').packages['node_modules/$pkg'].version")"
    have="$(node -p "try { require('$dir/node_modules/$pkg/package.json').version } catch (e) { '' }")"
    if [ "$want" != "$have" ]; then
      echo "ocop: installing the npm packages of $1 ($pkg $want)" >&2
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
  done
fi
