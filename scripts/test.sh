#!/usr/bin/env bash
# Runs the provider's tests. `make test` runs it without arguments;
# `make testacc` runs `scripts/test.sh portal`.
#
# usage: scripts/test.sh [all|unit|acc|lmsim-portal|soak|portal|sweep]
#   all     (default) unit, then acc, then lmsim-portal, then a short soak
#   unit    go test ./... (acceptance tests skip without TF_ACC), then the
#           client and simulator packages again with -race, then a few
#           seconds of each fuzz target (scripts/fuzz.sh)
#   acc     the acceptance suite (TestAcc*) three times, against the
#           simulator that the tests start in-process: on Terraform 1.8.5 (the
#           oldest supported), Terraform 1.16.4 (current) and OpenTofu 1.12.6
#   lmsim-portal
#           the portal-mode suite (what `portal` runs), with the sweeper
#           before and after, against internal/cmd/lmsim started as its own
#           process with internal/lmsim/testdata/portal_fixture.json, on
#           Terraform 1.16.4
#   soak    a short fault-injected soak (2 cycles of 20 tokens) through
#           the real binary; make soak runs the long one
#   portal  the acceptance suite once against a real LogicMonitor portal
#           (make testacc), with the sweeper before and after, on the first
#           CLI found: terraform or tofu on PATH, else the built ones. The
#           portal: LM_COMPANY (+ LM_DOMAIN) or LM_BASE_URL; credentials:
#           LM_ACCESS_ID + LM_ACCESS_KEY or LM_BEARER_TOKEN; the user the
#           tests make tokens for: LM_ACC_ADMIN_ID
#   sweep   the sweeper (make sweep): deletes the acceptance
#           tests' tokens, users and roles older than an hour in the portal
#           named as for `portal` (LM_ACC_ADMIN_ID optional)
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
race_pkgs=(./internal/lm/... ./internal/lmsim/...)

[[ "$parallel" =~ ^[1-9][0-9]*$ ]] || lm_die "LM_TEST_PARALLEL must be a positive integer, got '$parallel'"

LM_TEST_LOG_DIR="${LM_TEST_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lm-test.XXXXXX")}"
mkdir -p "$LM_TEST_LOG_DIR"
work="$(mktemp -d "${TMPDIR:-/tmp}/lm-test-work.XXXXXX")"
lmsim_pid=""
trap 'rm -rf "$work"; stop_lmsim' EXIT

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

