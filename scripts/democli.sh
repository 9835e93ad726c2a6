#!/usr/bin/env bash
# Picks the Terraform or OpenTofu CLI for `make demo` and prints its path on
# stdout. On stderr, its first line says which CLI and why, or, when it has
# to fetch one, what it is about to do and how long that takes.
#
# usage: scripts/democli.sh [--dry-run]
#
# In this order, the first that applies:
#   1. LM_DEMO_CLI (a path, or a command on PATH): an explicit choice, so it
#      wins; one that does not run, or is not a supported version, is an
#      error rather than something to pass over;
#   2. `terraform`, then `tofu`, on PATH, when its version is supported;
#   3. a CLI already in the project's cache (LM_CLI_DIR): the release
#      Terraform an earlier run installed, or one scripts/clis.sh built;
#   4. the release of Terraform $TERRAFORM_CURRENT_VERSION (1.16.4) from
#      releases.hashicorp.com (LM_RELEASES_URL), installed into the cache by
#      internal/cmd/lmcli through hashicorp/hc-install, which checks
#      HashiCorp's signature: seconds where the site is reachable; where it
#      is not, lmcli gives up within 5 s (LM_DEMO_RELEASE_PROBE_TIMEOUT);
#   5. one CLI built from the Go module proxy, once, by scripts/clis.sh
#      --only terraform-current: the test build of Terraform 1.16.4, which
#      `make test` then reuses, and the quickest of the three test CLIs to
#      build, as it leaves out nine remote-state backends. With empty Go
#      caches: 54 MB of Go source to compile and 196 MB of modules to fetch,
#      392 CPU-seconds; Terraform 1.8.5: 68 MB, 263 MB, 417 CPU-seconds and
#      277 s on 2 cores; OpenTofu 1.12.6: 95 MB and 252 MB.
#
# Supported, as in README.md's Compatibility table: Terraform 1.8 and later
# 1.x, OpenTofu 1.12 and later 1.x.
#
# Build and download output goes to LM_DEMO_LOG (default: a temp file), and
# is shown only when a step fails. --dry-run stops before step 5 and prints
# "dry-run: scripts/clis.sh --only terraform-current" instead of a path.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dry_run=0
case "${1:-}" in
"") ;;
--dry-run) dry_run=1 ;;
*)
  echo "usage: $0 [--dry-run]" >&2
  exit 2
  ;;
esac

min_terraform=1.8
min_tofu=1.12
release_version="${TERRAFORM_CURRENT_VERSION:-1.16.4}"
# How long the build of Terraform 1.16.4 takes, with nothing in the Go
# caches, on 2 cores.
build_time="4 to 5 minutes"
cli_dir="${LM_CLI_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-lm/clis}"
release_dir="$cli_dir/terraform-$release_version-release"
releases_url="${LM_RELEASES_URL:-https://releases.hashicorp.com}"
probe_timeout="${LM_DEMO_RELEASE_PROBE_TIMEOUT:-5s}"

work="$(mktemp -d "${TMPDIR:-/tmp}/lm-democli.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="${LM_DEMO_LOG:-$work/build.log}"
: >>"$log"
# OpenTofu fails to report its version when TF_CLI_CONFIG_FILE names a
# missing file: give every version check an empty one.
cfg="$work/cli.tfrc"
: >"$cfg"

# tilde PATH: PATH with $HOME shown as ~, for shorter lines.
tilde() { printf '%s\n' "${1/#"$HOME"/\~}"; }

# die MESSAGE: the demo cannot have a CLI.
die() {
  echo "error: $*" >&2
  exit 1
}

# show_log: the build and download output, without the module downloads.
show_log() {
  grep -v '^go: downloading ' "$log" >&2 || true
}

# cli_version PATH: "Terraform 1.11.4", "OpenTofu 1.12.6", or whatever else
# the first line of `PATH version` says; fails, with the output, when PATH
# does not run.
cli_version() {
  local v
  v="$(lm_cli_version "$1" "$cfg" 2>&1)" || {
    printf '%s\n' "$v"
    return 1
  }
  printf '%s\n' "${v:-a program whose \"version\" prints nothing}"
}

# supported VERSION (as cli_version prints it): true when the provider
# supports it; otherwise prints why not.
supported() {
  local product="${1%% *}" v="${1#* }" min
  case "$product" in
  Terraform) min=$min_terraform ;;
  OpenTofu) min=$min_tofu ;;
  *)
    echo "neither Terraform nor OpenTofu"
    return 1
    ;;
  esac
  if ! [[ "$v" =~ ^([0-9]+)\.([0-9]+)\.[0-9]+ ]]; then
    echo "an unknown version"
    return 1
  fi
  local major="${BASH_REMATCH[1]}" minor="${BASH_REMATCH[2]}"
  if [ "$major" != 1 ]; then
    echo "not a version the provider is tested on (it supports $product $min and later 1.x)"
    return 1
  fi
  if [ "$minor" -lt "${min#1.}" ]; then
    echo "older than the provider supports ($product $min and later)"
    return 1
  fi
}

