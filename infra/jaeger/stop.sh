#!/usr/bin/env bash
# Stops the Jaeger that start.sh started: SIGTERM (the collector drains its pipelines and closes
# its listeners), then SIGKILL if it has not exited in time. Succeeds when no Jaeger is running.
# Traces are in memory only, so they are gone after a stop.
#
#   IOMT_CACHE                cache root (default ~/.cache/iomt)
#   IOMT_JAEGER_RUN           the folder start.sh used (default $IOMT_CACHE/jaeger/run)
#   IOMT_JAEGER_STOP_TIMEOUT  seconds to wait after SIGTERM (default 30)
set -euo pipefail

cache="${IOMT_CACHE:-$HOME/.cache/iomt}"
run="${IOMT_JAEGER_RUN:-$cache/jaeger/run}"
config="$run/config.yaml"
pid_file="$run/jaeger.pid"
stop_timeout="${IOMT_JAEGER_STOP_TIMEOUT:-30}"

say() { echo "stop.sh: $*" >&2; }

# Alive and not a zombie: an exited process whose parent does not reap it still has a /proc entry.
alive() {
  [[ -r "/proc/$1/stat" ]] && [[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

if [[ ! -f "$pid_file" ]]; then
  say "no Jaeger running (no $pid_file)"
  exit 0
fi
pid="$(cat "$pid_file")"

# Only signal the process if it is still our Jaeger: the pid may have been reused since.
if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! alive "$pid" ||
  [[ "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" != *"--config $config "* ]]; then
  say "no Jaeger running (stale $pid_file removed)"
  rm -f "$pid_file"
  exit 0
fi

say "stopping Jaeger (pid $pid)"
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + stop_timeout))
while alive "$pid" && ((SECONDS < deadline)); do
  sleep 0.2
done

if alive "$pid"; then
  say "Jaeger did not stop within ${stop_timeout}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 20); do
    alive "$pid" || break
    sleep 0.5
  done
fi

if alive "$pid"; then
  say "Jaeger (pid $pid) is still running after SIGKILL"
  exit 1
fi
rm -f "$pid_file"
say "stopped after ${SECONDS}s"
