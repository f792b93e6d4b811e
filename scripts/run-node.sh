#!/usr/bin/env bash
# Runs a command with a supported Node on PATH and the project's dependencies installed
# (when node_modules is missing or older than package-lock.json). It uses `npm install --no-save`,
# which installs the versions package-lock.json pins: npm 11's `npm ci` rejects lockfiles that npm 11
# itself writes, because they record only the host platform's optional binaries (npm/cli#8805).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
dependencies_stale() {
  [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]
}
install_dependencies() {
  dependencies_stale || return 0 # installed by the run that held the lock before us
  echo "run-node: installing dependencies" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error
}
# One npm install at a time per checkout: `npm test` and `npm run dev` may start together.
checkout_id="$(pwd | cksum | cut -d' ' -f1)"
if dependencies_stale; then with_install_lock "npm-packages-$checkout_id" install_dependencies; fi
export PATH="$PWD/node_modules/.bin:$PATH"
exec "$@"