# fuzz_pass: each fuzz target for LM_TEST_FUZZTIME (go test ./... above ran
# their seed corpora); make fuzz runs them longer.
fuzz_pass() {
  local log="$LM_TEST_LOG_DIR/fuzz.log" start rc n bad status fuzztime="${LM_TEST_FUZZTIME:-3s}"
  if [ "$fuzztime" = 0 ]; then
    echo "=== fuzzing skipped (LM_TEST_FUZZTIME=0)"
    return
  fi
  echo
  echo "=== fuzzing: scripts/fuzz.sh, $fuzztime per target"
  start=$SECONDS
  set +e
  FUZZTIME="$fuzztime" scripts/fuzz.sh 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  n="$(grep -c '^--- fuzz ' "$log" || true)"
  bad="$(grep -c '^--- fuzz .*: FAILED$' "$log" || true)"
  status=ok
  if [ "$rc" -ne 0 ]; then
    status="FAILED (the failing inputs are named above)"
    failed=1
  fi
  add_summary "$(printf '%-34s %d targets, %d failed in %ds: %s' "fuzzing ($fuzztime per target):" "$n" "$bad" $((SECONDS - start)) "$status")"
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
  [ "$target" = lmsim-portal ] && name="$name (portal mode, lmsim)"
  echo
  echo "=== acceptance suite on $version ($cli)${target:+, against the $target}"
  start=$SECONDS
  local envs=(TF_ACC=1 "TF_ACC_TERRAFORM_PATH=$cli" "TF_CLI_CONFIG_FILE=$cfg" CHECKPOINT_DISABLE=1 "$@")
  local unset_args=(-u TF_ACC_PROVIDER_NAMESPACE -u TF_ACC_PROVIDER_HOST)
  if [ "$target" != portal ]; then
    local v
    for v in "${lm_provider_env[@]}" LM_ACC_REAL_PORTAL LM_ACC_ADMIN_ID; do unset_args+=(-u "$v"); done
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

# portal_env_problems: prints what is missing for `portal` and `sweep`
# (nothing when the environment names a portal and credentials).
portal_env_problems() {
  if [ -z "${LM_COMPANY:-}" ] && [ -z "${LM_BASE_URL:-}" ]; then
    echo "no portal: set LM_COMPANY or LM_BASE_URL"
  fi
  local id="${LM_ACCESS_ID:-${LM_API_ID:-}}" key="${LM_ACCESS_KEY:-${LM_API_KEY:-}}"
  if [ -n "$id$key" ] && [ -n "${LM_BEARER_TOKEN:-}" ]; then
    echo "both LMv1 (LM_ACCESS_ID/LM_ACCESS_KEY) and bearer (LM_BEARER_TOKEN) credentials are set: unset one"
  elif [ -n "$id$key" ] && { [ -z "$id" ] || [ -z "$key" ]; }; then
    echo "incomplete LMv1 credentials: set both LM_ACCESS_ID and LM_ACCESS_KEY"
  elif [ -z "$id$key" ] && [ -z "${LM_BEARER_TOKEN:-}" ]; then
    echo "no credentials: set LM_ACCESS_ID and LM_ACCESS_KEY, or LM_BEARER_TOKEN"
  fi
  if [ "${1:-}" = need-admin ] && [ -z "${LM_ACC_ADMIN_ID:-}" ]; then
    echo "LM_ACC_ADMIN_ID is unset: set it to the id of a user the tests may create tokens for"
  fi
}

# portal_env_usage WHAT: how to name a portal, on stderr.
portal_env_usage() {
  cat >&2 <<MSG
$1 works on a LogicMonitor portal (or anything that answers as one),
named by the environment as the provider reads it:

  portal:      LM_COMPANY=acme (plus LM_DOMAIN=lmgov.us for a GovCloud portal)
               or LM_BASE_URL=https://host/santaba/rest (a proxy, a compatible endpoint)
  credentials: LM_ACCESS_ID and LM_ACCESS_KEY (an LMv1 token)
               or LM_BEARER_TOKEN (a bearer token)
               of a user allowed to manage other users' API tokens
  test user:   LM_ACC_ADMIN_ID, the id of a user the tests may create tokens for
               (its role must let its own tokens read users, roles and tokens)

  LM_COMPANY=acme LM_ACCESS_ID=... LM_ACCESS_KEY=... LM_ACC_ADMIN_ID=140 make testacc
  LM_BASE_URL=https://proxy.example.com/santaba/rest LM_BEARER_TOKEN=... LM_ACC_ADMIN_ID=140 make testacc

The tests create and delete API tokens there, each with a note starting
"tf-acc-test ", and users and roles named tf-acc-test-...; make sweep
deletes such tokens, users and roles older than an hour. Tests that need
the simulator's insides (fault injection, a far-off clock) skip.
To run the suite against the bundled simulator instead: make test
MSG
}

# sweep_pass WHEN [VAR=value...]: the sweeper (go test -sweep): deletes
# the tests' tokens, users and roles older than an hour in the portal named
# by the environment, or by the VAR=value arguments alone when given. When
# sweep_want is set ("TOKENS USERS ROLES"), the sweep must delete exactly
# that many test tokens, test users and test roles.
sweep_want=""
sweep_pass() {
  local when="$1" log start rc n v status env_args=()
  shift
  log="$LM_TEST_LOG_DIR/sweep-${when//[^a-z]/-}.log"
  if [ "$#" -gt 0 ]; then
    for v in "${lm_provider_env[@]}"; do env_args+=(-u "$v"); done
    env_args+=("$@")
  fi
  echo
  echo "=== sweeper ($when): go test ./internal/provider -sweep=all"
  start=$SECONDS
  set +e
  env -u TF_ACC "${env_args[@]}" go test ./internal/provider -run '^$' -count=1 -v -sweep=all 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  n="$(sed -n 's/^sweeper: \([0-9]*\) test tokens, \([0-9]*\) test users and \([0-9]*\) test roles .*/\1 \2 \3/p' "$log" | tail -n 1)"
  local nt nu nr wt wu wr
  read -r nt nu nr <<<"$n"
  status="ok, deleted $nt test tokens, $nu test users and $nr test roles older than an hour"
  if [ "$rc" -ne 0 ] || [ -z "$n" ]; then
    status=FAILED
    failed=1
  elif [ -n "$sweep_want" ] && [ "$n" != "$sweep_want" ]; then
    read -r wt wu wr <<<"$sweep_want"
    status="FAILED: deleted $nt test tokens, $nu test users and $nr test roles, want $wt, $wu and $wr"
    failed=1
  fi
  add_summary "$(printf '%-34s %s in %ds' "sweeper ($when):" "$status" $((SECONDS - start)))"
}

# The acceptance packages run one after the other against a portal
# (GOFLAGS -p=1): each checks that it left no token in the account, which
# another package running at the same time would upset.
portal_goflags="GOFLAGS=${GOFLAGS:+$GOFLAGS }-p=1"

# require_portal_env WHAT [need-admin]: exits 2 with the usage unless the
# environment names a portal and credentials (and LM_ACC_ADMIN_ID).
require_portal_env() {
  local problems
  problems="$(portal_env_problems "${2:-}")"
  if [ -n "$problems" ]; then
    printf 'error: %s\n' "${problems//$'\n'/; }" >&2
    echo >&2
    portal_env_usage "$1"
    exit 2
  fi
}

acc_portal() {
  local cli="" cfg
  require_portal_env "make testacc" need-admin
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
  sweep_pass before
  if lm_cli_is_tofu "$cli" "$cfg"; then
    acc_pass "$cli" LM_ACC_REAL_PORTAL=1 "$portal_goflags" "${tofu_env[@]}"
  else
    acc_pass "$cli" LM_ACC_REAL_PORTAL=1 "$portal_goflags"
  fi
  sweep_pass after
}

# sweep_only: make sweep.
sweep_only() {
  require_portal_env "make sweep"
  sweep_pass portal
}

# The simulator run as its own process for the lmsim-portal pass: an
# account unlike the default fixture, holding leftovers of an "interrupted
# run" for the sweeper (3 tokens, 1 user, 1 role), and tokens that are not
# the tests'.
lmsim_portal_fixture=internal/lmsim/testdata/portal_fixture.json
lmsim_portal_leftovers="3 1 1"
lmsim_portal_env=(LM_ACCESS_ID=PortalCiRunner000001 LM_ACCESS_KEY=portal-ci-runner-lmv1-key-000000000000001 LM_ACC_ADMIN_ID=502)

# stop_lmsim: stops the simulator process lmsim_portal_pass started.
stop_lmsim() {
  if [ -n "$lmsim_pid" ]; then
    kill "$lmsim_pid" 2>/dev/null || true
    wait "$lmsim_pid" 2>/dev/null || true
    lmsim_pid=""
  fi
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
  sweep_want=$lmsim_portal_leftovers
  sweep_pass "before, lmsim" "LM_BASE_URL=$url" "${lmsim_portal_env[@]}"
  acc_pass "$TERRAFORM_CURRENT" LM_ACC_REAL_PORTAL=1 "$portal_goflags" "LM_BASE_URL=$url" "${lmsim_portal_env[@]}"
  sweep_want="0 0 0"
  sweep_pass "after, lmsim" "LM_BASE_URL=$url" "${lmsim_portal_env[@]}"
  sweep_want=""
  stop_lmsim
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
    fuzz_pass
    acc_simulator
    lmsim_portal_pass
    soak_pass
    ;;
  unit)
    unit_pass
    race_pass
    fuzz_pass
    ;;
  acc) acc_simulator ;;
  soak) soak_pass ;;
  lmsim-portal) lmsim_portal_pass ;;
  portal) acc_portal ;;
  sweep) sweep_only ;;
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
