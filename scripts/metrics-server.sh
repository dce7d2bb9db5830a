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

# shellcheck source=scripts/cached-build.sh
. "$here/cached-build.sh"

if cached_build_have "$OUT" metrics-server; then
  echo "$BIN"
  exit 0
fi

echo "metrics-server: building $VERSION (a few minutes on 2 cores; cached afterwards in $OUT)" >&2
cached_build_module metricsserverbuild sigs.k8s.io/metrics-server "$VERSION"

# Its version string, where its own Makefile sets it (client-go's version
# package), or it reports v0.0.0.
ldflags="-X k8s.io/client-go/pkg/version.gitVersion=$VERSION"
cached_build_install "$ldflags" "$OUT" sigs.k8s.io/metrics-server/cmd/metrics-server
echo "$BIN"
