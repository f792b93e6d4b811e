#!/usr/bin/env bash
# SecantusDB (a MongoDB-wire server on WiredTiger, Python, from PyPI): the test engine with real
# secondary indexes and a query planner that answers explain(). Beta and single-threaded: a test
# engine, never a production recommendation.
#   scripts/secantusdb.sh install        install it once (a cached virtual environment), print its path
#   scripts/secantusdb.sh start DIR      start it on a free loopback port, data in DIR; print its mongodb:// URI
#   scripts/secantusdb.sh stop DIR       stop the server started with DIR
# Needs python3 (3.10 or later) with its venv module.
set -euo pipefail
source "$(dirname "$0")/lib/install-once.sh"
source "$(dirname "$0")/lib/local-server.sh"

SECANTUSDB_VERSION="0.7.0b3"
# Its dependencies, pinned too: a later release of one of them must not change the engine under CI.
SECANTUSDB_REQUIREMENTS=(
  "secantusdb==$SECANTUSDB_VERSION" dnspython==2.9.2 future==1.0.0 numpy==2.4.6 pymongo==4.20.1
  python-dateutil==4.0.0 s2sphere==0.2.5 shapely==2.2.0 tzdata==2026.6
)
VENV="$CRM_CACHE_DIR/secantusdb-$SECANTUSDB_VERSION"
PYTHON="$VENV/bin/python"

install() {
  [ -x "$PYTHON" ] || with_install_lock "secantusdb-$SECANTUSDB_VERSION" build
  echo "$VENV"
}

# step MESSAGE COMMAND...: runs COMMAND between a line saying what it does and a line with its time.
step() {
  local message="$1" started=$SECONDS
  shift
  echo "secantusdb.sh: $message…" >&2
  "$@"
  echo "secantusdb.sh: $message: done in $((SECONDS - started)) s" >&2
}

build() {
  [ -x "$PYTHON" ] && return 0 # installed by the run that held the lock before us
  command -v python3 >/dev/null || { echo "secantusdb.sh: python3 is needed to install SecantusDB" >&2; exit 1; }
  echo "secantusdb.sh: installing SecantusDB $SECANTUSDB_VERSION (once; cached in $CRM_CACHE_DIR)" >&2
  mkdir -p "$CRM_CACHE_DIR"
  # Built at a temporary path beside the final one and renamed: its python finds its packages relative
  # to itself, so the environment works after the rename (only its scripts' #! lines name the old path,
  # which is why the server is run as `python -m secantus`).
  local work
  work="$(mktemp -d "$CRM_CACHE_DIR/.secantusdb-build.XXXXXX")"
  step "creating a Python virtual environment" python3 -m venv "$work/venv"
  step "installing secantusdb $SECANTUSDB_VERSION from PyPI" \
    "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${SECANTUSDB_REQUIREMENTS[@]}"
  step "checking the server starts" "$work/venv/bin/python" -m secantus --help >/dev/null
  rm -rf "$VENV"
  mv "$work/venv" "$VENV" # a rename: the cached environment is whole or absent, never half-installed
  rm -rf "$work"
}

start() {
  local dir="$1" port
  install >/dev/null
  mkdir -p "$dir/data"
  port="$(free_port)"
  # SECANTUSDB_CACHE_SIZE (e.g. 8G; its default is 1G): a data set far larger than the cache thrashes it.
  "$PYTHON" -m secantus --host 127.0.0.1 --port "$port" --storage-path "$dir/data" \
    ${SECANTUSDB_CACHE_SIZE:+--cache-size "$SECANTUSDB_CACHE_SIZE"} --log-level WARNING >"$dir/secantusdb.log" 2>&1 &
  echo $! > "$dir/secantusdb.pid"
  if wait_for_port "$port" "$dir/secantusdb.pid" 30; then
    echo "mongodb://127.0.0.1:$port/?directConnection=true" | tee "$dir/uri"
    return
  fi
  echo "secantusdb.sh: SecantusDB did not start; its log:" >&2
  cat "$dir/secantusdb.log" >&2
  exit 1
}

stop() {
  stop_server "$1/secantusdb.pid" 5
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: secantusdb.sh start DIR}" ;;
  stop) stop "${2:?usage: secantusdb.sh stop DIR}" ;;
  *) echo "usage: scripts/secantusdb.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
