#!/usr/bin/env bash
# Runs the provider's tests: `make test` runs it without arguments, `make
# testacc` runs `scripts/test.sh portal`, `make sweep` runs `... sweep`.
# CONTRIBUTING.md ("Tests") says more.
#
# usage: scripts/test.sh [all|unit|acc|lmsim-portal|soak|portal|sweep]
#   all     (default) unit, then acc, then lmsim-portal, then a short soak
#   unit    go test ./... (acceptance tests skip without TF_ACC), then the
#           client, simulator and provider packages again with -race, then
#           a few seconds of each fuzz target (scripts/fuzz.sh)
#   acc     the acceptance suite (TestAcc*) against the simulator that the
#           tests start in-process, on Terraform 1.8.5 (the oldest
#           supported), Terraform 1.16.4 (current) and OpenTofu 1.12.6
#   lmsim-portal
#           what `portal` runs, against internal/cmd/lmsim started as its own
#           process with internal/lmsim/testdata/portal_fixture.json, on
#           Terraform 1.16.4
#   soak    a short fault-injected soak (2 cycles of 20 tokens) through
#           the real binary; make soak runs the long one
#   portal  the sweeper, the acceptance suite, the sweeper again, against a
#           real LogicMonitor portal, on terraform or tofu from PATH, else
#           the built Terraform 1.16.4. The portal: LM_COMPANY (+ LM_DOMAIN)
#           or LM_BASE_URL; credentials: LM_ACCESS_ID + LM_ACCESS_KEY or
#           LM_BEARER_TOKEN; the user the tests make tokens for:
#           LM_ACC_ADMIN_ID. When the first sweep fails (it says why), the
#           suite does not run.
#   sweep   the sweeper alone: deletes the acceptance tests' tokens, users
#           and roles older than an hour in that portal (LM_ACC_ADMIN_ID
#           optional)
#
# Environment:
#   LM_TEST_PARALLEL     go test -parallel for acceptance tests (default 4)
#   LM_TEST_RUN          go test -run for acceptance tests (default ^TestAcc)
#   LM_TEST_TIMEOUT      go test -timeout per acceptance pass (default 40m)
#   LM_TEST_RACE         1: run the -race pass (default 1 when cgo works), 0: skip
#   LM_TEST_FUZZTIME     fuzzing per target in the unit step (default 3s), 0: skip
#   LM_TEST_CLIS         CLIs for `acc`, any of "terraform" (1.8.5), "terraform-current"
#                        (1.16.4) and "tofu" (default: all three)
#   LM_TEST_REQUIRE_ACC  1: fail a pass that ran no acceptance test (default 1), 0: allow it
#   LM_TEST_LOG_DIR      where the full logs go (default: a new temp dir)
#   TERRAFORM, TERRAFORM_CURRENT, TOFU
#                        CLI paths (default: the ones scripts/clis.sh builds);
#                        `acc` needs only those LM_TEST_CLIS names
#
# Each pass gets its own empty TF_CLI_CONFIG_FILE and CHECKPOINT_DISABLE=1;
# the simulator passes unset the LM_* provider variables, so the suite never
# reaches a real portal by accident. internal/cmd/lmtestsum runs each pass:
# it shows failures in full, keeps the full log, and prints the pass's
# summary line; the summary of every pass ends the run.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LM_REPO_ROOT"

mode="${1:-all}"
case "$mode" in
  all | unit | acc | lmsim-portal | soak | portal | sweep) ;;
  -h | --help | help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *) lm_die "unknown mode '$mode' (want all, unit, acc, lmsim-portal, soak, portal or sweep)" ;;
esac

parallel="${LM_TEST_PARALLEL:-4}"
run="${LM_TEST_RUN:-^TestAcc}"
timeout="${LM_TEST_TIMEOUT:-40m}"
acc_pkgs=(./internal/provider/... ./internal/e2e/...)
race_pkgs=(./internal/lm/... ./internal/lmsim/... ./internal/provider)
require_acc=true
[ "${LM_TEST_REQUIRE_ACC:-1}" = 1 ] || require_acc=false

[[ "$parallel" =~ ^[1-9][0-9]*$ ]] || lm_die "LM_TEST_PARALLEL must be a positive integer, got '$parallel'"

