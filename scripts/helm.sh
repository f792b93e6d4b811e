#!/usr/bin/env bash
# Prints the path of a pinned helm v3, building it once with `go install` (cached in ~/.cache/crm-midaz).
# helm is in neither Debian's nor npm's registry; the Go module proxy serves its source.
set -euo pipefail
HELM_VERSION="v3.22.0"
CACHE_DIR="${CRM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crm-midaz}"
BIN_DIR="$CACHE_DIR/helm-$HELM_VERSION"
if [ ! -x "$BIN_DIR/helm" ]; then
  command -v go >/dev/null || { echo "helm.sh: Go is needed to build helm" >&2; exit 1; }
  echo "helm.sh: building helm $HELM_VERSION (once; cached in $BIN_DIR)" >&2
  (cd "$(mktemp -d)" && GOFLAGS=-mod=mod GOBIN="$BIN_DIR" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
fi
echo "$BIN_DIR/helm"
