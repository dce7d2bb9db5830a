#!/usr/bin/env bash
# Installs what kfsui's tests and demo need and prints the directory holding
# the kube binaries on stdout (progress goes to stderr):
#   - etcd (Debian's etcd-server), tmux, fusermount3 (Debian's fuse3, for
#     kfsui mount and its tests) and chromium (for kfsui web's browser
#     tests), through apt-get when missing;
#   - kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
#     built from k8s.io/kubernetes (cached);
#   - metrics-server, built from sigs.k8s.io/metrics-server (cached);
#   - the helm CLI at the version kfsui links, built from helm.sh/helm/v4
#     (cached), which the tests compare kfsui's Helm leaves with;
#   - the Go modules.
set -euo pipefail

main() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  cd "$here/.."

  command -v go >/dev/null || die "Go is not installed (https://go.dev/doc/install)"

  local missing=()
  command -v etcd >/dev/null || [ -x /usr/bin/etcd ] || missing+=(etcd-server)
  command -v tmux >/dev/null || missing+=(tmux)
  command -v fusermount3 >/dev/null || missing+=(fuse3)
  command -v chromium >/dev/null || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "ensure-deps: installing ${missing[*]} with apt-get" >&2
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} yourself"
    "${sudo[@]}" apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2
  fi

  echo "ensure-deps: downloading Go modules" >&2
  go mod download >&2
  scripts/metrics-server.sh >&2
  scripts/helm.sh >&2
  scripts/kube-binaries.sh
}

die() { echo "ensure-deps: $*" >&2; exit 1; }

main "$@"
