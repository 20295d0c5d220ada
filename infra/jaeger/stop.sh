#!/usr/bin/env bash
# Stops the Jaeger that start.sh started: SIGTERM (the collector drains its pipelines and closes
# its listeners), then SIGKILL if it has not exited in time. Succeeds when no Jaeger is running.
# Traces are in memory only, so they are gone after a stop.
#
#   IOMT_CACHE                cache root (default ~/.cache/iomt)
#   IOMT_JAEGER_RUN           the folder start.sh used (default $IOMT_CACHE/jaeger/run)
#   IOMT_JAEGER_STOP_TIMEOUT  seconds to wait after SIGTERM (default 30)
set -euo pipefail
# shellcheck source=../lib/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/processes.sh"

cache="${IOMT_CACHE:-$HOME/.cache/iomt}"
run="${IOMT_JAEGER_RUN:-$cache/jaeger/run}"
stop_owned "Jaeger" "$run/jaeger.pid" "--config $run/config.yaml " \
  "${IOMT_JAEGER_STOP_TIMEOUT:-30}"
