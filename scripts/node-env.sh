#!/usr/bin/env bash
# Sourced by the project's scripts: puts a supported Node (>= 22.12) first on PATH.
# When the machine's node is older (these machines ship Node 20, end-of-life), it fetches
# the official Node 24 LTS build that the npm registry publishes as `node-linux-<arch>`
# and caches it, so a fresh clone needs no manual step.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/install-once.sh"
CRM_NODE_MAJOR="${CRM_NODE_MAJOR:-24}"

node_is_supported() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'
}

download_node() {
  local arch="$1" dir="$2" tmp
  [ -x "$dir/bin/node" ] && return 0 # fetched by the run that held the lock before us
  echo "node-env: machine Node $(node --version 2>/dev/null || echo none) is older than 22.12; fetching node-linux-$arch@$CRM_NODE_MAJOR from the npm registry" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$CRM_NODE_MAJOR" >/dev/null && tar xzf node-linux-*.tgz)
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
}

fetch_node() {
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) echo "node-env: no Node build for $(uname -m); install Node >= 22.12 yourself" >&2; return 1 ;;
  esac
  local dir="$CRM_CACHE_DIR/node-$CRM_NODE_MAJOR-$arch"
  [ -x "$dir/bin/node" ] || with_install_lock "node-$CRM_NODE_MAJOR-$arch" download_node "$arch" "$dir"
  export PATH="$dir/bin:$PATH"
}

if ! node_is_supported; then
  fetch_node
fi
