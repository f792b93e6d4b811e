#!/usr/bin/env bash
# Prints the path of a helm v3 for the chart checks: an installed `helm` v3 if there is one, otherwise a
# pinned v3 built once with `go install` (cached in ~/.cache/crm-midaz). helm is in neither Debian's nor
# npm's registry; the Go module proxy serves its source. Exit 3: neither helm v3 nor Go is available.
set -euo pipefail
source "$(dirname "$0")/lib/install-once.sh"
HELM_VERSION="v3.22.0"
BIN_DIR="$CRM_CACHE_DIR/helm-$HELM_VERSION"

build() {
  [ -x "$BIN_DIR/helm" ] && return 0 # built by the run that held the lock before us
  echo "helm.sh: building helm $HELM_VERSION (once; cached in $BIN_DIR)" >&2
  local work
  work="$(mktemp -d)"
  (cd "$work" && GOFLAGS=-mod=mod GOBIN="$work/bin" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
  mkdir -p "$BIN_DIR"
  mv -f "$work/bin/helm" "$BIN_DIR/helm" # a rename: whole or absent, never half-written
  rm -rf "$work"
}

if [ -x "$BIN_DIR/helm" ]; then echo "$BIN_DIR/helm"; exit 0; fi
if command -v helm >/dev/null && helm version --short 2>/dev/null | grep -q '^v3\.'; then command -v helm; exit 0; fi
command -v go >/dev/null || { echo "helm.sh: neither helm v3 nor Go (to build it) is installed" >&2; exit 3; }
with_install_lock "helm-$HELM_VERSION" build
echo "$BIN_DIR/helm"
