#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
# from the Go module k8s.io/kubernetes at one pinned version and caches them under the user cache dir, keyed by version.
# Prints the directory holding the binaries on stdout; progress goes to stderr.
#
# k8s.io/kubernetes cannot be required as-is: its go.mod replaces every
# k8s.io staging module with a relative path inside its own repository. A
# tiny wrapper module requires it and replaces each staging module with the
# published v0.x.y of the same release instead.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The pinned version lives beside the harness, which embeds the same file.
KUBE_VERSION="${KFSUI_KUBE_VERSION:-$(tr -d '[:space:]' < "$here/../internal/testcluster/kube-version")}"
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/kfsui/kube"
OUT="$CACHE_ROOT/$KUBE_VERSION"

BINARIES="kube-apiserver kube-controller-manager kube-scheduler kubectl"

# shellcheck source=scripts/cached-build.sh
. "$here/cached-build.sh"

if cached_build_have "$OUT" $BINARIES; then
  echo "$OUT"
  exit 0
fi

echo "kube-binaries: building $BINARIES $KUBE_VERSION (several minutes on 2 cores; cached afterwards in $OUT)" >&2
cached_build_module kubebuild k8s.io/kubernetes "$KUBE_VERSION"

# Every staging module named in k8s.io/kubernetes' own replace block.
kmod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
[ -f "$kmod" ] || { echo "kube-binaries: could not download k8s.io/kubernetes@$KUBE_VERSION" >&2; exit 1; }
staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$kmod")
for m in $staging; do
  echo "replace $m => $m $STAGING_VERSION" >> go.mod
done

# Without these, the binaries report v0.0.0-master as their version.
ldflags="-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
ldflags+=" -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
cached_build_install "$ldflags" "$OUT" $(for b in $BINARIES; do echo "k8s.io/kubernetes/cmd/$b"; done)
echo "$OUT"
