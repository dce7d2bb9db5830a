#!/usr/bin/env bash
# Runs kfsui's scale benchmark: a test cluster seeded with 30,000 pods (10,000
# in one namespace), 200 CRDs and 5,000 ConfigMaps, the real binary driven in
# tmux, every figure printed next to its target. Installs what it needs
# first (scripts/ensure-deps.sh). --small runs a tenth of the scenario;
# --soak N instead soaks kfsui N minutes under pod churn and a log flood.
set -euo pipefail

main() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  cd "$here/.."
  KFSUI_KUBE_BIN_DIR=$(scripts/ensure-deps.sh)
  export KFSUI_KUBE_BIN_DIR
  go run ./internal/scalebench "$@"
}

main "$@"
