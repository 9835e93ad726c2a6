#!/usr/bin/env bash
# make soak: fault-injected cycles (apply N tokens → rotate them in place
# with rotation_overlap → rotate again → change every note →
# destroy) of Terraform with the real provider binary against the bundled
# LogicMonitor simulator. Prints per cycle the requests, faults injected,
# provider retries, failed runs, orphans (tokens in the simulator but not in
# state) and lost tokens (in state but not in the simulator); exits non-zero
# on any failed run (each is printed with its cycle, phase and first error),
# if a phase never converges, or if anything is left after the final destroy.
# The driver is internal/cmd/lmsoak; this script picks the CLI and runs it.
#
#   scripts/soak.sh                          # 20 cycles of 200 tokens
#   scripts/soak.sh -cycles 2 -tokens 20     # the short run make test uses
#
# Flags (also as environment variables):
#   -cycles N        LM_SOAK_CYCLES       default 20
#   -tokens N        LM_SOAK_TOKENS       default 200
#   -faults SPEC     LM_SOAK_FAULTS       default 5xx=0.1,429=0.05,reset=0.02,drop=0.02
#   -seed N          LM_SOAK_SEED         default 1
#   -rate-limit SPEC LM_SOAK_RATE_LIMIT   default the per-minute counts per 1s
#   -parallelism N   LM_SOAK_PARALLELISM  default 10
#   -max-reruns N    LM_SOAK_MAX_RERUNS   default 5 (re-runs after a failed run, to check the invariants)
#   -keep            LM_SOAK_KEEP=1       keep state, CLI output and logs
#   LM_SOAK_CLI      CLI to use (default: the Terraform 1.16.4 that
#                    scripts/clis.sh builds, built on first use)
# GNU-style --cycles works as well as -cycles.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LM_REPO_ROOT"

if [ -z "${LM_SOAK_CLI:-}" ]; then
  LM_SOAK_CLI="$(lm_terraform)" || lm_die "could not build the CLIs (scripts/clis.sh)"
fi
export LM_SOAK_CLI
exec go run ./internal/cmd/lmsoak -repo "$LM_REPO_ROOT" "$@"
