#!/usr/bin/env bash
# Runs the provider's tests. `make test` runs it without arguments;
# `make testacc` runs `scripts/test.sh portal`.
#
# usage: scripts/test.sh [all|unit|acc|soak|portal]
#   all     (default) unit, then acc, then a short soak
#   unit    go test ./... (acceptance tests skip without TF_ACC), then the
#           client and simulator packages again with -race
#   acc     the acceptance suite (TestAcc*) three times, against the
#           simulator that the tests start in-process: on Terraform 1.8.5 (the
#           oldest supported), Terraform 1.16.4 (current) and OpenTofu 1.12.6
#   soak    a short fault-injected soak (2 cycles of 20 tokens) through
#           the real binary; make soak runs the long one
#   portal  the acceptance suite once, against the real LogicMonitor portal
#           named by LM_COMPANY, LM_ACCESS_ID and LM_ACCESS_KEY, on the first
#           CLI found: terraform or tofu on PATH, else the built ones
#
# Environment:
#   LM_TEST_PARALLEL     go test -parallel for acceptance tests (default 4)
#   LM_TEST_RUN          go test -run for acceptance tests (default ^TestAcc)
#   LM_TEST_TIMEOUT      go test -timeout per acceptance pass (default 40m)
#   LM_TEST_RACE         1: run the -race pass (default 1 when cgo works), 0: skip
#   LM_TEST_CLIS         CLIs for `acc`, any of "terraform" (1.8.5), "terraform-current"
#                        (1.16.4) and "tofu" (default: all three)
#   LM_TEST_REQUIRE_ACC  1: fail a pass that ran no acceptance test (default 1), 0: allow it
#   TERRAFORM, TERRAFORM_CURRENT, TOFU
#                        CLI paths (default: the ones scripts/clis.sh builds);
#                        `acc` needs only those LM_TEST_CLIS names
#
# Each pass gets its own empty TF_CLI_CONFIG_FILE and CHECKPOINT_DISABLE=1.
# The simulator passes unset the LM_* provider variables, so the suite never
# reaches a real portal by accident. Full logs stay in $LM_TEST_LOG_DIR
# (default: a new temp dir, printed at the end).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LM_REPO_ROOT"

mode="${1:-all}"
case "$mode" in
  all | unit | acc | soak | portal) ;;
  -h | --help | help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *) lm_die "unknown mode '$mode' (want all, unit, acc, soak or portal)" ;;
esac

parallel="${LM_TEST_PARALLEL:-4}"
run="${LM_TEST_RUN:-^TestAcc}"
timeout="${LM_TEST_TIMEOUT:-40m}"
acc_pkgs=(./internal/provider/... ./internal/e2e/...)
race_pkgs=(./internal/lm/... ./internal/lmsim/...)

[[ "$parallel" =~ ^[1-9][0-9]*$ ]] || lm_die "LM_TEST_PARALLEL must be a positive integer, got '$parallel'"

LM_TEST_LOG_DIR="${LM_TEST_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lm-test.XXXXXX")}"
mkdir -p "$LM_TEST_LOG_DIR"
work="$(mktemp -d "${TMPDIR:-/tmp}/lm-test-work.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The provider's own variables: unset for the simulator passes.
lm_provider_env=(LM_COMPANY LM_DOMAIN LM_BASE_URL LM_ACCESS_ID LM_API_ID LM_ACCESS_KEY LM_API_KEY LM_BEARER_TOKEN)

summaries=()
failed=0
total_pass=0
total_fail=0
total_skip=0
acc_ran=0

# count_tests LOG: prints "PASSED FAILED SKIPPED" for the top-level tests in a
# go test -v log (subtests are indented and not counted).
count_tests() {
  awk '
    /^--- PASS: / { p++ }
    /^--- FAIL: / { f++ }
    /^--- SKIP: / { s++ }
    END { printf "%d %d %d\n", p, f, s }
  ' "$1"
}

# add_summary LINE: remember LINE for the summary and print it now.
add_summary() {
  summaries+=("$1")
  echo "--- $1"
}

# record_acc NAME RC LOG SECONDS: the summary line of one acceptance pass.
record_acc() {
  local name="$1" rc="$2" log="$3" secs="$4" p f s status
  read -r p f s < <(count_tests "$log")
  acc_ran=1
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  total_skip=$((total_skip + s))
  status=ok
  if [ "$rc" -ne 0 ]; then
    status=FAILED
    failed=1
  elif [ $((p + f)) -eq 0 ]; then
    if [ "${LM_TEST_REQUIRE_ACC:-1}" = 1 ]; then
      status="FAILED: no acceptance test ran"
      failed=1
    else
      status="ok, but no acceptance test ran"
    fi
  fi
  add_summary "$(printf '%-34s %d passed, %d failed, %d skipped in %ds: %s' "$name:" "$p" "$f" "$s" "$secs" "$status")"
}

