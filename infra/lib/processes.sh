# shellcheck shell=bash
# Shared by the start and stop scripts of infra/ (sourced, not run): messages, and the process a
# service's pid file names.

# A line on stderr, named after the script that says it.
say() { echo "$(basename "$0"): $*" >&2; }

# Alive and not a zombie: an exited process whose parent does not reap it still has a /proc entry.
alive() {
  [[ -r "/proc/$1/stat" ]] && [[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

# The pid in pid file $1, when that process is alive and its command line holds $2: a pid file
# can outlive its process, and the pid can be reused by an unrelated one.
owned_pid() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(cat "$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  [[ "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" == *"$2"* ]] || return 1
  echo "$pid"
}

# True when something accepts connections on host $1, port $2.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Stops the process of pid file $2 (called $1 in messages) when its command line holds $3:
# SIGTERM, up to $4 seconds for it to exit, then SIGKILL. Succeeds when none is running.
stop_owned() {
  local what="$1" pid_file="$2" pattern="$3" timeout="$4" pid deadline
  if [[ ! -f "$pid_file" ]]; then
    say "no $what running (no $pid_file)"
    return 0
  fi
  if ! pid="$(owned_pid "$pid_file" "$pattern")"; then
    say "no $what running (stale $pid_file removed)"
    rm -f "$pid_file"
    return 0
  fi

  say "stopping $what (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if alive "$pid"; then
    say "$what did not stop within ${timeout}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 20); do
      alive "$pid" || break
      sleep 0.5
    done
  fi
  if alive "$pid"; then
    say "$what (pid $pid) is still running after SIGKILL"
    return 1
  fi
  rm -f "$pid_file"
  say "stopped after ${SECONDS}s"
}

# Fails (through the caller's `fail`) when something already listens on one of the ports $2...
# of host $1: a process this script did not start holds it.
ports_free() {
  local host="$1" p
  shift
  for p in "$@"; do
    if port_open "$host" "$p"; then
      fail "port $host:$p is taken by a process this script did not start"
    fi
  done
}

# Starts the command $3... in the background, in a session of its own (setsid), so that a
# signal to the caller's process group (a test runner's timeout, Ctrl-C) does not take it down;
# its standard streams go to log file $2 (appended), so that a caller reading the script's
# stdout through a pipe is not held open, and descriptor 9 (the start lock) is closed, so that
# the lock is released when the script ends. The inner shell writes its own pid to pid file $1
# before exec hands it on to the command; prints that pid once the file is there.
launch() {
  local pid_file="$1" log_file="$2"
  shift 2
  # shellcheck disable=SC2016  # $$ and $1 are the inner shell's, not this one's.
  setsid bash -c 'echo "$$" >"$1"; shift; exec "$@"' launch "$pid_file" "$@" \
    </dev/null >>"$log_file" 2>&1 9>&- &
  for _ in $(seq 50); do
    [[ -s "$pid_file" ]] && break
    sleep 0.1
  done
  [[ -s "$pid_file" ]] || fail "$(basename "$1") did not start: no $pid_file"
  cat "$pid_file"
}
