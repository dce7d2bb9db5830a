#!/usr/bin/env bash
# Brings up the local demo cluster (etcd and kube-apiserver on loopback,
# seeded with sample namespaces, deployments, a CRD and its objects, and
# events) and opens kfsui on it. Quitting kfsui stops the cluster.
# Arguments are passed to kfsui, e.g. scripts/demo.sh --path /namespaces/team-a
set -euo pipefail

# Globals, not locals: the EXIT trap runs after main has returned.
work=""
cluster_pid=""

cleanup() {
  if [ -n "$cluster_pid" ]; then
    kill "$cluster_pid" 2>/dev/null || true
    wait "$cluster_pid" 2>/dev/null || true
  fi
  [ -z "$work" ] || rm -rf "$work"
}

main() {
  local here ready
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  cd "$here/.."

  KFSUI_KUBE_BIN_DIR=$(scripts/ensure-deps.sh)
  export KFSUI_KUBE_BIN_DIR

  work=$(mktemp -d -t kfsui-demo.XXXXXX)
  trap cleanup EXIT
  echo "demo: building kfsui and the demo cluster" >&2
  go build -o "$work/kfsui" .
  go build -o "$work/devcluster" ./internal/testcluster/cmd/devcluster

  ready="$work/ready"
  "$work/devcluster" --dir "$work/cluster" --ready-file "$ready" >"$work/devcluster.log" 2>&1 &
  cluster_pid=$!

  echo "demo: starting etcd and kube-apiserver" >&2
  for _ in $(seq 1 240); do
    [ -s "$ready" ] && break
    if ! kill -0 "$cluster_pid" 2>/dev/null; then
      echo "demo: the demo cluster failed to start:" >&2
      cat "$work/devcluster.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  [ -s "$ready" ] || { echo "demo: the demo cluster did not come up in 2 minutes" >&2; cat "$work/devcluster.log" >&2; exit 1; }

  local kubeconfig
  kubeconfig=$(cat "$ready")
  echo "demo: cluster up; kubeconfig at $kubeconfig (context dev)" >&2
  "$work/kfsui" --kubeconfig "$kubeconfig" --context dev "$@"
}

main "$@"