# record_pkgs NAME RC LOG SECONDS: the summary line of a go test run without
# -v (which prints one line per package; passing tests' logs stay quiet).
record_pkgs() {
  local name="$1" rc="$2" log="$3" secs="$4" ok fail none status=ok
  ok="$(grep -c -E '^ok[[:space:]]' "$log" || true)"
  fail="$(grep -c -E '^FAIL[[:space:]]' "$log" || true)"
  none="$(grep -c -E '^\?[[:space:]].*\[no test files\]' "$log" || true)"
  if [ "$rc" -ne 0 ]; then
    status=FAILED
    failed=1
  fi
  add_summary "$(printf '%-34s %d packages ok, %d failed, %d without tests in %ds: %s' "$name:" "$ok" "$fail" "$none" "$secs" "$status")"
}

# unit_pass: go test ./... (acceptance tests skip without TF_ACC).
unit_pass() {
  local log="$LM_TEST_LOG_DIR/unit.log" start rc
  echo
  echo "=== unit tests: go test ./... ($(go version | cut -d' ' -f3))"
  start=$SECONDS
  set +e
  env -u TF_ACC go test ./... 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  record_pkgs "unit tests" "$rc" "$log" $((SECONDS - start))
}

# race_pass: the packages with concurrent code (client retries, the
# simulator's shared state) again, under the race detector. Their
# dependencies are light, so this costs well under a minute.
race_pass() {
  local log="$LM_TEST_LOG_DIR/race.log" start rc pkgs=() p
  if [ "${LM_TEST_RACE:-}" = 0 ]; then
    echo "=== race pass skipped (LM_TEST_RACE=0)"
    return
  fi
  if [ "$(go env CGO_ENABLED)" != 1 ] || ! command -v "$(go env CC)" >/dev/null 2>&1; then
    if [ "${LM_TEST_RACE:-}" = 1 ]; then
      lm_die "LM_TEST_RACE=1 but -race needs cgo and a C compiler ($(go env CC))"
    fi
    echo "=== race pass skipped: -race needs cgo and a C compiler"
    return
  fi
  for p in "${race_pkgs[@]}"; do
    [ -d "${p%/...}" ] && pkgs+=("$p")
  done
  [ "${#pkgs[@]}" -gt 0 ] || return 0
  echo
  echo "=== race detector: go test -race ${pkgs[*]}"
  start=$SECONDS
  set +e
  env -u TF_ACC go test -race "${pkgs[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  record_pkgs "unit tests (-race)" "$rc" "$log" $((SECONDS - start))
}

# acc_pass CLI [extra VAR=value...]: the acceptance suite on one CLI.
# Uses $target ("simulator" or "portal").
acc_pass() {
  local cli="$1" version name log cfg start rc slug
  shift
  cfg="$(mktemp "$work/cli.XXXXXX.tfrc")"
  version="$(lm_cli_version "$cli" "$cfg")"
  slug="${version,,}"
  slug="${slug//[ .]/-}"
  log="$LM_TEST_LOG_DIR/acc-$target-$slug.log"
  name="acceptance on $version"
  [ "$target" = portal ] && name="$name (portal)"
  echo
  echo "=== acceptance suite on $version ($cli)${target:+, against the $target}"
  start=$SECONDS
  local envs=(TF_ACC=1 "TF_ACC_TERRAFORM_PATH=$cli" "TF_CLI_CONFIG_FILE=$cfg" CHECKPOINT_DISABLE=1 "$@")
  local unset_args=(-u TF_ACC_PROVIDER_NAMESPACE -u TF_ACC_PROVIDER_HOST)
  if [ "$target" = simulator ]; then
    local v
    for v in "${lm_provider_env[@]}"; do unset_args+=(-u "$v"); done
  fi
  set +e
  env "${unset_args[@]}" "${envs[@]}" \
    go test "${acc_pkgs[@]}" -run "$run" -count=1 -timeout "$timeout" -parallel "$parallel" -v 2>&1 |
    tee "$log" | grep --line-buffered -v -E '^=== (PAUSE|CONT) '
  rc=${PIPESTATUS[0]}
  set -e
  record_acc "$name" "$rc" "$log" $((SECONDS - start))
}

# tofu_env: what the acceptance framework needs to run OpenTofu.
tofu_env=(TF_ACC_PROVIDER_NAMESPACE=hashicorp TF_ACC_PROVIDER_HOST=registry.opentofu.org)

# cli_var NAME: the variable that holds the path of CLI NAME.
cli_var() {
  case "$1" in
    terraform) echo TERRAFORM ;;
    terraform-current) echo TERRAFORM_CURRENT ;;
    tofu) echo TOFU ;;
    *) lm_die "LM_TEST_CLIS: unknown CLI '$1' (want any of terraform, terraform-current, tofu)" ;;
  esac
}

