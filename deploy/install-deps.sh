#!/usr/bin/env bash
# Installs the Debian packages ocop needs to build, run and test, skipping those present.
set -euo pipefail
packages=(build-essential cmake pkg-config libzmq3-dev libprotobuf-c-dev protobuf-c-compiler
          liblmdb-dev lmdb-utils libcjson-dev libsodium-dev libutf8proc-dev libmicrohttpd-dev libcurl4-openssl-dev
          libcmocka-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ocop: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