# use PATH VERSION WHERE [NOTE]: the choice, and why not the ones before.
use() {
  echo "using $2 $3 ($(tilde "$1"))${4:+; $4}" >&2
  printf '%s\n' "$1"
  exit 0
}

# --- 1. LM_DEMO_CLI ----------------------------------------------------------
if [ -n "${LM_DEMO_CLI:-}" ]; then
  path="$(type -P -- "$LM_DEMO_CLI")" ||
    die "LM_DEMO_CLI=$LM_DEMO_CLI is neither an executable file nor a command on PATH"
  v="$(cli_version "$path")" ||
    die "LM_DEMO_CLI=$LM_DEMO_CLI ($path) does not run: $v"
  why="$(supported "$v")" ||
    die "LM_DEMO_CLI=$LM_DEMO_CLI is $v, $why; point it at a supported CLI, or unset it to let the demo pick one"
  use "$path" "$v" "from LM_DEMO_CLI"
fi

# --- 2. PATH -----------------------------------------------------------------
passed="" # why the CLIs on PATH were passed over
for name in terraform tofu; do
  path="$(type -P "$name")" || continue
  if ! v="$(cli_version "$path")"; then
    passed+="${passed:+; }$name on PATH ($(tilde "$path")) does not run"
    continue
  fi
  if why="$(supported "$v")"; then
    use "$path" "$v" "from PATH" "$passed"
  fi
  passed+="${passed:+; }$name on PATH is $v, $why"
done
none="${passed:-no terraform or tofu on PATH}"

# --- 3. the cache ------------------------------------------------------------
for path in "$release_dir/terraform" \
  "$cli_dir/terraform-$release_version/terraform" \
  "$cli_dir/terraform-${TERRAFORM_VERSION:-1.8.5}/terraform" \
  "$cli_dir/tofu-${TOFU_VERSION:-1.12.6}/tofu"; do
  [ -x "$path" ] || continue
  v="$(cli_version "$path" 2>/dev/null)" || continue
  supported "$v" >/dev/null || continue
  use "$path" "$v" "from the project's cache" "$none"
done

# --- 4. a release from releases.hashicorp.com --------------------------------
echo "$none, none in $(tilde "$cli_dir"): installing Terraform $release_version from $releases_url (hashicorp/hc-install, signature checked; seconds, plus up to 30 s to compile the installer the first time), else building it from source ($build_time)" >&2
cd "$LM_REPO_ROOT"
if ! go build -o "$work/lmcli" ./internal/cmd/lmcli >>"$log" 2>&1; then
  show_log
  die "go build ./internal/cmd/lmcli failed (the Go module proxy is needed for the demo in any case)"
fi
if path="$(LM_RELEASES_URL="$releases_url" "$work/lmcli" -version "$release_version" -dir "$release_dir" \
  -probe-timeout "$probe_timeout" 2>"$work/lmcli.err")"; then
  cat "$work/lmcli.err" >>"$log"
  v="$(lm_cli_version "$path" "$cfg")" || {
    show_log
    die "the Terraform installed from $releases_url does not run"
  }
  use "$path" "$v" "from $releases_url, installed into the project's cache"
fi
cat "$work/lmcli.err" >>"$log"
reason="$(sed -n 's/^lmcli: //p' "$work/lmcli.err" | tail -n 1)"

# --- 5. one CLI built from source --------------------------------------------
echo "Terraform $release_version could not be installed (${reason:-see the log}): building it from the Go module proxy instead, once, into $(tilde "$cli_dir") ($build_time on 2 cores)..." >&2
if [ "$dry_run" = 1 ]; then
  echo "dry-run: scripts/clis.sh --only terraform-current"
  exit 0
fi
start=$SECONDS
if ! out="$(TERRAFORM_CURRENT_VERSION="$release_version" "$LM_SCRIPTS_DIR/clis.sh" --only terraform-current 2>>"$log")"; then
  show_log
  die "scripts/clis.sh --only terraform-current failed"
fi
path="$(sed -n 's/^TERRAFORM_CURRENT=//p' <<<"$out")"
v="$(lm_cli_version "$path" "$cfg")" || die "the Terraform built by scripts/clis.sh does not run"
use "$path" "$v" "built from source in $((SECONDS - start))s"
