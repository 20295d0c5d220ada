#!/usr/bin/env bash
# Stops the broker that start.sh started: SIGTERM (a controlled shutdown that flushes the logs),
# then SIGKILL if it has not exited in time. Succeeds when no broker is running.
#
#   IOMT_CACHE               cache root (default ~/.cache/iomt)
#   IOMT_KAFKA_DATA          the data folder start.sh used (default $IOMT_CACHE/kafka/data)
#   IOMT_KAFKA_STOP_TIMEOUT  seconds to wait after SIGTERM (default 60)
set -euo pipefail
# shellcheck source=../lib/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/processes.sh"

cache="${IOMT_CACHE:-$HOME/.cache/iomt}"
data="${IOMT_KAFKA_DATA:-$cache/kafka/data}"
stop_owned "Kafka broker" "$data/broker.pid" "kafka.Kafka $data/server.properties " \
  "${IOMT_KAFKA_STOP_TIMEOUT:-60}"
