#!/usr/bin/env bash
# Apache Kafka (single node, KRaft: no ZooKeeper, no Docker) for the change-event tests and `npm run dev -- --events`.
#   scripts/kafka.sh install        fetch the broker's jars from Maven Central once (cached), print their folder
#   scripts/kafka.sh start DIR      start a broker on free loopback ports, data in DIR; print its host:port
#   scripts/kafka.sh stop DIR       stop the broker started with DIR (SIGTERM, then SIGKILL after 30 s)
# KAFKA_PORT / KAFKA_ADVERTISED_PORT fix the listener and the address the broker tells clients (a test puts a
# proxy in front by advertising the proxy's port). Needs Java 17+ and Maven (its default remote repository,
# Maven Central), each installed from Debian's packages when missing and run as root.
set -euo pipefail
source "$(dirname "$0")/lib/install-once.sh"
source "$(dirname "$0")/lib/local-server.sh"

KAFKA_VERSION="4.1.1"
LIBS="$CRM_CACHE_DIR/kafka-$KAFKA_VERSION/libs"

step() { echo "kafka.sh: $*" >&2; }

# debian_install WHAT PACKAGE: installs a missing tool from Debian's packages (as root), or says what is needed.
debian_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || {
    echo "kafka.sh: $1 is needed (Debian package $2)" >&2
    exit 1
  }
  local started=$SECONDS
  step "installing $1 from Debian's packages"
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "$2" >/dev/null
  step "$1 installed ($((SECONDS - started)) s)"
}

ensure_java() {
  command -v java >/dev/null && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' ||
    debian_install "Java 17 or newer" openjdk-17-jre-headless
}

install() {
  ensure_java
  [ -d "$LIBS" ] || with_install_lock "kafka-$KAFKA_VERSION" fetch
  echo "$LIBS"
}

fetch() {
  [ -d "$LIBS" ] && return 0 # fetched by the run that held the lock before us
  command -v mvn >/dev/null || debian_install "Maven (to fetch Kafka's jars)" maven
  local work
  work="$(mktemp -d)"
  step "fetching Kafka $KAFKA_VERSION's jars from Maven Central into $CRM_CACHE_DIR"
  cat >"$work/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>crm.test</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
EOF
  # Maven prints colour resets even with colour off: stripped, so the install log stays plain text.
  (cd "$work" && mvn -q -B -Dstyle.color=never -Dmaven.repo.local="$work/m2" dependency:copy-dependencies \
    -DoutputDirectory="$work/libs" -DincludeScope=runtime 2>&1) | sed -e $'s/\x1b\\[[0-9;]*m//g' >&2
  mkdir -p "$(dirname "$LIBS")"
  mv "$work/libs" "$LIBS" # a rename: the cached folder is whole or absent, never half-filled
  rm -rf "$work"
  step "$(find "$LIBS" -name '*.jar' | wc -l) jars fetched"
}

write_config() {
  local dir="$1" port="$2" controller="$3" advertised="$4"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

start() {
  local dir="$1" port controller advertised started=$SECONDS
  install >/dev/null
  mkdir -p "$dir"
  port="${KAFKA_PORT:-$(free_port)}"
  controller="$(free_port)"
  advertised="${KAFKA_ADVERTISED_PORT:-$port}"
  write_config "$dir" "$port" "$controller" "$advertised"
  local classpath="$LIBS/*"
  if [ ! -f "$dir/data/meta.properties" ]; then
    java -cp "$classpath" kafka.tools.StorageTool format -t "$(java -cp "$classpath" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
      -c "$dir/server.properties" >"$dir/format.log" 2>&1
  fi
  nohup java -Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" kafka.Kafka "$dir/server.properties" \
    </dev/null >"$dir/broker.log" 2>&1 &
  echo $! >"$dir/kafka.pid"
  if wait_for_port "$port" "$dir/kafka.pid" 60; then
    step "broker up on 127.0.0.1:$port ($((SECONDS - started)) s)"
    echo "127.0.0.1:$port" | tee "$dir/address"
    return
  fi
  echo "kafka.sh: the broker did not start; the end of its log:" >&2
  tail -30 "$dir/broker.log" >&2
  exit 1
}

stop() {
  stop_server "$1/kafka.pid" 30
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: kafka.sh start DIR}" ;;
  stop) stop "${2:?usage: kafka.sh stop DIR}" ;;
  *) echo "usage: scripts/kafka.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
