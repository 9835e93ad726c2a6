#!/usr/bin/env bash
# make bench: Terraform with the real provider binary against the bundled
# LogicMonitor simulator, for N = 100 and 1000 tokens: create, plan, no-op
# apply, update, destroy; API calls by method, wall time, provider CPU and
# peak RSS, and the plan of N terraform_data as the floor. Prints one table
# and exits non-zero when a target is missed. The driver is
# internal/cmd/lmbench; this script picks the CLI and runs it.
#
# Environment (flags of the same name work too: scripts/bench.sh -sizes 100):
#   LM_BENCH_CLI     CLI to use (default: the Terraform 1.8.5 that
#                    scripts/clis.sh builds, built on first use)
#   LM_BENCH_SIZES   token counts (default 100,1000)
#   LM_BENCH_WINDOW  rate-limit window of the write phases, with
#                    LogicMonitor's per-minute counts (default 20s)
#   LM_BENCH_REPEAT  plans per size, median reported (default 3)
#   LM_BENCH_KEEP    1: keep the temp dir (state, CLI output, simulator logs)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LM_REPO_ROOT"

if [ -z "${LM_BENCH_CLI:-}" ]; then
  LM_BENCH_CLI="$(lm_terraform)" || lm_die "could not build the CLIs (scripts/clis.sh)"
fi
export LM_BENCH_CLI
exec go run ./internal/cmd/lmbench -repo "$LM_REPO_ROOT" "$@"
