#!/usr/bin/env bash
# Builds the test CLIs (Terraform 1.8.5, the oldest supported; Terraform
# 1.16.4, the current one; OpenTofu 1.12.6) from the Go module proxy into a
# cache directory, once. Release downloads are not reachable on the machines
# this project is developed and tested on, so the CLIs are compiled from
# source; each build takes a few minutes on 2 cores.
#
# usage: scripts/clis.sh [--no-build] [--only terraform|terraform-current|tofu]
#
# Prints, on stdout, one line per CLI, ready for eval:
#   TERRAFORM=/path/to/terraform          (1.8.5)
#   TERRAFORM_CURRENT=/path/to/terraform  (1.16.4)
#   TOFU=/path/to/tofu
# Progress goes to stderr. With --no-build it only reports the CLIs already
# built and exits 1 when one is missing. With --only it builds (or reports)
# just that one, as `make demo` does when it has no other CLI.
#
# Environment: TERRAFORM_VERSION (1.8.5), TERRAFORM_CURRENT_VERSION (1.16.4),
# TOFU_VERSION (1.12.6), LM_CLI_DIR (default
# ${XDG_CACHE_HOME:-~/.cache}/terraform-provider-lm/clis).
#
# Terraform 1.9 and later cannot be `go install`ed: their go.mod replaces nine
# remote-state backends and internal/legacy with nested modules that the
# proxy does not serve. The current Terraform is therefore built from a
# copy of its module with those replaces, and the nine backends (azurerm,
# consul, cos, gcs, kubernetes, oss, pg, s3, oci), dropped. The local,
# remote, cloud, http and inmem backends stay; the protocol and the core,
# which is all the provider's tests exercise, are those of the release.
# Concurrent runs wait for each other (flock) instead of building twice.
set -euo pipefail

TERRAFORM_VERSION="${TERRAFORM_VERSION:-1.8.5}"
TERRAFORM_CURRENT_VERSION="${TERRAFORM_CURRENT_VERSION:-1.16.4}"
TOFU_VERSION="${TOFU_VERSION:-1.12.6}"
CLI_DIR="${LM_CLI_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-lm/clis}"

tf_dir="$CLI_DIR/terraform-$TERRAFORM_VERSION"
tfc_dir="$CLI_DIR/terraform-$TERRAFORM_CURRENT_VERSION"
tofu_dir="$CLI_DIR/tofu-$TOFU_VERSION"

usage() {
  echo "usage: $0 [--no-build] [--only terraform|terraform-current|tofu]" >&2
  exit 2
}
no_build=0 want_tf=1 want_tfc=1 want_tofu=1
while [ $# -gt 0 ]; do
  case "$1" in
  --no-build) no_build=1 ;;
  --only)
    [ $# -ge 2 ] || usage
    want_tf=0 want_tfc=0 want_tofu=0
    case "$2" in
    terraform) want_tf=1 ;;
    terraform-current) want_tfc=1 ;;
    tofu) want_tofu=1 ;;
    *) usage ;;
    esac
    shift
    ;;
  *) usage ;;
  esac
  shift
done

if [ "$no_build" = 1 ]; then
  status=0
  if [ "$want_tf" = 1 ]; then
    if [ -x "$tf_dir/terraform" ]; then echo "TERRAFORM=$tf_dir/terraform"; else status=1; fi
  fi
  if [ "$want_tfc" = 1 ]; then
    if [ -x "$tfc_dir/terraform" ]; then echo "TERRAFORM_CURRENT=$tfc_dir/terraform"; else status=1; fi
  fi
  if [ "$want_tofu" = 1 ]; then
    if [ -x "$tofu_dir/tofu" ]; then echo "TOFU=$tofu_dir/tofu"; else status=1; fi
  fi
  exit "$status"
fi

[ "$want_tf" = 1 ] && mkdir -p "$tf_dir"
[ "$want_tfc" = 1 ] && mkdir -p "$tfc_dir"
[ "$want_tofu" = 1 ] && mkdir -p "$tofu_dir"
mkdir -p "$CLI_DIR"
cd "$CLI_DIR"

# The builds must not pick up the caller's module, workspace or flags.
export GOWORK=off GOFLAGS=""

# version CLI: the first line of `CLI version` ("Terraform v1.8.5").
version() {
  local cfg out rc=0
  cfg="$(mktemp)"
  out="$(TF_CLI_CONFIG_FILE="$cfg" CHECKPOINT_DISABLE=1 "$1" version 2>&1)" || rc=$?
  rm -f "$cfg"
  if [ "$rc" -ne 0 ]; then
    echo "error: $1 does not run:" >&2
    echo "$out" >&2
    return 1
  fi
  echo "${out%%$'\n'*}"
}

# needed WANT CLI VERSION: true when CLI is wanted (WANT=1) and must be
# (re)built: missing, or an earlier build of this script without the release
# flag, which reports "X.Y.Z-dev" (a prerelease, which version checks in
# tests would put below X.Y.Z).
needed() {
  [ "$1" = 1 ] || return 1
  [ -x "$2" ] || return 0
  [ "$(version "$2" 2>/dev/null || true)" != "${3}" ]
}

