#!/usr/bin/env bash
# Validates infra/docker-compose.yml with the Compose specification's Go loader: there is no
# Docker engine or compose plugin on the project's machines, so `docker compose config` cannot
# run there. Prints nothing on success.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
timeout 600 go run . ../docker-compose.yml > /dev/null