LM_TEST_LOG_DIR="${LM_TEST_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lm-test.XXXXXX")}"
mkdir -p "$LM_TEST_LOG_DIR"
work="$(mktemp -d "${TMPDIR:-/tmp}/lm-test-work.XXXXXX")"
lmsim_pid=""
trap 'rm -rf "$work"; stop_lmsim' EXIT

# The provider's own variables: unset for the simulator passes.
lm_provider_env=(LM_COMPANY LM_DOMAIN LM_BASE_URL LM_ACCESS_ID LM_API_ID LM_ACCESS_KEY LM_API_KEY LM_BEARER_TOKEN)

# Each pass's summary line goes to $state, for the summary at the end.
state="$LM_TEST_LOG_DIR/summary.jsonl"

# pass KIND NAME LOG [FLAG...] -- COMMAND...: one pass through lmtestsum
# (KIND: tests, packages, sweep or cmd, as its doc says), logged to
# $LM_TEST_LOG_DIR/LOG; pass_status is 0 when it passed, 1 when it failed.
# A failed pass does not stop the others: the summary fails at the end.
pass() {
  pass_status=0
  "$work/lmtestsum" "$1" -name "$2" -log "$LM_TEST_LOG_DIR/$3" -state "$state" "${@:4}" || pass_status=$?
  [ "$pass_status" -le 1 ] || exit "$pass_status"
}

# unit_pass: go test ./... (acceptance tests skip without TF_ACC).
unit_pass() {
  echo
  echo "=== unit tests: go test ./... ($(go version | cut -d' ' -f3))"
  pass packages "unit tests" unit.log -- env -u TF_ACC go test -json ./...
}

# race_pass: the packages with concurrent code (client retries, the
# simulator's shared state, the provider's shared listings) again, under
# the race detector: well under a minute, most of it the build.
race_pass() {
  if [ "${LM_TEST_RACE:-}" = 0 ]; then
    echo "=== race pass skipped (LM_TEST_RACE=0)"
    return
  fi
  if [ "$(go env CGO_ENABLED)" != 1 ] || ! command -v "$(go env CC)" >/dev/null 2>&1; then
    [ "${LM_TEST_RACE:-}" != 1 ] || lm_die "LM_TEST_RACE=1 but -race needs cgo and a C compiler ($(go env CC))"
    echo "=== race pass skipped: -race needs cgo and a C compiler"
    return
  fi
  echo
  echo "=== race detector: go test -race ${race_pkgs[*]}"
  pass packages "unit tests (-race)" race.log -- env -u TF_ACC go test -race -json "${race_pkgs[@]}"
}

# fuzz_pass: each fuzz target for LM_TEST_FUZZTIME (go test ./... above ran
# their seed corpora); make fuzz runs them longer.
fuzz_pass() {
  local fuzztime="${LM_TEST_FUZZTIME:-3s}"
  if [ "$fuzztime" = 0 ]; then
    echo "=== fuzzing skipped (LM_TEST_FUZZTIME=0)"
    return
  fi
  echo
  echo "=== fuzzing: scripts/fuzz.sh, $fuzztime per target"
  pass cmd "fuzzing ($fuzztime per target)" fuzz.log -ok "ok, no failing input" -- \
    env FUZZTIME="$fuzztime" scripts/fuzz.sh
}

# acc_pass CLI [extra VAR=value...]: the acceptance suite on one CLI.
# Uses $target ("simulator", "lmsim-portal" or "portal").
acc_pass() {
  local cli="$1" version name cfg slug v
  shift
  cfg="$(mktemp "$work/cli.XXXXXX.tfrc")"
  version="$(lm_cli_version "$cli" "$cfg")"
  slug="${version,,}"
  slug="${slug//[ .]/-}"
  name="acceptance on $version"
  [ "$target" = portal ] && name="$name (portal)"
  [ "$target" = lmsim-portal ] && name="$name (portal mode, lmsim)"
  echo
  echo "=== acceptance suite on $version ($cli)${target:+, against the $target}"
  local envs=(TF_ACC=1 "TF_ACC_TERRAFORM_PATH=$cli" "TF_CLI_CONFIG_FILE=$cfg" CHECKPOINT_DISABLE=1 "$@")
  local unset_args=(-u TF_ACC_PROVIDER_NAMESPACE -u TF_ACC_PROVIDER_HOST)
  if [ "$target" != portal ]; then
    for v in "${lm_provider_env[@]}" LM_ACC_REAL_PORTAL LM_ACC_ADMIN_ID; do unset_args+=(-u "$v"); done
  fi
  pass tests "$name" "acc-$target-$slug.log" -require="$require_acc" -- env "${unset_args[@]}" "${envs[@]}" \
    go test -json "${acc_pkgs[@]}" -run "$run" -count=1 -timeout "$timeout" -parallel "$parallel"
}

