#!/usr/bin/env bash
# Builds the helm CLI (helm.sh/helm/v4/cmd/helm) at the version kfsui links
# and caches it under the user cache dir, keyed by version, as
# scripts/kube-binaries.sh does for kubectl. The tests compare kfsui's Helm
# leaves with what this helm prints. Prints the path of the binary on
# stdout; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The pinned version lives beside the harness, which embeds the same file;
# go.mod requires the same one (TestHelmVersionMatchesGoMod).
VERSION="${KFSUI_HELM_VERSION:-$(tr -d '[:space:]' < "$here/../internal/testcluster/helm-version")}"
OUT="${XDG_CACHE_HOME:-$HOME/.cache}/kfsui/helm/$VERSION"
BIN="$OUT/helm"

# shellcheck source=scripts/cached-build.sh
. "$here/cached-build.sh"

if cached_build_have "$OUT" helm; then
  echo "$BIN"
  exit 0
fi

echo "helm: building $VERSION (a couple of minutes on 2 cores; cached afterwards in $OUT)" >&2
cached_build_module helmbuild helm.sh/helm/v4 "$VERSION"
# helm's own Makefile sets its version string this way; without it helm
# reports a development version.
cached_build_install "-X helm.sh/helm/v4/internal/version.version=$VERSION" "$OUT" helm.sh/helm/v4/cmd/helm
echo "$BIN"
