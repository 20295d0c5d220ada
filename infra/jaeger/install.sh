#!/usr/bin/env bash
# Builds the Jaeger v2 binary pinned by go.mod (a `tool` dependency) with Go, once per go.mod and
# go.sum; a later run with the binary in place does nothing. The last line printed (stdout) is
# the binary's path; everything else goes to stderr.
#
#   IOMT_CACHE                  cache root (default ~/.cache/iomt); binary in jaeger/<version>/bin
#   IOMT_JAEGER_BUILD_TIMEOUT   seconds allowed for downloading the modules and building (1800)
#   GO                          go executable (default go)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${IOMT_CACHE:-$HOME/.cache/iomt}"
build_timeout="${IOMT_JAEGER_BUILD_TIMEOUT:-1800}"
go="${GO:-go}"
package=github.com/jaegertracing/jaeger/cmd/jaeger

say() { echo "install.sh: $*" >&2; }
fail() {
  say "$*"
  exit 1
}

# The version lives in go.mod only.
version="$(sed -n 's:^[[:space:]]*github.com/jaegertracing/jaeger \(v[^ ]*\).*:\1:p' "$here/go.mod")"
[[ -n "$version" ]] || fail "no github.com/jaegertracing/jaeger requirement in $here/go.mod"
bin_dir="$cache/jaeger/$version/bin"
binary="$bin_dir/jaeger"
stamp="$bin_dir/.go.sha256"
wanted="$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -d' ' -f1)"

built() {
  [[ -x "$binary" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]
}

if built; then
  echo "$binary"
  exit 0
fi

command -v "$go" >/dev/null 2>&1 || fail "$go not found; Jaeger $version is built from its Go module"
mkdir -p "$bin_dir"

# Two installs at once (start.sh in two terminals) would build twice on two cores.
exec 9>"$cache/jaeger/.install.lock"
flock -w "$build_timeout" 9 || fail "another install.sh holds $cache/jaeger/.install.lock"
if built; then
  echo "$binary"
  exit 0
fi

# `go install <pkg>@<version>` refuses this module (its go.mod has replace directives), so it is
# built as a tool of the small module here. The binary is linked beside its final place and
# renamed into it, so an interrupted build never leaves a partial binary behind. Only the link
# step sees the version flag, so the compiled packages are shared with any other build of it.
say "building Jaeger $version into $bin_dir (modules in $("$go" env GOMODCACHE))"
started=$SECONDS
partial="$binary.partial"
rm -f "$partial"
(cd "$here" && timeout "$build_timeout" "$go" build -o "$partial" \
  -ldflags "-X github.com/jaegertracing/jaeger/internal/version.latestVersion=$version" \
  "$package") >&2 || fail "go build of $package $version failed or took over ${build_timeout}s"
mv -f "$partial" "$binary"
echo "$wanted" >"$stamp"
say "built in $((SECONDS - started))s"
echo "$binary"
