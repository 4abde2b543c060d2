#!/usr/bin/env bash
# Install what building and testing tsvrrpd needs, on a fresh Debian 12 machine as root:
# npm dependencies (when missing or stale), the native addon (when missing or stale), and the
# Debian packages the tests use (keepalived as the reference peer/oracle, iproute2 for network
# namespaces, tshark to read what goes on the wire, ping for the test client).
# Idempotent: does nothing when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# node-gyp builds the native addon against the local Node headers (no download).
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ]; then
  export npm_config_nodedir=/usr
fi

if [ ! -d node_modules ] || [ package.json -nt node_modules ] || [ package-lock.json -nt node_modules ]; then
  echo "setup: installing npm dependencies" >&2
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
  touch node_modules
fi
# npm ci builds the native addon (package.json "install"); rebuild it when missing or stale.
addon=native/build/Release/tsvrrpd_native.node
stale=no
for f in native/src/* native/binding.gyp; do [ "$f" -nt $addon ] && stale=yes; done
if [ ! -f $addon ] || [ $stale = yes ]; then
  echo "setup: building the native addon" >&2
  npm run build:native >&2
fi

need=()
command -v keepalived >/dev/null 2>&1 || need+=(keepalived)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${need[*]}; run as root (or: apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "setup: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