# tofu_env: what the acceptance framework needs to run OpenTofu.
tofu_env=(TF_ACC_PROVIDER_NAMESPACE=hashicorp TF_ACC_PROVIDER_HOST=registry.opentofu.org)

# The variable that holds the path of each CLI of LM_TEST_CLIS.
declare -A cli_vars=([terraform]=TERRAFORM [terraform-current]=TERRAFORM_CURRENT [tofu]=TOFU)

# resolve_clis NAME...: the variables of the named CLIs from the
# environment; when one is unset, the CLIs scripts/clis.sh builds fill the
# gaps (so CI can pass release binaries and build nothing).
resolve_clis() {
  local c v t="${TERRAFORM:-}" cur="${TERRAFORM_CURRENT:-}" o="${TOFU:-}"
  for c in "$@"; do
    v="${cli_vars[$c]:-}"
    [ -n "$v" ] || lm_die "LM_TEST_CLIS: unknown CLI '$c' (want any of terraform, terraform-current, tofu)"
    if [ -z "${!v:-}" ]; then
      lm_built_clis
      TERRAFORM="${t:-$TERRAFORM}" TERRAFORM_CURRENT="${cur:-$TERRAFORM_CURRENT}" TOFU="${o:-$TOFU}"
    fi
    [ -x "${!v}" ] || lm_die "$v=${!v} is not an executable"
  done
}

acc_simulator() {
  target=simulator
  local c v clis
  read -r -a clis <<<"${LM_TEST_CLIS:-terraform terraform-current tofu}"
  resolve_clis "${clis[@]}"
  for c in "${clis[@]}"; do
    v="${cli_vars[$c]}"
    if [ "$c" = tofu ]; then acc_pass "${!v}" "${tofu_env[@]}"; else acc_pass "${!v}"; fi
  done
}

# sweep_pass WHEN WANT [VAR=value...]: the sweeper (go test -sweep):
# deletes the tests' tokens, users and roles older than an hour in the portal
# named by the environment, or by the VAR=value arguments alone when given.
# When WANT is set (a count per object type, in sweep order: "TOKENS USERS
# ROLES"), the sweep must delete exactly that many of each. Without a portal in the
# environment it fails, saying what is missing (internal/acctest.PortalFromEnv).
sweep_pass() {
  local when="$1" want="$2" v env_args=()
  shift 2
  if [ "$#" -gt 0 ]; then
    for v in "${lm_provider_env[@]}"; do env_args+=(-u "$v"); done
    env_args+=("$@")
  fi
  echo
  echo "=== sweeper ($when): go test ./internal/provider -sweep=all"
  pass sweep "sweeper ($when)" "sweep-${when//[^a-z]/-}.log" -want "$want" -- \
    env -u TF_ACC "${env_args[@]}" go test -json ./internal/provider -run '^$' -count=1 -sweep=all
}

# The acceptance packages run one after the other against a portal
# (GOFLAGS -p=1): each checks that it left no token in the account, which
# another package running at the same time would upset.
portal_goflags="GOFLAGS=${GOFLAGS:+$GOFLAGS }-p=1"

