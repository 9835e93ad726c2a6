# A pipeline's own LogicMonitor identity, as code: a least-privilege role,
# an API-only user that holds it, and the user's two API tokens (one in use,
# one disabled as a standby for rotations).
#
# `make demo` applies and destroys this against the bundled simulator. To run
# it against a real portal, set LM_COMPANY, LM_ACCESS_ID and LM_ACCESS_KEY (an
# administrator's token) and run terraform (or tofu) init and apply here.
# examples/modules/service-account packs the same into one module.

terraform {
  required_providers {
    lm = {
      source = "lmtf/lm"
    }
  }
}

# Configured from the environment: LM_COMPANY (or LM_BASE_URL), LM_ACCESS_ID
# and LM_ACCESS_KEY, or LM_BEARER_TOKEN.
provider "lm" {}

resource "lm_role" "deployer" {
  name        = "ci-deployer"
  description = "What the deploy pipeline may do, and nothing more"
  privileges = [
    { object_type = "host_group", object_id = "*", operation = "read" },
    { object_type = "dashboard_group", object_id = "*", operation = "write" },
  ]
}

resource "lm_user" "deployer" {
  username = "svc-ci-deployer"
  email    = "platform-team@example.com"
  note     = "deploy pipeline (managed by Terraform)"
  api_only = true
  roles    = [lm_role.deployer.id]
}

resource "lm_api_token" "ci" {
  admin_id = lm_user.deployer.id
  note     = "deploy pipeline"
}

resource "lm_api_token" "standby" {
  admin_id = lm_user.deployer.id
  note     = "standby key, enabled on demand"
  enabled  = false
}

output "role" {
  description = "The role: id and name."
  value       = "${lm_role.deployer.id} ${lm_role.deployer.name}"
}

output "user" {
  description = "The API-only user: id, username and role ids."
  value       = "${lm_user.deployer.id} ${lm_user.deployer.username} (roles ${join(", ", lm_user.deployer.roles)})"
}

output "tokens" {
  description = "The user's tokens: access id and whether each is enabled."
  value = {
    ci      = "${lm_api_token.ci.access_id} enabled=${lm_api_token.ci.enabled}"
    standby = "${lm_api_token.standby.access_id} enabled=${lm_api_token.standby.enabled}"
  }
}

output "ci_access_key" {
  description = "Access key of the pipeline's token: shown once by LogicMonitor, kept in state."
  value       = lm_api_token.ci.access_key
  sensitive   = true
}
