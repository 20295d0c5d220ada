#!/usr/bin/env bash
# Starts a single-node Apache Kafka broker (KRaft, broker and controller in one JVM) on loopback,
# from jars that Maven fetches, for development and CI. Idempotent: when the broker this script
# started is running it only waits until it answers. The last line printed (stdout) is the
# bootstrap address, host:port; everything else goes to stderr.
#
#   IOMT_CACHE                  cache root (default ~/.cache/iomt); jars in kafka/<version>/libs
#   IOMT_KAFKA_DATA             data, config, logs and pid file (default $IOMT_CACHE/kafka/data)
#   IOMT_KAFKA_PORT             client listener port (default 9092)
#   IOMT_KAFKA_CONTROLLER_PORT  controller listener port (default 9093)
#   IOMT_KAFKA_HEAP             maximum heap (default 512m)
#   IOMT_KAFKA_START_TIMEOUT    seconds to wait for the broker to answer (default 90)
#   IOMT_KAFKA_FETCH_TIMEOUT    seconds allowed for downloading the jars (default 600)
#   JAVA                        java executable (default java); Kafka 4 needs Java 17 or newer
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/processes.sh
source "$here/../lib/processes.sh"
cache="${IOMT_CACHE:-$HOME/.cache/iomt}"
data="${IOMT_KAFKA_DATA:-$cache/kafka/data}"
host=127.0.0.1
port="${IOMT_KAFKA_PORT:-9092}"
controller_port="${IOMT_KAFKA_CONTROLLER_PORT:-9093}"
heap="${IOMT_KAFKA_HEAP:-512m}"
start_timeout="${IOMT_KAFKA_START_TIMEOUT:-90}"
fetch_timeout="${IOMT_KAFKA_FETCH_TIMEOUT:-600}"
java="${JAVA:-java}"

# The version lives in pom.xml only; reading it with sed avoids a Maven start (seconds) on every
# warm start.
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
libs="$cache/kafka/$version/libs"
config="$data/server.properties"
pid_file="$data/broker.pid"
out_file="$data/broker.out"
address="$host:$port"


fail() {
  say "$*"
  for log in "$out_file" "$data/logs/server.log"; do
    if [[ -s "$log" ]]; then
      echo "--- last lines of $log" >&2
      tail -n 40 "$log" >&2
    fi
  done
  exit 1
}

# A real client request (an Admin describeCluster), not just an open port: the listener accepts
# connections before the broker has caught up with the metadata log and can serve requests.
answers() {
  timeout 30 "$java" -Xmx128m -cp "$libs/*" org.apache.kafka.tools.ClusterTool cluster-id \
    --bootstrap-server "$address" >/dev/null 2>&1
}

wait_until_answering() {
  local pid="$1" deadline=$((SECONDS + start_timeout))
  while ((SECONDS < deadline)); do
    [[ -d "/proc/$pid" ]] || fail "the broker (pid $pid) exited during start-up"
    if port_open "$host" "$port" && answers; then
      return 0
    fi
    sleep 1
  done
  fail "the broker (pid $pid) did not answer at $address within ${start_timeout}s; stop it with stop.sh"
}

[[ -n "$version" ]] || fail "no <kafka.version> in $here/pom.xml"
command -v "$java" >/dev/null 2>&1 || fail "$java not found; Kafka $version needs Java 17 or newer"
# Kafka 4 brokers are compiled for Java 17; an older java would only fail later, in the log.
java_spec="$({ "$java" -XshowSettings:properties -version 2>&1 || true; } |
  sed -n 's/^ *java.specification.version = //p')"
java_major="${java_spec%%.*}"
if ! [[ "$java_major" =~ ^[0-9]+$ ]] || ((java_major < 17)); then
  fail "$java is Java ${java_spec:-of unknown version}; Kafka $version needs 17 or newer"
fi
mkdir -p "$data"

# Two start.sh at once (two terminals, a test runner and a person) would both format and start.
exec 9>"$data/.start.lock"
flock -w 300 9 || fail "another start.sh holds $data/.start.lock"

if pid="$(owned_pid "$pid_file" "kafka.Kafka $config ")"; then
  say "broker already running (pid $pid); checking that it answers at $address"
  wait_until_answering "$pid"
  echo "$address"
  exit 0
fi
rm -f "$pid_file"

ports_free "$host" "$port" "$controller_port"

# --- Jars: fetched into a scratch folder and moved into place whole, so that a download cut
# short is redone next time. The stamp is the pom's hash: a changed dependency list refetches.
wanted="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
stamp="$libs/.pom.sha256"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
  command -v mvn >/dev/null 2>&1 || fail "mvn not found; it fetches the Kafka jars"
  say "fetching Kafka $version jars into $libs"
  partial="$libs.partial"
  rm -rf "$partial"
  timeout "$fetch_timeout" mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$partial" >&2 || fail "mvn could not fetch the Kafka $version jars"
  echo "$wanted" >"$partial/.pom.sha256"
  rm -rf "$libs"
  mv "$partial" "$libs"
fi

# --- Configuration, rendered on every start so that an edit of the template takes effect. The
# log4j2 file is copied beside it, so the running broker does not depend on this checkout.
mkdir -p "$data/logs" "$data/kraft"
sed -e "s|@HOST@|$host|g" -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" \
  -e "s|@LOG_DIRS@|$data/kraft|g" "$here/server.properties.template" >"$config"
cp "$here/log4j2.properties" "$data/log4j2.properties"

# --- Storage: formatted once. Data written by another Kafka version is dropped rather than
# migrated: this broker holds test data only, and Kafka does not support downgrading metadata.
storage_tool=("$java" -Xmx256m -cp "$libs/*" kafka.tools.StorageTool)
if [[ -f "$data/kraft/meta.properties" && "$(cat "$data/kafka.version" 2>/dev/null)" != "$version" ]]; then
  say "data in $data/kraft was written by another Kafka version; formatting it anew"
  rm -rf "$data/kraft"
  mkdir -p "$data/kraft"
fi
if [[ ! -f "$data/kraft/meta.properties" ]]; then
  cluster_id="$(timeout 60 "${storage_tool[@]}" random-uuid 2>/dev/null | tail -n 1)"
  [[ -n "$cluster_id" ]] || fail "kafka.tools.StorageTool random-uuid printed nothing"
  say "formatting $data/kraft (cluster $cluster_id)"
  timeout 120 "${storage_tool[@]}" format --standalone --cluster-id "$cluster_id" \
    --config "$config" >&2 || fail "kafka.tools.StorageTool format failed"
  echo "$version" >"$data/kafka.version"
fi

# --- Start (`launch`, in ../lib/processes.sh, says how it is detached).
say "starting Kafka $version at $address (data in $data)"
: >"$out_file"
pid="$(launch "$pid_file" "$out_file" \
  "$java" -Xms128m "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
  "-Dkafka.logs.dir=$data/logs" "-Dlog4j2.configurationFile=$data/log4j2.properties" \
  -cp "$libs/*" kafka.Kafka "$config")"

wait_until_answering "$pid"
say "broker answering at $address (pid $pid) after ${SECONDS}s"
echo "$address"
