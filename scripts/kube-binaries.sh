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

have_all() {
  for b in $BINARIES; do
    [ -x "$OUT/$b" ] || return 1
  done
}

if have_all; then
  echo "$OUT"
  exit 0
fi

command -v go >/dev/null || { echo "kube-binaries: go is not on PATH" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "kube-binaries: building $BINARIES $KUBE_VERSION (several minutes on 2 cores; cached afterwards in $OUT)" >&2

cat > go.mod <<MOD
module kfsui.local/kubebuild

go 1.25

require k8s.io/kubernetes $KUBE_VERSION
MOD

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
GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o "$work/bin/" $(for b in $BINARIES; do echo "k8s.io/kubernetes/cmd/$b"; done) >&2

mkdir -p "$OUT"
# Move into place atomically so a concurrent or interrupted build never
# leaves a half-written binary in the cache.
for b in $BINARIES; do
  mv "$work/bin/$b" "$OUT/.$b.tmp.$$"
  mv "$OUT/.$b.tmp.$$" "$OUT/$b"
done
echo "$OUT"
