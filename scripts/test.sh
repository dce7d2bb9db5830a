#!/usr/bin/env bash
# Runs kfsui's whole test suite: vet, formatting, and every Go test, the
# end-to-end tests against a real kube-apiserver included. Installs what
# the tests need first (scripts/ensure-deps.sh).
#
# KFSUI_SKIP_E2E=1 skips the end-to-end tests, loudly; without it this
# script fails unless they really ran.
set -euo pipefail

main() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  cd "$here/.."

  KFSUI_KUBE_BIN_DIR=$(scripts/ensure-deps.sh)
  export KFSUI_KUBE_BIN_DIR

  echo "== go vet"
  go vet ./...
  echo "== gofmt"
  local unformatted
  unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
  if [ -n "$unformatted" ]; then
    echo "gofmt would change:"; echo "$unformatted"; exit 1
  fi

  echo "== go test"
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  set +e
  go test -race -count=1 -timeout 30m -v ./... 2>&1 | tee "$log" | grep -E '^(=== RUN|--- (PASS|FAIL|SKIP)|ok|FAIL|PASS|panic|testcluster:|E2E)' | grep -v '^=== RUN'
  local status=${PIPESTATUS[0]}
  set -e

  local passed failed skipped e2e_passed e2e_skipped
  passed=$(grep -cE '^\s*--- PASS' "$log" || true)
  failed=$(grep -cE '^\s*--- FAIL' "$log" || true)
  skipped=$(grep -cE '^\s*--- SKIP' "$log" || true)
  e2e_passed=$(grep -cE '^\s*--- PASS: TestE2E' "$log" || true)
  e2e_skipped=$(grep -cE '^\s*--- SKIP: TestE2E' "$log" || true)

  if [ "$status" -ne 0 ]; then
    echo "== failures:"
    # go test -v prints a test's messages before its "--- FAIL" line.
    grep -E -A40 '^\s+[A-Za-z0-9_]+_test\.go:[0-9]+: |^panic|DATA RACE' "$log" | head -400 || true
  fi
  echo "end-to-end: $e2e_passed passed, $e2e_skipped skipped"
  if [ "${KFSUI_SKIP_E2E:-}" = "1" ]; then
    echo "WARNING: KFSUI_SKIP_E2E=1: the end-to-end tests against kube-apiserver did NOT run"
  elif [ "$e2e_passed" -eq 0 ] || [ "$e2e_skipped" -ne 0 ]; then
    echo "FAIL: the end-to-end tests did not all run"
    status=1
  fi
  echo "tests: $passed passed, $failed failed, $skipped skipped"

  # Fuzzing, briefly: each target for a number of inputs sized to about
  # ten seconds here. A count, not a duration: with -fuzztime 10s, Go 1.26's
  # fuzz coordinator can fail a run with "context deadline exceeded" and no
  # failing input when the deadline races a busy worker (golang/go#75804,
  # fixed in Go 1.27); a count never arms that deadline. KFSUI_FUZZTIME
  # (e.g. 200000x, or 5m) overrides every budget for a longer search. The
  # seed corpora already ran above as plain tests; this looks for new inputs.
  echo "== fuzz (${KFSUI_FUZZTIME:-a fixed number of inputs} each)"
  local target
  for target in "FuzzParse ./model 30000x" "FuzzHighlight ./views 5000x" "FuzzParseANSI ./views 200000x" \
    "FuzzTerminalSafe ./views 300000x" "FuzzLineSplitter ./k8s 40000x" "FuzzDecodeTable ./k8s 40000x" \
    "FuzzAppendFrame ./internal/web 30000x"; do
    set -- $target
    # KFSUI_SKIP_E2E: fuzzing needs no cluster, so k8s's tests start none.
    # -timeout: a hanging input fails the run instead of stalling CI.
    if ! KFSUI_SKIP_E2E=1 go test -run '^$' -fuzz "^$1\$" -fuzztime "${KFSUI_FUZZTIME:-$3}" -timeout 5m "$2" >"$log" 2>&1; then
      echo "FAIL: $1"; tail -40 "$log"; status=1
    else
      echo "ok: $1 ($(grep -o 'execs: [0-9]*' "$log" | tail -1))"
    fi
  done
  return "$status"
}

main "$@"
