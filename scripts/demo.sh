#!/usr/bin/env bash
# make demo: the provider creates and destroys real API tokens against the
# bundled LogicMonitor simulator.
#
#   1. builds the provider and the simulator into a temp dir;
#   2. starts the simulator on a free loopback port with its default fixture;
#   3. points the CLI at the fresh provider binary (dev_overrides in a CLI
#      config of its own) and at the simulator (LM_BASE_URL, LM_ACCESS_ID,
#      LM_ACCESS_KEY of the fixture's administrator API user);
#   4. copies examples/demo to a work dir and runs init, apply, output and
#      destroy there;
#   5. prints the simulator's log lines for the DELETE requests the destroy
#      sent, then stops the simulator.
#
# Environment:
#   LM_DEMO_CLI   CLI to use: a path or a name on PATH (default: terraform on
#                 PATH, else tofu on PATH, else the current Terraform
#                 (1.16.4) that scripts/clis.sh builds)
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

step() {
  echo
  echo "==> $*"
}

# fail MESSAGE: stop the demo with a message naming the step.
fail() {
  echo >&2
  echo "demo FAILED: $*" >&2
  exit 1
}

start=$SECONDS

# --- CLI ---------------------------------------------------------------------
cli=""
if [ -n "${LM_DEMO_CLI:-}" ]; then
  cli="$(command -v "$LM_DEMO_CLI" || true)"
  if [ -z "$cli" ] || [ ! -x "$cli" ]; then
    fail "LM_DEMO_CLI=$LM_DEMO_CLI is not an executable"
  fi
elif command -v terraform >/dev/null 2>&1; then
  cli="$(command -v terraform)"
elif command -v tofu >/dev/null 2>&1; then
  cli="$(command -v tofu)"
else
  lm_built_clis || fail "could not build the CLIs (scripts/clis.sh)"
  cli="$TERRAFORM_CURRENT"
fi

# --- build ---------------------------------------------------------------------
step "building the provider and the simulator"
mkdir -p "$tmp/providers" "$tmp/work"
go build -ldflags "-X main.version=demo" -o "$tmp/providers/terraform-provider-lm" . ||
  fail "go build of the provider"
go build -o "$tmp/lmsim" ./internal/cmd/lmsim || fail "go build of the simulator"

# --- CLI config: this provider comes from the binary just built -------------------
cat >"$tmp/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "lmtf/lm" = "$tmp/providers"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
version="$(lm_cli_version "$cli" "$TF_CLI_CONFIG_FILE")" || fail "$cli version"
echo "CLI: $version ($cli)"

# --- simulator -----------------------------------------------------------------
step "starting the simulator (default fixture)"
"$tmp/lmsim" --listen 127.0.0.1:0 --log "$tmp/lmsim.log" >"$tmp/lmsim.out" 2>"$tmp/lmsim.err" &
sim_pid=$!
url=""
for _ in $(seq 1 200); do
  url="$(sed -n 's|^lmsim listening on \(http://[^ ]*\)$|\1|p' "$tmp/lmsim.out")"
  [ -n "$url" ] && break
  if ! kill -0 "$sim_pid" 2>/dev/null; then
    cat "$tmp/lmsim.err" >&2
    fail "the simulator exited before listening"
  fi
  sleep 0.05
done
[ -n "$url" ] || {
  cat "$tmp/lmsim.err" >&2
  fail "the simulator did not report its address within 10s"
}
echo "simulator: $url (pid $sim_pid)"

# The provider reads these; drop any others that would point it elsewhere.
unset LM_COMPANY LM_DOMAIN LM_API_ID LM_API_KEY LM_BEARER_TOKEN
export LM_BASE_URL="$url"
export LM_ACCESS_ID="lmsimTerraformAdmin1"
export LM_ACCESS_KEY="lmsim+terraform+admin+key+0123456789abcd"

# --- the configuration -----------------------------------------------------------
cp -R examples/demo/. "$tmp/work/"
rm -rf "$tmp/work/.terraform" "$tmp/work/.terraform.lock.hcl" "$tmp/work"/*.tfstate*
# Colors only on a terminal.
color=()
[ -t 1 ] || color=(-no-color)
tf() {
  local sub="$1"
  shift
  "$cli" -chdir="$tmp/work" "$sub" "${color[@]}" "$@"
}

step "$(basename "$cli") init"
# Under dev_overrides, init still tries to install the overridden provider
# from its registry, which the CLI cannot reach here (and the provider is not
# published yet). Nothing else needs installing, and plan/apply/destroy use
# the override without init, so a failed init is reported and skipped.
if tf init -input=false >"$tmp/init.log" 2>&1; then
  cat "$tmp/init.log"
else
  echo "init failed, as expected under dev_overrides: it still looks lmtf/lm up in the registry:"
  grep -E 'Error:|could not connect|no available releases|Failed to' "$tmp/init.log" | sed 's/^[^A-Za-z]*/    /' | head -n 4 || true
  echo "skipped: apply and destroy use the overridden provider without init"
fi

step "$(basename "$cli") apply -auto-approve"
tf apply -auto-approve -input=false || fail "apply"

step "$(basename "$cli") output"
tf output || fail "output"

step "$(basename "$cli") destroy -auto-approve"
tf destroy -auto-approve -input=false || fail "destroy"

step "simulator log: DELETE requests"
deletes="$(grep -E '"method"[[:space:]]*:[[:space:]]*"DELETE"' "$tmp/lmsim.log" || true)"
[ -n "$deletes" ] || fail "the simulator logged no DELETE request (log: $tmp/lmsim.log; LM_DEMO_KEEP=1 keeps it)"
printf '%s\n' "$deletes"

echo
echo "demo OK on $version in $((SECONDS - start))s: $(grep -c . <<<"$deletes") tokens created and deleted through the simulator"
