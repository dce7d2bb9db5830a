#!/usr/bin/env bash
# Builds metrics-server (sigs.k8s.io/metrics-server/cmd/metrics-server) at
# one pinned version and caches it under the user cache dir, keyed by
# version, as scripts/kube-binaries.sh does for the kube binaries.
# Prints the path of the binary on stdout; progress goes to stderr.
#
# metrics-server is a program, not a library kfsui links: it is built in a
# small wrapper module of its own, so its Kubernetes modules (an older
# minor) never enter kfsui's go.mod.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The pinned version lives beside the harness, which embeds the same file.
VERSION="${KFSUI_METRICS_SERVER_VERSION:-$(tr -d '[:space:]' < "$here/../internal/testcluster/metrics-server-version")}"
OUT="${XDG_CACHE_HOME:-$HOME/.cache}/kfsui/metrics-server/$VERSION"
BIN="$OUT/metrics-server"

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "metrics-server: go is not on PATH" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "metrics-server: building $VERSION (a few minutes on 2 cores; cached afterwards in $OUT)" >&2
cat > go.mod <<MOD
module kfsui.local/metricsserverbuild

go 1.24

require sigs.k8s.io/metrics-server $VERSION
MOD

# Its version string, where its own Makefile sets it (client-go's version
# package), or it reports v0.0.0.
ldflags="-X k8s.io/client-go/pkg/version.gitVersion=$VERSION"
GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o "$work/metrics-server" sigs.k8s.io/metrics-server/cmd/metrics-server >&2

mkdir -p "$OUT"
# Move into place atomically so a concurrent or interrupted build never
# leaves a half-written binary in the cache.
mv "$work/metrics-server" "$OUT/.metrics-server.tmp.$$"
mv "$OUT/.metrics-server.tmp.$$" "$BIN"
echo "$BIN"
