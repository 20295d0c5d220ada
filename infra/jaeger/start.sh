#!/usr/bin/env bash
# Starts Jaeger v2 (all in one process, traces in memory) on loopback for development and CI,
# building it first when its binary is missing (install.sh). Idempotent: when the Jaeger this
# script started is running it only waits until it is healthy. The last line printed (stdout) is
# the query API and UI address; everything else goes to stderr.
#
#   IOMT_CACHE                   cache root (default ~/.cache/iomt)
#   IOMT_JAEGER_RUN              config, log and pid file (default $IOMT_CACHE/jaeger/run)
#   IOMT_JAEGER_OTLP_GRPC_PORT   OTLP over gRPC (default 4317)
#   IOMT_JAEGER_OTLP_HTTP_PORT   OTLP over HTTP (default 4318)
#   IOMT_JAEGER_QUERY_PORT       query API and UI (default 16686)
#   IOMT_JAEGER_QUERY_GRPC_PORT  query API over gRPC (default 16685)
#   IOMT_JAEGER_HEALTH_PORT      health check (default 13133)
#   IOMT_JAEGER_MAX_TRACES       traces kept in memory, oldest dropped first (default 100000)
#   IOMT_JAEGER_START_TIMEOUT    seconds to wait until it is healthy (default 60)
#   IOMT_JAEGER_BUILD_TIMEOUT    seconds allowed for building it (default 1800, see install.sh)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/processes.sh
source "$here/../lib/processes.sh"
cache="${IOMT_CACHE:-$HOME/.cache/iomt}"
run="${IOMT_JAEGER_RUN:-$cache/jaeger/run}"
host=127.0.0.1
export IOMT_JAEGER_OTLP_GRPC_PORT="${IOMT_JAEGER_OTLP_GRPC_PORT:-4317}"
export IOMT_JAEGER_OTLP_HTTP_PORT="${IOMT_JAEGER_OTLP_HTTP_PORT:-4318}"
export IOMT_JAEGER_QUERY_PORT="${IOMT_JAEGER_QUERY_PORT:-16686}"
export IOMT_JAEGER_QUERY_GRPC_PORT="${IOMT_JAEGER_QUERY_GRPC_PORT:-16685}"
export IOMT_JAEGER_HEALTH_PORT="${IOMT_JAEGER_HEALTH_PORT:-13133}"
export IOMT_JAEGER_MAX_TRACES="${IOMT_JAEGER_MAX_TRACES:-100000}"
start_timeout="${IOMT_JAEGER_START_TIMEOUT:-60}"
build_timeout="${IOMT_JAEGER_BUILD_TIMEOUT:-1800}"

config="$run/config.yaml"
pid_file="$run/jaeger.pid"
log_file="$run/jaeger.log"
address="http://$host:$IOMT_JAEGER_QUERY_PORT"
ports=("$IOMT_JAEGER_OTLP_GRPC_PORT" "$IOMT_JAEGER_OTLP_HTTP_PORT" "$IOMT_JAEGER_QUERY_PORT"
  "$IOMT_JAEGER_QUERY_GRPC_PORT" "$IOMT_JAEGER_HEALTH_PORT")


# The log is shown only once this run has started a Jaeger: before that it is an older run's.
launched=0
fail() {
  say "$*"
  if ((launched)) && [[ -s "$log_file" ]]; then
    echo "--- last lines of $log_file" >&2
    tail -n 40 "$log_file" >&2
  fi
  exit 1
}

# Healthy: the health check says every pipeline component is up (so OTLP is accepted), and the
# query API answers what the clients ask it, a JSON list of services.
healthy() {
  curl -fsS --max-time 5 "http://$host:$IOMT_JAEGER_HEALTH_PORT/status" >/dev/null 2>&1 &&
    curl -fsS --max-time 5 "$address/api/services" 2>/dev/null | grep -q '"data"'
}

wait_until_healthy() {
  local pid="$1" deadline=$((SECONDS + start_timeout))
  while ((SECONDS < deadline)); do
    [[ -d "/proc/$pid" ]] || fail "Jaeger (pid $pid) exited during start-up"
    if healthy; then
      return 0
    fi
    sleep 0.5
  done
  fail "Jaeger (pid $pid) was not healthy at $address within ${start_timeout}s; stop it with stop.sh"
}

command -v curl >/dev/null 2>&1 || fail "curl not found; it checks that Jaeger answers"
mkdir -p "$run"

# Two start.sh at once would both start a Jaeger, and the second would find its ports taken. The
# first may be building, so the second waits as long as a build and a start may take.
exec 9>"$run/.start.lock"
flock -w $((build_timeout + start_timeout + 60)) 9 || fail "another start.sh holds $run/.start.lock"

if pid="$(owned_pid "$pid_file" "--config $config ")"; then
  say "Jaeger already running (pid $pid); checking that it is healthy at $address"
  launched=1
  wait_until_healthy "$pid"
  echo "$address"
  exit 0
fi
rm -f "$pid_file"

ports_free "$host" "${ports[@]}"

# The lock is not handed on: a build that outlives this script (killed by its caller's timeout)
# must not keep other starts waiting.
binary="$(IOMT_JAEGER_BUILD_TIMEOUT="$build_timeout" bash "$here/install.sh" 9>&- | tail -n 1)"
[[ -x "$binary" ]] || fail "install.sh printed no binary"

# The config is copied beside the process, so the running Jaeger does not depend on this
# checkout; it reads the ports from the variables exported above.
cp "$here/config.yaml" "$config"

# --- Start (`launch`, in ../lib/processes.sh, says how it is detached).
say "starting Jaeger ($binary) at $address, OTLP on $host:$IOMT_JAEGER_OTLP_HTTP_PORT (HTTP)" \
  "and $host:$IOMT_JAEGER_OTLP_GRPC_PORT (gRPC)"
: >"$log_file"
launched=1
pid="$(launch "$pid_file" "$log_file" "$binary" --config "$config")"

wait_until_healthy "$pid"
say "Jaeger healthy at $address (pid $pid) after ${SECONDS}s"
echo "$address"