if needed "$want_tf" "$tf_dir/terraform" "Terraform v$TERRAFORM_VERSION" ||
  needed "$want_tfc" "$tfc_dir/terraform" "Terraform v$TERRAFORM_CURRENT_VERSION" ||
  needed "$want_tofu" "$tofu_dir/tofu" "OpenTofu v$TOFU_VERSION"; then
  exec 9>"$CLI_DIR/.lock"
  if ! flock -n 9; then
    echo "waiting for another scripts/clis.sh to finish building ($CLI_DIR/.lock)" >&2
    flock 9
  fi
fi

# check CLI WANT: the new binary runs and reports the wanted version.
check() {
  local got
  got="$(version "$1")" || return 1
  if [ "$got" != "$2" ]; then
    echo "error: $1 reports '$got', want '$2'" >&2
    return 1
  fi
  echo "built: $got" >&2
}

# The release flag: without it the CLIs call themselves X.Y.Z-dev.
tf_ldflags="-s -w -X github.com/hashicorp/terraform/version.dev=no"
tofu_ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no"

if needed "$want_tf" "$tf_dir/terraform" "Terraform v$TERRAFORM_VERSION"; then
  echo "building terraform $TERRAFORM_VERSION into $tf_dir (once; a few minutes)" >&2
  start=$SECONDS
  rm -rf "$tf_dir.tmp"
  GOBIN="$tf_dir.tmp" go install -ldflags "$tf_ldflags" "github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
  check "$tf_dir.tmp/terraform" "Terraform v$TERRAFORM_VERSION"
  mv "$tf_dir.tmp/terraform" "$tf_dir/terraform"
  rmdir "$tf_dir.tmp"
  echo "terraform $TERRAFORM_VERSION built in $((SECONDS - start))s" >&2
fi

if needed "$want_tfc" "$tfc_dir/terraform" "Terraform v$TERRAFORM_CURRENT_VERSION"; then
  echo "building terraform $TERRAFORM_CURRENT_VERSION into $tfc_dir (once; a few minutes)" >&2
  start=$SECONDS
  go mod download "github.com/hashicorp/terraform@v$TERRAFORM_CURRENT_VERSION"
  src="$(go env GOMODCACHE)/github.com/hashicorp/terraform@v$TERRAFORM_CURRENT_VERSION"
  build="$tfc_dir/src"
  rm -rf "$build"
  cp -R "$src" "$build"
  chmod -R u+w "$build"
  dropped=(azure consul cos gcs kubernetes oss pg s3 oci)
  edits=()
  for b in "${dropped[@]}" legacy; do
    m="github.com/hashicorp/terraform/internal/backend/remote-state/$b"
    [ "$b" = legacy ] && m="github.com/hashicorp/terraform/internal/legacy"
    edits+=("-dropreplace=$m" "-droprequire=$m")
  done
  (cd "$build" && go mod edit "${edits[@]}")
  # Drop the backends' imports and map entries; nothing else uses them.
  init="$build/internal/backend/init/init.go"
  for b in "${dropped[@]}"; do
    sed -i -E "\#\"github.com/hashicorp/terraform/internal/backend/remote-state/$b\"#d" "$init"
  done
  sed -i -E '/^[[:space:]]*"(azurerm|consul|cos|gcs|kubernetes|oss|pg|s3|oci)":[[:space:]]+func\(\)/d' "$init"
  rm -f "$tfc_dir/terraform.tmp"
  (cd "$build" && go build -ldflags "$tf_ldflags" -o "$tfc_dir/terraform.tmp" .)
  check "$tfc_dir/terraform.tmp" "Terraform v$TERRAFORM_CURRENT_VERSION"
  mv "$tfc_dir/terraform.tmp" "$tfc_dir/terraform"
  rm -rf "$build"
  echo "terraform $TERRAFORM_CURRENT_VERSION built in $((SECONDS - start))s" >&2
fi

if needed "$want_tofu" "$tofu_dir/tofu" "OpenTofu v$TOFU_VERSION"; then
  echo "building tofu $TOFU_VERSION into $tofu_dir (once; a few minutes)" >&2
  start=$SECONDS
  go mod download "github.com/opentofu/opentofu@v$TOFU_VERSION"
  src="$(go env GOMODCACHE)/github.com/opentofu/opentofu@v$TOFU_VERSION"
  rm -f "$tofu_dir/tofu.tmp"
  (cd "$src" && go build -ldflags "$tofu_ldflags" -o "$tofu_dir/tofu.tmp" ./cmd/tofu)
  check "$tofu_dir/tofu.tmp" "OpenTofu v$TOFU_VERSION"
  mv "$tofu_dir/tofu.tmp" "$tofu_dir/tofu"
  echo "tofu $TOFU_VERSION built in $((SECONDS - start))s" >&2
fi

[ "$want_tf" = 0 ] || echo "TERRAFORM=$tf_dir/terraform"
[ "$want_tfc" = 0 ] || echo "TERRAFORM_CURRENT=$tfc_dir/terraform"
[ "$want_tofu" = 0 ] || echo "TOFU=$tofu_dir/tofu"
