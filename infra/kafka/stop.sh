#!/usr/bin/env bash
# Stops the broker that start.sh started: SIGTERM (a controlled shutdown that flushes the logs),
# then SIGKILL if it has not exited in time. Succeeds when no broker is running.
#
#   IOMT_CACHE               cache root (default ~/.cache/iomt)
#   IOMT_KAFKA_DATA          the data folder start.sh used (default $IOMT_CACHE/kafka/data)
#   IOMT_KAFKA_STOP_TIMEOUT  seconds to wait after SIGTERM (default 60)
set -euo pipefail

cache="${IOMT_CACHE:-$HOME/.cache/iomt}"
data="${IOMT_KAFKA_DATA:-$cache/kafka/data}"
config="$data/server.properties"
pid_file="$data/broker.pid"
stop_timeout="${IOMT_KAFKA_STOP_TIMEOUT:-60}"

say() { echo "stop.sh: $*" >&2; }

# Alive and not a zombie: an exited broker whose parent does not reap it still has a /proc entry.
alive() {
  [[ -r "/proc/$1/stat" ]] && [[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

if [[ ! -f "$pid_file" ]]; then
  say "no broker running (no $pid_file)"
  exit 0
fi
pid="$(cat "$pid_file")"

# Only signal the process if it is still our broker: the pid may have been reused since.
if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! alive "$pid" ||
  [[ "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" != *"kafka.Kafka $config "* ]]; then
  say "no broker running (stale $pid_file removed)"
  rm -f "$pid_file"
  exit 0
fi

say "stopping the broker (pid $pid)"
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + stop_timeout))
while alive "$pid" && ((SECONDS < deadline)); do
  sleep 0.5
done

if alive "$pid"; then
  say "the broker did not stop within ${stop_timeout}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 20); do
    alive "$pid" || break
    sleep 0.5
  done
fi

if alive "$pid"; then
  say "the broker (pid $pid) is still running after SIGKILL"
  exit 1
fi
rm -f "$pid_file"
say "stopped after ${SECONDS}s"
