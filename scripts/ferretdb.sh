#!/usr/bin/env bash
# FerretDB 1.24 (MongoDB wire protocol over SQLite) for machines where mongod cannot be downloaded.
#   scripts/ferretdb.sh install        build it once (cached), print the binary path
#   scripts/ferretdb.sh start DIR      start it on a free loopback port, data in DIR; print its mongodb:// URI
#   scripts/ferretdb.sh stop DIR       stop the server started with DIR
# Needs Go (it is built from the module proxy's source). The plain `go install …@v1.24.2` does not work:
# the proxy refuses the module's version list that install asks for, and the module's source lacks the
# build/version/version.txt that FerretDB generates in its own builds (without it the binary panics).
set -euo pipefail
source "$(dirname "$0")/lib/install-once.sh"
source "$(dirname "$0")/lib/local-server.sh"

FERRETDB_VERSION="v1.24.2"
BIN="$CRM_CACHE_DIR/ferretdb-$FERRETDB_VERSION/ferretdb"

install() {
  [ -x "$BIN" ] || with_install_lock "ferretdb-$FERRETDB_VERSION" build
  echo "$BIN"
}

build() {
  [ -x "$BIN" ] && return 0 # built by the run that held the lock before us
  command -v go >/dev/null || { echo "ferretdb.sh: Go is needed to build FerretDB" >&2; exit 1; }
  echo "ferretdb.sh: building FerretDB $FERRETDB_VERSION (once; cached in $CRM_CACHE_DIR)" >&2
  local work src
  work="$(mktemp -d)"
  (cd "$work" && go mod init ferretdb-build >/dev/null 2>&1 && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" > module.json)
  src="$(sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p' "$work/module.json")"
  [ -n "$src" ] || { echo "ferretdb.sh: could not download FerretDB $FERRETDB_VERSION" >&2; exit 1; }
  cp -r "$src" "$work/src" && chmod -R u+w "$work/src"
  echo "$FERRETDB_VERSION" > "$work/src/build/version/version.txt"
  mkdir -p "$(dirname "$BIN")"
  (cd "$work/src" && go build -trimpath -o "$work/ferretdb" ./cmd/ferretdb)
  mv -f "$work/ferretdb" "$BIN" # a rename: the cached binary is whole or absent, never half-written
  rm -rf "$work"
}

start() {
  local dir="$1" port
  install >/dev/null
  mkdir -p "$dir/data"
  port="$(free_port)"
  "$BIN" --handler=sqlite --sqlite-url="file:$dir/data/" --state-dir="$dir" \
    --listen-addr="127.0.0.1:$port" --debug-addr=- --telemetry=disable --log-level=warn \
    >"$dir/ferretdb.log" 2>&1 &
  echo $! > "$dir/ferretdb.pid"
  if wait_for_port "$port" "$dir/ferretdb.pid" 10; then
    echo "mongodb://127.0.0.1:$port/" | tee "$dir/uri"
    return
  fi
  echo "ferretdb.sh: FerretDB did not start; its log:" >&2
  cat "$dir/ferretdb.log" >&2
  exit 1
}

stop() {
  stop_server "$1/ferretdb.pid" 5
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: ferretdb.sh start DIR}" ;;
  stop) stop "${2:?usage: ferretdb.sh stop DIR}" ;;
  *) echo "usage: scripts/ferretdb.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
