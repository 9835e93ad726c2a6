#!/usr/bin/env bash
# make demo: a pipeline's LogicMonitor identity as code, told as a story
# against the bundled LogicMonitor simulator:
#
#   0. pick the CLI (scripts/democli.sh: LM_DEMO_CLI, else a supported
#      terraform or tofu on PATH, else one in the project's cache, else a
#      release Terraform from releases.hashicorp.com, else one built from
#      source) and say which and why, on the demo's first line;
#   1. build the provider and the simulator into a temp dir;
#   2. start the simulator on a free loopback port with its default fixture;
#   3. init: the CLI installs the provider just built from a local mirror
#      (a CLI config of the demo's own; no registry is asked);
#   4. apply examples/demo: a role, an API-only user holding it, two tokens;
#   5. show what was created (the outputs);
#   6. destroy it all;
#   7. print the DELETE requests the destroy sent (tokens, user, role), as
#      the simulator logged them, and a one-line summary.
#
# Every command shown is expected to succeed; the demo stops at the first
# that does not. Build and download output goes to build.log in the temp
# dir, shown only when a build fails.
#
# Environment:
#   LM_DEMO_CLI   CLI to use: a path or a name on PATH; it must be a
#                 supported version (default: see scripts/democli.sh)
#   LM_DEMO_KEEP  1: keep the temp dir (state, logs, work dir) for a look
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LM_REPO_ROOT"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/lm-demo.XXXXXX")"
sim_pid=""

cleanup() {
  local rc=$?
  if [ -n "$sim_pid" ] && kill -0 "$sim_pid" 2>/dev/null; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  if [ "${LM_DEMO_KEEP:-0}" = 1 ]; then
    echo "demo files kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

n=0
step() {
  n=$((n + 1))
  echo
  echo "==> $n. $*"
}

# fail MESSAGE: stop the demo with a message naming the step.
fail() {
  echo >&2
  echo "demo FAILED at step $n: $*" >&2
  exit 1
}

start=$SECONDS
log="$tmp/build.log"

# show_log: the build output, without the module downloads.
show_log() { grep -v '^go: downloading ' "$log" >&2 || true; }

# --- 0. CLI: the first line says which and why ---------------------------------
cli="$(LM_DEMO_LOG="$log" "$LM_SCRIPTS_DIR/democli.sh")" || fail "no CLI to run the demo with"

# --- 1. build ------------------------------------------------------------------
step "build the provider and the simulator (up to a minute with an empty Go cache, seconds after)"
# The CLI installs the provider from a local mirror, which needs a version.
provider_version=0.0.1
build_start=$SECONDS
# One go build for both, so that their packages compile in parallel.
go build -ldflags "-X main.version=$provider_version-demo" -o "$tmp/bin/" . ./internal/cmd/lmsim >>"$log" 2>&1 || {
  show_log
  fail "go build of the provider and the simulator"
}
platform="$(go env GOOS)_$(go env GOARCH)"
for host in registry.terraform.io registry.opentofu.org; do
  dir="$tmp/mirror/$host/lmtf/lm/$provider_version/$platform"
  mkdir -p "$dir"
  cp "$tmp/bin/terraform-provider-lm" "$dir/terraform-provider-lm_v$provider_version"
done
echo "provider lmtf/lm $provider_version and lmsim built in $((SECONDS - build_start))s"

cat >"$tmp/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$tmp/mirror"
    include = ["registry.terraform.io/lmtf/lm", "registry.opentofu.org/lmtf/lm"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
version="$(lm_cli_version "$cli" "$TF_CLI_CONFIG_FILE")" || fail "$cli version"

# --- 2. simulator --------------------------------------------------------------
step "start the LogicMonitor simulator (default fixture: an administrator API user \"terraform\")"
started=0
lm_start_lmsim "$tmp/bin/lmsim" "$tmp/lmsim.out" --log "$tmp/lmsim.log" && started=1
sim_pid=$LM_SIM_PID # set either way, so that cleanup stops it
[ "$started" = 1 ] || fail "the simulator did not start"
url=$LM_SIM_URL
echo "simulator: $url (pid $sim_pid)"

# The provider reads these; drop any others that would point it elsewhere.
unset LM_COMPANY LM_DOMAIN LM_API_ID LM_API_KEY LM_BEARER_TOKEN
export LM_BASE_URL="$url"
export LM_ACCESS_ID="lmsimTerraformAdmin1"
export LM_ACCESS_KEY="lmsim+terraform+admin+key+0123456789abcd"

mkdir -p "$tmp/work"
cp examples/demo/main.tf "$tmp/work/"
# Colors only on a terminal.
color=()
[ -t 1 ] || color=(-no-color)
tf() {
  local sub="$1"
  shift
  "$cli" -chdir="$tmp/work" "$sub" "${color[@]}" "$@"
}
name="$(basename "$cli")"

# --- 3. init -------------------------------------------------------------------
step "$name init (the provider comes from the local mirror)"
tf init -input=false >"$tmp/init.log" 2>&1 || {
  cat "$tmp/init.log" >&2
  fail "init"
}
grep -E '^- Installed ' "$tmp/init.log" || fail "init installed no provider (log: $tmp/init.log)"

# --- 4. apply ------------------------------------------------------------------
step "$name apply: a role, an API-only user holding it, and the user's two tokens"
tf apply -auto-approve -input=false || fail "apply"

# --- 5. what was created -----------------------------------------------------------
step "what was created: the resources in the state, and the outputs (the access key stays hidden)"
"$cli" -chdir="$tmp/work" state list || fail "state list"
tf output || fail "output"

# --- 6. destroy ----------------------------------------------------------------
step "$name destroy: the tokens go first, then the user, then the role"
tf destroy -auto-approve -input=false || fail "destroy"

# --- 7. the DELETE requests ----------------------------------------------------
step "the DELETE requests the destroy sent, as the simulator logged them"
deletes="$(sed -n 's|.*"method":"DELETE","path":"\([^"]*\)","query":"[^"]*","status":\([0-9]*\).*|DELETE \1  -> HTTP \2|p' "$tmp/lmsim.log")"
[ -n "$deletes" ] || fail "the simulator logged no DELETE request (LM_DEMO_KEEP=1 keeps $tmp/lmsim.log)"
printf '%s\n' "$deletes"
tokens="$(grep -c '/apitokens/[0-9]*  -> HTTP 200$' <<<"$deletes" || true)"
users="$(grep -c '/setting/admins/[0-9]*  -> HTTP 200$' <<<"$deletes" || true)"
roles="$(grep -c '/setting/roles/[0-9]*  -> HTTP 200$' <<<"$deletes" || true)"
[ "$tokens" = 2 ] && [ "$users" = 1 ] && [ "$roles" = 1 ] ||
  fail "expected DELETEs of 2 tokens, 1 user and 1 role, saw $tokens, $users and $roles"

echo
echo "demo OK on $version in $((SECONDS - start))s: 1 role, 1 API-only user and 2 tokens created, then deleted with $(grep -c . <<<"$deletes") DELETE requests"