# resolve_clis NAME...: the variables of the named CLIs from the
# environment; when one is unset, the CLIs scripts/clis.sh builds fill the
# gaps (so CI can pass release binaries and build nothing).
resolve_clis() {
  local c v missing=0
  for c in "$@"; do
    v="$(cli_var "$c")" || exit 1
    [ -n "${!v:-}" ] || missing=1
  done
  if [ "$missing" = 1 ]; then
    local t="${TERRAFORM:-}" cur="${TERRAFORM_CURRENT:-}" o="${TOFU:-}"
    lm_built_clis
    TERRAFORM="${t:-$TERRAFORM}"
    TERRAFORM_CURRENT="${cur:-$TERRAFORM_CURRENT}"
    TOFU="${o:-$TOFU}"
  fi
  for c in "$@"; do
    v="$(cli_var "$c")"
    [ -x "${!v}" ] || lm_die "$v=${!v} is not an executable"
  done
}

acc_simulator() {
  target=simulator
  local c clis
  read -r -a clis <<<"${LM_TEST_CLIS:-terraform terraform-current tofu}"
  resolve_clis "${clis[@]}"
  for c in "${clis[@]}"; do
    case "$c" in
      terraform) acc_pass "$TERRAFORM" ;;
      terraform-current) acc_pass "$TERRAFORM_CURRENT" ;;
      tofu) acc_pass "$TOFU" "${tofu_env[@]}" ;;
    esac
  done
}

acc_portal() {
  local missing=() v cli="" cfg
  for v in LM_COMPANY LM_ACCESS_ID LM_ACCESS_KEY LM_ACC_ADMIN_ID; do
    [ -n "${!v:-}" ] || missing+=("$v")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    cat >&2 <<MSG
make testacc runs the acceptance suite against a real LogicMonitor portal,
creating and deleting API tokens there. It needs LM_COMPANY, LM_ACCESS_ID and
LM_ACCESS_KEY (an API token of a user allowed to manage users' API tokens),
and LM_ACC_ADMIN_ID, the id of a user the tests may create tokens for;
missing: ${missing[*]}. Tests that need the simulator's insides (fault
injection, deleting users) skip themselves.

  LM_COMPANY=acme LM_ACCESS_ID=... LM_ACCESS_KEY=... LM_ACC_ADMIN_ID=140 make testacc

To run the suite against the bundled simulator instead: make test
MSG
    exit 2
  fi
  target=portal
  if [ -n "${TERRAFORM:-}" ]; then
    cli="$TERRAFORM"
  elif command -v terraform >/dev/null 2>&1; then
    cli="$(command -v terraform)"
  elif command -v tofu >/dev/null 2>&1; then
    cli="$(command -v tofu)"
  else
    lm_built_clis
    cli="$TERRAFORM_CURRENT"
  fi
  cfg="$(mktemp "$work/cli.XXXXXX.tfrc")"
  if lm_cli_is_tofu "$cli" "$cfg"; then
    acc_pass "$cli" LM_ACC_REAL_PORTAL=1 "${tofu_env[@]}"
  else
    acc_pass "$cli" LM_ACC_REAL_PORTAL=1
  fi
}

# soak_pass: a short fault-injected soak (make soak runs the long one):
# apply, change and destroy tokens through the real binary while the
# simulator injects 5xx, 429, resets and commit-then-drop faults; fails if
# any token is orphaned or lost.
soak_pass() {
  local log="$LM_TEST_LOG_DIR/soak.log" start rc
  echo
  echo "=== short soak: scripts/soak.sh -cycles 2 -tokens 20"
  start=$SECONDS
  set +e
  env "${lm_provider_env[@]/#/-u}" scripts/soak.sh -cycles 2 -tokens 20 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" -eq 0 ] || failed=1
  add_summary "$(printf '%-34s %s in %ds' "short soak (2 x 20 tokens):" "$([ "$rc" -eq 0 ] && echo "ok, no orphan or lost token" || echo FAILED)" $((SECONDS - start)))"
}

case "$mode" in
  all)
    unit_pass
    race_pass
    acc_simulator
    soak_pass
    ;;
  unit)
    unit_pass
    race_pass
    ;;
  acc) acc_simulator ;;
  soak) soak_pass ;;
  portal) acc_portal ;;
esac

echo
echo "=== summary (logs in $LM_TEST_LOG_DIR)"
for s in "${summaries[@]}"; do
  echo "$s"
done
if [ "$acc_ran" = 1 ]; then
  echo "acceptance: $total_pass passed, $total_fail failed, $total_skip skipped"
fi
exit "$failed"
