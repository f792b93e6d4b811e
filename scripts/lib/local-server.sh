#!/usr/bin/env bash
# Sourced by the scripts that start a local server for tests and `npm run dev` (FerretDB, SecantusDB, Kafka):
# a free loopback port, waiting for the server to listen, and stopping it by its pid file.

# free_port: a loopback port nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for_port PORT PIDFILE SECONDS: 0 once PORT accepts connections; 1 when the process in PIDFILE died or
# SECONDS passed first.
wait_for_port() {
  local port="$1" pidfile="$2" tries=$(($3 * 10))
  for _ in $(seq 1 "$tries"); do
    port_open "$port" && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# stop_server PIDFILE SECONDS: SIGTERM, then SIGKILL if it still runs after SECONDS (a server closes its files
# on SIGTERM: waiting lets its data folder be removed or reopened); nothing when there is no pid file.
stop_server() {
  local pidfile="$1" tries=$(($2 * 10)) pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$tries"); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
}
