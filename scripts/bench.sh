#!/usr/bin/env bash
# make bench: the real provider binary against the bundled LogicMonitor
# simulator, for N = 100 and 1000 tokens: create, plan, no-op apply, update,
# destroy; API calls by method, wall time, provider CPU and peak RSS, and the
# plans of two floors (N terraform_data; N resources of a do-nothing plugin).
# Then the portal case, on the first CLI only: 100 roles, 1000 API-only
# users, 10 000 tokens in one configuration (the first 10 teams created
# through the CLI, the rest seeded in the simulator with their state written
# as the provider writes it), planned with no change against the plugin
# floor, planned for destroy, the created part destroyed; API calls by
# method and path pattern. It runs once per CLI, Terraform 1.16.4 then
# OpenTofu 1.12.6 (the ones scripts/clis.sh builds), prints one table each,
# and exits non-zero when a target is missed on any. About 20 minutes on 2
# cores: 6 per CLI for the sizes, 10 for the portal. The driver is
# internal/cmd/lmbench; this script picks the CLIs and runs it.
#
# Environment (flags of the same name work too: scripts/bench.sh -sizes 100):
#   LM_BENCH_CLI     one CLI to use instead of both (a path)
#   LM_BENCH_SIZES   token counts (default 100,1000)
#   LM_BENCH_WINDOW  rate-limit window of the write phases, with
#                    LogicMonitor's per-minute counts (default 20s)
#   LM_BENCH_REPEAT  plans per size, median reported (default 3)
#   LM_BENCH_KEEP    1: keep the temp dir (state, CLI output, simulator logs)
#   LM_BENCH_PORTAL  1 (default): the sizes, then the portal case on the
#                    first CLI; 0: the sizes only; only: the portal case
#                    only, on the first CLI
#   LM_BENCH_PORTAL_SHAPE   ROLESxUSERSxTOKENS (default 100x1000x10000;
#                    4x40x400 for a quick run)
#   LM_BENCH_PORTAL_CREATE  teams created through the CLI (default 10)
#   LM_BENCH_PORTAL_WINDOW  the portal case's rate-limit window, with
#                    LogicMonitor's per-minute counts (default 10s)
#   LM_BENCH_PORTAL_REPEAT  portal plans, median reported (default 3)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LM_REPO_ROOT"

if [ -n "${LM_BENCH_CLI:-}" ]; then
  clis=("$LM_BENCH_CLI")
else
  lm_built_clis || lm_die "could not build the CLIs (scripts/clis.sh)"
  clis=("$TERRAFORM_CURRENT" "$TOFU")
fi

# One build of the driver for every CLI.
bin="$(mktemp -d "${TMPDIR:-/tmp}/lm-bench-bin.XXXXXX")"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/lmbench" ./internal/cmd/lmbench

status=0
portal="${LM_BENCH_PORTAL:-1}"
for cli in "${clis[@]}"; do
  # The portal case takes 10 minutes: once, on the first CLI, is enough.
  mode="$portal"
  if [ "$cli" != "${clis[0]}" ]; then
    [ "$portal" = only ] && break
    mode=0
  fi
  cfg="$bin/version.tfrc"
  : >"$cfg"
  echo "=== make bench on $(lm_cli_version "$cli" "$cfg") ($cli)"
  LM_BENCH_PORTAL="$mode" LM_BENCH_CLI="$cli" "$bin/lmbench" -repo "$LM_REPO_ROOT" "$@" || status=1
  echo
done
exit "$status"
