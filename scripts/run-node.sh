#!/usr/bin/env bash
# Runs a command with a supported Node on PATH and the project's dependencies installed
# (`npm ci` when node_modules is missing or older than package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "run-node: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
export PATH="$PWD/node_modules/.bin:$PATH"
exec "$@"
