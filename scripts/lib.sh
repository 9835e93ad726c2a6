# shellcheck shell=bash
# Helpers shared by scripts/test.sh and scripts/demo.sh. Source it; it does
# not change shell options.

LM_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this file
LM_REPO_ROOT="$(cd "$LM_SCRIPTS_DIR/.." && pwd)"

# lm_log MESSAGE...: progress on stderr, so stdout stays for results.
lm_log() { printf '%s\n' "$*" >&2; }

# lm_die MESSAGE...: print an error and exit 1.
lm_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# lm_built_clis: sets TERRAFORM (1.8.5, the oldest supported),
# TERRAFORM_CURRENT (1.16.4) and TOFU to the CLIs that scripts/clis.sh builds
# (building them the first time: a few minutes each).
lm_built_clis() {
  local out
  out="$("$LM_SCRIPTS_DIR/clis.sh")" || return 1
  TERRAFORM="$(sed -n 's/^TERRAFORM=//p' <<<"$out")"
  TERRAFORM_CURRENT="$(sed -n 's/^TERRAFORM_CURRENT=//p' <<<"$out")"
  TOFU="$(sed -n 's/^TOFU=//p' <<<"$out")"
  if [ ! -x "$TERRAFORM" ] || [ ! -x "$TERRAFORM_CURRENT" ] || [ ! -x "$TOFU" ]; then
    printf 'error: scripts/clis.sh did not report all three CLIs:\n%s\n' "$out" >&2
    return 1
  fi
}

# lm_terraform: prints the current Terraform that scripts/clis.sh builds,
# building the CLIs the first time (the load tests need only this one, so an
# existing build is used without asking clis.sh about the others).
lm_terraform() {
  local dir="${LM_CLI_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-lm/clis}/terraform-${TERRAFORM_CURRENT_VERSION:-1.16.4}"
  if [ -x "$dir/terraform" ]; then
    echo "$dir/terraform"
    return
  fi
  lm_built_clis && echo "$TERRAFORM_CURRENT"
}

# lm_cli_version CLI CONFIG_FILE: prints "Terraform 1.8.5" or
# "OpenTofu 1.12.6". CONFIG_FILE must exist: OpenTofu fails to report its
# version when TF_CLI_CONFIG_FILE names a missing file.
lm_cli_version() {
  local out first
  out="$(TF_CLI_CONFIG_FILE="$2" CHECKPOINT_DISABLE=1 "$1" version 2>&1)" || {
    printf 'error: %s version failed:\n%s\n' "$1" "$out" >&2
    return 1
  }
  first="${out%%$'\n'*}"
  printf '%s\n' "${first/ v/ }"
}

# lm_cli_is_tofu CLI CONFIG_FILE: true when CLI is OpenTofu.
lm_cli_is_tofu() {
  local v
  v="$(lm_cli_version "$1" "$2")" || return 1
  [[ "$v" == OpenTofu* ]]
}

# lm_start_lmsim BIN OUT ARGS...: starts the simulator binary BIN with ARGS
# on a free loopback port, its stdout in OUT and stderr in OUT.err, and waits
# (10 s at most) for its "lmsim listening on URL" line. Sets LM_SIM_PID and
# LM_SIM_URL; returns 1, with the simulator's stderr, when it does not start.
lm_start_lmsim() {
  local bin="$1" out="$2"
  shift 2
  LM_SIM_URL=""
  "$bin" --listen 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
  LM_SIM_PID=$!
  local _
  for _ in $(seq 1 200); do
    LM_SIM_URL="$(sed -n 's|^lmsim listening on \(http://[^ ]*\)$|\1|p' "$out")"
    [ -n "$LM_SIM_URL" ] && return 0
    kill -0 "$LM_SIM_PID" 2>/dev/null || break
    sleep 0.05
  done
  cat "$out.err" >&2
  return 1
}
