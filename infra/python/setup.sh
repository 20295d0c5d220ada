#!/usr/bin/env bash
# Creates (or reuses) the Python virtual environment that the integration tests and benchmarks
# use to read our Arrow files with pyarrow. Idempotent: the venv is rebuilt only when it is
# missing or requirements.txt changed since it was installed (its hash is kept in the venv).
# The last line printed is the path of the venv's python.
#
#   IOMT_CACHE   cache root (default ~/.cache/iomt): venv/ and pip-wheels/ live under it
#   PYTHON       interpreter that creates the venv (default python3)
#   PIP_TIMEOUT  seconds allowed for each pip step (default 600)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/requirements.txt"
cache="${IOMT_CACHE:-$HOME/.cache/iomt}"
venv="$cache/venv"
wheels="$cache/pip-wheels"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"
pip_timeout="${PIP_TIMEOUT:-600}"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup.sh: $python not found; install Python 3 (with venv) first" >&2
  exit 1
fi

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  echo "setup.sh: $venv is up to date" >&2
  echo "$venv/bin/python"
  exit 0
fi

# A fresh venv each time the requirements change, so that nothing dropped from the list lingers.
# The stamp is written last, so that an install cut short is redone on the next run.
mkdir -p "$cache" "$wheels"
rm -rf "$venv"
echo "setup.sh: creating $venv" >&2
timeout 120 "$python" -m venv "$venv"

# pip's own cache does not reliably keep downloaded wheels, so they are kept in $wheels: install
# from there without the index when every wheel is present, else download the missing ones first.
pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-input)
offline=("${pip[@]}" install --quiet --no-index --find-links "$wheels" -r "$requirements")
if ! timeout "$pip_timeout" "${offline[@]}" >/dev/null 2>&1; then
  echo "setup.sh: downloading wheels into $wheels" >&2
  timeout "$pip_timeout" "${pip[@]}" download --quiet --dest "$wheels" -r "$requirements" >&2
  echo "setup.sh: installing $requirements" >&2
  timeout "$pip_timeout" "${offline[@]}" >&2
fi

echo "$wanted" >"$stamp"

echo "$venv/bin/python"
