#!/usr/bin/env bash
# Sourced by the scripts that install something into the shared cache (FerretDB, helm, Node, npm
# packages). Two first-time runs at once (`npm test` and `npm run dev` on a fresh machine) must not
# build into the same path: each install runs under an exclusive lock named for what it installs, and
# builds into a path of its own that is renamed into place only when complete.

CRM_CACHE_DIR="${CRM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crm-midaz}"

# with_install_lock NAME COMMAND...: runs COMMAND holding the lock NAME (waits for another holder).
# Without flock (not on every system) COMMAND still runs: its unique temporary path keeps it safe.
# Callers run it only when NAME is not installed yet, so it says when the step starts and how long it
# took (waiting for another holder included): a cold run is never silent for minutes.
with_install_lock() {
  local name="$1" started status=0
  shift
  mkdir -p "$CRM_CACHE_DIR/locks"
  started="$(date +%s)"
  echo "install: $name started (once; later runs use the cache)" >&2
  if command -v flock >/dev/null 2>&1; then
    (
      flock 9
      "$@"
    ) 9>"$CRM_CACHE_DIR/locks/$name.lock" || status=$?
  else
    "$@" || status=$?
  fi
  if [ "$status" -eq 0 ]; then
    echo "install: $name done in $(($(date +%s) - started))s" >&2
  else
    echo "install: $name failed after $(($(date +%s) - started))s" >&2
  fi
  return "$status"
}
