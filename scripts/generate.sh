#!/usr/bin/env bash
# Generates docs/ with tfplugindocs and formats examples/.
#
# tfplugindocs reads the provider schema through a CLI: the current
# Terraform (1.16.4) that scripts/clis.sh builds, which knows every kind of
# block the provider serves (ephemeral resources, list resources, actions).
# The schema is read through a dev_overrides config and handed to
# tfplugindocs as a file, which also keeps tfplugindocs from trying to
# download a Terraform.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/clis.sh)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

go build -o "$work/bin/terraform-provider-lm" .
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "lmtf/lm" = "$work/bin"
  }
  direct {}
}
CFG
mkdir "$work/cfg"
cat >"$work/cfg/main.tf" <<'TF'
terraform {
  required_providers {
    lm = { source = "lmtf/lm" }
  }
}
TF
(cd "$work/cfg" && TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 "$TERRAFORM_CURRENT" providers schema -json >"$work/schema.json")
# tfplugindocs looks the provider up under the name it is given.
sed -i 's#"registry.terraform.io/lmtf/lm"#"registry.terraform.io/hashicorp/lm"#' "$work/schema.json"

go tool tfplugindocs generate --provider-name lm --providers-schema "$work/schema.json"

: >"$work/empty.tfrc"
TF_CLI_CONFIG_FILE="$work/empty.tfrc" CHECKPOINT_DISABLE=1 "$TERRAFORM_CURRENT" fmt -recursive examples/