# acc_portal: make testacc. The first sweep also checks the environment and
# the portal: when it fails, the suite would fail the same way, so it does
# not run.
acc_portal() {
  local cli cfg extra=()
  target=portal
  sweep_pass before ""
  if [ "$pass_status" != 0 ]; then
    echo "the sweeper failed, so the suite does not run: see its output above"
    return
  fi
  cli="${TERRAFORM:-$(command -v terraform || command -v tofu || true)}"
  if [ -z "$cli" ]; then
    lm_built_clis
    cli="$TERRAFORM_CURRENT"
  fi
  cfg="$(mktemp "$work/cli.XXXXXX.tfrc")"
  if lm_cli_is_tofu "$cli" "$cfg"; then extra=("${tofu_env[@]}"); fi
  acc_pass "$cli" LM_ACC_REAL_PORTAL=1 "$portal_goflags" "${extra[@]}"
  sweep_pass after ""
}

# The simulator run as its own process for the lmsim-portal pass: an
# account unlike the default fixture, holding leftovers of an "interrupted
# run" for the sweeper (3 tokens, 1 user, 1 role), and tokens that are not
# the tests'.
lmsim_portal_fixture=internal/lmsim/testdata/portal_fixture.json
lmsim_portal_env=(LM_ACCESS_ID=PortalCiRunner000001 LM_ACCESS_KEY=portal-ci-runner-lmv1-key-000000000000001 LM_ACC_ADMIN_ID=502)

# stop_lmsim: stops the simulator process lmsim_portal_pass started.
stop_lmsim() {
  [ -n "$lmsim_pid" ] || return 0
  kill "$lmsim_pid" 2>/dev/null || true
  wait "$lmsim_pid" 2>/dev/null || true
  lmsim_pid=""
}

# lmsim_portal_pass: what make testacc runs (sweeper, portal-mode suite,
# sweeper), against internal/cmd/lmsim started as a separate process on a
# free loopback port, on the current Terraform.
lmsim_portal_pass() {
  local bin="$work/lmsim" out="$work/lmsim.out" url=""
  resolve_clis terraform-current
  echo
  echo "=== portal mode against internal/cmd/lmsim --fixture $lmsim_portal_fixture"
  go build -o "$bin" ./internal/cmd/lmsim
  local started=0
  lm_start_lmsim "$bin" "$out" --fixture "$lmsim_portal_fixture" --log "$LM_TEST_LOG_DIR/lmsim-portal-requests.log" && started=1
  lmsim_pid=$LM_SIM_PID # set either way, so that the EXIT trap stops it
  [ "$started" = 1 ] || lm_die "internal/cmd/lmsim did not start"
  url=$LM_SIM_URL
  echo "lmsim listening on $url"
  target=lmsim-portal
  sweep_pass "before, lmsim" "3 1 1" "LM_BASE_URL=$url" "${lmsim_portal_env[@]}"
  acc_pass "$TERRAFORM_CURRENT" LM_ACC_REAL_PORTAL=1 "$portal_goflags" "LM_BASE_URL=$url" "${lmsim_portal_env[@]}"
  sweep_pass "after, lmsim" "0 0 0" "LM_BASE_URL=$url" "${lmsim_portal_env[@]}"
  stop_lmsim
}

# soak_pass: a short fault-injected soak (make soak runs the long one):
# apply, rotate with overlap, change and destroy tokens through the real
# binary while the simulator injects 5xx, 429, resets and commit-then-drop
# faults; fails if any token is orphaned or lost.
soak_pass() {
  echo
  echo "=== short soak: scripts/soak.sh -cycles 2 -tokens 20"
  pass cmd "short soak (2 x 20 tokens)" soak.log -ok "ok, no orphan or lost token" -- \
    env "${lm_provider_env[@]/#/-u}" scripts/soak.sh -cycles 2 -tokens 20
}

go build -o "$work/lmtestsum" ./internal/cmd/lmtestsum
: >"$state"
case "$mode" in
  all) unit_pass; race_pass; fuzz_pass; acc_simulator; lmsim_portal_pass; soak_pass ;;
  unit) unit_pass; race_pass; fuzz_pass ;;
  acc) acc_simulator ;;
  soak) soak_pass ;;
  lmsim-portal) lmsim_portal_pass ;;
  portal) acc_portal ;;
  sweep) sweep_pass portal "" ;;
esac

"$work/lmtestsum" summary -state "$state" -logs "$LM_TEST_LOG_DIR"
